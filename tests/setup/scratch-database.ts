/**
 * A scratch database of its own for a unit-project test of SQL: created and migrated on the
 * server at KPI_TEST_POSTGRES_URL (default the local one), dropped afterwards. Tests skip when
 * no server answers.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { connectDatabase, type Database } from '../../db/client';
import { migrateDatabase } from '../../db/migrate';
import { withDatabase } from '../../platform/postgres';

const serverUrl = process.env.KPI_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function scratchServerAvailable(): Promise<boolean> {
  // a server that is there but loaded may take seconds to answer: only no server at all skips the tests
  const probe = postgres(serverUrl, { max: 1, connect_timeout: 30, onnotice: () => undefined });
  try {
    await probe`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await probe.end({ timeout: 1 });
  }
}

export interface ScratchDatabase {
  url: string;
  database: Database;
  drop(): Promise<void>;
}

export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  const url = withDatabase(serverUrl, name);
  await migrateDatabase(url);
  const database = connectDatabase(url, { max: 4 });
  return {
    url,
    database,
    async drop() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
