/** Checks that what a request names exists: a well-formed id of nothing is a 422 naming the field. */
import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { topics, units } from '../db/schema';
import { unprocessable } from './errors';

/** `unitRefs('disposition', 'u1', ['u2'])` → the primary at `disposition.unitId`, co-units at `disposition.coUnitIds.N`. */
export function unitRefs(prefix: string, unitId: string | undefined, coUnitIds: string[] = []): { path: string; id: string }[] {
  const at = (field: string) => (prefix ? `${prefix}.${field}` : field);
  return [...(unitId ? [{ path: at('unitId'), id: unitId }] : []), ...coUnitIds.map((id, i) => ({ path: at(`coUnitIds.${i}`), id }))];
}

export async function assertUnitsExist(db: Db, refs: { path: string; id: string }[]): Promise<void> {
  if (refs.length === 0) return;
  const found = new Set((await db.select({ id: units.id }).from(units).where(inArray(units.id, refs.map((r) => r.id)))).map((u) => u.id));
  const missing = refs.find((r) => !found.has(r.id));
  if (missing) throw unprocessable(missing.path, `unknown unit '${missing.id}'`);
}

export async function assertTopicExists(db: Db, code: string, path: string): Promise<void> {
  if ((await db.select({ code: topics.code }).from(topics).where(eq(topics.code, code))).length === 0) {
    throw unprocessable(path, `unknown topic '${code}'`);
  }
}
