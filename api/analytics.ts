/**
 * Analytics (分析研判) for the supervision center: the overview of a period, the monthly
 * rankings, the interview list, hot spots, and the stored periodic reports. Everything reads
 * Postgres; only (re)generating a report goes through Temporal, like the schedules do.
 */
import { reportLinkRefusal, signReportLink, type ReportLinkOptions } from './report-link';
import { htmlToPdf } from './report-pdf';
import { z } from '../domain/zod';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { currentPolicy } from '../db/policy';
import { DEFAULT_REPEAT_MIN, hotspotFindings, interviews, monthlyRanking, overviewWithChanges } from '../db/analytics';
import { findReport, listReports, reportNames } from '../db/reports';
import { isoDaySchema, isoMonthSchema } from '../domain/calendar';
import { hotspotBaseline, shanghaiDayRange } from '../domain/kpi';
import { REPORT_ID_PATTERN, REPORT_PERIODS, REPORT_WORKFLOW, reportDays, reportId, reportRange } from '../domain/reports';
import {
  hotspotsView,
  interviewsView,
  overviewView,
  rankingView,
  reportSummaryView,
  reportView,
  toHotspotsView,
  toInterviewsView,
  toOverviewView,
  toRankingView,
  type ReportView,
} from '../domain/analytics-views';
import type { Role } from '../domain/ticket';
import type { ReportWorkflowInput } from '../workflows/reports';
import { cursorCodec } from './cursor';
import { disclose } from '../domain/privacy';
import { HttpError, notFound, unprocessable } from './errors';
import { CSV_COLUMNS, reportCsv, reportHtml } from './report-render';
import type { Api } from './route';
import type { TemporalCalls } from './temporal-calls';

const READERS: Role[] = ['supervisor', 'admin'];
/** The longest period the overview and hot spots answer (a leap year). */
const MAX_DAYS = 366;

const dayRange = z
  .object({
    from: isoDaySchema.describe('first Shanghai calendar day, YYYY-MM-DD'),
    to: isoDaySchema.describe('last Shanghai calendar day, included'),
  })
  .refine((q) => q.from <= q.to, { path: ['to'], message: 'must not be before from' })
  .refine((q) => Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`) < MAX_DAYS * 86_400_000, {
    path: ['to'],
    message: `a period is at most ${MAX_DAYS} days`,
  });

const monthParam = isoMonthSchema;
const levelParam = z.enum(['unit', 'county']).default('unit').describe('units (承办单位), or counties by region code');

/** The id of a stored report, as `reportId` makes it. */
const reportIdSchema = z.string().regex(REPORT_ID_PATTERN, 'must be a report id such as month-2026-03-01');
const reportCursor = cursorCodec(z.object({ start: isoDaySchema, id: reportIdSchema }));

export interface AnalyticsDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  temporalCalls: TemporalCalls;
  now: () => Date;
  reportLinks: ReportLinkOptions;
  chromiumPath: string;
}

export function analyticsRoutes(api: Api, deps: AnalyticsDeps): void {
  const { db, temporal, temporalCalls } = deps;

  api.endpoint({
    method: 'get',
    path: '/v1/analytics/overview',
    operationId: 'getAnalyticsOverview',
    tag: 'analytics',
    summary: 'Every figure of a period, with its counts, month-on-month (环比) and year-on-year (同比) change',
    description:
      'Volumes, shares and breakdowns count the tickets received in the days from `from` to `to` (Asia/Shanghai); ' +
      'the completion, on-time, satisfaction and callback rates count the dispatched tickets due in those days. ' +
      'Changes of volumes are relative (0.125 = +12.5%), changes of rates in percentage points. See docs/analytics.md.',
    roles: READERS,
    query: dayRange,
    response: overviewView,
    handler: async ({ query }) => {
      const { policy } = await currentPolicy(db);
      return toOverviewView(await overviewWithChanges(db, shanghaiDayRange(query.from, query.to), policy.kpi), policy.kpi);
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/analytics/rankings',
    operationId: 'getRankings',
    tag: 'analytics',
    summary: 'The composite ranking (综合排名) of a month in volume groups, with the components, red and black lists',
    description: 'Units (or counties) are scored on their dispatched tickets due in the month; weights, group threshold and list size are policy.',
    roles: READERS,
    query: z.object({ month: monthParam, level: levelParam }),
    response: rankingView.extend({ month: monthParam }),
    handler: async ({ query }) => {
      const { policy } = await currentPolicy(db);
      const ranking = await monthlyRanking(db, query.month, query.level, policy.kpi);
      return { month: query.month, ...toRankingView(ranking, policy.kpi) };
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/analytics/interviews',
    operationId: 'getInterviews',
    tag: 'analytics',
    summary: 'Units in the bottom of their group for consecutive months up to `month` (约谈), with their scores',
    roles: READERS,
    query: z.object({ month: monthParam, level: levelParam }),
    response: interviewsView,
    handler: async ({ query }) => {
      const { policy } = await currentPolicy(db);
      return toInterviewsView(query.month, query.level, await interviews(db, query.month, policy.kpi, query.level), policy.kpi);
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/analytics/hotspots',
    operationId: 'getHotspots',
    tag: 'analytics',
    summary: 'Early warning (热点预警): topics and districts whose volume jumps, place clusters, repeat callers',
    description: 'Each topic and district is compared with its own daily counts over the policy’s baseline days before `from`.',
    roles: READERS,
    query: dayRange.safeExtend({
      repeatCalls: z.coerce.number().int().min(2).max(1000).default(DEFAULT_REPEAT_MIN).describe('tickets that make a repeat caller'),
      placeReports: z.coerce.number().int().min(2).max(1000).default(DEFAULT_REPEAT_MIN).describe('tickets that make a place cluster'),
    }),
    response: hotspotsView,
    handler: async ({ query, res }) => {
      const { policy } = await currentPolicy(db);
      const period = shanghaiDayRange(query.from, query.to);
      const found = await hotspotFindings(db, period, policy.kpi, { repeatCalls: query.repeatCalls, placeReports: query.placeReports });
      return disclose('analytics', res.locals.principal.role, toHotspotsView(period, hotspotBaseline(period, policy.kpi.hotspots), found, policy.kpi));
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/reports',
    operationId: 'listReports',
    tag: 'reports',
    summary: 'Stored periodic reports (日报, 周报, 月报, 年报), newest period first',
    roles: READERS,
    query: z.object({
      period: z.enum(REPORT_PERIODS).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
      cursor: z.string().max(500).optional(),
    }),
    response: z.object({ items: z.array(reportSummaryView), nextCursor: z.string().nullable() }),
    handler: async ({ query }) => {
      const rows = await listReports(db, { period: query.period }, query.limit + 1, query.cursor ? reportCursor.decode(query.cursor) : undefined);
      const items = rows.slice(0, query.limit);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > query.limit && last ? reportCursor.encode({ start: last.start, id: last.id }) : null };
    },
  });

  api.endpoint({
    method: 'post',
    path: '/v1/reports',
    operationId: 'createReport',
    tag: 'reports',
    summary: 'Generate (or regenerate) the report of a past period, as the schedules do',
    description:
      'Runs the report workflow for the period and answers with the stored report. The report of a period has one id ' +
      '(`${period}-${start}`): generating it again replaces it with figures as of now.',
    roles: READERS,
    body: z.object({
      period: z.enum(REPORT_PERIODS),
      start: isoDaySchema.describe('the first day: any day; a Monday for a week; the 1st for a month; 1 January for a year'),
    }),
    response: reportView,
    idempotent: true,
    handler: async ({ body, res }) => {
      try {
        reportDays(body.period, body.start);
      } catch (err) {
        throw new HttpError(400, 'validation_failed', `invalid body: start: ${(err as Error).message}`, [{ path: 'start', message: (err as Error).message }]);
      }
      if (reportRange(body.period, body.start).to.getTime() > Date.now()) throw unprocessable('start', 'the period has not ended yet');
      const id = reportId(body.period, body.start);
      const input: ReportWorkflowInput = { period: body.period, start: body.start };
      // within the action deadline; a retry after a 503 waits for the run already under way
      await temporalCalls.run(async () => {
        const handle = await temporal.workflow.start(REPORT_WORKFLOW, {
          taskQueue: deps.taskQueue,
          workflowId: `${deps.taskQueue}-report-${id}`,
          args: [input],
          // a request while one runs waits for that run; a later one regenerates
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
        await handle.result();
      });
      return disclose('analytics', res.locals.principal.role, (await findReport(db, id))!);
    },
  });

  /** A stored report as `role` may see it, in every format alike. */
  async function stored(id: string, role: Role): Promise<ReportView> {
    const report = await findReport(db, id);
    if (!report) throw notFound(`report ${id}`);
    return disclose('analytics', role, report);
  }

  api.endpoint({
    method: 'get',
    path: '/v1/reports/:id.csv',
    operationId: 'getReportCsv',
    tag: 'reports',
    summary: 'A stored report as CSV: one figure a line with its counts and changes',
    roles: READERS,
    response: z.string().describe(`columns: ${CSV_COLUMNS.join(', ')}; \`name\` is the name of the code beside it (topic, district, unit), times are Asia/Shanghai with the offset, a volume's change is relative (a fraction) and a rate's in percentage points, each in its own column`),
    mediaType: 'text/csv',
    handler: async ({ params, res }) => {
      res.type('text/csv; charset=utf-8').attachment(`${params.id}.csv`).send(reportCsv(await stored(params.id!, res.locals.principal.role), await reportNames(db)));
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/reports/:id',
    operationId: 'getReport',
    tag: 'reports',
    summary: 'A stored report: JSON, or `format=csv`, or `format=html` (a printable page with SVG charts)',
    roles: READERS,
    query: z.object({ format: z.enum(['json', 'csv', 'html']).default('json') }),
    response: reportView,
    alsoProduces: { 'text/csv': z.string(), 'text/html': z.string() },
    handler: async ({ params, query, res }) => {
      const report = await stored(params.id!, res.locals.principal.role);
      if (query.format === 'csv') res.type('text/csv; charset=utf-8').attachment(`${report.id}.csv`).send(reportCsv(report, await reportNames(db)));
      else if (query.format === 'html') res.type('html').send(reportHtml(report, await reportNames(db)));
      else return report;
    },
  });

  api.endpoint({
    method: 'post',
    path: '/v1/reports/:id/link',
    operationId: 'createReportLink',
    tag: 'reports',
    summary: 'A short-lived signed link that opens the report in a browser (HTML, or PDF with `format=pdf`) without an API key',
    roles: READERS,
    response: z.object({
      url: z.string().describe('relative to the API; HTML by default, add `&format=pdf` for the PDF'),
      expiresAt: z.string().describe('ISO 8601; REPORT_LINK_TTL_SECONDS after the link was made'),
    }),
    status: 201,
    handler: async ({ params, res }) => {
      const report = await stored(params.id!, res.locals.principal.role);
      const { token, expiresAt } = signReportLink(deps.reportLinks, report.id, deps.now());
      return { url: `/v1/reports/${encodeURIComponent(report.id)}/view?token=${token}`, expiresAt };
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/reports/:id/view',
    operationId: 'viewReport',
    tag: 'reports',
    summary: 'The report opened through a signed link: HTML for a browser, or its PDF; no API key',
    description: 'The link comes from `POST /v1/reports/{id}/link`. An expired or altered token is a 403.',
    roles: READERS,
    public: true,
    query: z.object({ token: z.string().max(200), format: z.enum(['html', 'pdf']).default('html') }),
    response: z.string().describe('the printable HTML page'),
    mediaType: 'text/html',
    alsoProduces: { 'application/pdf': z.string().describe('the same page printed to A4 by headless Chromium').openapi({ format: 'binary' }) },
    handler: async ({ params, query, res }) => {
      const refusal = reportLinkRefusal(deps.reportLinks, params.id!, query.token, deps.now());
      if (refusal) throw new HttpError(403, 'link_refused', refusal, [{ path: 'token', message: refusal }]);
      // every role sees a report's personal data alike (domain/privacy.ts): masked
      const html = reportHtml(await stored(params.id!, 'supervisor'), await reportNames(db));
      // the token is in the URL: keep it out of referrers and caches
      res.setHeader('Referrer-Policy', 'no-referrer').setHeader('Cache-Control', 'private, no-store');
      if (query.format === 'pdf') res.type('application/pdf').send(await htmlToPdf(html, deps.chromiumPath));
      else res.type('html').send(html);
    },
  });
}
