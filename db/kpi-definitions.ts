/**
 * What each figure of `domain/kpi.ts` counts, as SQL over one ticket row `t` of the read model.
 * Written once here and used by the rollups (`db/rollups.ts`, whose triggers and rebuild are
 * rendered from these fragments) and by the queries of `db/analytics.ts` and `db/reports.ts`.
 *
 * The read model holds each ticket's current state, so figures are as of the query: a past
 * month's completion rate still rises when a late reply comes in.
 *
 * - received in a period: received_at ∈ [from, to) — volumes, shares, breakdowns, hot spots;
 * - dispatched (已转办): dispatched_at set and status one of DISPATCHED_STATUSES (dispatched,
 *   handling, return_requested, replied, closed; merged tickets are handled in the ticket they
 *   joined);
 * - answered directly (直接答复): status 'answered';
 * - due in a period: due_by ∈ [from, to), or received_at ∈ [from, to) when the ticket has no
 *   due_by (historical imports) — the cohort of dispatched tickets every handling figure is
 *   computed on;
 * - completed (办结): status one of REPLIED_STATUSES (replied, closed) — the unit's reply stands
 *   (a re-handled ticket is handling again, so no longer completed);
 * - completed on time (按期办结): completed, and reply_on_time (the reply came by due_by, which
 *   includes an approved extension), or replied_at ≤ due_by when the flag is missing;
 * - signed on time (按时签收): signed_at ≤ sign_by, out of the tickets that have a sign_by;
 * - callback done (已回访): a callback outcome is recorded (satisfaction not null, any outcome);
 *   callback due (应回访): done, or completed with its callback limit (callback_by) passed or unknown;
 * - satisfaction counts: the latest callback outcome per ticket;
 * - re-handled (重办): rehandle_count > 0;
 * - returns (退单): return_approved events in the period, counted for the unit returned from.
 *
 * The status sets are domain/lifecycle.ts's, derived from its state machine.
 */
import { sql, type SQL } from 'drizzle-orm';
import { HOTLINE_TIME_ZONE } from '../domain/time';
import type { Period } from '../domain/kpi';
import { DISPATCHED_STATUSES, REPLIED_STATUSES } from '../domain/lifecycle';
import { sqlList } from './sql-list';

export const isDispatched = sql`(t.dispatched_at is not null and t.status in ${sqlList(DISPATCHED_STATUSES)})`;
export const isAnswered = sql`(t.status = 'answered')`;
export const isCompleted = sql`(t.status in ${sqlList(REPLIED_STATUSES)})`;
export const isCompletedOnTime = sql`(${isCompleted} and coalesce(t.reply_on_time, t.replied_at <= t.due_by, false))`;
export const callbackDone = sql`(t.satisfaction is not null)`;
/** Completed and not yet called back: due once callback_by has passed (or when there is none). */
export const awaitingCallback = sql`(${isCompleted} and t.satisfaction is null)`;
/** Awaiting a callback whose limit has not passed yet: not yet due, so left out of 回访率. */
export const callbackNotYetDue = sql`(${awaitingCallback} and t.callback_by > now())`;

/**
 * The handling facts of one dispatched ticket, each a predicate over `t`: the cohort counts
 * behind 办结率, 按期办结率, 满意率, 回访率 and the ranking components. `callbacks_due` is
 * callbacks_done + awaiting_callback − the callbacks not yet due, the only part that depends
 * on the time of the query.
 */
export const HANDLING_FACTS = {
  due: sql`true`,
  completed: isCompleted,
  completed_on_time: isCompletedOnTime,
  sign_due: sql`(t.sign_by is not null)`,
  signed_on_time: sql`(t.signed_at <= t.sign_by)`,
  satisfied: sql`(t.satisfaction = 'satisfied')`,
  basically_satisfied: sql`(t.satisfaction = 'basically_satisfied')`,
  dissatisfied: sql`(t.satisfaction = 'dissatisfied')`,
  unreachable: sql`(t.satisfaction = 'unreachable')`,
  callbacks_done: callbackDone,
  awaiting_callback: awaitingCallback,
  rehandled: sql`(t.rehandle_count > 0)`,
} as const;
export type HandlingFact = keyof typeof HANDLING_FACTS;

export function at(instant: Date): SQL {
  return sql`${instant.toISOString()}::timestamptz`;
}

export function receivedIn(p: Period): SQL {
  return sql`(t.received_at >= ${at(p.from)} and t.received_at < ${at(p.to)})`;
}

/** Written as an OR of two index ranges so Postgres can combine both indexes. */
export function dueIn(p: Period): SQL {
  return sql`((t.due_by >= ${at(p.from)} and t.due_by < ${at(p.to)})
    or (t.due_by is null and ${receivedIn(p)}))`;
}

const zone = sql.raw(`'${HOTLINE_TIME_ZONE}'`);

/** The hotline's calendar day of a timestamptz, as a date. */
export const shanghaiDate = (column: SQL) => sql`(${column} at time zone ${zone})::date`;
/** The day a dispatched ticket is due on: its due_by, or its receipt when it has none (`dueIn`). */
export const dueDate = shanghaiDate(sql`coalesce(t.due_by, t.received_at)`);
export const isoInstant = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
