/**
 * The daily rollups against a real Postgres: whatever the writes — multi-row inserts, the
 * workflow's upserts, concurrent steps, reclassification, a moved deadline, another unit,
 * deletions — the sums the triggers keep equal a recount from the tickets table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client';
import { rebuildRollups, ensureRollups } from '../../../db/rollups';
import { rollupDefinitions, tickets } from '../../../db/schema';
import { CALLBACK_OUTCOMES, CHANNELS, STATUSES, TICKET_TYPES } from '../../../domain/ticket';
import { createScratchDatabase, scratchServerAvailable, type ScratchDatabase } from '../../setup/scratch-database';

const available = await scratchServerAvailable();

/** A repeatable pseudo-random sequence (mulberry32). */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const maybe = <T>(value: T): T | null => (next() < 0.2 ? null : value);
  return { next, pick, maybe };
}

type Row = typeof tickets.$inferInsert;
const UNITS = ['u1', 'u2', 'u3'];
const DAY = 86_400_000;
const EPOCH = Date.parse('2021-03-01T00:00:00+08:00');

function randomTicket(r: ReturnType<typeof random>, id: string): Row {
  const receivedAt = new Date(EPOCH + Math.floor(r.next() * 40 * DAY));
  const dispatched = r.next() < 0.6;
  return {
    id,
    channel: r.pick(CHANNELS),
    content: id,
    status: dispatched ? r.pick(['dispatched', 'handling', 'replied', 'closed']) : r.pick(STATUSES),
    type: r.maybe(r.pick(TICKET_TYPES)),
    topic: r.maybe(r.pick(['0301', '030102', '0405', '99'])),
    regionCode: r.maybe(r.pick(['410702', '410711'])),
    businessEnvironment: r.next() < 0.2,
    receivedAt,
    unitId: dispatched ? r.pick(UNITS) : null,
    dispatchedAt: dispatched ? receivedAt : null,
    signBy: dispatched ? r.maybe(new Date(receivedAt.getTime() + DAY)) : null,
    signedAt: dispatched ? r.maybe(new Date(receivedAt.getTime() + r.next() * 2 * DAY)) : null,
    dueBy: dispatched ? r.maybe(new Date(receivedAt.getTime() + r.next() * 10 * DAY)) : null,
    repliedAt: dispatched ? r.maybe(new Date(receivedAt.getTime() + r.next() * 10 * DAY)) : null,
    replyOnTime: dispatched ? r.maybe(r.next() < 0.8) : null,
    callbackBy: r.maybe(new Date(receivedAt.getTime() + 12 * DAY)),
    satisfaction: r.maybe(r.pick(CALLBACK_OUTCOMES)),
    rehandleCount: r.next() < 0.1 ? 1 : 0,
  };
}

async function nonZeroRollups(db: Db) {
  const [volume, handling] = await Promise.all([
    db.execute(sql`select * from ticket_volume_daily where tickets <> 0 or answered <> 0 or dispatched <> 0 order by day, dimension, key`),
    db.execute(sql`select * from ticket_handling_daily where greatest(due, completed, completed_on_time, sign_due, signed_on_time, satisfied,
      basically_satisfied, dissatisfied, unreachable, callbacks_done, awaiting_callback, rehandled) > 0 order by day, unit_id, region_code, business_environment`),
  ]);
  return { volume: [...volume], handling: [...handling] };
}

let scratch: ScratchDatabase;

describe.skipIf(!available)('the daily rollups', () => {
  beforeAll(async () => {
    scratch = await createScratchDatabase('rollup_scratch');
  });
  afterAll(() => scratch?.drop());

  it('equal a recount after inserts, upserts, concurrent steps, moves and deletions', async () => {
    const { db } = scratch.database;
    const r = random(12345);
    const ids = Array.from({ length: 300 }, (_, i) => `t${i}`);
    // multi-row statements, as the import writes them
    for (let i = 0; i < ids.length; i += 100) await db.insert(tickets).values(ids.slice(i, i + 100).map((id) => randomTicket(r, id)));

    // the workflow's step: an upsert of the whole row, several at once on a pool of connections
    const steps = ids.filter(() => r.next() < 0.5).map((id) => randomTicket(r, id));
    await Promise.all(steps.map((row) => db.insert(tickets).values(row).onConflictDoUpdate({ target: tickets.id, set: { ...row, updatedAt: sql`now()` } })));
    // an upsert that changes nothing (a retried step): no update, no count
    await db.insert(tickets).values(steps[0]!).onConflictDoUpdate({ target: tickets.id, set: steps[0]!, setWhere: sql`false` });

    // one statement moving many rows: reclassified, another unit, an extended deadline
    await db.update(tickets).set({ topic: '0405', type: 'complaint' }).where(inArray(tickets.id, ids.slice(0, 40)));
    await db.update(tickets).set({ unitId: 'u9' }).where(inArray(tickets.id, ids.slice(40, 80)));
    await db.execute(sql`update tickets set due_by = due_by + interval '7 days' where id in ${ids.slice(80, 120)} and due_by is not null`);
    await db.delete(tickets).where(inArray(tickets.id, ids.slice(120, 150)));

    const maintained = await nonZeroRollups(db);
    expect(maintained.volume.length).toBeGreaterThan(50);
    expect(maintained.handling.length).toBeGreaterThan(20);
    await rebuildRollups(scratch.database.sql);
    expect(await nonZeroRollups(db)).toEqual(maintained);
  });

  it('are rebuilt at start when their definition changed, and left alone when not', async () => {
    const { db, sql: client } = scratch.database;
    expect(await ensureRollups(client)).toBe(false);
    const before = await nonZeroRollups(db);
    await db.execute(sql`update ticket_volume_daily set tickets = tickets + 1000`);
    await db.update(rollupDefinitions).set({ definitionHash: 'an older definition' });
    expect(await ensureRollups(client)).toBe(true);
    expect(await nonZeroRollups(db)).toEqual(before);
  });

  it('are emptied with the table', async () => {
    const { db } = scratch.database;
    await db.execute(sql`truncate tickets cascade`);
    expect(await nonZeroRollups(db)).toEqual({ volume: [], handling: [] });
  });
});
