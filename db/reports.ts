/**
 * Periodic reports (定期报告): built from the same queries and in the same shape as the analytics
 * endpoints, stored as JSON, one row per period kind and first day, replaced when regenerated.
 */
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';
import { reports, topics, units } from './schema';
import { TOPICS, XINXIANG_REGIONS } from '../domain/classifier';
import { currentPolicy } from './policy';
import { hotspotFindings, interviews, overviewWithChanges, rankingIn } from './analytics';
import { dueIn, isCompletedOnTime, isDispatched, isoInstant } from './kpi-definitions';
import { hotspotBaseline, type Period } from '../domain/kpi';
import { reportId, reportRange, reportRankingPeriod, type ReportNames, type ReportPeriod } from '../domain/reports';
import {
  toHotspotsView,
  toInterviewsView,
  toOverviewView,
  toPeriodView,
  toRankingView,
  type NotableView,
  type ReportView,
  reportSummaryView,
} from '../domain/analytics-views';
import type { z } from '../domain/zod';

/** How many tickets each notable list shows (the total is counted in full). */
const NOTABLE_LIMIT = 50;

/**
 * 重点工单: among the dispatched tickets due in the period, those past due and not completed on
 * time (still open, or replied late; most late first), those escalated, and those whose latest
 * callback was dissatisfied (latest first).
 */
export async function notableTickets(db: Db, period: Period): Promise<NotableView> {
  const lists: Record<keyof NotableView, { where: SQL; order: SQL }> = {
    overdue: { where: sql`t.due_by < now() and not ${isCompletedOnTime}`, order: sql`coalesce(t.replied_at, now()) - t.due_by desc` },
    escalated: { where: sql`t.escalated`, order: sql`t.received_at desc` },
    dissatisfied: { where: sql`t.satisfaction = 'dissatisfied'`, order: sql`t.received_at desc` },
  };
  const entries = await Promise.all(
    Object.entries(lists).map(async ([kind, { where, order }]) => {
      const rows = await db.execute<{
        id: string;
        received_at: string;
        due_by: string | null;
        replied_at: string | null;
        unit_id: string | null;
        topic: string | null;
        region_code: string | null;
        status: string;
        satisfaction: string | null;
        rehandle_count: number;
        escalated: boolean;
        total: number;
      }>(sql`
        select t.id, ${isoInstant(sql`t.received_at`)} as received_at, ${isoInstant(sql`t.due_by`)} as due_by,
               ${isoInstant(sql`t.replied_at`)} as replied_at, t.unit_id, t.topic, t.region_code, t.status,
               t.satisfaction, t.rehandle_count, t.escalated, count(*) over ()::int as total
        from tickets t
        where ${isDispatched} and ${dueIn(period)} and ${where}
        order by ${order}, t.id
        limit ${NOTABLE_LIMIT}`);
      const tickets = rows.map((r) => ({
        id: r.id,
        receivedAt: r.received_at,
        dueBy: r.due_by,
        repliedAt: r.replied_at,
        unitId: r.unit_id,
        topic: r.topic,
        regionCode: r.region_code,
        status: r.status,
        satisfaction: r.satisfaction,
        rehandleCount: r.rehandle_count,
        escalated: r.escalated,
      }));
      return [kind, { total: rows[0]?.total ?? 0, tickets }] as const;
    }),
  );
  return Object.fromEntries(entries) as NotableView;
}

/** The report of one period, from the read model as it stands now, under the policy in force. */
export async function buildReport(db: Db, period: ReportPeriod, start: string, generatedAt: Date): Promise<ReportView> {
  const range = reportRange(period, start);
  const ranking = reportRankingPeriod(period, start);
  const month = period === 'month' ? start.slice(0, 7) : undefined;
  const { version, policy } = await currentPolicy(db);
  const [overview, unitRanking, countyRanking, interviewCases, found, notable] = await Promise.all([
    overviewWithChanges(db, range, policy.kpi),
    rankingIn(db, ranking.range, 'unit', policy.kpi),
    rankingIn(db, ranking.range, 'county', policy.kpi),
    month ? interviews(db, month, policy.kpi) : undefined,
    hotspotFindings(db, range, policy.kpi),
    notableTickets(db, range),
  ]);
  return {
    id: reportId(period, start),
    period,
    start,
    range: toPeriodView(range),
    generatedAt: generatedAt.toISOString(),
    policyVersion: version,
    overview: toOverviewView(overview, policy.kpi),
    rankings: { basis: ranking.basis, unit: toRankingView(unitRanking, policy.kpi), county: toRankingView(countyRanking, policy.kpi) },
    interviews: month && interviewCases ? toInterviewsView(month, 'unit', interviewCases, policy.kpi) : null,
    hotspots: toHotspotsView(range, hotspotBaseline(range, policy.kpi.hotspots), found, policy.kpi),
    notable,
  };
}

/** Stores a report, replacing the one of the same period if any. */
export async function saveReport(db: Db, report: ReportView): Promise<void> {
  const row = {
    id: report.id,
    period: report.period,
    start: report.start,
    periodFrom: new Date(report.range.from),
    periodTo: new Date(report.range.to),
    policyVersion: report.policyVersion,
    generatedAt: new Date(report.generatedAt),
    content: report,
  };
  await db.insert(reports).values(row).onConflictDoUpdate({ target: reports.id, set: row });
}

export async function findReport(db: Db, id: string): Promise<ReportView | undefined> {
  const [row] = await db.select({ content: reports.content }).from(reports).where(eq(reports.id, id));
  return row?.content as ReportView | undefined;
}

export type ReportSummary = z.infer<typeof reportSummaryView>;

/** Newest period first; keyset paging on (start, id). */
export async function listReports(
  db: Db,
  filter: { period?: ReportPeriod },
  limit: number,
  after?: { start: string; id: string },
): Promise<ReportSummary[]> {
  const rows = await db
    .select({
      id: reports.id,
      period: reports.period,
      start: reports.start,
      periodFrom: reports.periodFrom,
      periodTo: reports.periodTo,
      generatedAt: reports.generatedAt,
      policyVersion: reports.policyVersion,
    })
    .from(reports)
    .where(
      and(
        filter.period ? eq(reports.period, filter.period) : undefined,
        after ? sql`(${reports.start}, ${reports.id}) < (${after.start}::date, ${after.id})` : undefined,
      ),
    )
    .orderBy(desc(reports.start), desc(reports.id))
    .limit(limit);
  return rows.map((r) => ({
    id: r.id,
    period: r.period,
    start: r.start,
    range: toPeriodView({ from: r.periodFrom, to: r.periodTo }),
    generatedAt: r.generatedAt.toISOString(),
    policyVersion: r.policyVersion,
  }));
}

/** The names a report prints beside its codes: the topic taxonomy, the city's districts, the units. */
export async function reportNames(db: Db): Promise<ReportNames> {
  const [topicRows, unitRows] = await Promise.all([
    db.select({ code: topics.code, name: topics.name }).from(topics),
    db.select({ id: units.id, name: units.name }).from(units),
  ]);
  return {
    // the taxonomy the classifier knows, and the topics admins added
    topics: Object.fromEntries([...TOPICS, ...topicRows].map((t) => [t.code, t.name])),
    regions: Object.fromEntries(XINXIANG_REGIONS.districts.map((d) => [d.code, d.name])),
    units: Object.fromEntries(unitRows.map((u) => [u.id, u.name])),
  };
}
