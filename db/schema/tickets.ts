/**
 * The read model of tickets: one row per ticket with its current state (denormalized for lists
 * and analytics) and the append-only event trail. The workflow is the source of truth for a live
 * ticket; its activities project every step here.
 */
import { sql } from 'drizzle-orm';
import { REPLIED_STATUSES } from '../../domain/lifecycle';
import { sqlList } from '../sql-list';
import { FLAG_PREDICATES, QUEUE_PREDICATES } from '../ticket-queues';
import { pgTable, text, timestamp, integer, boolean, jsonb, primaryKey, index, uniqueIndex, date, doublePrecision, bigint } from 'drizzle-orm/pg-core';

export const tickets = pgTable(
  'tickets',
  {
    id: text('id').primaryKey(),
    channel: text('channel').notNull(),
    callerName: text('caller_name'),
    /** personal data: never logged, masked everywhere but the ticket itself */
    callerPhone: text('caller_phone'),
    content: text('content').notNull(),
    address: text('address'),
    regionCode: text('region_code'),
    /** where it happened, WGS-84 degrees */
    lat: doublePrecision('lat'),
    lng: doublePrecision('lng'),
    /** the grid cell of (lat, lng) (domain/geo.ts gridCell): the index of repeats by place */
    geoCell: bigint('geo_cell', { mode: 'number' }),
    /** a photo of it, by link (Open311 media_url) */
    mediaUrl: text('media_url'),
    /** the provincial or national platform that handed the ticket over, and its ticket number there */
    externalPlatform: text('external_platform'),
    externalId: text('external_id'),
    businessEnvironment: boolean('business_environment').notNull().default(false),
    type: text('type'),
    topic: text('topic'),
    category: text('category'),
    status: text('status').notNull(),
    unitId: text('unit_id'),
    coUnitIds: text('co_unit_ids').array().notNull().default(sql`'{}'::text[]`),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    dispatchedAt: timestamp('dispatched_at', { withTimezone: true }),
    signedAt: timestamp('signed_at', { withTimezone: true }),
    repliedAt: timestamp('replied_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    signBy: timestamp('sign_by', { withTimezone: true }),
    dueBy: timestamp('due_by', { withTimezone: true }),
    /** yellow card point (临期) */
    nearDueAt: timestamp('near_due_at', { withTimezone: true }),
    /** until when the unit may ask to return the ticket (退单) */
    returnBy: timestamp('return_by', { withTimezone: true }),
    /** the policy version the ticket was dispatched under */
    policyVersion: integer('policy_version'),
    callbackBy: timestamp('callback_by', { withTimezone: true }),
    nearDue: boolean('near_due').notNull().default(false),
    overdue: boolean('overdue').notNull().default(false),
    escalated: boolean('escalated').notNull().default(false),
    rehandleCount: integer('rehandle_count').notNull().default(0),
    urgeCount: integer('urge_count').notNull().default(0),
    signOverdue: boolean('sign_overdue').notNull().default(false),
    callbackMissed: boolean('callback_missed').notNull().default(false),
    /** a pending return request (退单申请): {reason, suggestedUnitId?, at, unitId} */
    returnRequest: jsonb('return_request'),
    returnCount: integer('return_count').notNull().default(0),
    /** a pending or decided extension (延期): {workingDays, reason, at, status: requested|approved|refused} */
    extension: jsonb('extension'),
    /** 并单: the open ticket this one was merged into */
    mergedInto: text('merged_into'),
    /** open tickets this one repeats (same caller, or same place and topic) */
    repeatOf: text('repeat_of').array().notNull().default(sql`'{}'::text[]`),
    /** how long the ticket may wait in triage */
    triageBy: timestamp('triage_by', { withTimezone: true }),
    /** the classifier's proposal at receipt, kept to measure it against the agents */
    proposal: jsonb('proposal'),
    replyResult: text('reply_result'),
    replyText: text('reply_text'),
    /** whether the reply came by dueBy (including an approved extension) */
    replyOnTime: boolean('reply_on_time'),
    satisfaction: text('satisfaction'),
    answer: text('answer'),
    rejectReason: text('reject_reason'),
    referral: text('referral'),
    closeReason: text('close_reason'),
    /** true for tickets brought in by the historical import: analytics only, no workflow */
    imported: boolean('imported').notNull().default(false),
    lastEventSeq: integer('last_event_seq').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('tickets_received_idx').on(t.receivedAt, t.id),
    index('tickets_status_idx').on(t.status, t.receivedAt),
    index('tickets_unit_idx').on(t.unitId, t.receivedAt),
    index('tickets_region_idx').on(t.regionCode, t.receivedAt),
    index('tickets_due_idx').on(t.dueBy),
    index('tickets_caller_phone_idx').on(t.callerPhone, t.receivedAt),
    // repeats by place (db/repeats-by-place.ts) and place clusters read a few cells at a time
    index('tickets_geo_cell_idx').on(t.geoCell, t.receivedAt).where(sql`${t.geoCell} is not null`),
    // a platform's ticket number names one ticket here
    uniqueIndex('tickets_external_ref_idx').on(t.externalPlatform, t.externalId).where(sql`${t.externalId} is not null`),
    // the few replied tickets still inside their callback window, read live by the overview's 回访率;
    // the migration's WHERE is checked against this set (tests/unit/lifecycle/status-sql.test.ts)
    index('tickets_awaiting_callback_idx')
      .on(t.callbackBy)
      .where(sql`satisfaction is null and status in ${sqlList(REPLIED_STATUSES)}`),
    // the supervision queue (api/supervision.ts): each list on an index of just its tickets, in its order
    index('tickets_queue_near_due_idx').on(t.dueBy).where(QUEUE_PREDICATES.nearDue),
    index('tickets_queue_overdue_idx').on(t.dueBy).where(QUEUE_PREDICATES.overdue),
    index('tickets_queue_extension_idx').on(sql`(extension ->> 'at')`).where(QUEUE_PREDICATES.extensionRequested),
    index('tickets_queue_escalated_idx').on(t.receivedAt).where(QUEUE_PREDICATES.escalated),
    index('tickets_queue_repeat_idx').on(t.receivedAt).where(QUEUE_PREDICATES.repeat),
    index('tickets_queue_dissatisfied_idx').on(t.repliedAt).where(QUEUE_PREDICATES.dissatisfied),
    // the list's flags (GET /v1/tickets?nearDue=true), newest first
    index('tickets_near_due_list_idx').on(t.receivedAt, t.id).where(FLAG_PREDICATES.nearDue.on),
    index('tickets_overdue_list_idx').on(t.receivedAt, t.id).where(FLAG_PREDICATES.overdue.on),
    index('tickets_escalated_list_idx').on(t.receivedAt, t.id).where(FLAG_PREDICATES.escalated.on),
  ],
);

export const ticketEvents = pgTable(
  'ticket_events',
  {
    ticketId: text('ticket_id')
      .notNull()
      .references(() => tickets.id),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    actor: jsonb('actor').notNull(),
    data: jsonb('data').notNull().default({}),
    /** the Temporal update that made this step, so a retried action can find it after the workflow ended */
    updateId: text('update_id'),
  },
  (t) => [
    primaryKey({ columns: [t.ticketId, t.seq] }),
    index('ticket_events_type_at_idx').on(t.type, t.at),
    index('ticket_events_update_idx').on(t.ticketId, t.updateId).where(sql`${t.updateId} is not null`),
  ],
);

/** Daily counters behind human ticket numbers (12345-20261123-00042). */
export const ticketNumbers = pgTable('ticket_numbers', {
  day: date('day').primaryKey(),
  last: integer('last').notNull(),
});
