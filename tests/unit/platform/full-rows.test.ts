/**
 * Whole ticket rows read in bulk (db/full-rows.ts: lists and the supervision queue) are exactly
 * the rows drizzle reads: every column kind (text, timestamps, jsonb, text[], integers, a bigint,
 * doubles, booleans), set and null, against a real Postgres. A query that selects other columns
 * is refused rather than read into the wrong fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq, getTableColumns } from 'drizzle-orm';
import { tickets } from '../../../db/schema';
import { listTickets, ticketRows } from '../../../db/tickets';
import { createScratchDatabase, scratchServerAvailable, type ScratchDatabase } from '../../setup/scratch-database';

const available = await scratchServerAvailable();

const full: typeof tickets.$inferInsert = {
  id: '12345-20261202-000001',
  channel: 'phone',
  callerName: '张先生',
  callerPhone: '13912345678',
  content: '红旗区向阳小区3号楼停水两天了',
  address: '红旗区向阳小区3号楼',
  regionCode: '410702',
  lat: 35.30312,
  lng: 113.92681,
  geoCell: 9_007_199_254_740_000,
  mediaUrl: 'https://example.org/p/1.jpg',
  externalPlatform: 'province',
  externalId: 'HN-2026-1',
  businessEnvironment: true,
  type: 'complaint',
  topic: '040101',
  category: 'B',
  status: 'return_requested',
  unitId: 'xx-water',
  coUnitIds: ['xx-housing', 'xx-street'],
  signBy: new Date('2026-12-02T04:00:00.000Z'),
  dueBy: new Date('2026-12-04T09:30:00.123Z'),
  nearDueAt: new Date('2026-12-04T01:30:00.000Z'),
  returnBy: new Date('2026-12-02T09:00:00.000Z'),
  callbackBy: new Date('2026-12-08T10:00:00.000Z'),
  policyVersion: 3,
  nearDue: true,
  overdue: false,
  escalated: true,
  rehandleCount: 1,
  urgeCount: 2,
  signOverdue: true,
  callbackMissed: false,
  returnCount: 1,
  returnRequest: { at: '2026-12-02T03:00:00.000Z', reason: '非本单位职责', previousStatus: 'handling' },
  extension: { status: 'requested', at: '2026-12-02T02:00:00.000Z', days: 3 },
  mergedInto: '12345-20261201-000009',
  repeatOf: ['12345-20261130-000004'],
  triageBy: new Date('2026-12-02T01:00:00.000Z'),
  proposal: { classification: { type: 'complaint', topic: '040101', category: 'B' }, confidence: { dispatch: 0.97 } },
  replyResult: 'resolved',
  replyText: '已修复',
  repliedAt: new Date('2026-12-03T08:00:00.000Z'),
  replyOnTime: true,
  satisfaction: 'satisfied',
  answer: '已答复',
  rejectReason: '重复',
  referral: '110',
  closeReason: 'merged',
  receivedAt: new Date('2026-12-02T00:30:00.456Z'),
  dispatchedAt: new Date('2026-12-02T00:31:00.000Z'),
  signedAt: new Date('2026-12-02T02:00:00.000Z'),
  closedAt: new Date('2026-12-05T00:00:00.000Z'),
  imported: true,
  lastEventSeq: 7,
};
const bare: typeof tickets.$inferInsert = { id: '12345-20261202-000002', channel: 'web', content: '咨询', status: 'triage', receivedAt: new Date('2026-12-02T00:40:00.000Z') };

describe.skipIf(!available)('whole ticket rows read in bulk', () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchDatabase('full_rows');
    await scratch.database.db.insert(tickets).values([full, bare]);
  }, 60_000);
  afterAll(() => scratch?.drop());

  it('covers every column of the table', () => {
    const given = new Set(Object.keys(full));
    expect(Object.keys(getTableColumns(tickets)).filter((k) => !given.has(k))).toEqual(['updatedAt']);
  });

  it('reads each row as drizzle does, set and null', async () => {
    const { db } = scratch.database;
    const query = db.select().from(tickets).orderBy(desc(tickets.receivedAt));
    const expected = await query;
    const got = await ticketRows.read(db, query.toSQL());
    expect(got).toEqual(expected);
    expect(got.map((r) => r.id)).toEqual([bare.id, full.id]);
    // the kinds a JSON comparison would blur
    const [, row] = got;
    expect(row!.dueBy).toBeInstanceOf(Date);
    expect(row!.dueBy!.toISOString()).toBe('2026-12-04T09:30:00.123Z');
    expect(row!.geoCell).toBe(9_007_199_254_740_000);
    expect(row!.coUnitIds).toEqual(['xx-housing', 'xx-street']);
    expect(row!.returnRequest).toEqual(full.returnRequest);
    expect(got[0]!.lat).toBeNull();
    expect(got[0]!.coUnitIds).toEqual([]);
  });

  it('is what a ticket list answers', async () => {
    const { db } = scratch.database;
    const [row] = await listTickets(db, { category: 'B' }, 10);
    expect(row).toEqual((await db.select().from(tickets).where(eq(tickets.id, full.id!)))[0]);
  });

  it('refuses a query that does not select the whole row', async () => {
    const { db } = scratch.database;
    const partial = db.select({ id: tickets.id, status: tickets.status }).from(tickets).toSQL();
    await expect(ticketRows.read(db, partial)).rejects.toThrow(/has \d+ columns; the query selected 2/);
  });
});
