/**
 * The supervision center's queue, the working-day calendar for agents, and the administration
 * of the policy and the calendar overrides.
 */
import { asc, eq, inArray } from 'drizzle-orm';
import { z } from '../domain/zod';
import type { Db } from '../db/client';
import { calendarOverrides, tickets } from '../db/schema';
import { failedNotifications } from '../db/notifications';
import { preparedOn } from '../db/prepared';
import { ticketRows } from '../db/tickets';
import { calendarOverridesOf, currentPolicy, loadCalendar, nextYearCalendarNotice, overrideOf, savePolicy } from '../db/policy';
import { PACKAGE_CALENDAR_YEARS, calendarOverrideSchema, instantSchema, isoDaySchema } from '../domain/calendar';
import { addDuration } from '../domain/deadlines';
import { DURATION_UNITS, WITHIN_A_YEAR_MESSAGE, policySchema, withinAYear } from '../domain/policy';
import { QUEUE_LIMIT, SUPERVISION_QUEUE_READS, TRIAGE_URGENCY, queueRows, type QueueList } from '../db/supervision-queue';
import { notFound } from './errors';
import type { Api } from './route';
import { adminActorOf } from './auth';
import { recordAdminChange } from '../db/audit';
import { notificationView, ticketSummaryView, toNotificationView, toTicketSummary } from './views';

const QUEUE_LISTS = Object.keys(SUPERVISION_QUEUE_READS) as QueueList[];

const queueView = z.object({
  notices: z
    .array(z.object({ code: z.string(), message: z.string() }))
    .describe("what the center must act on beyond tickets: `calendar_next_year_missing` from 1 November until next year's holidays are loaded"),
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
  triage: z.array(ticketSummaryView).describe('tickets waiting for the agent past their triage limit, emergencies first, then A, B, then by limit'),
  refusedSteps: z
    .array(ticketSummaryView)
    .describe("open tickets with a step Postgres refused as given (its text stored with U+FFFD, or the step left out): their trail marks it `recordError`; check it with the caller or unit"),
  failedNotifications: z
    .array(notificationView)
    .describe('notifications to units that exhausted their retries or could not be sent (no webhook secret), oldest first: fix the cause, then an admin redelivers them'),
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

/** The agents' triage queue, built once per handle like the supervision queue's lists (it takes nothing from the request). */
const triageQueueQuery = preparedOn((db) =>
  db.select().from(tickets).where(eq(tickets.status, 'triage')).orderBy(asc(TRIAGE_URGENCY), asc(tickets.triageBy), asc(tickets.id)).limit(QUEUE_LIMIT).toSQL(),
);

export function supervisionRoutes(api: Api, db: Db, now: () => Date = () => new Date()): void {
  api.endpoint({
    method: 'get',
    path: '/v1/supervision/queue',
    operationId: 'getSupervisionQueue',
    tag: 'supervision',
    summary: "The supervision center's work, most urgent first",
    roles: ['supervisor'],
    response: queueView,
    handler: async ({ res }) => {
      const viewer = res.locals.principal;
      const [lists, failed] = await Promise.all([
        Promise.all(QUEUE_LISTS.map(async (list) => [list, (await queueRows(db, list)).map((r) => toTicketSummary(r, viewer, 'supervisionQueue'))] as const)),
        failedNotifications(db, QUEUE_LIMIT),
      ]);
      const { nearDue, overdue, returnRequests, extensionRequests, dissatisfied, escalated, repeats, triage, refusedSteps } = Object.fromEntries(lists) as Record<QueueList, Summary[]>;
      const calendar = await nextYearCalendarNotice(db, now());
      return {
        notices: calendar ? [calendar] : [],
        nearDue,
        overdue,
        returnRequests,
        extensionRequests,
        dissatisfied,
        escalated,
        repeats,
        repeatClusters: clustersOf(repeats),
        triage,
        refusedSteps,
        failedNotifications: failed.map(toNotificationView),
      };
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/triage/queue',
    operationId: 'getTriageQueue',
    tag: 'tickets',
    summary: "The agents' triage queue: tickets waiting for an agent, emergencies first",
    description:
      'Tickets in `triage`: first those the classifier proposed as emergencies for 110/119/120/122 (to refer the caller at once), ' +
      'then category A, then B, then the rest; within each, the soonest triage limit first.',
    roles: ['agent', 'supervisor'],
    response: z.object({ items: z.array(ticketSummaryView) }),
    handler: async ({ res }) => {
      const viewer = res.locals.principal;
      const rows = await ticketRows.read(db, triageQueueQuery(db), { prepare: true });
      return { items: rows.map((r) => toTicketSummary(r, viewer)) };
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/calendar/due',
    operationId: 'getDueTime',
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
    operationId: 'getPolicy',
    tag: 'admin',
    summary: 'The policy in force: time limits per category, callback, return and extension windows, analytics weights',
    roles: ['admin', 'supervisor'],
    response: policyView,
    handler: () => currentPolicy(db),
  });
  api.endpoint({
    method: 'put',
    path: '/v1/admin/policy',
    operationId: 'replacePolicy',
    tag: 'admin',
    summary: 'Replace the policy: a new version, applied to tickets dispatched from now on',
    roles: ['admin'],
    body: policySchema,
    response: policyView,
    handler: ({ body, res }) =>
      db.transaction(async (tx) => {
        const before = await currentPolicy(tx);
        const after = await savePolicy(tx, body, res.locals.principal.id);
        // the built-in default (version 0) has no row: its before is still shown, as what was in force
        await recordAdminChange(tx, adminActorOf(res), { action: 'update', entityType: 'policy', entityId: after.version, before, after });
        return after;
      }),
  });

  const calendarView = z.object({
    packageYears: z.array(z.number().int()).describe('years whose official holidays ship with the chinese-days package'),
    overrides: z.array(calendarOverrideSchema),
  });
  api.endpoint({
    method: 'get',
    path: '/v1/admin/calendar',
    operationId: 'getCalendar',
    tag: 'admin',
    summary: 'The calendar overrides (holidays and make-up working days) and the years the package covers',
    roles: ['admin', 'supervisor', 'agent'],
    response: calendarView,
    handler: async () => ({ packageYears: [...PACKAGE_CALENDAR_YEARS], overrides: await calendarOverridesOf(db) }),
  });
  api.endpoint({
    method: 'post',
    path: '/v1/admin/calendar',
    operationId: 'loadCalendarOverrides',
    tag: 'admin',
    summary: "Load days from the State Council's notice (国务院办公厅关于…部分节假日安排的通知): each day is set as a holiday or a working day",
    roles: ['admin'],
    body: z.object({ overrides: z.array(calendarOverrideSchema).min(1).max(400) }),
    response: calendarView,
    idempotent: true,
    handler: async ({ body, res }) => {
      await db.transaction(async (tx) => {
        const dates = body.overrides.map((o) => o.date);
        const existing = new Map(
          (await tx.select().from(calendarOverrides).where(inArray(calendarOverrides.date, dates)).for('update')).map((r) => [r.date, overrideOf(r)]),
        );
        for (const o of body.overrides) {
          const [row] = await tx
            .insert(calendarOverrides)
            .values({ date: o.date, kind: o.kind, name: o.name ?? null })
            .onConflictDoUpdate({ target: calendarOverrides.date, set: { kind: o.kind, name: o.name ?? null, updatedAt: new Date() } })
            .returning();
          const before = existing.get(o.date);
          await recordAdminChange(tx, adminActorOf(res), { action: before ? 'update' : 'create', entityType: 'calendar_override', entityId: o.date, before, after: overrideOf(row!) });
          existing.set(o.date, overrideOf(row!));
        }
      });
      return { packageYears: [...PACKAGE_CALENDAR_YEARS], overrides: await calendarOverridesOf(db) };
    },
  });
  api.endpoint({
    method: 'delete',
    path: '/v1/admin/calendar/:date',
    operationId: 'deleteCalendarOverride',
    tag: 'admin',
    summary: 'Remove an override; the day follows the package data (or Monday–Friday) again',
    roles: ['admin'],
    response: calendarOverrideSchema,
    handler: async ({ params, res }) => {
      const date = isoDaySchema.safeParse(params.date);
      if (!date.success) throw notFound(`calendar override ${params.date}`);
      return db.transaction(async (tx) => {
        const [row] = await tx.delete(calendarOverrides).where(eq(calendarOverrides.date, date.data)).returning();
        if (!row) throw notFound(`calendar override ${params.date}`);
        await recordAdminChange(tx, adminActorOf(res), { action: 'delete', entityType: 'calendar_override', entityId: row.date, before: overrideOf(row) });
        return overrideOf(row);
      });
    },
  });
}
