/**
 * Supervision (督办): the policy in force, the working-day calendar overrides, supervision
 * notices issued to units, the outbox of notifications to webhooks and the secrets they are signed with.
 */
import { pgTable, text, timestamp, integer, jsonb, serial, date, index } from 'drizzle-orm/pg-core';

/** Every policy version ever in force; the newest applies to tickets dispatched from then on. */
export const policies = pgTable('policies', {
  version: serial('version').primaryKey(),
  policy: jsonb('policy').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  createdBy: text('created_by').notNull(),
});

/** Holidays and make-up working days (调休) an admin loads from the State Council notice. */
export const calendarOverrides = pgTable('calendar_overrides', {
  date: date('date').primaryKey(),
  kind: text('kind', { enum: ['holiday', 'workday'] }).notNull(),
  name: text('name'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** 督办单: sign-off overdue, overdue, urged — one per ticket event that issued it. */
export const supervisionNotices = pgTable(
  'supervision_notices',
  {
    id: text('id').primaryKey(),
    ticketId: text('ticket_id').notNull(),
    unitId: text('unit_id'),
    kind: text('kind').notNull(),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('supervision_notices_ticket_idx').on(t.ticketId), index('supervision_notices_unit_idx').on(t.unitId, t.createdAt)],
);

/**
 * The outbox (发送箱) of notifications: a message to a target's webhook, recorded before it is
 * delivered and kept with its outcome, never lost. Generic over the target (`unit` today; the
 * provincial and national platforms later), with the unit it concerns for who may see it.
 */
export const notifications = pgTable(
  'notifications',
  {
    /** derived from the ticket workflow: ticket id, step seq, kind, unit; also the delivery workflow's id */
    id: text('id').primaryKey(),
    ticketId: text('ticket_id').notNull(),
    /** the unit the notification concerns (visible to its keys); null for a target that is no unit */
    unitId: text('unit_id'),
    /** what kind of receiver: `unit` (its webhookUrl and secret) */
    targetKind: text('target_kind').notNull().default('unit'),
    targetId: text('target_id').notNull(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').notNull(),
    /** pending (recorded, being delivered) | delivered | failed (retries exhausted, or undeliverable) | no_webhook */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    failedAt: timestamp('failed_at', { withTimezone: true }),
    /** times an admin asked for it again after it failed */
    redeliveries: integer('redeliveries').notNull().default(0),
  },
  (t) => [
    index('notifications_status_idx').on(t.status, t.createdAt),
    index('notifications_unit_idx').on(t.unitId, t.createdAt),
    index('notifications_ticket_idx').on(t.ticketId),
  ],
);

/**
 * The secrets a unit's webhook notifications are signed with, sealed at rest
 * (platform/secret-box.ts). The newest is current; an older one signs too until `validUntil`
 * (the rotation's overlap), then never again.
 */
export const webhookSecrets = pgTable(
  'webhook_secrets',
  {
    id: text('id').primaryKey(),
    unitId: text('unit_id').notNull(),
    sealed: text('sealed').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: text('created_by').notNull(),
    /** null while current; set when a newer secret replaces it */
    validUntil: timestamp('valid_until', { withTimezone: true }),
  },
  (t) => [index('webhook_secrets_unit_idx').on(t.unitId, t.createdAt)],
);
