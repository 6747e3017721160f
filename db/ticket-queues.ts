/**
 * The supervision center's standing queues over open tickets (临期, 逾期, 延期申请, 督办升级, 反复多发,
 * 不满意待处理) and the list flags it filters by, each as one SQL predicate. The drizzle schema
 * declares a partial index on exactly that predicate and the queue's read uses the same fragment,
 * so the read stays on the index however many tickets are open or closed. The predicates are
 * literal SQL (status sets rendered from domain/lifecycle.ts, no bound parameters): the planner
 * can match a partial index only against a WHERE it can prove implies the index's.
 */
import { sql, type SQL } from 'drizzle-orm';
import { LIFECYCLE, OPEN_STATUSES, WITH_UNIT } from '../domain/lifecycle';
import { sqlList } from './sql-list';

export const QUEUE_PREDICATES = {
  /** yellow card, not yet red, while a unit holds the ticket: soonest due first */
  nearDue: sql`near_due and not overdue and status in ${sqlList(WITH_UNIT)}`,
  /** red card while a unit holds the ticket: longest overdue first */
  overdue: sql`overdue and status in ${sqlList(WITH_UNIT)}`,
  /** an extension the unit asked for, awaiting the center's decision */
  extensionRequested: sql`(extension ->> 'status') = 'requested' and status in ${sqlList(WITH_UNIT)}`,
  /** escalated and still open */
  escalated: sql`escalated and status in ${sqlList(OPEN_STATUSES)}`,
  /** an open report found to repeat an earlier one */
  repeat: sql`cardinality(repeat_of) > 0 and status in ${sqlList(OPEN_STATUSES)}`,
  /** a dissatisfied callback awaiting re-handle or finalize (the statuses re-handle is taken from) */
  dissatisfied: sql`satisfaction = 'dissatisfied' and status in ${sqlList(LIFECYCLE.rehandle.from)}`,
} satisfies Record<string, SQL>;

/** The list's boolean flags (`GET /v1/tickets?nearDue=true`), newest first on their own index. */
export const FLAG_PREDICATES = {
  nearDue: { on: sql`near_due`, off: sql`not near_due` },
  overdue: { on: sql`overdue`, off: sql`not overdue` },
  escalated: { on: sql`escalated`, off: sql`not escalated` },
} satisfies Record<string, { on: SQL; off: SQL }>;
