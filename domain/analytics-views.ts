/**
 * How the figures are published, by the analytics endpoints and in the stored reports alike:
 * every rate with its numerator and denominator, every headline figure with its month-on-month
 * (环比) and year-on-year (同比) change — relative for volumes, in percentage points for rates.
 * The zod schemas describe the bodies in OpenAPI; the builders shape the results of
 * db/analytics.ts (whose types are only borrowed here) without computing anything new.
 */
import { z } from './zod';
import {
  monthsEndingWith,
  pointChange,
  relativeChange,
  shanghaiDaysIn,
  type HeadlineChanges,
  type HeadlineFigures,
  type Hotspot,
  type InterviewCase,
  type KpiPolicy,
  type Period,
  type RankedGroup,
} from './kpi';
import { REPORT_PERIODS } from './reports';
import type { OverviewComparison, PeriodRanking, PlaceCluster, RankedUnit, RankingLevel, RepeatCaller } from '../db/analytics';

const iso = z.string().describe('ISO 8601 instant');
const day = z.string().describe('Shanghai calendar day, YYYY-MM-DD');
const month = z.string().describe('YYYY-MM');

export const periodView = z.object({
  from: iso.describe('midnight Asia/Shanghai starting the first day'),
  to: iso.describe('midnight Asia/Shanghai after the last day (exclusive)'),
  firstDay: day,
  lastDay: day,
  days: z.number().int(),
});

export function toPeriodView(p: Period): z.infer<typeof periodView> {
  const days = shanghaiDaysIn(p);
  return { from: p.from.toISOString(), to: p.to.toISOString(), firstDay: days[0] ?? '', lastDay: days.at(-1) ?? '', days: days.length };
}

export const ratioView = z.object({
  numerator: z.number(),
  denominator: z.number(),
  value: z.number().nullable().describe('numerator ÷ denominator; null when the denominator is 0'),
});

const volumeChange = z.object({
  previous: z.number().nullable(),
  change: z.number().nullable().describe('relative: 0.125 = +12.5%; null when the earlier period had none'),
});
const rateChange = z.object({
  previous: z.number().nullable(),
  changePoints: z.number().nullable().describe('in percentage points: 0.95 after 0.90 → 5'),
});
const volumeFigure = z.object({ value: z.number().nullable(), monthOnMonth: volumeChange, yearOnYear: volumeChange });
const rateFigure = ratioView.extend({ monthOnMonth: rateChange, yearOnYear: rateChange });

const headlineView = z.object({
  volume: volumeFigure.describe('tickets received'),
  dailyAverage: volumeFigure.describe('tickets per Shanghai day'),
  directAnswerShare: rateFigure.describe('直接答复率 = answered directly ÷ tickets received'),
  dispatchShare: rateFigure.describe('转办率 = dispatched ÷ tickets received'),
  completionRate: rateFigure.describe('办结率 = completed ÷ dispatched tickets due in the period'),
  onTimeCompletionRate: rateFigure.describe('按期办结率 = completed by the limit (extension included) ÷ dispatched tickets due'),
  satisfactionRate: rateFigure.describe('满意率 = (satisfied + weight · basically satisfied) ÷ valid callbacks'),
  callbackRate: rateFigure.describe('回访率 = callbacks done ÷ callbacks due'),
});

const breakdownView = z.array(
  z.object({ key: z.string().nullable().describe('null: not classified'), tickets: z.number().int(), share: ratioView, monthOnMonth: volumeChange, yearOnYear: volumeChange }),
);

export const overviewView = headlineView.extend({
  period: periodView,
  monthOnMonthPeriod: periodView.describe('环比: the previous month for a calendar month, else the period of the same length just before'),
  yearOnYearPeriod: periodView.describe('同比: the same dates a year before'),
  basicallySatisfiedWeight: z.number().describe('policy: how much 基本满意 counts in the satisfaction rate'),
  peakDay: z.object({ day, tickets: z.number().int() }).nullable().describe('峰值日, the earliest of equals'),
  byDay: z.array(z.object({ day, tickets: z.number().int() })),
  byChannel: breakdownView,
  byType: breakdownView,
  byTopicMajor: breakdownView.describe('by the first two digits of the topic code'),
  byTopic: breakdownView,
  byRegion: breakdownView.describe('by district where it happened (事发地)'),
  businessEnvironment: headlineView.extend({ share: rateFigure.describe('of all tickets received') }).describe('营商环境 lane'),
});
export type OverviewView = z.infer<typeof overviewView>;

/** One side of a comparison: the earlier period's figures and the changes against them. */
interface Earlier {
  figures: HeadlineFigures;
  changes: HeadlineChanges;
}

type RateKey = Exclude<keyof HeadlineFigures, 'volume' | 'dailyAverage'>;
/** The headline rates, in the order they are published. */
export const RATE_FIGURES: readonly RateKey[] = ['directAnswerShare', 'dispatchShare', 'completionRate', 'onTimeCompletionRate', 'satisfactionRate', 'callbackRate'];

function headline(now: HeadlineFigures, mom: Earlier, yoy: Earlier): z.infer<typeof headlineView> {
  const volume = (k: 'volume' | 'dailyAverage') => ({
    value: now[k],
    monthOnMonth: { previous: mom.figures[k], change: mom.changes[k] },
    yearOnYear: { previous: yoy.figures[k], change: yoy.changes[k] },
  });
  const rate = (k: RateKey) => ({
    ...now[k],
    monthOnMonth: { previous: mom.figures[k].value, changePoints: mom.changes[k] },
    yearOnYear: { previous: yoy.figures[k].value, changePoints: yoy.changes[k] },
  });
  return {
    volume: volume('volume'),
    dailyAverage: volume('dailyAverage'),
    ...(Object.fromEntries(RATE_FIGURES.map((k) => [k, rate(k)])) as Record<RateKey, ReturnType<typeof rate>>),
  };
}

export function toOverviewView(c: OverviewComparison, policy: Pick<KpiPolicy, 'basicallySatisfiedWeight'>): OverviewView {
  const { current, monthOnMonth: mom, yearOnYear: yoy } = c;
  type BreakdownKey = 'byChannel' | 'byType' | 'byTopicMajor' | 'byTopic' | 'byRegion';
  const breakdown = (k: BreakdownKey) => {
    const earlier = (side: typeof mom, key: string | null) => side.figures[k].find((b) => b.key === key)?.tickets ?? 0;
    return current[k].map((b) => {
      const [before, lastYear] = [earlier(mom, b.key), earlier(yoy, b.key)];
      return {
        ...b,
        monthOnMonth: { previous: before, change: relativeChange(b.tickets, before) },
        yearOnYear: { previous: lastYear, change: relativeChange(b.tickets, lastYear) },
      };
    });
  };
  const business = current.businessEnvironment;
  const [businessBefore, businessLastYear] = [mom.figures.businessEnvironment, yoy.figures.businessEnvironment];
  return {
    period: toPeriodView(current.period),
    monthOnMonthPeriod: toPeriodView(mom.figures.period),
    yearOnYearPeriod: toPeriodView(yoy.figures.period),
    basicallySatisfiedWeight: policy.basicallySatisfiedWeight,
    ...headline(current, mom, yoy),
    peakDay: current.peakDay,
    byDay: current.byDay,
    byChannel: breakdown('byChannel'),
    byType: breakdown('byType'),
    byTopicMajor: breakdown('byTopicMajor'),
    byTopic: breakdown('byTopic'),
    byRegion: breakdown('byRegion'),
    businessEnvironment: {
      ...headline(business, { figures: businessBefore, changes: mom.businessEnvironmentChanges }, { figures: businessLastYear, changes: yoy.businessEnvironmentChanges }),
      share: {
        ...business.share,
        monthOnMonth: { previous: businessBefore.share.value, changePoints: pointChange(business.share.value, businessBefore.share.value) },
        yearOnYear: { previous: businessLastYear.share.value, changePoints: pointChange(business.share.value, businessLastYear.share.value) },
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Rankings (综合排名) and interviews (约谈)

const componentsView = z.object({
  signOffRate: ratioView.describe('签收及时率'),
  onTimeRate: ratioView.describe('按期办结率'),
  satisfactionRate: ratioView.describe('满意率'),
  returnRate: ratioView.describe('退单率 (penalty)'),
  rehandleRate: ratioView.describe('重办率 (penalty)'),
});
const unitView = z.object({
  id: z.string().describe('unit id, or the region code at county level'),
  name: z.string().nullable(),
  tickets: z.number().int().describe('dispatched tickets due in the period'),
  components: componentsView,
});
const rankedView = unitView.extend({
  score: z.number().describe('composite score 0–100'),
  rank: z.number().int().describe('equal scores share a rank (1, 1, 3)'),
  rankFromBottom: z.number().int(),
});
const groupView = z.object({
  entries: z.array(rankedView),
  redList: z.array(z.string()).describe('红榜: ids of the top of the group'),
  blackList: z.array(z.string()).describe('黑榜: ids of the bottom of the group'),
});

export const rankingView = z.object({
  level: z.enum(['unit', 'county']),
  period: periodView,
  weights: z.object({ signOff: z.number(), onTime: z.number(), satisfaction: z.number(), returns: z.number(), rehandles: z.number() }),
  groupThreshold: z.number().int(),
  listSize: z.number().int(),
  large: groupView.describe('more than groupThreshold tickets'),
  small: groupView.describe('1 to groupThreshold tickets'),
  unranked: z.array(unitView.extend({ score: z.number().nullable() })).describe('no tickets, or nothing to score'),
});
export type RankingView = z.infer<typeof rankingView>;

export function toRankingView(r: PeriodRanking, policy: Pick<KpiPolicy, 'ranking'>): RankingView {
  const unit = (e: RankedUnit) => ({ id: e.id, name: e.name, tickets: e.tickets, components: e.components });
  const group = (g: RankedGroup<RankedUnit>) => ({
    entries: g.entries.map((e) => ({ ...unit(e), score: e.score, rank: e.rank, rankFromBottom: e.rankFromBottom })),
    redList: g.redList,
    blackList: g.blackList,
  });
  const { weights, groupThreshold, listSize } = policy.ranking;
  return {
    level: r.level,
    period: toPeriodView(r.period),
    weights,
    groupThreshold,
    listSize,
    large: group(r.ranking.large),
    small: group(r.ranking.small),
    unranked: r.ranking.unranked.map((e) => ({ ...unit(e), score: e.score })),
  };
}

export const interviewsView = z.object({
  month,
  level: z.enum(['unit', 'county']),
  months: z.array(month).describe('the consecutive months judged, oldest first'),
  bottom: z.number().int().describe('policy: the bottom places of a group that count'),
  cases: z.array(
    z.object({
      id: z.string(),
      name: z.string().nullable(),
      positions: z.array(z.object({ month, group: z.enum(['large', 'small']), rankFromBottom: z.number().int(), score: z.number() })),
    }),
  ),
});
export type InterviewsView = z.infer<typeof interviewsView>;

export function toInterviewsView(
  forMonth: string,
  level: RankingLevel,
  cases: (InterviewCase & { name: string | null })[],
  policy: Pick<KpiPolicy, 'ranking'>,
): InterviewsView {
  return {
    month: forMonth,
    level,
    months: monthsEndingWith(forMonth, policy.ranking.interviewMonths),
    bottom: policy.ranking.interviewBottom,
    cases: cases.map((c) => ({ id: c.id, name: c.name, positions: c.positions })),
  };
}

// ---------------------------------------------------------------------------------------------
// Hot spots and early warning (热点预警)

const hotspotView = z.object({
  key: z.string().nullable().describe('topic code or region code; null: not classified'),
  count: z.number().int().describe('tickets in the period'),
  expected: z.number().describe('what the baseline leads one to expect for the period'),
  z: z.number(),
  pValue: z.number().describe('one-sided probability of at least `count` under the baseline'),
  method: z.enum(['z-score', 'poisson']),
});

export const hotspotsView = z.object({
  period: periodView,
  baseline: periodView.describe('the trailing days the period is compared with'),
  policy: z.object({ baselineDays: z.number().int(), zThreshold: z.number(), minCount: z.number().int() }),
  topics: z.array(hotspotView).describe('topics whose volume jumps, most surprising first'),
  regions: z.array(hotspotView).describe('districts whose volume jumps'),
  placeClusters: z.array(
    z.object({
      regionCode: z.string().nullable(),
      topic: z.string().nullable(),
      address: z.string().describe('one spelling of the address as reported, or the point (lat,lng) when none was'),
      center: z.object({ lat: z.number(), lng: z.number() }).nullable().describe('the mean WGS-84 point of a cluster by place'),
      tickets: z.number().int(),
      firstAt: iso,
      lastAt: iso,
      ticketIds: z.array(z.string()).describe('the latest 20'),
    }),
  ).describe('同一地点聚集: same district and topic, and the same address or (for tickets with a point) the same grid cell of about 100 m'),
  repeatCallers: z.array(
    z.object({
      phone: z.string().describe('masked: 138****5678'),
      tickets: z.number().int(),
      topics: z.array(z.string()),
      firstAt: iso,
      lastAt: iso,
      ticketIds: z.array(z.string()).describe('the latest 20'),
    }),
  ).describe('重复来电'),
});
export type HotspotsView = z.infer<typeof hotspotsView>;

export function toHotspotsView(
  period: Period,
  baseline: Period,
  found: { topics: Hotspot[]; regions: Hotspot[]; placeClusters: PlaceCluster[]; repeatCallers: RepeatCaller[] },
  policy: Pick<KpiPolicy, 'hotspots'>,
): HotspotsView {
  const signal = (h: Hotspot) => ({ key: h.key, count: h.count, expected: h.expected, z: h.z, pValue: h.pValue, method: h.method });
  return {
    period: toPeriodView(period),
    baseline: toPeriodView(baseline),
    policy: policy.hotspots,
    topics: found.topics.map(signal),
    regions: found.regions.map(signal),
    placeClusters: found.placeClusters,
    repeatCallers: found.repeatCallers,
  };
}

// ---------------------------------------------------------------------------------------------
// Reports (定期报告)

const notableTicketView = z.object({
  id: z.string(),
  receivedAt: iso,
  dueBy: iso.nullable(),
  repliedAt: iso.nullable(),
  unitId: z.string().nullable(),
  topic: z.string().nullable(),
  regionCode: z.string().nullable(),
  status: z.string(),
  satisfaction: z.string().nullable(),
  rehandleCount: z.number().int(),
  escalated: z.boolean(),
});
const notableListView = z.object({ total: z.number().int(), tickets: z.array(notableTicketView).describe('at most 50') });

export const notableView = z
  .object({
    overdue: notableListView.describe('逾期: past due_by and not completed on time (still open, or replied late), most late first'),
    escalated: notableListView.describe('escalated after repeated dissatisfaction'),
    dissatisfied: notableListView.describe('不满意: the latest callback was dissatisfied'),
  })
  .describe('among the dispatched tickets due in the period');
export type NotableView = z.infer<typeof notableView>;

export const reportSummaryView = z.object({
  id: z.string().describe('`${period}-${start}`, e.g. month-2026-03-01'),
  period: z.enum(REPORT_PERIODS),
  start: day.describe('the first day: any day, a Monday, the 1st of a month, 1 January'),
  range: periodView,
  generatedAt: iso,
  policyVersion: z.number().int(),
});

export const reportView = reportSummaryView.extend({
  overview: overviewView,
  rankings: z.object({
    basis: z.enum(['month_to_date', 'month', 'year']).describe('day and week reports rank the month to date of their last day'),
    unit: rankingView,
    county: rankingView,
  }),
  interviews: interviewsView.nullable().describe('约谈, in monthly reports'),
  hotspots: hotspotsView,
  notable: notableView,
});
export type ReportView = z.infer<typeof reportView>;
