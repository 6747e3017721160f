/**
 * Activities of supervision (督办): deadlines from the policy and the working-day calendar
 * (computed here, not in the workflow, so the data can change without breaking replay),
 * and supervision notices. Notifications to units are in ./notifications.ts.
 */
import { supervisionNotices } from '../db/schema';
import { loadCalendar, policyAt } from '../db/policy';
import { callbackDeadline, dispatchDeadlines as deadlinesOfDispatch, extendedDeadlines } from '../domain/deadlines';
import type { DispatchDeadlines } from '../domain/lifecycle';
import type { Category } from '../domain/ticket';
import type { ActivityDeps } from './index';

export function createSupervisionActivities({ database, logger }: ActivityDeps) {
  const { db } = database;
  return {
    /**
     * Deadlines of a dispatch from `from`: under the current policy for a new ticket, under the
     * ticket's own policy version for a re-dispatch or re-handle.
     */
    async dispatchDeadlines(args: { category: Category; from: string; policyVersion?: number }): Promise<DispatchDeadlines> {
      const { version, policy } = await policyAt(db, args.policyVersion);
      return deadlinesOfDispatch(await loadCalendar(db), policy, version, args.category, new Date(args.from));
    },

    /** 延期 approved: the due date moves by that many working days, with its near-due and escalation points. */
    async extendedDeadlines(args: { category: Category; policyVersion: number; dueBy: string; dispatchedAt: string; workingDays: number }) {
      const { policy } = await policyAt(db, args.policyVersion);
      const current = { dueBy: new Date(args.dueBy), dispatchedAt: new Date(args.dispatchedAt) };
      return extendedDeadlines(await loadCalendar(db), policy, args.category, current, args.workingDays);
    },

    /** 回访时限 after the unit's reply. */
    async callbackDeadline(args: { repliedAt: string; policyVersion?: number }): Promise<string> {
      const { policy } = await policyAt(db, args.policyVersion);
      return callbackDeadline(await loadCalendar(db), policy, new Date(args.repliedAt));
    },

    /** 督办单: a supervision notice, once per triggering event. */
    async issueSupervisionNotice(n: { id: string; ticketId: string; unitId?: string; kind: string; note?: string; at: string }): Promise<void> {
      await db
        .insert(supervisionNotices)
        .values({ ...n, createdAt: new Date(n.at) })
        .onConflictDoNothing();
      logger.info({ ticketId: n.ticketId, unitId: n.unitId, kind: n.kind }, 'supervision notice issued');
    },
  };
}
