/** Loads the demo city. Idempotent: existing rows are left as an admin may have changed them. */
import type { Db } from '../client';
import { units } from '../schema';
import { DEMO_UNITS } from './demo-city';

export async function loadDemoData(db: Db): Promise<void> {
  await db.insert(units).values(DEMO_UNITS).onConflictDoNothing();
}
