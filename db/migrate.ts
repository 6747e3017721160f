/**
 * Applies the checked-in drizzle migrations at start, then installs the analytics rollups'
 * triggers (rebuilding the rollups when their definition changed, db/rollups.ts). Several
 * processes (API, worker) may start at once, so this runs on a single-connection client holding
 * a Postgres advisory lock.
 */
import path from 'node:path';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { ensureRollups } from './rollups';

const MIGRATION_LOCK = 123450001;

export async function migrateDatabase(databaseUrl: string): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(drizzle(sql), { migrationsFolder: path.join(__dirname, 'migrations') });
    await ensureRollups(sql);
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
