/**
 * The counts behind the reports, turned into figures by `domain/kpi.ts` (where each figure is
 * defined); what each count counts is written once in `db/kpi-definitions.ts`.
 *
 * Volumes, shares, breakdowns, the handling figures and the rankings sum the daily rollups
 * (`db/rollups.ts`), so they answer whole Shanghai days and a month costs a few thousand rows
 * whatever the size of the tickets table. The rest reads the tickets table on an indexed range:
 * callbacks not yet due (the one time-dependent count), returns (ticket_events_type_at_idx),
 * repeat callers and place clusters (tickets_received_idx).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';
import { maskPhone } from '../domain/privacy';
import {
  componentValues,
  compositeScore,
  dailyAverage,
  directAnswerShare,
  dispatchShare,
  handlingFigures,
  headlineChanges,
  hotspotBaseline,
  hotspots as detectHotspots,
  interviewCases,
  monthOnMonthPeriod,
  monthsEndingWith,
  ratio,
  rankUnits,
  shanghaiDaysIn,
  shanghaiMonthRange,
  unitComponents,
  wholeShanghaiDays,
  yearOnYearPeriod,
  type DailyCount,
  type HandlingCounts,
  type HeadlineChanges,
  type HeadlineFigures,
  type Hotspot,
  type InterviewCase,
  type KpiPolicy,
  type Period,
  type Ranking,
  type Ratio,
  type UnitComponents,
  type UnitMonthCounts,
} from '../domain/kpi';
import { at, callbackNotYetDue, dueIn, isDispatched, isoInstant, receivedIn } from './kpi-definitions';
import { HANDLING_FACT_NAMES, type VolumeDimension } from './rollups';

/** Rollup rows of the days of a period (whole Shanghai days). */
function onDays(period: Period, alias: string): SQL {
  const days = wholeShanghaiDays(period);
  return sql`(${sql.raw(alias)}.day >= ${days.from}::date and ${sql.raw(alias)}.day < ${days.to}::date)`;
}

/** The handling facts summed over rollup rows `h`. */
const handlingSums = sql.raw(HANDLING_FACT_NAMES.map((f) => `coalesce(sum(h.${f}), 0)::int as ${f}`).join(', '));

type HandlingRow = Record<(typeof HANDLING_FACT_NAMES)[number], number>;

function handlingCounts(r: HandlingRow | undefined, callbacksNotYetDue: number): HandlingCounts {
  return {
    due: r?.due ?? 0,
    completed: r?.completed ?? 0,
    completedOnTime: r?.completed_on_time ?? 0,
    callbacksDue: (r?.callbacks_done ?? 0) + (r?.awaiting_callback ?? 0) - callbacksNotYetDue,
    callbacksDone: r?.callbacks_done ?? 0,
    satisfied: r?.satisfied ?? 0,
    basicallySatisfied: r?.basically_satisfied ?? 0,
    dissatisfied: r?.dissatisfied ?? 0,
    unreachable: r?.unreachable ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Overview (总体情况)

/** Tickets with one value of a dimension; key null = not (yet) classified. */
export interface Breakdown {
  key: string | null;
  tickets: number;
  /** of all tickets received in the period */
  share: Ratio;
}

export interface OverviewFigures extends HeadlineFigures {
  period: Period;
  /** Shanghai calendar days the period touches (the daily average's divisor) */
  days: number;
  /** 峰值日: the Shanghai day with the most tickets (the earliest of equals) */
  peakDay: { day: string; tickets: number } | null;
  /** tickets per Shanghai day that had any, in date order */
  byDay: { day: string; tickets: number }[];
  byChannel: Breakdown[];
  byType: Breakdown[];
  /** by the topic's major category (first 2 digits of the code) */
  byTopicMajor: Breakdown[];
  byTopic: Breakdown[];
  /** by the district where it happened (事发地) */
  byRegion: Breakdown[];
  /** 营商环境: the enterprises' lane, with its share of all tickets */
  businessEnvironment: HeadlineFigures & { share: Ratio };
}

type Lane = 'all' | 'business_environment' | 'other';

interface VolumeRow extends Record<string, unknown> {
  dimension: VolumeDimension | 'day';
  key: string | null;
  tickets: number;
  answered: number;
  dispatched: number;
}

/** Volumes and shares of the tickets received in a period, the handling figures of those due in it. */
export async function overviewFigures(db: Db, period: Period, policy: Pick<KpiPolicy, 'basicallySatisfiedWeight'>): Promise<OverviewFigures> {
  const [volumeRows, handlingRows, notYetDue] = await Promise.all([
    db.execute<VolumeRow>(sql`
      select dimension, nullif(key, '') as key,
             sum(tickets)::int as tickets, sum(answered)::int as answered, sum(dispatched)::int as dispatched
      from ticket_volume_daily v
      where ${onDays(period, 'v')}
      group by dimension, key
      having sum(tickets) > 0
      union all
      select 'day', to_char(day, 'YYYY-MM-DD'), tickets, answered, dispatched
      from ticket_volume_daily v
      where v.dimension = 'all' and ${onDays(period, 'v')} and v.tickets > 0`),
    db.execute<HandlingRow & { lane: Lane }>(sql`
      select case when grouping(h.business_environment) = 1 then 'all'
                  when h.business_environment then 'business_environment' else 'other' end as lane,
             ${handlingSums}
      from ticket_handling_daily h
      where ${onDays(period, 'h')}
      group by grouping sets ((), (h.business_environment))`),
    db.execute<{ business_environment: boolean; tickets: number }>(sql`
      select t.business_environment, count(*)::int as tickets
      from tickets t
      where ${callbackNotYetDue} and ${isDispatched} and ${dueIn(period)}
      group by 1`),
  ]);

  const rows = (d: VolumeRow['dimension']) => volumeRows.filter((r) => r.dimension === d);
  const days = shanghaiDaysIn(period).length;
  const all = rows('all')[0];
  const volume = all?.tickets ?? 0;
  const notYetDueIn = (lane: Lane) => notYetDue.filter((n) => lane === 'all' || n.business_environment).reduce((s, n) => s + n.tickets, 0);
  const headline = (v: VolumeRow | undefined, lane: Lane): HeadlineFigures => ({
    volume: v?.tickets ?? 0,
    dailyAverage: dailyAverage(v?.tickets ?? 0, days),
    directAnswerShare: directAnswerShare({ answered: v?.answered ?? 0, tickets: v?.tickets ?? 0 }),
    dispatchShare: dispatchShare({ dispatched: v?.dispatched ?? 0, tickets: v?.tickets ?? 0 }),
    ...handlingFigures(handlingCounts(handlingRows.find((h) => h.lane === lane), notYetDueIn(lane)), policy),
  });
  const breakdown = (d: VolumeDimension): Breakdown[] =>
    rows(d)
      .map((r) => ({ key: r.key, tickets: r.tickets, share: ratio(r.tickets, volume) }))
      .sort((a, b) => b.tickets - a.tickets || (a.key ?? '').localeCompare(b.key ?? ''));
  const businessLane = rows('business_environment').find((r) => r.key === 'true');
  const byDay = rows('day')
    .map((r) => ({ day: r.key!, tickets: r.tickets }))
    .sort((a, b) => a.day.localeCompare(b.day));
  // days are in date order and `>` keeps the first of equals: the earliest peak wins
  const peakDay = byDay.reduce<(typeof byDay)[number] | null>((peak, d) => (peak === null || d.tickets > peak.tickets ? d : peak), null);

  return {
    period,
    days,
    ...headline(all, 'all'),
    peakDay,
    byDay,
    byChannel: breakdown('channel'),
    byType: breakdown('type'),
    byTopicMajor: breakdown('topic_major'),
    byTopic: breakdown('topic'),
    byRegion: breakdown('region'),
    businessEnvironment: { ...headline(businessLane, 'business_environment'), share: ratio(businessLane?.tickets ?? 0, volume) },
  };
}

export interface OverviewComparison {
  current: OverviewFigures;
  /** 环比 */
  monthOnMonth: PeriodComparison;
  /** 同比 */
  yearOnYear: PeriodComparison;
}

export interface PeriodComparison {
  figures: OverviewFigures;
  changes: HeadlineChanges;
  businessEnvironmentChanges: HeadlineChanges;
}

/** The overview with its month-on-month and year-on-year changes. */
export async function overviewWithChanges(db: Db, period: Period, policy: Pick<KpiPolicy, 'basicallySatisfiedWeight'>): Promise<OverviewComparison> {
  const [current, previous, lastYear] = await Promise.all([
    overviewFigures(db, period, policy),
    overviewFigures(db, monthOnMonthPeriod(period), policy),
    overviewFigures(db, yearOnYearPeriod(period), policy),
  ]);
  const compare = (figures: OverviewFigures): PeriodComparison => ({
    figures,
    changes: headlineChanges(current, figures),
    businessEnvironmentChanges: headlineChanges(current.businessEnvironment, figures.businessEnvironment),
  });
  return { current, monthOnMonth: compare(previous), yearOnYear: compare(lastYear) };
}

// ---------------------------------------------------------------------------------------------
// Ranking of units and counties (综合排名) and the interview rule (约谈)

export type RankingLevel = 'unit' | 'county';

export interface UnitMonth {
  /** unit id, or the county's region code */
  id: string;
  counts: UnitMonthCounts;
}

/**
 * Which unit or county a ticket counts for, over `u` (its unit, left-joined). Unit: the primary
 * unit (after an approved return the new one; co-handling units are not ranked on it). County:
 * the region code of that unit when it is a county, township or village unit — city
 * departments belong to no county — or the ticket's own district when the unit is not in the
 * units table.
 */
function rankingKey(level: RankingLevel, unitId: SQL, ticketRegion: SQL): SQL {
  return level === 'unit' ? unitId : sql`(case when u.id is null then ${ticketRegion} when u.level <> 'city' then u.region_code end)`;
}

/** Every unit (or county) the units table knows, so that those without tickets show as unranked. */
function knownKeys(level: RankingLevel): SQL {
  return level === 'unit' ? sql`select id from units` : sql`select distinct region_code as id from units where level <> 'city'`;
}

/**
 * Per unit (or county), the counts it is ranked on for a period of whole Shanghai days: its
 * dispatched tickets due in the period, and the approved returns away from it during the
 * period. Units the units table knows without either appear with zero tickets.
 */
export async function unitComponentsIn(db: Db, period: Period, level: RankingLevel): Promise<UnitMonth[]> {
  const returnedFrom = sql`(e.data ->> 'fromUnitId')`;
  const rows = await db.execute<HandlingRow & { unit_key: string; returns: number }>(sql`
    with cohort as (
      select ${rankingKey(level, sql`nullif(h.unit_id, '')`, sql`nullif(h.region_code, '')`)} as id, ${handlingSums}
      from ticket_handling_daily h left join units u on u.id = h.unit_id
      where ${onDays(period, 'h')}
      group by 1
      having sum(h.due) > 0
    ), returned as (
      select ${rankingKey(level, returnedFrom, sql`t.region_code`)} as id, count(*)::int as returns
      from ticket_events e
        join tickets t on t.id = e.ticket_id
        left join units u on u.id = ${returnedFrom}
      where e.type = 'return_approved' and e.at >= ${at(period.from)} and e.at < ${at(period.to)}
      group by 1
    ), known as (${knownKeys(level)})
    select coalesce(c.id, r.id, k.id) as unit_key, c.*, coalesce(r.returns, 0)::int as returns
    from cohort c
      full join returned r on r.id = c.id
      full join known k on k.id = coalesce(c.id, r.id)
    where coalesce(c.id, r.id, k.id) is not null
    order by 1`);
  // a unit with returns only, or none at all, has no cohort row: its counts are null
  return rows.map((r) => {
    const h = handlingCounts(r, 0);
    return {
      id: r.unit_key,
      counts: {
        tickets: h.due,
        signDue: r.sign_due ?? 0,
        signedOnTime: r.signed_on_time ?? 0,
        completedOnTime: h.completedOnTime,
        satisfied: h.satisfied,
        basicallySatisfied: h.basicallySatisfied,
        dissatisfied: h.dissatisfied,
        unreachable: h.unreachable,
        returns: r.returns,
        rehandled: r.rehandled ?? 0,
      },
    };
  });
}

/** Per unit (or county), the counts it is ranked on for a Shanghai month. */
export function unitMonthComponents(db: Db, month: string, level: RankingLevel): Promise<UnitMonth[]> {
  return unitComponentsIn(db, shanghaiMonthRange(month), level);
}

export interface RankedUnit extends UnitMonth {
  /** the unit's name, or at county level the county government's; null when the units table does not know it */
  name: string | null;
  tickets: number;
  components: UnitComponents;
  score: number | null;
}

export interface PeriodRanking {
  period: Period;
  level: RankingLevel;
  ranking: Ranking<RankedUnit>;
}

export interface MonthlyRanking extends PeriodRanking {
  month: string;
}

/** Names to show beside ids: units by id; counties by region code, from their county-level unit. */
async function rankingNames(db: Db, level: RankingLevel): Promise<Map<string, string>> {
  const rows = await db.execute<{ id: string; name: string }>(
    level === 'unit'
      ? sql`select id, name from units`
      : sql`select distinct on (region_code) region_code as id, name from units where level = 'county' order by region_code, id`,
  );
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** 综合排名 over the cohort of a period of whole days: a month, or for reports a month or year to date. */
export async function rankingIn(db: Db, period: Period, level: RankingLevel, policy: Pick<KpiPolicy, 'basicallySatisfiedWeight' | 'ranking'>): Promise<PeriodRanking> {
  const [units, names] = await Promise.all([unitComponentsIn(db, period, level), rankingNames(db, level)]);
  const entries = units.map((u): RankedUnit => {
    const components = unitComponents(u.counts, policy);
    return {
      ...u,
      name: names.get(u.id) ?? null,
      tickets: u.counts.tickets,
      components,
      score: compositeScore(componentValues(components), policy.ranking.weights),
    };
  });
  return { period, level, ranking: rankUnits(entries, policy.ranking) };
}

export async function monthlyRanking(db: Db, month: string, level: RankingLevel, policy: Pick<KpiPolicy, 'basicallySatisfiedWeight' | 'ranking'>): Promise<MonthlyRanking> {
  return { month, ...(await rankingIn(db, shanghaiMonthRange(month), level, policy)) };
}

/** 约谈: the units in the bottom of their group in each of the months up to and including `month`. */
export async function interviews(
  db: Db,
  month: string,
  policy: Pick<KpiPolicy, 'basicallySatisfiedWeight' | 'ranking'>,
  level: RankingLevel = 'unit',
): Promise<(InterviewCase & { name: string | null })[]> {
  const monthly = await Promise.all(monthsEndingWith(month, policy.ranking.interviewMonths).map((m) => monthlyRanking(db, m, level, policy)));
  const names = new Map(monthly.flatMap((m) => [...m.ranking.large.entries, ...m.ranking.small.entries]).map((e) => [e.id, e.name]));
  return interviewCases(monthly, policy.ranking).map((c) => ({ ...c, name: names.get(c.id) ?? null }));
}

// ---------------------------------------------------------------------------------------------
// Hot spots and early warning (热点预警)

/** Tickets received per Shanghai day and topic code (full code) or district, over whole days. */
export async function dailyCounts(db: Db, period: Period, by: 'topic' | 'region'): Promise<DailyCount[]> {
  const rows = await db.execute<{ key: string | null; day: string; count: number }>(sql`
    select nullif(v.key, '') as key, to_char(v.day, 'YYYY-MM-DD') as day, v.tickets as count
    from ticket_volume_daily v
    where v.dimension = ${by} and ${onDays(period, 'v')} and v.tickets > 0`);
  return rows.map((r) => ({ key: r.key, day: r.day, count: r.count }));
}

/** Topics or districts whose volume in the period jumps against their trailing baseline. */
export async function hotspots(db: Db, period: Period, by: 'topic' | 'region', policy: Pick<KpiPolicy, 'hotspots'>): Promise<Hotspot[]> {
  const baseline = hotspotBaseline(period, policy.hotspots);
  const counts = await dailyCounts(db, { from: baseline.from, to: period.to }, by);
  return detectHotspots(counts, period, policy.hotspots);
}

/** The smallest count that makes a repeat caller or a place cluster, unless a caller asks for another. */
export const DEFAULT_REPEAT_MIN = 3;

/** Everything the early warning shows for a period: jumping topics and districts, place clusters, repeat callers. */
export async function hotspotFindings(
  db: Db,
  period: Period,
  policy: Pick<KpiPolicy, 'hotspots'>,
  min: { repeatCalls: number; placeReports: number } = { repeatCalls: DEFAULT_REPEAT_MIN, placeReports: DEFAULT_REPEAT_MIN },
): Promise<{ topics: Hotspot[]; regions: Hotspot[]; placeClusters: PlaceCluster[]; repeatCallers: RepeatCaller[] }> {
  const [topics, regions, clusters, callers] = await Promise.all([
    hotspots(db, period, 'topic', policy),
    hotspots(db, period, 'region', policy),
    placeClusters(db, period, min.placeReports),
    repeatCallers(db, period, min.repeatCalls),
  ]);
  return { topics, regions, placeClusters: clusters, repeatCallers: callers };
}

export interface RepeatCaller {
  /** masked: 138****5678 */
  phone: string;
  tickets: number;
  topics: string[];
  firstAt: string;
  lastAt: string;
  /** the latest 20 */
  ticketIds: string[];
}

/** 重复来电: callers (by phone, digits only, +86 dropped) with at least `minTickets` tickets, most first. */
export async function repeatCallers(db: Db, period: Period, minTickets: number, limit = 100): Promise<RepeatCaller[]> {
  const rows = await db.execute<{ phone: string; tickets: number; topics: string[]; first_at: string; last_at: string; ticket_ids: string[] }>(sql`
    select phone, count(*)::int as tickets,
           coalesce(array_agg(distinct topic order by topic) filter (where topic is not null), '{}') as topics,
           ${isoInstant(sql`min(received_at)`)} as first_at, ${isoInstant(sql`max(received_at)`)} as last_at,
           (array_agg(id order by received_at desc, id))[1:20] as ticket_ids
    from (
      select t.id, t.topic, t.received_at,
             regexp_replace(regexp_replace(t.caller_phone, '\\D', '', 'g'), '^86(1\\d{10})$', '\\1') as phone
      from tickets t
      where ${receivedIn(period)} and t.caller_phone is not null
    ) calls
    where phone <> ''
    group by phone
    having count(*) >= ${minTickets}
    order by tickets desc, max(received_at) desc
    limit ${limit}`);
  return rows.map((r) => ({
    phone: maskPhone(r.phone)!,
    tickets: r.tickets,
    topics: r.topics,
    firstAt: r.first_at,
    lastAt: r.last_at,
    ticketIds: r.ticket_ids,
  }));
}

export interface PlaceCluster {
  regionCode: string | null;
  topic: string | null;
  /** one spelling of the address as reported, or the point when none was */
  address: string;
  /** the mean point of a cluster by place (tickets with coordinates) */
  center: { lat: number; lng: number } | null;
  tickets: number;
  firstAt: string;
  lastAt: string;
  /** the latest 20 */
  ticketIds: string[];
}

/**
 * 同一地点聚集: at least `minTickets` tickets about the same place and topic in the same district —
 * the same address once case and white space are ignored, or, for tickets with a point, the same
 * grid cell of the repeats-by-place index (db/repeats-by-place.ts; ≈ 111 m × 91 m) — candidates
 * for merging (并单). A ticket with a point counts by its point only.
 */
export async function placeClusters(db: Db, period: Period, minTickets = 3, limit = 100): Promise<PlaceCluster[]> {
  const rows = await db.execute<{ region_code: string | null; topic: string | null; address: string; lat: number | null; lng: number | null; tickets: number; first_at: string; last_at: string; ticket_ids: string[] }>(sql`
    select * from (
      select t.region_code, t.topic, min(t.address) as address, null::float8 as lat, null::float8 as lng, count(*)::int as tickets,
             ${isoInstant(sql`min(t.received_at)`)} as first_at, ${isoInstant(sql`max(t.received_at)`)} as last_at,
             (array_agg(t.id order by t.received_at desc, t.id))[1:20] as ticket_ids, max(t.received_at) as latest
      from tickets t
      where ${receivedIn(period)} and t.address is not null and t.geo_cell is null
      group by t.region_code, t.topic, lower(regexp_replace(t.address, '\\s+', '', 'g'))
      having count(*) >= ${minTickets}
      union all
      select t.region_code, t.topic, coalesce(min(t.address), round(avg(t.lat)::numeric, 5) || ',' || round(avg(t.lng)::numeric, 5)) as address,
             avg(t.lat) as lat, avg(t.lng) as lng, count(*)::int as tickets,
             ${isoInstant(sql`min(t.received_at)`)} as first_at, ${isoInstant(sql`max(t.received_at)`)} as last_at,
             (array_agg(t.id order by t.received_at desc, t.id))[1:20] as ticket_ids, max(t.received_at) as latest
      from tickets t
      where ${receivedIn(period)} and t.geo_cell is not null
      group by t.region_code, t.topic, t.geo_cell
      having count(*) >= ${minTickets}
    ) clusters
    order by tickets desc, latest desc
    limit ${limit}`);
  return rows.map((r) => ({
    regionCode: r.region_code,
    topic: r.topic,
    address: r.address,
    center: r.lat !== null && r.lng !== null ? { lat: Math.round(Number(r.lat) * 1e6) / 1e6, lng: Math.round(Number(r.lng) * 1e6) / 1e6 } : null,
    tickets: r.tickets,
    firstAt: r.first_at,
    lastAt: r.last_at,
    ticketIds: r.ticket_ids,
  }));
}
