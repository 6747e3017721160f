/**
 * Activities of supervision (督办): deadlines from the policy and the working-day calendar
 * (computed here, not in the workflow, so the data can change without breaking replay),
 * supervision notices, and notifications to units' webhooks.
 */
import crypto from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { ApplicationFailure } from '@temporalio/common';
import { notifications, supervisionNotices, units } from '../db/schema';
import { loadCalendar, policyAt } from '../db/policy';
import { addDuration, callbackDeadline, dispatchDeadlines as deadlinesOfDispatch, pointsAroundDue } from '../domain/deadlines';
import type { DispatchDeadlines } from '../domain/lifecycle';
import type { Category } from '../domain/ticket';
import type { ActivityDeps } from './index';
import { webhookDeliveries } from '../platform/metrics';

export interface UnitNotification {
  /** derived from the ticket and the event that caused it, so a retry never sends twice */
  id: string;
  ticketId: string;
  unitId: string;
  kind: 'dispatched' | 'urged' | 'overdue' | 'return_approved' | 'return_refused' | 'extension_approved' | 'extension_refused' | 'rehandled';
  payload: Record<string, unknown>;
}

export function createSupervisionActivities({ database, logger, webhookSecret, fetchImpl = fetch }: ActivityDeps) {
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
      const cal = await loadCalendar(db);
      const dueBy = addDuration(cal, new Date(args.dueBy), { amount: args.workingDays, unit: 'workingDays' });
      return pointsAroundDue(cal, policy, args.category, dueBy, new Date(args.dispatchedAt));
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

    /**
     * Delivers a notification to the unit's webhook, signed with HMAC-SHA256 over the body
     * (`X-Hotline-Signature: sha256=<hex>`). Every attempt is recorded; a failure is retried by
     * Temporal and stays visible as `failed` until a later attempt succeeds.
     */
    async notifyUnit(n: UnitNotification): Promise<'delivered' | 'no_webhook'> {
      await db.insert(notifications).values({ id: n.id, ticketId: n.ticketId, unitId: n.unitId, kind: n.kind, payload: n.payload }).onConflictDoNothing();
      const [row] = await db.select({ status: notifications.status }).from(notifications).where(eq(notifications.id, n.id));
      if (row?.status === 'delivered') return 'delivered';
      const [unit] = await db.select({ webhookUrl: units.webhookUrl }).from(units).where(eq(units.id, n.unitId));
      if (!unit?.webhookUrl) {
        await db.update(notifications).set({ status: 'no_webhook' }).where(eq(notifications.id, n.id));
        webhookDeliveries.inc({ kind: n.kind, result: 'no_webhook' });
        return 'no_webhook';
      }
      const body = JSON.stringify({ id: n.id, kind: n.kind, ticketId: n.ticketId, unitId: n.unitId, ...n.payload });
      const signature = crypto.createHmac('sha256', webhookSecret).update(body).digest('hex');
      let error: string | undefined;
      try {
        const res = await fetchImpl(unit.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hotline-signature': `sha256=${signature}`, 'x-hotline-notification-id': n.id },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) error = `HTTP ${res.status}`;
      } catch (err) {
        error = (err as Error).message;
      }
      await db
        .update(notifications)
        .set({
          attempts: sql`${notifications.attempts} + 1`,
          status: error ? 'failed' : 'delivered',
          lastError: error ?? null,
          deliveredAt: error ? null : new Date(),
        })
        .where(eq(notifications.id, n.id));
      webhookDeliveries.inc({ kind: n.kind, result: error ? 'failed' : 'delivered' });
      if (error) {
        logger.warn({ ticketId: n.ticketId, unitId: n.unitId, kind: n.kind, error }, 'webhook delivery failed');
        throw ApplicationFailure.retryable(`webhook of unit ${n.unitId} failed: ${error}`, 'WebhookFailed');
      }
      return 'delivered';
    },
  };
}
