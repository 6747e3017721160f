/**
 * Supervision (督办): the policy in force, the working-day calendar overrides, supervision
 * notices issued to units, and the notifications delivered to units' webhooks.
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

/** A message to a unit's webhook; undeliverable ones stay here, visible, never lost. */
export const notifications = pgTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    ticketId: text('ticket_id').notNull(),
    unitId: text('unit_id').notNull(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').notNull(),
    /** pending | delivered | failed | no_webhook */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [index('notifications_status_idx').on(t.status, t.createdAt), index('notifications_unit_idx').on(t.unitId, t.createdAt)],
);

