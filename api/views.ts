/**
 * What the API returns, as zod schemas (for the OpenAPI document) and the functions that build
 * those bodies from the read model.
 */
import { z } from '../domain/zod';
import type { EventRow, TicketRow } from '../db/tickets';
import { NOTIFICATION_STATUSES, type NotificationRow } from '../db/notifications';
import {
  CALLBACK_OUTCOMES,
  CATEGORIES,
  CHANNELS,
  EXTERNAL_PLATFORMS,
  REPLY_RESULTS,
  ROLES,
  STATUSES,
  TICKET_TYPES,
  UNIT_LEVELS,
} from '../domain/ticket';
import { disclose, type Output } from '../domain/privacy';
import type { Principal } from './auth';

const iso = z.string().describe('ISO 8601 time with offset');

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })),
  }),
});

export const eventView = z.object({
  seq: z.number().int(),
  type: z.string(),
  at: iso,
  actor: z.object({ role: z.enum([...ROLES, 'system']), id: z.string(), unitId: z.string().optional() }),
  data: z
    .record(z.string(), z.unknown())
    .describe(
      "the step's details. Steps raised by a timer (sign_overdue and the system's urged after it, near_due, overdue, escalated, callback_missed) carry `deadline`, the point they stand for (`at` is when they were processed); a step Postgres refused as given carries `recordError` and its text with U+FFFD in place of NUL and lone surrogates",
    ),
});

/** Out of scope (不予受理) as a proposal shows it, in a ticket and in POST /v1/classify. */
export const outOfScopeView = z.object({
  value: z.boolean(),
  reason: z.string().optional(),
  referral: z.string().optional(),
  kind: z.string().optional(),
  emergency: z.boolean().optional().describe('an emergency for 110/119/120/122: refer the caller at once'),
});
export const modelVersionView = z.string().optional().describe('the classifier model that proposed this');

export const ticketSummaryView = z.object({
  id: z.string().describe('ticket number, also the Temporal workflow id'),
  status: z.enum(STATUSES),
  channel: z.enum(CHANNELS),
  caller: z
    .object({ name: z.string().nullable(), phone: z.string().nullable() })
    .describe('personal data: shown by the rule of domain/privacy.ts (README → Personal data): a unit key sees the phone masked'),
  content: z.string(),
  address: z.string().nullable(),
  regionCode: z.string().nullable(),
  location: z.object({ lat: z.number(), lng: z.number(), crs: z.literal('WGS84') }).nullable().describe('where it happened, WGS-84'),
  mediaUrl: z.string().nullable().describe('a photo of it, by link'),
  externalRef: z
    .object({ platform: z.enum(EXTERNAL_PLATFORMS), id: z.string() })
    .nullable()
    .describe("the provincial or national platform's ticket number"),
  businessEnvironment: z.boolean(),
  classification: z.object({ type: z.enum(TICKET_TYPES), topic: z.string(), category: z.enum(CATEGORIES) }).nullable(),
  unitId: z.string().nullable(),
  coUnitIds: z.array(z.string()),
  deadlines: z.object({
    signBy: iso.nullable().describe('签收时限'),
    dueBy: iso.nullable().describe('办理时限, including an approved extension'),
    nearDueAt: iso.nullable().describe('临期: the yellow card point'),
    returnBy: iso.nullable().describe('退单 requests accepted until then'),
    callbackBy: iso.nullable().describe('回访时限'),
  }),
  policyVersion: z.number().int().nullable().describe('the policy version the ticket was dispatched under'),
  nearDue: z.boolean(),
  overdue: z.boolean(),
  escalated: z.boolean(),
  signOverdue: z.boolean(),
  callbackMissed: z.boolean(),
  rehandleCount: z.number().int(),
  urgeCount: z.number().int(),
  returnCount: z.number().int(),
  returnRequest: z
    .object({ unitId: z.string(), reason: z.string(), suggestedUnitId: z.string().optional(), at: iso })
    .nullable()
    .describe('a pending 退单 request'),
  extension: z
    .object({ workingDays: z.number().int(), reason: z.string(), at: iso, status: z.enum(['requested', 'approved', 'refused']) })
    .nullable()
    .describe('the 延期 request, pending or decided'),
  mergedInto: z.string().nullable(),
  repeatOf: z.array(z.string()).describe('open tickets this one repeats'),
  triageBy: iso.nullable().describe('how long the ticket may wait in triage'),
  proposal: z
    .object({
      classification: z.object({ type: z.string(), topic: z.string(), category: z.string() }),
      confidence: z.record(z.string(), z.number().nullable()),
      regionCode: z.string().nullable(),
      outOfScope: outOfScopeView,
      knowledgeBase: z.object({ entryId: z.string(), answer: z.string(), score: z.number() }).optional(),
      route: z.object({ unitId: z.string(), coUnitIds: z.array(z.string()) }).nullable(),
      modelVersion: modelVersionView,
    })
    .nullable()
    .describe("the classifier's proposal at receipt"),
  reply: z.object({ result: z.enum(REPLY_RESULTS), reply: z.string(), at: iso, onTime: z.boolean().nullable() }).nullable(),
  satisfaction: z.enum(CALLBACK_OUTCOMES).nullable(),
  answer: z.string().nullable(),
  rejection: z.object({ reason: z.string(), referral: z.string().nullable() }).nullable(),
  closeReason: z.string().nullable(),
  receivedAt: iso,
  dispatchedAt: iso.nullable(),
  signedAt: iso.nullable(),
  closedAt: iso.nullable(),
}).openapi('TicketSummary');

export const notificationView = z
  .object({
  id: z.string().describe('the same on every retry and redelivery: X-Hotline-Notification-Id'),
  ticketId: z.string(),
  unitId: z.string().nullable().describe('the unit it concerns'),
  target: z
    .object({ kind: z.enum(['unit', 'platform']), id: z.string() })
    .describe("where it is delivered: a unit by its webhookUrl, or a platform (provincial_platform, national_platform) a ticket is handed back to, by the worker's configuration"),
  kind: z
    .string()
    .describe('to a unit: dispatched, urged, overdue, return_approved, return_refused, extension_approved, extension_refused, rehandled; to a platform: signed, replied, closed'),
  status: z
    .enum(NOTIFICATION_STATUSES)
    .describe('pending: recorded, being delivered (with retries); delivered; failed: retries exhausted or undeliverable (see lastError), may be redelivered; no_webhook: the unit has no webhookUrl, or the platform no endpoint configured'),
  attempts: z.number().int().describe('delivery attempts so far, redeliveries included'),
  lastError: z.string().nullable(),
  redeliveries: z.number().int(),
  createdAt: iso,
  lastAttemptAt: iso.nullable(),
  deliveredAt: iso.nullable(),
  failedAt: iso.nullable(),
  })
  .openapi('Notification');

export function toNotificationView(n: NotificationRow): z.infer<typeof notificationView> {
  return {
    id: n.id,
    ticketId: n.ticketId,
    unitId: n.unitId,
    target: { kind: n.targetKind as 'unit' | 'platform', id: n.targetId },
    kind: n.kind,
    status: n.status as z.infer<typeof notificationView>['status'],
    attempts: n.attempts,
    lastError: n.lastError,
    redeliveries: n.redeliveries,
    createdAt: n.createdAt.toISOString(),
    lastAttemptAt: n.lastAttemptAt?.toISOString() ?? null,
    deliveredAt: n.deliveredAt?.toISOString() ?? null,
    failedAt: n.failedAt?.toISOString() ?? null,
  };
}

export const ticketView = ticketSummaryView
  .extend({
    events: z.array(eventView).describe('the audit trail, oldest first'),
    notifications: z.array(notificationView).describe("the ticket's notifications to units and hand-backs to its platform, with their delivery status, oldest first; a unit key sees only those to its own unit"),
  })
  .openapi('Ticket');

export const ticketPage = z.object({ items: z.array(ticketSummaryView), nextCursor: z.string().nullable() }).openapi('TicketPage');

export const unitView = z.object({
  id: z.string(),
  name: z.string(),
  level: z.enum(UNIT_LEVELS),
  parentId: z.string().nullable(),
  regionCode: z.string(),
  webhookUrl: z.string().nullable(),
});

export const apiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  unitId: z.string().nullable(),
  createdAt: iso,
  revokedAt: iso.nullable(),
});

const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);
type TicketSummary = z.infer<typeof ticketSummaryView>;

/** A ticket as `viewer` may see it in `output` (a ticket view or list, or the supervision queue). */
export function toTicketSummary(row: TicketRow, viewer: Principal, output: Output = 'ticket'): z.infer<typeof ticketSummaryView> {
  return disclose(output, viewer.role, ticketSummaryOf(row));
}

function ticketSummaryOf(row: TicketRow): z.infer<typeof ticketSummaryView> {
  return {
    id: row.id,
    status: row.status as z.infer<typeof ticketSummaryView>['status'],
    channel: row.channel as z.infer<typeof ticketSummaryView>['channel'],
    caller: {
      name: row.callerName,
      phone: row.callerPhone,
    },
    content: row.content,
    address: row.address,
    regionCode: row.regionCode,
    location: row.lat !== null && row.lng !== null ? { lat: row.lat, lng: row.lng, crs: 'WGS84' } : null,
    mediaUrl: row.mediaUrl,
    externalRef:
      row.externalPlatform && row.externalId
        ? { platform: row.externalPlatform as (typeof EXTERNAL_PLATFORMS)[number], id: row.externalId }
        : null,
    businessEnvironment: row.businessEnvironment,
    classification:
      row.type && row.topic && row.category
        ? ({ type: row.type, topic: row.topic, category: row.category } as z.infer<typeof ticketSummaryView>['classification'])
        : null,
    unitId: row.unitId,
    coUnitIds: row.coUnitIds,
    deadlines: {
      signBy: isoOrNull(row.signBy),
      dueBy: isoOrNull(row.dueBy),
      nearDueAt: isoOrNull(row.nearDueAt),
      returnBy: isoOrNull(row.returnBy),
      callbackBy: isoOrNull(row.callbackBy),
    },
    policyVersion: row.policyVersion,
    nearDue: row.nearDue,
    overdue: row.overdue,
    escalated: row.escalated,
    signOverdue: row.signOverdue,
    callbackMissed: row.callbackMissed,
    rehandleCount: row.rehandleCount,
    urgeCount: row.urgeCount,
    returnCount: row.returnCount,
    returnRequest: row.returnRequest
      ? (({ previousStatus: _, ...r }) => r)(row.returnRequest as TicketSummary['returnRequest'] & { previousStatus?: string })
      : null,
    extension: row.extension as TicketSummary['extension'],
    mergedInto: row.mergedInto,
    repeatOf: row.repeatOf,
    triageBy: isoOrNull(row.triageBy),
    proposal: row.proposal as TicketSummary['proposal'],
    reply:
      row.replyResult && row.replyText && row.repliedAt
        ? {
            result: row.replyResult as 'resolved',
            reply: row.replyText,
            at: row.repliedAt.toISOString(),
            onTime: row.replyOnTime,
          }
        : null,
    satisfaction: row.satisfaction as z.infer<typeof ticketSummaryView>['satisfaction'],
    answer: row.answer,
    rejection: row.rejectReason ? { reason: row.rejectReason, referral: row.referral } : null,
    closeReason: row.closeReason,
    receivedAt: row.receivedAt.toISOString(),
    dispatchedAt: isoOrNull(row.dispatchedAt),
    signedAt: isoOrNull(row.signedAt),
    closedAt: isoOrNull(row.closedAt),
  };
}

export function toTicketView(row: TicketRow, events: EventRow[], notifications: NotificationRow[], viewer: Principal): z.infer<typeof ticketView> {
  // the trail too: a merged caller's name and phone, and what people wrote in notes and replies
  return disclose('ticket', viewer.role, {
    ...ticketSummaryOf(row),
    notifications: notifications.map(toNotificationView),
    events: events.map((e) => ({
      seq: e.seq,
      type: e.type,
      at: e.at.toISOString(),
      actor: e.actor as z.infer<typeof eventView>['actor'],
      data: e.data as Record<string, unknown>,
    })),
  });
}
