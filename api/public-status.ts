/**
 * A ticket as the public may see it (Open311's GET requests, the citizen's own lookup): status,
 * the public notes, the responsible unit, the due time and the unit's reply — never the caller's
 * name or phone. Free text (the content, notes, replies) may hold numbers a caller spoke, so
 * phone-like digit runs in it are masked with the same helper as everywhere else.
 */
import { and, asc, desc, eq, gte, inArray, lt, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { ticketEvents, tickets, topics, units } from '../db/schema';
import { OPEN_STATUSES, isOpen } from '../domain/lifecycle';
import { maskPersonalNumbers, maskPhone } from '../domain/privacy';
import type { TicketStatus } from '../domain/ticket';

/** Digit runs of 7 or more (phones, ID card numbers), with the spaces and dashes people put in them. */
const PHONE_LIKE = /\+?\d[\d -]{5,}\d/g;
/** The public sees less than any role (domain/privacy.ts): beyond the personal numbers it masks, every long digit run. */
export const maskPhonesInText = (text: string): string => maskPersonalNumbers(text).replace(PHONE_LIKE, (m) => maskPhone(m) ?? m);

export interface PublicTicket {
  id: string;
  status: TicketStatus;
  open: boolean;
  topic: string | null;
  topicName: string | null;
  content: string;
  address: string | null;
  lat: number | null;
  lng: number | null;
  mediaUrl: string | null;
  unitName: string | null;
  receivedAt: Date;
  updatedAt: Date;
  dueBy: Date | null;
  closedAt: Date | null;
  /** the unit's progress notes, oldest first */
  notes: { at: Date; note: string }[];
  reply: { result: string; reply: string; at: Date } | null;
  /** how the center closed it without a unit: its direct answer, or the referral of a rejection */
  answer: string | null;
  referral: string | null;
  mergedInto: string | null;
}

const columns = {
  id: tickets.id,
  status: tickets.status,
  topic: sql<string | null>`coalesce(${tickets.topic}, ${tickets.proposal}->'classification'->>'topic')`,
  topicName: topics.name,
  content: tickets.content,
  address: tickets.address,
  lat: tickets.lat,
  lng: tickets.lng,
  mediaUrl: tickets.mediaUrl,
  unitName: units.name,
  receivedAt: tickets.receivedAt,
  updatedAt: tickets.updatedAt,
  dueBy: tickets.dueBy,
  closedAt: tickets.closedAt,
  replyResult: tickets.replyResult,
  replyText: tickets.replyText,
  repliedAt: tickets.repliedAt,
  answer: tickets.answer,
  rejectReason: tickets.rejectReason,
  referral: tickets.referral,
  mergedInto: tickets.mergedInto,
};

export interface PublicFilter {
  ids?: string[];
  topics?: string[];
  open?: boolean;
  from?: Date;
  to?: Date;
}

/** Tickets as the public sees them, newest first; imported (analytics-only) tickets are not live cases. */
export async function publicTickets(db: Db, f: PublicFilter, limit: number): Promise<PublicTicket[]> {
  const where: (SQL | undefined)[] = [
    eq(tickets.imported, false),
    f.ids ? inArray(tickets.id, f.ids) : undefined,
    f.topics ? inArray(sql`coalesce(${tickets.topic}, ${tickets.proposal}->'classification'->>'topic')`, f.topics) : undefined,
    f.open === undefined ? undefined : f.open ? inArray(tickets.status, [...OPEN_STATUSES]) : notInArray(tickets.status, [...OPEN_STATUSES]),
    f.from ? gte(tickets.receivedAt, f.from) : undefined,
    f.to ? lt(tickets.receivedAt, f.to) : undefined,
  ];
  const rows = await db
    .select(columns)
    .from(tickets)
    .leftJoin(units, eq(units.id, tickets.unitId))
    .leftJoin(topics, eq(topics.code, sql`coalesce(${tickets.topic}, ${tickets.proposal}->'classification'->>'topic')`))
    .where(and(...where))
    .orderBy(desc(tickets.receivedAt), desc(tickets.id))
    .limit(limit);
  const notes = rows.length
    ? await db
        .select({ ticketId: ticketEvents.ticketId, at: ticketEvents.at, note: sql<string>`${ticketEvents.data}->>'note'` })
        .from(ticketEvents)
        .where(and(inArray(ticketEvents.ticketId, rows.map((r) => r.id)), eq(ticketEvents.type, 'progress')))
        .orderBy(asc(ticketEvents.seq))
    : [];
  return rows.map((r) => ({
    id: r.id,
    status: r.status as TicketStatus,
    open: isOpen(r.status as TicketStatus),
    topic: r.topic,
    topicName: r.topicName,
    content: maskPhonesInText(r.content),
    address: r.address,
    lat: r.lat,
    lng: r.lng,
    mediaUrl: r.mediaUrl,
    unitName: r.unitName,
    receivedAt: r.receivedAt,
    updatedAt: r.updatedAt,
    dueBy: r.dueBy,
    closedAt: r.closedAt,
    notes: notes.filter((n) => n.ticketId === r.id && n.note).map((n) => ({ at: n.at, note: maskPhonesInText(n.note) })),
    reply: r.replyResult && r.replyText && r.repliedAt ? { result: r.replyResult, reply: maskPhonesInText(r.replyText), at: r.repliedAt } : null,
    answer: r.answer ? maskPhonesInText(r.answer) : null,
    referral: r.referral ? maskPhonesInText(r.referral) : null,
    mergedInto: r.mergedInto,
  }));
}

/** One sentence on where the ticket stands, in the hotline's words (办理进度). */
export function statusNote(t: PublicTicket): string {
  const unit = t.unitName ?? '承办单位';
  switch (t.status) {
    case 'triage':
      return '已受理，正在分派';
    case 'dispatched':
      return `已转办${unit}，待签收`;
    case 'handling':
    case 'return_requested':
      return t.notes.length ? `${unit}办理中：${t.notes.at(-1)!.note}` : `${unit}办理中`;
    case 'replied':
      return `${unit}已办结回复：${t.reply?.reply ?? ''}，待回访`;
    case 'closed':
      return t.reply ? `已办结：${t.reply.reply}` : '已办结';
    case 'answered':
      return `已直接答复：${t.answer ?? ''}`;
    case 'rejected':
      return t.referral ? `不属于本热线受理范围，请咨询：${t.referral}` : '不属于本热线受理范围';
    case 'merged':
      return `已并入工单 ${t.mergedInto}`;
  }
}

/** The last four digits of the phone a ticket was reported from, to check the citizen's lookup. */
export async function callerPhoneOf(db: Db, id: string): Promise<string | null | undefined> {
  const [row] = await db.select({ phone: tickets.callerPhone }).from(tickets).where(and(eq(tickets.id, id), eq(tickets.imported, false)));
  return row ? row.phone : undefined;
}
