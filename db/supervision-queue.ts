/**
 * The reads behind the supervision center's queue (GET /v1/supervision/queue): per list, its
 * tickets and their order, and the index it reads (tests/integration/supervision-queue-plans.test.ts
 * holds each read to its index, so none turns into a scan of every ticket as the table grows).
 */
import { and, asc, eq, inArray, isNotNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';
import { supervisionNotices, tickets } from './schema';
import type { BuiltQuery } from './full-rows';
import { preparedOn } from './prepared';
import { sqlList } from './sql-list';
import { ticketRows, type TicketRow } from './tickets';
import { QUEUE_PREDICATES } from './ticket-queues';
import { OPEN_STATUSES } from '../domain/lifecycle';

export const QUEUE_LIMIT = 200;

/**
 * Triage order (分诊): an emergency the classifier referred to 110/119/120/122 first (the caller
 * must be told at once where to turn), then urgent A and pressing B, then the rest.
 */
export const TRIAGE_URGENCY = sql`case
  when ${tickets.proposal}->'outOfScope'->>'emergency' = 'true' then 0
  when ${tickets.proposal}->'classification'->>'category' = 'A' then 1
  when ${tickets.proposal}->'classification'->>'category' = 'B' then 2
  else 3 end`;

interface QueueRead {
  where: SQL | undefined;
  order: (SQL | (typeof tickets)['_']['columns'][keyof (typeof tickets)['_']['columns']])[];
  /** the index the read is planned on */
  index: string;
}

const refused = (db: Db) =>
  db.select({ id: supervisionNotices.ticketId }).from(supervisionNotices).where(eq(supervisionNotices.kind, 'record_failed'));

/** The queue's lists of tickets, in the order the view shows them. */
export const SUPERVISION_QUEUE_READS = {
  nearDue: () => ({ where: QUEUE_PREDICATES.nearDue, order: [tickets.dueBy], index: 'tickets_queue_near_due_idx' }),
  overdue: () => ({ where: QUEUE_PREDICATES.overdue, order: [tickets.dueBy], index: 'tickets_queue_overdue_idx' }),
  returnRequests: () => ({ where: eq(tickets.status, 'return_requested'), order: [sql`${tickets.returnRequest}->>'at'`], index: 'tickets_status_idx' }),
  extensionRequests: () => ({ where: QUEUE_PREDICATES.extensionRequested, order: [sql`(extension ->> 'at')`], index: 'tickets_queue_extension_idx' }),
  dissatisfied: () => ({ where: QUEUE_PREDICATES.dissatisfied, order: [tickets.repliedAt], index: 'tickets_queue_dissatisfied_idx' }),
  escalated: () => ({ where: QUEUE_PREDICATES.escalated, order: [tickets.receivedAt], index: 'tickets_queue_escalated_idx' }),
  repeats: () => ({ where: QUEUE_PREDICATES.repeat, order: [tickets.receivedAt], index: 'tickets_queue_repeat_idx' }),
  triage: () => ({
    where: and(eq(tickets.status, 'triage'), isNotNull(tickets.triageBy), lt(tickets.triageBy, sql`now()`)),
    order: [TRIAGE_URGENCY, tickets.triageBy],
    index: 'tickets_status_idx',
  }),
  refusedSteps: (db: Db) => ({
    where: and(sql`status in ${sqlList(OPEN_STATUSES)}`, inArray(tickets.id, refused(db))),
    order: [tickets.receivedAt],
    index: 'tickets_pkey',
  }),
} satisfies Record<string, (db: Db) => QueueRead>;

export type QueueList = keyof typeof SUPERVISION_QUEUE_READS;

/** The select of one list (not yet run: queueRows runs it, the plan test explains it). */
export function queueSelect(db: Db, list: QueueList) {
  const read: QueueRead = SUPERVISION_QUEUE_READS[list](db);
  return db
    .select()
    .from(tickets)
    .where(read.where)
    .orderBy(...read.order.map((o) => asc(o)))
    .limit(QUEUE_LIMIT);
}

/** Each list's query, built once per handle: none takes anything from the request. */
const queueQueries = preparedOn((db) => {
  const lists = Object.keys(SUPERVISION_QUEUE_READS) as QueueList[];
  return Object.fromEntries(lists.map((list) => [list, queueSelect(db, list).toSQL()])) as Record<QueueList, BuiltQuery>;
});

/** One list of the queue, run as a prepared statement (the API's read). */
export function queueRows(db: Db, list: QueueList): Promise<TicketRow[]> {
  return ticketRows.read(db, queueQueries(db)[list], { prepare: true });
}
