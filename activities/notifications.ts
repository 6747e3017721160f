/**
 * The outbox of notifications (workflows/notification-delivery.ts): a notification is recorded
 * first, then delivered by a small workflow of its own with retries, so a dead webhook never
 * keeps a ticket's workflow open. Every attempt is recorded; a notification that exhausted its
 * retries is `failed`, shown in the supervision queue and on the ticket, and an admin may have it
 * delivered again. Nothing is dropped: a unit without a webhook is recorded `no_webhook`, one
 * without a secret `failed` with that reason.
 *
 * The same outbox hands tickets back to the provincial and national platforms (target kind
 * `platform`, domain/hand-back.ts): their endpoints and secrets are the worker's configuration
 * (PROVINCIAL_PLATFORM_URL/_SECRETS, NATIONAL_PLATFORM_URL/_SECRETS); a platform without one is
 * recorded `no_webhook` as a unit without a webhook is.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { and, eq, sql } from 'drizzle-orm';
import { notifications, units } from '../db/schema';
import { signingSecrets } from '../db/webhook-secrets';
import { NOTIFICATION_ID_HEADER, SIGNATURE_HEADER, signWebhook } from '../domain/webhook-signature';
import type { ExternalPlatformName, WebhookDeliveryPolicy } from '../platform/config';
import type { HandBackKind } from '../domain/hand-back';
import { webhookDeliveries } from '../platform/metrics';
import type { ActivityDeps } from './index';

export type NotificationKind =
  | 'dispatched'
  | 'urged'
  | 'overdue'
  | 'return_approved'
  | 'return_refused'
  | 'extension_approved'
  | 'extension_refused'
  | 'rehandled'
  // hand-backs to a platform
  | HandBackKind;

/** Who receives a notification: a unit (its webhookUrl and secrets), or a platform (configuration). */
export type NotificationTarget = { kind: 'unit'; id: string } | { kind: 'platform'; id: ExternalPlatformName };

export interface OutboxNotification {
  /** derived from the ticket workflow (ticket id, step seq, kind, unit): the same on every retry and redelivery */
  id: string;
  ticketId: string;
  /** the unit it concerns, whose keys may see it */
  unitId: string | null;
  target: NotificationTarget;
  kind: NotificationKind;
  payload: Record<string, unknown>;
}

/** The ticket workflow's notification before the outbox (kept for the workflows still running that code). */
export interface UnitNotification {
  id: string;
  ticketId: string;
  unitId: string;
  kind: NotificationKind;
  payload: Record<string, unknown>;
}

export type DeliveryOutcome = 'delivered' | 'no_webhook' | 'failed';

/** The retries of the notification activity of the ticket workflow before the outbox; its last attempt marks it failed. */
const LEGACY_MAX_ATTEMPTS = 10;

export function createNotificationActivities({ database, logger, secretBox, webhookDelivery, platforms = {}, fetchImpl = fetch }: ActivityDeps) {
  const { db } = database;

  async function markFailed(id: string, error: string): Promise<void> {
    await db
      .update(notifications)
      .set({ status: 'failed', lastError: error, failedAt: new Date() })
      .where(and(eq(notifications.id, id), eq(notifications.status, 'pending')));
    logger.warn({ notificationId: id, error }, 'notification failed');
  }

  /** Where and with which secrets a notification goes, or why it cannot go. */
  async function resolveTarget(target: NotificationTarget): Promise<{ url: string; secrets: string[] } | { undeliverable: 'no_webhook' | string }> {
    if (target.kind === 'platform') return platforms[target.id] ?? { undeliverable: 'no_webhook' };
    const [unit] = await db.select({ webhookUrl: units.webhookUrl }).from(units).where(eq(units.id, target.id));
    if (!unit?.webhookUrl) return { undeliverable: 'no_webhook' };
    let secrets: string[];
    try {
      secrets = await signingSecrets(db, secretBox, target.id);
    } catch {
      return { undeliverable: `the webhook secret of unit ${target.id} does not open: WEBHOOK_SECRETS_KEY is not the key it was sealed with` };
    }
    // no shared fallback secret: an unsigned or commonly signed delivery could be forged by any unit
    if (secrets.length === 0) {
      return { undeliverable: `unit ${target.id} has no webhook secret: an admin issues one (POST /v1/admin/units/${target.id}/webhook-secret) and redelivers` };
    }
    return { url: unit.webhookUrl, secrets };
  }

  /** One attempt; a failure of the receiver is thrown as retryable, after the attempt is recorded. */
  async function deliver(id: string): Promise<DeliveryOutcome> {
    const [n] = await db.select().from(notifications).where(eq(notifications.id, id));
    if (!n) throw ApplicationFailure.nonRetryable(`notification ${id} is not recorded`, 'NotificationUnknown');
    // delivered already (a retry after a lost answer), or given up: nothing more to do
    if (n.status !== 'pending') return n.status as DeliveryOutcome;
    const target = await resolveTarget({ kind: n.targetKind, id: n.targetId } as NotificationTarget);
    if ('undeliverable' in target) {
      if (target.undeliverable === 'no_webhook') {
        await db.update(notifications).set({ status: 'no_webhook', lastError: null }).where(and(eq(notifications.id, id), eq(notifications.status, 'pending')));
        webhookDeliveries.inc({ kind: n.kind, result: 'no_webhook' });
        return 'no_webhook';
      }
      await markFailed(id, target.undeliverable);
      webhookDeliveries.inc({ kind: n.kind, result: 'failed' });
      return 'failed';
    }
    const body = JSON.stringify({ id: n.id, kind: n.kind, ticketId: n.ticketId, unitId: n.unitId, ...(n.payload as Record<string, unknown>) });
    // a fresh timestamp on every attempt: the receiver's tolerance applies to each one
    const signature = signWebhook(body, target.secrets, Math.floor(Date.now() / 1000));
    let error: string | undefined;
    try {
      const res = await fetchImpl(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature, [NOTIFICATION_ID_HEADER]: n.id },
        body,
        signal: AbortSignal.timeout(webhookDelivery.timeoutMs),
      });
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (err) {
      error = (err as Error).message;
    }
    const now = new Date();
    await db
      .update(notifications)
      .set({
        attempts: sql`${notifications.attempts} + 1`,
        lastAttemptAt: now,
        lastError: error ?? null,
        ...(error ? {} : { status: 'delivered', deliveredAt: now }),
      })
      .where(eq(notifications.id, id));
    webhookDeliveries.inc({ kind: n.kind, result: error ? 'failed' : 'delivered' });
    if (error) {
      logger.warn({ notificationId: id, ticketId: n.ticketId, target: n.targetId, kind: n.kind, error }, 'webhook delivery failed');
      throw ApplicationFailure.retryable(`webhook of ${n.targetKind} ${n.targetId} failed: ${error}`, 'WebhookFailed');
    }
    return 'delivered';
  }

  /** The legacy notifyUnit's record: pending, its delivery deciding the rest. */
  const record = (n: OutboxNotification) =>
    db
      .insert(notifications)
      .values({ id: n.id, ticketId: n.ticketId, unitId: n.unitId, targetKind: n.target.kind, targetId: n.target.id, kind: n.kind, payload: n.payload, status: 'pending' })
      .onConflictDoNothing();

  return {
    /**
     * Records a notification in the outbox before it is delivered; a repeat changes nothing.
     * A unit without a webhook is recorded `no_webhook` at once (an admin may redeliver it once it
     * has one): `deliver` says whether a delivery workflow is needed.
     */
    async recordNotification(n: OutboxNotification): Promise<'deliver' | 'no_webhook'> {
      // a platform's endpoint is configuration; a unit's webhook is its row's webhookUrl, read in
      // the same statement that records the notification and answers how it was recorded (by this
      // attempt, or as an earlier one did): one round trip, prepared once per connection
      const platform = n.target.kind === 'platform' ? (platforms[n.target.id] !== undefined ? 'pending' : 'no_webhook') : null;
      const [row] = await database.sql<{ status: string | null }[]>`
        with inserted as (
          insert into notifications (id, ticket_id, unit_id, target_kind, target_id, kind, payload, status)
          values (${n.id}, ${n.ticketId}, ${n.unitId ?? null}, ${n.target.kind}, ${n.target.id}, ${n.kind}, ${JSON.stringify(n.payload)}::jsonb,
            coalesce(${platform}::text, case when exists (select 1 from units where id = ${n.target.id} and coalesce(webhook_url, '') <> '') then 'pending' else 'no_webhook' end))
          on conflict do nothing
          returning status
        )
        select coalesce((select status from inserted), (select status from notifications where id = ${n.id})) as status`;
      return row?.status === 'no_webhook' ? 'no_webhook' : 'deliver';
    },

    /** The retries of a delivery, from the worker's configuration (WEBHOOK_MAX_ATTEMPTS, …). */
    async webhookDeliveryPolicy(): Promise<WebhookDeliveryPolicy> {
      return webhookDelivery;
    },

    /** One delivery attempt of a recorded notification, signed with the target's current secrets. */
    async deliverNotification({ id }: { id: string }): Promise<DeliveryOutcome> {
      return deliver(id);
    },

    /** Its retries exhausted: `failed`, with the last error, for the supervision queue and a redelivery. */
    async markNotificationFailed({ id, error }: { id: string; error: string }): Promise<void> {
      await markFailed(id, error);
    },

    /**
     * The ticket workflow's delivery before the outbox (patched 'notification-outbox'): workflows
     * started by that code still call it while they run. Signed as every delivery now is; its last
     * attempt leaves the notification `failed` rather than pending.
     */
    async notifyUnit(n: UnitNotification): Promise<'delivered' | 'no_webhook'> {
      await record({ ...n, target: { kind: 'unit', id: n.unitId } });
      try {
        const outcome = await deliver(n.id);
        return outcome === 'no_webhook' ? 'no_webhook' : 'delivered';
      } catch (err) {
        if (Context.current().info.attempt >= LEGACY_MAX_ATTEMPTS) await markFailed(n.id, (err as Error).message);
        throw err;
      }
    },
  };
}
