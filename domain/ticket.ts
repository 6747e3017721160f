/**
 * The ticket (工单) vocabulary: enumerations and the shapes that enter the system.
 * Pure data and zod schemas, shared by the workflow, the activities and the API, so each
 * value set is written down exactly once.
 */
import { COORDINATE_SYSTEMS, toWgs84 } from './geo';
import { LONE_SURROGATE } from './storable';
import { z } from './zod';

export const CHANNELS = [
  'phone',
  'wechat',
  'web',
  'app',
  'sms',
  'mayor_mailbox', // 市长信箱
  'provincial_platform',
  'national_platform',
  'leader_message_board', // 人民网领导留言板
  'police_110',
  'weibo',
  'other',
] as const;
export type Channel = (typeof CHANNELS)[number];

/** 求助, 咨询, 投诉, 举报, 建议, 表扬, 其他 */
export const TICKET_TYPES = ['help', 'consultation', 'complaint', 'report', 'suggestion', 'praise', 'other'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];

/** Urgency category with its own time limits (A urgent … D complex). */
export const CATEGORIES = ['A', 'B', 'C', 'D'] as const;
export type Category = (typeof CATEGORIES)[number];

// the statuses live apart, so the lifecycle (imported by the workflow) needs none of the schemas
export { STATUSES, type TicketStatus } from './statuses';

/** The unit's completion reply (办结回复). */
export const REPLY_RESULTS = ['resolved', 'explained', 'unresolved'] as const;
export type ReplyResult = (typeof REPLY_RESULTS)[number];

/** The citizen's answer at callback (回访). */
export const CALLBACK_OUTCOMES = ['satisfied', 'basically_satisfied', 'dissatisfied', 'unreachable'] as const;
export type CallbackOutcome = (typeof CALLBACK_OUTCOMES)[number];

/** How a closed ticket ended, kept for analytics. */
export const CLOSE_REASONS = ['satisfied', 'basically_satisfied', 'unreachable', 'finalized', 'answered', 'rejected', 'merged'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

export const UNIT_LEVELS = ['city', 'county', 'township', 'village'] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];

export const ROLES = ['agent', 'supervisor', 'unit', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * C0 control characters other than tab, line feed and carriage return, and UTF-16 surrogates
 * without their pair: no person types them, Postgres refuses NUL in text, and a lone surrogate
 * cannot be written as UTF-8. Refused at the door rather than by the database later.
 */
const UNREADABLE_TEXT = new RegExp(`[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F]|${LONE_SURROGATE.source}`);
export const UNREADABLE_TEXT_MESSAGE = 'must not contain control characters (other than tab and line breaks) or unpaired surrogates';
export const isReadableText = (s: string): boolean => !UNREADABLE_TEXT.test(s);

/** Any string that enters the system: readable text, possibly empty. */
export const plainString = () => z.string().refine(isReadableText, { message: UNREADABLE_TEXT_MESSAGE, abort: true });
/** Free text a person writes: readable, trimmed, not empty, at most `max` characters. */
export const text = (max: number) => plainString().trim().min(1, 'must not be empty').max(max);

export const unitIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{1,63}$/, 'must be 2–64 characters of a-z, 0-9, "_" or "-"');
export const regionCodeSchema = z.string().regex(/^\d{6}$/, 'must be a 6-digit administrative division code');
/** GB/T 39666-2020 style: 2 digits each for major, middle and minor category, e.g. "0301" or "030102". */
export const topicSchema = z.string().regex(/^\d{2}(\d{2}){0,2}$/, 'must be a topic code of 2, 4 or 6 digits');

export const classificationSchema = z.object({
  type: z.enum(TICKET_TYPES),
  topic: topicSchema,
  category: z.enum(CATEGORIES),
});
export type Classification = z.infer<typeof classificationSchema>;

export const callerSchema = z.object({
  name: text(100).optional(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 -]{4,19}$/, 'must be a phone number of digits, spaces or dashes')
    .optional(),
});
export type Caller = z.infer<typeof callerSchema>;

export const dispositionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('answer'), answer: text(5000) }),
  z.object({ action: z.literal('reject'), reason: text(2000), referral: text(500).optional() }),
  z.object({
    action: z.literal('dispatch'),
    unitId: unitIdSchema.optional(),
    coUnitIds: z.array(unitIdSchema).max(20).optional(),
  }),
]);
export type Disposition = z.infer<typeof dispositionSchema>;

/**
 * Where it happened, as a map app gives it: WGS-84 (GPS, Open311), GCJ-02 (高德, 腾讯) or BD-09
 * (百度). Stored converted to WGS-84, so the ticket carries `{lat, lng}` in WGS-84 only.
 */
export const locationSchema = z
  .object({
    lat: z.number().min(-90, 'must be a latitude from -90 to 90').max(90, 'must be a latitude from -90 to 90'),
    lng: z.number().min(-180, 'must be a longitude from -180 to 180').max(180, 'must be a longitude from -180 to 180'),
    crs: z.enum(COORDINATE_SYSTEMS).default('WGS84').describe('the coordinate system of lat/lng: WGS84 (GPS), GCJ02 (高德/腾讯), BD09 (百度)'),
  })
  .transform(({ lat, lng, crs }) => toWgs84({ lat, lng }, crs));
export type TicketLocation = z.output<typeof locationSchema>;

/** The platforms that hand tickets over with a ticket number of their own. */
export const EXTERNAL_PLATFORMS = ['provincial_platform', 'national_platform'] as const;
/** The provincial or national platform's own ticket number, kept to answer it under that number. */
export const externalRefSchema = z.object({
  platform: z.enum(EXTERNAL_PLATFORMS),
  id: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/, 'must be 1–100 characters of A-Z, a-z, 0-9, ".", "_", ":", "/" or "-"'),
});
export type ExternalRef = z.infer<typeof externalRefSchema>;

export const newTicketSchema = z.object({
  channel: z.enum(CHANNELS),
  caller: callerSchema.default({}),
  content: text(10000),
  address: text(500).optional(),
  regionCode: regionCodeSchema.optional(),
  location: locationSchema.optional(),
  mediaUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000).optional().describe('a photo of it, by link (Open311 media_url); kept and shown, never fetched'),
  externalRef: externalRefSchema.optional().describe('the ticket number the provincial or national platform gave it; unique per platform'),
  businessEnvironment: z.boolean().default(false),
  classification: classificationSchema.optional(),
  disposition: dispositionSchema.optional(),
}).refine((t) => !t.externalRef || t.externalRef.platform === t.channel, {
  path: ['externalRef', 'platform'],
  message: 'must be the channel the ticket came by',
}).openapi('NewTicket');
export type NewTicket = z.infer<typeof newTicketSchema>;

export const triageSchema = z.object({
  classification: classificationSchema.optional(),
  disposition: dispositionSchema,
});
export type TriageInput = z.infer<typeof triageSchema>;

export const progressSchema = z.object({ note: text(5000) });
export const replySchema = z.object({ result: z.enum(REPLY_RESULTS), reply: text(10000) });
export type Reply = z.infer<typeof replySchema>;
export const callbackSchema = z.object({ outcome: z.enum(CALLBACK_OUTCOMES), note: text(2000).optional() });
export type Callback = z.infer<typeof callbackSchema>;
export const noteSchema = z.object({ note: text(2000) });
export const finalizeSchema = z.object({ reason: text(2000) });

/** Who did something, as the trail records it. */
export interface Actor {
  role: Role | 'system';
  /** api key id, or 'bootstrap' for ADMIN_API_KEY, or the system component */
  id: string;
  unitId?: string;
}

export const returnRequestSchema = z.object({ reason: text(2000), suggestedUnitId: unitIdSchema.optional() });
export const returnDecisionSchema = z
  .object({
    approve: z.boolean(),
    unitId: unitIdSchema.optional().describe('the unit to re-dispatch to, when approved'),
    coUnitIds: z.array(unitIdSchema).max(20).optional(),
    note: text(2000).optional(),
  })
  .refine((d) => !d.approve || d.unitId !== undefined, { path: ['unitId'], message: 'the new unit is required when the return is approved' });
export type ReturnDecision = z.infer<typeof returnDecisionSchema>;
export const extensionRequestSchema = z.object({
  workingDays: z.number().int().min(1).max(366),
  reason: text(2000),
});
export const extensionDecisionSchema = z.object({ approve: z.boolean(), note: text(2000).optional() });
export const urgeSchema = z.object({ note: text(2000) });
/** A ticket number (12345-YYYYMMDD-NNNNNN, or an imported one's): letters, digits, ".", "_", "-". */
export const ticketIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a ticket id: 1–64 characters of A-Z, a-z, 0-9, ".", "_" or "-"');
export const mergeSchema = z.object({ intoTicketId: ticketIdSchema });
