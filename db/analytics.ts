/**
 * The counts behind the reports, computed set-based in Postgres and turned into figures by
 * `domain/kpi.ts` (where each figure is defined). Every query filters on a range of an indexed
 * column — received_at (tickets_received_idx), due_by (tickets_due_idx), or the event type and
 * time (ticket_events_type_at_idx) — so a month of a 10-million-row table is read, not the table.
 *
 * The read model holds each ticket's current state, so figures are as of the query: a past
 * month's completion rate still rises when a late reply comes in.
 *
 * Definitions used throughout (the SQL fragments below; each is written once):
 * - received in the period: received_at ∈ [from, to) — volumes, shares, breakdowns, hot spots;
 * - dispatched (已转办): dispatched_at set and status one of dispatched, handling,
 *   return_requested, replied, closed (merged tickets are handled in the ticket they joined);
 * - answered directly (直接答复): status 'answered';
 * - due in the period: due_by ∈ [from, to), or received_at ∈ [from, to) when the ticket has no
 *   due_by (historical imports) — the cohort of dispatched tickets every handling figure is
 *   computed on. For a running period pass to = now, or tickets not yet due are counted;
 * - completed (办结): status replied or closed — the unit's reply stands (a re-handled ticket is
 *   handling again, so no longer completed);
 * - completed on time (按期办结): completed, and reply_on_time (the reply came by due_by, which
 *   includes an approved extension), or replied_at ≤ due_by when the flag is missing;
 * - signed on time (按时签收): signed_at ≤ sign_by, out of the tickets that have a sign_by;
 * - callback done (已回访): a callback outcome is recorded (satisfaction not null, any outcome);
 *   callback due (应回访): done, or completed with its callback limit (callback_by) passed or unknown;
 * - satisfaction counts: the latest callback outcome per ticket;
 * - re-handled (重办): rehandle_count > 0;
 * - returns (退单): return_approved events in the period, counted for the unit returned from.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';
import { maskPhone } from '../domain/ticket';
import { HOTLINE_TIME_ZONE } from '../domain/time';
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

// ---------------------------------------------------------------------------------------------
// The definitions, as SQL over `tickets t`

const DISPATCHED_STATUSES = sql.raw(`('dispatched', 'handling', 'return_requested', 'replied', 'closed')`);

const isDispatched = sql`(t.dispatched_at is not null and t.status in ${DISPATCHED_STATUSES})`;
const isAnswered = sql`(t.status = 'answered')`;
const isCompleted = sql`(t.status in ('replied', 'closed'))`;
const isCompletedOnTime = sql`(${isCompleted} and coalesce(t.reply_on_time, t.replied_at <= t.due_by, false))`;
const callbackDone = sql`(t.satisfaction is not null)`;
const callbackDue = sql`(${callbackDone} or (${isCompleted} and coalesce(t.callback_by <= now(), true)))`;

function at(instant: Date): SQL {
  return sql`${instant.toISOString()}::timestamptz`;
}

function receivedIn(p: Period): SQL {
  return sql`(t.received_at >= ${at(p.from)} and t.received_at < ${at(p.to)})`;
}

/** Written as an OR of two index ranges so Postgres can combine both indexes. */
function dueIn(p: Period): SQL {
  return sql`((t.due_by >= ${at(p.from)} and t.due_by < ${at(p.to)})
    or (t.due_by is null and ${receivedIn(p)}))`;
}

/** The hotline's calendar day (YYYY-MM-DD) of a timestamptz, as `shanghaiDaysIn` lists them. */
const shanghaiDay = (column: SQL) => sql`to_char(${column} at time zone ${sql.raw(`'${HOTLINE_TIME_ZONE}'`)}, 'YYYY-MM-DD')`;
const isoInstant = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The counts of a cohort of dispatched tickets, as columns of an aggregate over `t`. */
const handlingColumns = sql`
  count(*)::int as due,
  count(*) filter (where ${isCompleted})::int as completed,
  count(*) filter (where ${isCompletedOnTime})::int as completed_on_time,
  count(*) filter (where t.sign_by is not null)::int as sign_due,
  count(*) filter (where t.signed_at <= t.sign_by)::int as signed_on_time,
  count(*) filter (where t.satisfaction = 'satisfied')::int as satisfied,
  count(*) filter (where t.satisfaction = 'basically_satisfied')::int as basically_satisfied,
  count(*) filter (where t.satisfaction = 'dissatisfied')::int as dissatisfied,
  count(*) filter (where t.satisfaction = 'unreachable')::int as unreachable,
  count(*) filter (where ${callbackDue})::int as callbacks_due,
  count(*) filter (where ${callbackDone})::int as callbacks_done,
  count(*) filter (where t.rehandle_count > 0)::int as rehandled`;

interface HandlingRow extends Record<string, unknown> {
  due: number;
  completed: number;
  completed_on_time: number;
  sign_due: number;
  signed_on_time: number;
  satisfied: number;
  basically_satisfied: number;
  dissatisfied: number;
  unreachable: number;
  callbacks_due: number;
  callbacks_done: number;
  rehandled: number;
}

function handlingCounts(r: HandlingRow | undefined): HandlingCounts {
  return {
    due: r?.due ?? 0,
    completed: r?.completed ?? 0,
    completedOnTime: r?.completed_on_time ?? 0,
    callbacksDue: r?.callbacks_due ?? 0,
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

const DIMENSIONS = ['channel', 'type', 'topic_major', 'topic', 'region', 'business_environment', 'day'] as const;
type Dimension = (typeof DIMENSIONS)[number] | 'all';

interface VolumeRow extends Record<string, unknown> {
  dimension: Dimension;
  key: string | null;
  tickets: number;
  answered: number;
  dispatched: number;
}

/** Volumes, shares and the handling figures of tickets received / due in a period: two scans. */
export async function overviewFigures(db: Db, period: Period, policy: Pick<KpiPolicy, 'basicallySatisfiedWeight'>): Promise<OverviewFigures> {
  const [volumeRows, handlingRows] = await Promise.all([
    db.execute<VolumeRow>(sql`
      select case
               when grouping(channel) = 0 then 'channel'
               when grouping(type) = 0 then 'type'
               when grouping(topic_major) = 0 then 'topic_major'
               when grouping(topic) = 0 then 'topic'
               when grouping(region) = 0 then 'region'
               when grouping(business_environment) = 0 then 'business_environment'
               when grouping(day) = 0 then 'day'
               else 'all'
             end as dimension,
             coalesce(channel, type, topic_major, topic, region, business_environment::text, day) as key,
             count(*)::int as tickets,
             count(*) filter (where answered)::int as answered,
             count(*) filter (where dispatched)::int as dispatched
      from (
        select t.channel, t.type, left(t.topic, 2) as topic_major, t.topic, t.region_code as region,
               t.business_environment, ${shanghaiDay(sql`t.received_at`)} as day,
               ${isAnswered} as answered, ${isDispatched} as dispatched
        from tickets t
        where ${receivedIn(period)}
      ) received
      group by grouping sets ((), (channel), (type), (topic_major), (topic), (region), (business_environment), (day))`),
    db.execute<HandlingRow & { lane: 'all' | 'business_environment' | 'other' }>(sql`
      select case when grouping(t.business_environment) = 1 then 'all'
                  when t.business_environment then 'business_environment' else 'other' end as lane,
             ${handlingColumns}
      from tickets t
      where ${isDispatched} and ${dueIn(period)}
      group by grouping sets ((), (t.business_environment))`),
  ]);

  const rows = (d: Dimension) => volumeRows.filter((r) => r.dimension === d);
  const days = shanghaiDaysIn(period).length;
  const all = rows('all')[0];
  const volume = all?.tickets ?? 0;
  const headline = (v: VolumeRow | undefined, lane: 'all' | 'business_environment'): HeadlineFigures => ({
    volume: v?.tickets ?? 0,
    dailyAverage: dailyAverage(v?.tickets ?? 0, days),
    directAnswerShare: directAnswerShare({ answered: v?.answered ?? 0, tickets: v?.tickets ?? 0 }),
    dispatchShare: dispatchShare({ dispatched: v?.dispatched ?? 0, tickets: v?.tickets ?? 0 }),
    ...handlingFigures(handlingCounts(handlingRows.find((h) => h.lane === lane)), policy),
  });
  const breakdown = (d: Dimension): Breakdown[] =>
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
// Monthly ranking of units and counties (综合排名) and the interview rule (约谈)

export type RankingLevel = 'unit' | 'county';

export interface UnitMonth {
  /** unit id, or the county's region code */
  id: string;
  counts: UnitMonthCounts;
}

/**
 * Which unit or county a ticket counts for, over `t` (the ticket) and `u` (the unit, left-joined).
 * Unit: the primary unit (after an approved return the new one; co-handling units are not
 * ranked on it). County: the region code of that unit when it is a county, township or village
 * unit — city departments belong to no county — or the ticket's own district when the unit is
 * not in the units table.
 */
function rankingKey(level: RankingLevel, unitId: SQL): SQL {
  return level === 'unit' ? unitId : sql`(case when u.id is null then t.region_code when u.level <> 'city' then u.region_code end)`;
}

/**
 * Per unit (or county), the counts it is ranked on for a Shanghai month: its dispatched
 * tickets due in the month, and the approved returns away from it during the month.
 */
export async function unitMonthComponents(db: Db, month: string, level: RankingLevel): Promise<UnitMonth[]> {
  const period = shanghaiMonthRange(month);
  const returnedFrom = sql`(e.data ->> 'fromUnitId')`;
  const rows = await db.execute<HandlingRow & { unit_key: string; returns: number }>(sql`
    with cohort as (
      select ${rankingKey(level, sql`t.unit_id`)} as id, ${handlingColumns}
      from tickets t left join units u on u.id = t.unit_id
      where ${isDispatched} and ${dueIn(period)}
      group by 1
    ), returned as (
      select ${rankingKey(level, returnedFrom)} as id, count(*)::int as returns
      from ticket_events e
        join tickets t on t.id = e.ticket_id
        left join units u on u.id = ${returnedFrom}
      where e.type = 'return_approved' and e.at >= ${at(period.from)} and e.at < ${at(period.to)}
      group by 1
    )
    select coalesce(c.id, r.id) as unit_key, c.*, coalesce(r.returns, 0)::int as returns
    from cohort c full join returned r on r.id = c.id
    where coalesce(c.id, r.id) is not null
    order by 1`);
  // a unit with returns only has no cohort row: its counts are null
  return rows.map((r) => {
    const h = handlingCounts(r);
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

export interface RankedUnit extends UnitMonth {
  tickets: number;
  components: UnitComponents;
  score: number | null;
}

export interface MonthlyRanking {
  month: string;
  level: RankingLevel;
  ranking: Ranking<RankedUnit>;
}

export async function monthlyRanking(db: Db, month: string, level: RankingLevel, policy: Pick<KpiPolicy, 'basicallySatisfiedWeight' | 'ranking'>): Promise<MonthlyRanking> {
  const units = await unitMonthComponents(db, month, level);
  const entries = units.map((u): RankedUnit => {
    const components = unitComponents(u.counts, policy);
    return { ...u, tickets: u.counts.tickets, components, score: compositeScore(componentValues(components), policy.ranking.weights) };
  });
  return { month, level, ranking: rankUnits(entries, policy.ranking) };
}

/** 约谈: the units in the bottom of their group in each of the months up to and including `month`. */
export async function interviews(db: Db, month: string, policy: Pick<KpiPolicy, 'basicallySatisfiedWeight' | 'ranking'>, level: RankingLevel = 'unit'): Promise<InterviewCase[]> {
  const monthly = await Promise.all(monthsEndingWith(month, policy.ranking.interviewMonths).map((m) => monthlyRanking(db, m, level, policy)));
  return interviewCases(monthly, policy.ranking);
}

// ---------------------------------------------------------------------------------------------
// Hot spots and early warning (热点预警)

/** Tickets received per Shanghai day and topic code (full code) or district. */
export async function dailyCounts(db: Db, period: Period, by: 'topic' | 'region'): Promise<DailyCount[]> {
  const key = by === 'topic' ? sql`t.topic` : sql`t.region_code`;
  const rows = await db.execute<{ key: string | null; day: string; count: number }>(sql`
    select ${key} as key, ${shanghaiDay(sql`t.received_at`)} as day, count(*)::int as count
    from tickets t
    where ${receivedIn(period)}
    group by 1, 2`);
  return rows.map((r) => ({ key: r.key, day: r.day, count: r.count }));
}

/** Topics or districts whose volume in the period jumps against their trailing baseline. */
export async function hotspots(db: Db, period: Period, by: 'topic' | 'region', policy: Pick<KpiPolicy, 'hotspots'>): Promise<Hotspot[]> {
  const baseline = hotspotBaseline(period, policy.hotspots);
  const counts = await dailyCounts(db, { from: baseline.from, to: period.to }, by);
  return detectHotspots(counts, period, policy.hotspots);
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
  /** one spelling of the address as reported */
  address: string;
  tickets: number;
  firstAt: string;
  lastAt: string;
  /** the latest 20 */
  ticketIds: string[];
}

/**
 * 同一地点聚集: at least `minTickets` tickets about the same place — same district, same topic and
 * the same address once case and white space are ignored — candidates for merging (并单).
 */
export async function placeClusters(db: Db, period: Period, minTickets = 3, limit = 100): Promise<PlaceCluster[]> {
  const rows = await db.execute<{ region_code: string | null; topic: string | null; address: string; tickets: number; first_at: string; last_at: string; ticket_ids: string[] }>(sql`
    select t.region_code, t.topic, min(t.address) as address, count(*)::int as tickets,
           ${isoInstant(sql`min(t.received_at)`)} as first_at, ${isoInstant(sql`max(t.received_at)`)} as last_at,
           (array_agg(t.id order by t.received_at desc, t.id))[1:20] as ticket_ids
    from tickets t
    where ${receivedIn(period)} and t.address is not null
    group by t.region_code, t.topic, lower(regexp_replace(t.address, '\\s+', '', 'g'))
    having count(*) >= ${minTickets}
    order by tickets desc, max(t.received_at) desc
    limit ${limit}`);
  return rows.map((r) => ({
    regionCode: r.region_code,
    topic: r.topic,
    address: r.address,
    tickets: r.tickets,
    firstAt: r.first_at,
    lastAt: r.last_at,
    ticketIds: r.ticket_ids,
  }));
}
