/**
 * The supervision queue's reads stay on their indexes as tickets pile up: against a real Postgres
 * holding many open and closed tickets (closed ones still carrying the near-due, overdue and
 * escalated marks of their life), each list of GET /v1/supervision/queue is planned on the index
 * db/supervision-queue.ts names for it — never a scan of every ticket — and returns exactly the
 * tickets its predicate names, in its order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { tickets } from '../../../db/schema';
import { SUPERVISION_QUEUE_READS, queueRows, queueSelect, type QueueList } from '../../../db/supervision-queue';
import { CLOSED_STATUSES, WITH_UNIT } from '../../../domain/lifecycle';
import { createScratchDatabase, scratchServerAvailable, type ScratchDatabase } from '../../setup/scratch-database';

const available = await scratchServerAvailable();
const N = 6_000;
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-02T09:00:00+08:00');

type Row = typeof tickets.$inferInsert;

/** Ticket i: most closed with the marks of their life, some with a unit, a few in each queue. */
function ticket(i: number): Row {
  const receivedAt = new Date(T0 + i * 60_000);
  const base: Row = { id: `Q${String(i).padStart(6, '0')}`, channel: 'phone', content: `第${i}号工单`, status: 'closed', receivedAt, dueBy: new Date(receivedAt.getTime() + 48 * HOUR) };
  const closed = CLOSED_STATUSES[i % CLOSED_STATUSES.length]!;
  if (i % 100 < 70) return { ...base, status: closed, nearDue: i % 3 === 0, overdue: i % 5 === 0, escalated: i % 7 === 0, repeatOf: i % 11 === 0 ? ['Q000000'] : [] };
  const withUnit = WITH_UNIT[i % WITH_UNIT.length]!;
  switch (i % 100) {
    case 70: return { ...base, status: withUnit, nearDue: true };
    case 71: return { ...base, status: withUnit, nearDue: true, overdue: true };
    case 72: return { ...base, status: withUnit, extension: { status: 'requested', at: receivedAt.toISOString() } };
    case 73: return { ...base, status: 'dispatched', escalated: true };
    case 74: return { ...base, status: 'dispatched', repeatOf: ['Q000001'] };
    case 75: return { ...base, status: 'replied', satisfaction: 'dissatisfied', repliedAt: receivedAt };
    case 76: return { ...base, status: 'return_requested', returnRequest: { at: receivedAt.toISOString(), reason: '非本单位职责' } };
    case 77: return { ...base, status: 'triage', triageBy: new Date(receivedAt.getTime() + HOUR) };
    default: return { ...base, status: withUnit };
  }
}

describe.skipIf(!available)('the supervision queue on many tickets', () => {
  let scratch: ScratchDatabase;
  const rows = Array.from({ length: N }, (_, i) => ticket(i));

  beforeAll(async () => {
    scratch = await createScratchDatabase('queue_plans');
    for (let i = 0; i < rows.length; i += 1000) await scratch.database.db.insert(tickets).values(rows.slice(i, i + 1000));
    await scratch.database.db.execute(sql`analyze tickets`);
  }, 120_000);
  afterAll(() => scratch?.drop());

  /** What each list must hold, by the same rules in plain code. */
  const expected: Record<QueueList, (r: Row) => boolean> = {
    nearDue: (r) => !!r.nearDue && !r.overdue && WITH_UNIT.includes(r.status as never),
    overdue: (r) => !!r.overdue && WITH_UNIT.includes(r.status as never),
    returnRequests: (r) => r.status === 'return_requested',
    extensionRequests: (r) => (r.extension as { status?: string } | undefined)?.status === 'requested' && WITH_UNIT.includes(r.status as never),
    dissatisfied: (r) => r.status === 'replied' && r.satisfaction === 'dissatisfied',
    escalated: (r) => !!r.escalated && !CLOSED_STATUSES.includes(r.status as never),
    repeats: (r) => (r.repeatOf?.length ?? 0) > 0 && !CLOSED_STATUSES.includes(r.status as never),
    triage: (r) => r.status === 'triage' && r.triageBy! < new Date(),
    refusedSteps: () => false,
  };

  it.each(Object.keys(SUPERVISION_QUEUE_READS) as QueueList[])('plans %s on its own index and returns its tickets', async (list) => {
    const { db } = scratch.database;
    const query = queueSelect(db, list).toSQL();
    const [{ 'QUERY PLAN': plan }] = (await db.execute(sql.raw(`explain (format json) ${inline(query.sql, query.params)}`))) as unknown as [{ 'QUERY PLAN': unknown }];
    const text = JSON.stringify(plan);
    expect(text, `${list}: ${text}`).toContain(`"Index Name":"${SUPERVISION_QUEUE_READS[list](db).index}"`);
    expect(nodes(plan).filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'tickets')).toEqual([]);
    const got = (await queueRows(db, list)).map((r) => r.id);
    const want = rows.filter(expected[list]).map((r) => r.id!);
    expect(got.length).toBe(Math.min(want.length, 200));
    expect(new Set(got).size).toBe(got.length);
    for (const id of got) expect(want).toContain(id);
  });
});

/** Every node of an EXPLAIN (FORMAT JSON) plan. */
function nodes(plan: unknown): Record<string, unknown>[] {
  if (Array.isArray(plan)) return plan.flatMap(nodes);
  if (plan === null || typeof plan !== 'object') return [];
  const node = plan as Record<string, unknown>;
  const inner = node.Plan ? [node.Plan] : [];
  return [...('Node Type' in node ? [node] : []), ...[...inner, ...((node.Plans as unknown[]) ?? [])].flatMap(nodes)];
}

/** The query with its parameters written in as literals, for EXPLAIN (which takes no parameters). */
function inline(text: string, params: unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const v = params[Number(n) - 1];
    return typeof v === 'number' ? String(v) : `'${String(v).replaceAll("'", "''")}'`;
  });
}
