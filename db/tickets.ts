/** Reads of the ticket read model, and the allocation of human ticket numbers. */
import { and, asc, desc, eq, getTableColumns, getTableName, gte, ilike, lt, or, sql, type SQL } from 'drizzle-orm';
import type postgres from 'postgres';
import type { Db } from './client';
import { fullRows } from './full-rows';
import { preparedOn } from './prepared';
import { ticketEvents, ticketNumbers, tickets } from './schema';
import { shanghaiDay } from '../domain/time';
import { gridCell } from '../domain/geo';
import { FLAG_PREDICATES } from './ticket-queues';
import type { TicketState } from '../domain/lifecycle';

export type TicketRow = typeof tickets.$inferSelect;
export type EventRow = typeof ticketEvents.$inferSelect;

/** Whole ticket rows read in bulk: lists and the supervision queue (db/full-rows.ts). */
export const ticketRows = fullRows(tickets);

/** 工单编号: 12345-YYYYMMDD-NNNNNN, numbered per Asia/Shanghai day. Also the workflow id. */
export async function allocateTicketId(db: Db, receivedAt: Date): Promise<string> {
  const day = shanghaiDay(receivedAt);
  const [row] = await db
    .insert(ticketNumbers)
    .values({ day, last: 1 })
    .onConflictDoUpdate({ target: ticketNumbers.day, set: { last: sql`${ticketNumbers.last} + 1` } })
    .returning({ last: ticketNumbers.last });
  return `12345-${day.replaceAll('-', '')}-${String(row!.last).padStart(6, '0')}`;
}

export async function findTicket(db: Db, id: string): Promise<TicketRow | undefined> {
  const [row] = await ticketById(db).execute({ id });
  return row;
}

export async function ticketEventsOf(db: Db, id: string): Promise<EventRow[]> {
  return eventsOfTicket(db).execute({ id });
}

// read for every action and answer: prepared once (db/prepared.ts)
const ticketById = preparedOn((db) => db.select().from(tickets).where(eq(tickets.id, sql.placeholder('id'))).prepare('ticket_by_id'));
const eventsOfTicket = preparedOn((db) =>
  db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, sql.placeholder('id'))).orderBy(asc(ticketEvents.seq)).prepare('ticket_events_of'),
);

/** Whether the trail has a step made by this Temporal update (the update was applied). */
export async function hasEventOfUpdate(db: Db, ticketId: string, updateId: string): Promise<boolean> {
  const [row] = await db
    .select({ seq: ticketEvents.seq })
    .from(ticketEvents)
    .where(and(eq(ticketEvents.ticketId, ticketId), eq(ticketEvents.updateId, updateId)))
    .limit(1);
  return row !== undefined;
}

/** The ticket a provincial or national platform handed over under its own number. */
export async function findByExternalRef(db: Db, platform: string, id: string): Promise<TicketRow | undefined> {
  const [row] = await db
    .select()
    .from(tickets)
    .where(and(eq(tickets.externalPlatform, platform), eq(tickets.externalId, id)));
  return row;
}

/** Whether a unit may know of a ticket: it is the primary or a co-handling unit. */
export function visibleToUnit(row: Pick<TicketRow, 'unitId' | 'coUnitIds'>, unitId: string): boolean {
  return row.unitId === unitId || row.coUnitIds.includes(unitId);
}

export interface TicketFilter {
  status?: string;
  unitId?: string;
  type?: string;
  topic?: string;
  category?: string;
  regionCode?: string;
  channel?: string;
  externalPlatform?: string;
  externalId?: string;
  nearDue?: boolean;
  overdue?: boolean;
  escalated?: boolean;
  businessEnvironment?: boolean;
  from?: Date;
  to?: Date;
  q?: string;
  /** a unit principal sees only its own tickets */
  visibleToUnitId?: string;
}

export interface Cursor {
  receivedAt: string;
  id: string;
}

/** Newest first; keyset paging on (received_at, id). */
export async function listTickets(db: Db, f: TicketFilter, limit: number, after?: Cursor): Promise<TicketRow[]> {
  const where: (SQL | undefined)[] = [
    f.status ? eq(tickets.status, f.status) : undefined,
    f.unitId ? ofUnit(f.unitId) : undefined,
    f.type ? eq(tickets.type, f.type) : undefined,
    f.topic ? sql`${tickets.topic} like ${f.topic + '%'}` : undefined,
    f.category ? eq(tickets.category, f.category) : undefined,
    f.regionCode ? eq(tickets.regionCode, f.regionCode) : undefined,
    f.channel ? eq(tickets.channel, f.channel) : undefined,
    f.externalPlatform ? eq(tickets.externalPlatform, f.externalPlatform) : undefined,
    f.externalId ? eq(tickets.externalId, f.externalId) : undefined,
    flag('nearDue', f.nearDue),
    flag('overdue', f.overdue),
    flag('escalated', f.escalated),
    f.businessEnvironment !== undefined ? eq(tickets.businessEnvironment, f.businessEnvironment) : undefined,
    f.from ? gte(tickets.receivedAt, f.from) : undefined,
    f.to ? lt(tickets.receivedAt, f.to) : undefined,
    f.q ? or(ilike(tickets.content, `%${escapeLike(f.q)}%`), ilike(tickets.address, `%${escapeLike(f.q)}%`)) : undefined,
    f.visibleToUnitId ? ofUnit(f.visibleToUnitId) : undefined,
    after ? sql`(${tickets.receivedAt}, ${tickets.id}) < (${after.receivedAt}::timestamptz, ${after.id})` : undefined,
  ];
  // prepared: one statement per filter combination a client uses, kept on a connection until the
  // driver retires it (postgres.js's max_lifetime, 30–60 min); 1 ms less per 200-row read (bench:ticket-rows)
  const query = db.select().from(tickets).where(and(...where)).orderBy(desc(tickets.receivedAt), desc(tickets.id)).limit(limit);
  return ticketRows.read(db, query.toSQL(), { prepare: true });
}

/** A list flag as literal SQL, so `true` reads the flag's partial index (db/ticket-queues.ts). */
function flag(name: keyof typeof FLAG_PREDICATES, value: boolean | undefined): SQL | undefined {
  return value === undefined ? undefined : FLAG_PREDICATES[name][value ? 'on' : 'off'];
}

/** Tickets a unit handles, as the primary or a co-handling unit (the SQL twin of visibleToUnit). */
function ofUnit(unitId: string): SQL | undefined {
  return or(eq(tickets.unitId, unitId), sql`${unitId} = any(${tickets.coUnitIds})`);
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function date(iso: string | undefined): Date | null {
  return iso ? new Date(iso) : null;
}

/** What of a tickets row a workflow state projects: all but what only Postgres and the import set. */
export type TicketProjection = Omit<typeof tickets.$inferSelect, 'imported' | 'updatedAt'>;

/** The tickets row that mirrors a workflow state. */
export function ticketRow(s: TicketState): TicketProjection {
  return {
    id: s.id,
    channel: s.channel,
    callerName: s.caller.name ?? null,
    callerPhone: s.caller.phone ?? null,
    content: s.content,
    address: s.address ?? null,
    regionCode: s.regionCode ?? null,
    lat: s.location?.lat ?? null,
    lng: s.location?.lng ?? null,
    geoCell: s.location ? gridCell(s.location) : null,
    mediaUrl: s.mediaUrl ?? null,
    externalPlatform: s.externalRef?.platform ?? null,
    externalId: s.externalRef?.id ?? null,
    businessEnvironment: s.businessEnvironment,
    type: s.classification?.type ?? null,
    topic: s.classification?.topic ?? null,
    category: s.classification?.category ?? null,
    status: s.status,
    unitId: s.unitId ?? null,
    coUnitIds: s.coUnitIds,
    receivedAt: new Date(s.receivedAt),
    dispatchedAt: date(s.dispatchedAt),
    signedAt: date(s.signedAt),
    repliedAt: date(s.reply?.at),
    closedAt: date(s.closedAt),
    signBy: date(s.deadlines.signBy),
    dueBy: date(s.deadlines.dueBy),
    nearDueAt: date(s.deadlines.nearDueAt),
    returnBy: date(s.deadlines.returnBy),
    policyVersion: s.policyVersion ?? null,
    callbackBy: date(s.deadlines.callbackBy),
    nearDue: s.nearDue,
    overdue: s.overdue,
    escalated: s.escalated,
    rehandleCount: s.rehandleCount,
    urgeCount: s.urgeCount,
    signOverdue: s.signOverdue,
    callbackMissed: s.callbackMissed,
    returnRequest: s.returnRequest ?? null,
    returnCount: s.returnCount,
    extension: s.extension ?? null,
    mergedInto: s.mergedInto ?? null,
    repeatOf: s.repeatOf,
    proposal: s.proposal ?? null,
    triageBy: date(s.triageBy),
    replyResult: s.reply?.result ?? null,
    replyText: s.reply?.reply ?? null,
    replyOnTime: s.reply?.onTime ?? null,
    satisfaction: s.satisfaction ?? null,
    answer: s.answer ?? null,
    rejectReason: s.rejection?.reason ?? null,
    referral: s.rejection?.referral ?? null,
    closeReason: s.closeReason ?? null,
    lastEventSeq: s.lastEventSeq,
  };
}

/** The ticket's row as a workflow state projects it, as a read would return it (the API's answer to an action). */
export function rowOfState(state: TicketState): TicketRow {
  return { imported: false, updatedAt: new Date(), ...ticketRow(state) };
}

/** A step of the trail as the ticket_events table holds it. */
export type StepRow = Pick<typeof ticketEvents.$inferInsert, 'ticketId' | 'seq' | 'type' | 'at' | 'actor' | 'data' | 'updateId'>;

const STEP_KEYS = ['ticketId', 'seq', 'type', 'at', 'actor', 'data', 'updateId'] as const satisfies readonly (keyof StepRow)[];

/** The statement of recordTicketSteps, by the ticket row's keys and the number of steps; made once for each. */
const stepStatements = new Map<string, string>();

function stepStatement(rowKeys: string[], steps: number): string {
  const cacheKey = `${rowKeys.join(',')}|${steps}`;
  const cached = stepStatements.get(cacheKey);
  if (cached) return cached;
  const ticketColumns = getTableColumns(tickets);
  const eventColumns = getTableColumns(ticketEvents);
  const name = (column: { name: string }) => `"${column.name}"`;
  const cols = rowKeys.map((key) => name(ticketColumns[key as keyof typeof ticketColumns]));
  let n = 0;
  const params = (count: number) => `(${Array.from({ length: count }, () => `$${++n}`).join(', ')})`;
  const ticketValues = params(cols.length);
  const stepValues = Array.from({ length: steps }, () => params(STEP_KEYS.length)).join(', ');
  const text =
    `with ticket as (insert into "${getTableName(tickets)}" (${cols.join(', ')}) values ${ticketValues} ` +
    `on conflict (${name(ticketColumns.id)}) do update set ${cols.filter((c) => c !== name(ticketColumns.id)).map((c) => `${c} = excluded.${c}`).join(', ')}, ${name(ticketColumns.updatedAt)} = now() ` +
    `where "${getTableName(tickets)}".${name(ticketColumns.lastEventSeq)} < excluded.${name(ticketColumns.lastEventSeq)}) ` +
    `insert into "${getTableName(ticketEvents)}" (${STEP_KEYS.map((key) => name(eventColumns[key])).join(', ')}) values ${stepValues} ` +
    `on conflict do nothing returning ${name(eventColumns.seq)}`;
  stepStatements.set(cacheKey, text);
  return text;
}

/** A value as drizzle sends it for its column (JSON text for jsonb, ISO text for a timestamp, an array literal). */
function driverValue(column: { mapToDriverValue(value: unknown): unknown }, value: unknown): unknown {
  return value === null || value === undefined ? null : column.mapToDriverValue(value);
}

/**
 * Writes steps of the trail and the ticket's row as it stands after the last, in one statement
 * (atomic as a transaction, one round trip instead of four), prepared once per connection: the
 * row is inserted, or updated only when it is behind (a retried or late write never moves it
 * backwards); a step already recorded is left as it is. Answers the sequence numbers inserted.
 * The same writes as drizzle's insert … on conflict, with its column encodings, without
 * building the 50-column query again for every step.
 */
export async function recordTicketSteps(client: postgres.Sql, row: TicketProjection, steps: StepRow[]): Promise<number[]> {
  if (steps.length === 0) return [];
  const ticketColumns = getTableColumns(tickets);
  const eventColumns = getTableColumns(ticketEvents);
  const rowKeys = Object.keys(row) as (keyof TicketProjection)[];
  const params: unknown[] = rowKeys.map((key) => driverValue(ticketColumns[key], row[key]));
  for (const step of steps) for (const key of STEP_KEYS) params.push(driverValue(eventColumns[key], step[key]));
  const inserted = await client.unsafe<{ seq: number }[]>(stepStatement(rowKeys, steps.length), params as postgres.ParameterOrJSON<never>[], { prepare: true });
  return inserted.map((r) => r.seq);
}
