import postgres from 'postgres';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import * as schema from './schema';

export type Db = PostgresJsDatabase<typeof schema>;

export interface Database {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

/**
 * Seconds to wait for a new connection: an unreachable Postgres (down, frozen, a network
 * partition) fails requests quickly with a 503, rather than after the driver's 30 s default.
 */
const CONNECT_TIMEOUT_SECONDS = 3;

export function connectDatabase(url: string, options: { max?: number } = {}): Database {
  const sql = postgres(url, { max: options.max ?? 10, connect_timeout: CONNECT_TIMEOUT_SECONDS, onnotice: () => undefined });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
