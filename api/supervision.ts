/**
 * The supervision center's queue, the working-day calendar for agents, and the administration
 * of the policy, the calendar overrides and the notifications to units.
 */
import { and, asc, desc, eq, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import { z } from '../domain/zod';
import type { Db } from '../db/client';
import { calendarOverrides, notifications, supervisionNotices, tickets } from '../db/schema';
import { calendarOverridesOf, currentPolicy, loadCalendar, savePolicy } from '../db/policy';
import { PACKAGE_CALENDAR_YEARS, calendarOverrideSchema, instantSchema, isoDaySchema } from '../domain/calendar';
import { addDuration } from '../domain/deadlines';
import { DURATION_UNITS, WITHIN_A_YEAR_MESSAGE, policySchema, withinAYear } from '../domain/policy';
import { OPEN_STATUSES, WITH_UNIT } from '../domain/lifecycle';
import { ticketIdSchema } from '../domain/ticket';
import { notFound } from './errors';
import type { Api } from './route';
import { ticketSummaryView, toTicketSummary } from './views';

const QUEUE_LIMIT = 200;

const queueView = z.object({
  nearDue: z.array(ticketSummaryView).describe('yellow cards (临期), soonest due first'),
  overdue: z.array(ticketSummaryView).describe('red cards (逾期), longest overdue first'),
  returnRequests: z.array(ticketSummaryView).describe('退单 requests awaiting a decision, oldest first'),
  extensionRequests: z.array(ticketSummaryView).describe('延期 requests awaiting a decision, oldest first'),
  dissatisfied: z.array(ticketSummaryView).describe('dissatisfied callbacks awaiting re-handle or finalize'),
  escalated: z.array(ticketSummaryView).describe('escalated open tickets (repeated dissatisfaction, long overdue)'),
  repeats: z.array(ticketSummaryView).describe('open repeat reports (反复多发) that may be merged'),
  repeatClusters: z
    .array(
      z.object({
        ticketId: z.string().describe('the earliest open report of the cluster, the one to merge into'),
        repeatIds: z.array(z.string()).describe('open reports found to repeat it (same caller, address or place), oldest first'),
        topic: z.string().nullable(),
        location: z.object({ lat: z.number(), lng: z.number() }).nullable().describe('the point of a report in it, WGS-84'),
      }),
    )
    .describe('反复多发 by cluster: each repeated ticket with the reports that repeat it'),
  triage: z.array(ticketSummaryView).describe('tickets waiting for the agent past their triage limit'),
  refusedSteps: z
    .array(ticketSummaryView)
    .describe("open tickets with a step Postgres refused as given (its text stored with U+FFFD, or the step left out): their trail marks it `recordError`; check it with the caller or unit"),
});

type Summary = z.infer<typeof ticketSummaryView>;

/** The repeats grouped by the report they repeat (the first of their repeatOf, the earliest). */
function clustersOf(repeats: Summary[]): z.infer<typeof queueView>['repeatClusters'] {
  const clusters = new Map<string, z.infer<typeof queueView>['repeatClusters'][number]>();
  for (const r of repeats) {
    const anchor = r.repeatOf[0]!;
    const cluster = clusters.get(anchor) ?? { ticketId: anchor, repeatIds: [], topic: r.classification?.topic ?? r.proposal?.classification.topic ?? null, location: null };
    cluster.repeatIds.push(r.id);
    cluster.location ??= r.location ? { lat: r.location.lat, lng: r.location.lng } : null;
    clusters.set(anchor, cluster);
  }
  return [...clusters.values()];
}

export function supervisionRoutes(api: Api, db: Db): void {
  api.endpoint({
    method: 'get',
    path: '/v1/supervision/queue',
    tag: 'supervision',
    summary: "The supervision center's work, most urgent first",
    roles: ['supervisor'],
    response: queueView,
    handler: async ({ res }) => {
      const viewer = res.locals.principal;
      const list = (where: ReturnType<typeof and>, ...order: Parameters<typeof asc>[0][]) =>
        db
          .select()
          .from(tickets)
          .where(where)
          .orderBy(...order.map((o) => asc(o)))
          .limit(QUEUE_LIMIT)
          .then((rows) => rows.map((r) => toTicketSummary(r, viewer)));
      const open = inArray(tickets.status, [...OPEN_STATUSES]);
      const refused = db.select({ id: supervisionNotices.ticketId }).from(supervisionNotices).where(eq(supervisionNotices.kind, 'record_failed'));
      const [nearDue, overdue, returnRequests, extensionRequests, dissatisfied, escalated, repeats, triage, refusedSteps] = await Promise.all([
        list(and(inArray(tickets.status, [...WITH_UNIT]), eq(tickets.nearDue, true), eq(tickets.overdue, false)), tickets.dueBy),
        list(and(inArray(tickets.status, [...WITH_UNIT]), eq(tickets.overdue, true)), tickets.dueBy),
        list(eq(tickets.status, 'return_requested'), sql`${tickets.returnRequest}->>'at'`),
        list(and(inArray(tickets.status, [...WITH_UNIT]), sql`${tickets.extension}->>'status' = 'requested'`), sql`${tickets.extension}->>'at'`),
        list(and(eq(tickets.status, 'replied'), eq(tickets.satisfaction, 'dissatisfied')), tickets.repliedAt),
        list(and(open, eq(tickets.escalated, true)), tickets.receivedAt),
        list(and(open, sql`cardinality(${tickets.repeatOf}) > 0`), tickets.receivedAt),
        list(and(eq(tickets.status, 'triage'), isNotNull(tickets.triageBy), lt(tickets.triageBy, sql`now()`)), tickets.triageBy),
        list(and(open, inArray(tickets.id, refused)), tickets.receivedAt),
      ]);
      return { nearDue, overdue, returnRequests, extensionRequests, dissatisfied, escalated, repeats, repeatClusters: clustersOf(repeats), triage, refusedSteps };
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/calendar/due',
    tag: 'calendar',
    summary: 'When a limit started at `from` ends, on the working-day calendar (Asia/Shanghai)',
    description: '"N working days" ends at the end (23:59:59.999 Asia/Shanghai) of the Nth working day after the start day.',
    roles: ['agent', 'supervisor', 'unit', 'admin'],
    // the limit is bounded as a policy duration is
    query: z
      .object({
        from: instantSchema.describe('start, e.g. 2026-09-30T15:00:00+08:00'),
        amount: z.coerce.number().positive(),
        unit: z.enum(DURATION_UNITS),
      })
      .refine(withinAYear, { path: ['amount'], message: WITHIN_A_YEAR_MESSAGE }),
    response: z.object({ from: z.string(), amount: z.number(), unit: z.string(), due: z.string() }),
    handler: async ({ query }) => {
      const { from, ...duration } = query;
      const due = addDuration(await loadCalendar(db), new Date(from), duration);
      return { from: new Date(from).toISOString(), amount: duration.amount, unit: duration.unit, due: due.toISOString() };
    },
  });

  const policyView = z.object({ version: z.number().int(), policy: policySchema });
  api.endpoint({
    method: 'get',
    path: '/v1/admin/policy',
    tag: 'admin',
    summary: 'The policy in force: time limits per category, callback, return and extension windows, analytics weights',
    roles: ['admin', 'supervisor'],
    response: policyView,
    handler: () => currentPolicy(db),
  });
  api.endpoint({
    method: 'put',
    path: '/v1/admin/policy',
    tag: 'admin',
    summary: 'Replace the policy: a new version, applied to tickets dispatched from now on',
    roles: ['admin'],
    body: policySchema,
    response: policyView,
    handler: ({ body, res }) => savePolicy(db, body, res.locals.principal.id),
  });

  const calendarView = z.object({
    packageYears: z.array(z.number().int()).describe('years whose official holidays ship with the chinese-days package'),
    overrides: z.array(calendarOverrideSchema),
  });
  api.endpoint({
    method: 'get',
    path: '/v1/admin/calendar',
    tag: 'admin',
    summary: 'The calendar overrides (holidays and make-up working days) and the years the package covers',
    roles: ['admin', 'supervisor', 'agent'],
    response: calendarView,
    handler: async () => ({ packageYears: [...PACKAGE_CALENDAR_YEARS], overrides: await calendarOverridesOf(db) }),
  });
  api.endpoint({
    method: 'post',
    path: '/v1/admin/calendar',
    tag: 'admin',
    summary: "Load days from the State Council's notice (国务院办公厅关于…部分节假日安排的通知): each day is set as a holiday or a working day",
    roles: ['admin'],
    body: z.object({ overrides: z.array(calendarOverrideSchema).min(1).max(400) }),
    response: calendarView,
    idempotent: true,
    handler: async ({ body }) => {
      await db.transaction(async (tx) => {
        for (const o of body.overrides) {
          await tx
            .insert(calendarOverrides)
            .values({ date: o.date, kind: o.kind, name: o.name ?? null })
            .onConflictDoUpdate({ target: calendarOverrides.date, set: { kind: o.kind, name: o.name ?? null, updatedAt: new Date() } });
        }
      });
      return { packageYears: [...PACKAGE_CALENDAR_YEARS], overrides: await calendarOverridesOf(db) };
    },
  });
  api.endpoint({
    method: 'delete',
    path: '/v1/admin/calendar/:date',
    tag: 'admin',
    summary: 'Remove an override; the day follows the package data (or Monday–Friday) again',
    roles: ['admin'],
    response: calendarOverrideSchema,
    handler: async ({ params }) => {
      const date = isoDaySchema.safeParse(params.date);
      const [row] = date.success ? await db.delete(calendarOverrides).where(eq(calendarOverrides.date, date.data)).returning() : [];
      if (!row) throw notFound(`calendar override ${params.date}`);
      return { date: row.date, kind: row.kind, ...(row.name ? { name: row.name } : {}) };
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/admin/notifications',
    tag: 'admin',
    summary: "Notifications to units' webhooks, newest first; `status=failed` lists the undelivered",
    roles: ['admin', 'supervisor'],
    query: z.object({
      status: z.enum(['pending', 'delivered', 'failed', 'no_webhook']).optional(),
      ticketId: ticketIdSchema.optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    }),
    response: z.object({
      items: z.array(
        z.object({
          id: z.string(),
          ticketId: z.string(),
          unitId: z.string(),
          kind: z.string(),
          status: z.string(),
          attempts: z.number().int(),
          lastError: z.string().nullable(),
          createdAt: z.string(),
          deliveredAt: z.string().nullable(),
        }),
      ),
    }),
    handler: async ({ query }) => {
      const rows = await db
        .select()
        .from(notifications)
        .where(
          and(
            query.status ? eq(notifications.status, query.status) : undefined,
            query.ticketId ? eq(notifications.ticketId, query.ticketId) : undefined,
          ),
        )
        .orderBy(desc(notifications.createdAt))
        .limit(query.limit);
      return {
        items: rows.map((n) => ({
          id: n.id,
          ticketId: n.ticketId,
          unitId: n.unitId,
          kind: n.kind,
          status: n.status,
          attempts: n.attempts,
          lastError: n.lastError,
          createdAt: n.createdAt.toISOString(),
          deliveredAt: n.deliveredAt?.toISOString() ?? null,
        })),
      };
    },
  });
}
