/** Checks that what a request names exists: a well-formed id of nothing is a 422 naming the field. */
import { inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { topics, units } from '../db/schema';
import { DEFAULT_CLASSIFIER_BASE } from '../domain/classifier';
import type { Classification } from '../domain/ticket';
import { HttpError } from './errors';

export type ReferenceKind = 'unit' | 'topic' | 'region';

/** A value of a request (at `path`) that names a unit, a topic or a region. */
export interface Reference {
  kind: ReferenceKind;
  path: string;
  id: string;
}

/** The regions of the gazetteer the classifier reads: the city and its districts and counties. */
const gazetteerRegions = new Set([DEFAULT_CLASSIFIER_BASE.regions.cityCode, ...DEFAULT_CLASSIFIER_BASE.regions.districts.map((d) => d.code)]);

/** Which of `ids` exist, per kind. */
const existing: Record<ReferenceKind, (db: Db, ids: string[]) => Promise<string[]>> = {
  unit: async (db, ids) => (await db.select({ id: units.id }).from(units).where(inArray(units.id, ids))).map((r) => r.id),
  topic: async (db, ids) => (await db.select({ code: topics.code }).from(topics).where(inArray(topics.code, ids))).map((r) => r.code),
  // the regions the hotline serves: the gazetteer's, and any an admin has placed a unit in
  region: async (db, ids) => [
    ...ids.filter((id) => gazetteerRegions.has(id)),
    ...(await db.selectDistinct({ regionCode: units.regionCode }).from(units).where(inArray(units.regionCode, ids))).map((r) => r.regionCode),
  ],
};

/** A 422 naming each reference to a unit, topic or region that does not exist. */
export async function assertReferencesExist(db: Db, refs: Reference[]): Promise<void> {
  const kinds = [...new Set(refs.map((r) => r.kind))];
  const found = new Map(
    await Promise.all(kinds.map(async (kind) => [kind, new Set(await existing[kind](db, refs.filter((r) => r.kind === kind).map((r) => r.id)))] as const)),
  );
  const missing = refs.filter((r) => !found.get(r.kind)!.has(r.id));
  if (missing.length === 0) return;
  const details = missing.map((r) => ({ path: r.path, message: `unknown ${r.kind} '${r.id}'` }));
  throw new HttpError(422, 'unprocessable', `${details[0]!.path}: ${details[0]!.message}`, details);
}

const at = (prefix: string, field: string) => (prefix ? `${prefix}.${field}` : field);

/** `unitRefs('disposition', 'u1', ['u2'])` → the primary at `disposition.unitId`, co-units at `disposition.coUnitIds.N`. */
export function unitRefs(prefix: string, unitId: string | undefined, coUnitIds: string[] = []): Reference[] {
  return [
    ...(unitId ? [{ kind: 'unit' as const, path: at(prefix, 'unitId'), id: unitId }] : []),
    ...coUnitIds.map((id, i) => ({ kind: 'unit' as const, path: at(prefix, `coUnitIds.${i}`), id })),
  ];
}

/** The topic and region a ticket is given (at receipt, at triage). */
export function ticketRefs(t: { classification?: Classification; regionCode?: string }): Reference[] {
  return [
    ...(t.classification ? [{ kind: 'topic' as const, path: 'classification.topic', id: t.classification.topic }] : []),
    ...(t.regionCode ? [{ kind: 'region' as const, path: 'regionCode', id: t.regionCode }] : []),
  ];
}
