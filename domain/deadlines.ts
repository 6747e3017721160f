/**
 * Deadlines (时限) on the working-day calendar. Pure functions, the one place where a ticket's
 * sign-off, handling, near-due, callback, return and extension limits are computed; workflow
 * code calls them from an activity, since the calendar and policy may change between replays.
 *
 * Elapsed units (seconds, minutes, hours) run 7×24, holidays included. "N working days" ends at
 * the end (23:59:59.999 Asia/Shanghai) of the Nth working day after the start day; the start day
 * itself never counts, so a ticket received on a holiday counts from the next working days.
 */
import type { DispatchDeadlines } from './lifecycle';
import type { WorkingDayCalendar } from './calendar';
import { SECONDS_PER_UNIT, type Duration, type Policy } from './policy';
import type { Category } from './ticket';
import { endOfShanghaiDay, shanghaiDay } from './time';

/** The instant a limit `d` that starts at `from` ends. */
export function addDuration(cal: WorkingDayCalendar, from: Date, d: Duration): Date {
  const { amount, unit } = d;
  if (unit === 'workingDays') return endOfShanghaiDay(cal.addWorkingDays(shanghaiDay(from), amount));
  return new Date(from.getTime() + amount * SECONDS_PER_UNIT[unit] * 1000);
}

/**
 * The instant `d` before `due`, for near-due points. Elapsed units subtract plainly. N working
 * days before a due that ends a day is the end of the Nth working day before that day. The count
 * is by day, so a due inside a day (e.g. an hour limit at 10:00) gives the end of the Nth working
 * day before the day it falls on, not the same clock time.
 */
export function subtractDuration(cal: WorkingDayCalendar, due: Date, d: Duration): Date {
  const { amount, unit } = d;
  if (unit === 'workingDays') return endOfShanghaiDay(cal.addWorkingDays(shanghaiDay(due), -amount));
  return new Date(due.getTime() - amount * SECONDS_PER_UNIT[unit] * 1000);
}

/** A dispatched ticket's deadlines, as ISO instants. */
export interface TicketDeadlines {
  /** 签收时限 */
  signBy: string;
  /** 办理时限 */
  dueBy: string;
  /** 临期: when the yellow card comes on */
  nearDueAt: string;
  /** overdue by the handling limit once more: the ticket is escalated */
  escalateAt: string;
}

/**
 * The limits of a ticket of `category` dispatched at `dispatchedAt`. A near-due point that would
 * fall before the dispatch (a policy whose near-due span is as long as the handling limit) is the
 * dispatch itself: such a ticket is near-due from the start.
 */
export function computeDeadlines(
  cal: WorkingDayCalendar,
  policy: Policy,
  category: Category,
  dispatchedAt: Date,
): TicketDeadlines {
  const limits = policy.categories[category];
  const dueBy = addDuration(cal, dispatchedAt, limits.handling);
  return {
    signBy: addDuration(cal, dispatchedAt, limits.signOff).toISOString(),
    ...pointsAroundDue(cal, policy, category, dueBy, dispatchedAt),
  };
}

/** The due date with its near-due and escalation points, for a new due date (e.g. after an extension). */
function pointsAroundDue(
  cal: WorkingDayCalendar,
  policy: Policy,
  category: Category,
  dueBy: Date,
  dispatchedAt: Date,
): Omit<TicketDeadlines, 'signBy'> {
  const limits = policy.categories[category];
  const nearDueAt = subtractDuration(cal, dueBy, limits.nearDue);
  return {
    dueBy: dueBy.toISOString(),
    nearDueAt: (nearDueAt < dispatchedAt ? dispatchedAt : nearDueAt).toISOString(),
    escalateAt: addDuration(cal, dueBy, limits.handling).toISOString(),
  };
}

/** 回访时限: the citizen must be called back by then. */
export function callbackDeadline(cal: WorkingDayCalendar, policy: Policy, repliedAt: Date): string {
  return addDuration(cal, repliedAt, policy.callback).toISOString();
}

/** 退单: the last moment a unit may ask to return a ticket. */
export function returnWindowEnd(cal: WorkingDayCalendar, policy: Policy, dispatchedAt: Date): string {
  return addDuration(cal, dispatchedAt, policy.returnWindow).toISOString();
}

/**
 * 延期 approved: the due date moves by `workingDays` on top of the current one, with its near-due
 * and escalation points under the ticket's policy. Whether the unit may ask, and for how many
 * days, is the lifecycle's rule (domain/lifecycle.ts, `extensionRequest`).
 */
export function extendedDeadlines(
  cal: WorkingDayCalendar,
  policy: Policy,
  category: Category,
  current: { dueBy: Date; dispatchedAt: Date },
  workingDays: number,
): Omit<TicketDeadlines, 'signBy'> {
  const dueBy = addDuration(cal, current.dueBy, { amount: workingDays, unit: 'workingDays' });
  return pointsAroundDue(cal, policy, category, dueBy, current.dispatchedAt);
}

/** Everything a dispatch fixes: the deadlines, the return window and the extension limit. */
export function dispatchDeadlines(
  cal: WorkingDayCalendar,
  policy: Policy,
  policyVersion: number,
  category: Category,
  dispatchedAt: Date,
): DispatchDeadlines {
  return {
    policyVersion,
    ...computeDeadlines(cal, policy, category, dispatchedAt),
    returnBy: returnWindowEnd(cal, policy, dispatchedAt),
    extensionMaxWorkingDays: policy.extensionMax.amount,
  };
}
