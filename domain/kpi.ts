/**
 * The figures the reports use (分析研判), each defined once: shares and rates as ratios of
 * counts, their changes against earlier periods, the units' composite score and ranking
 * (综合排名), the interview rule (约谈) and hot-spot detection (热点预警).
 *
 * Pure: the counts come from `db/analytics.ts`, whose SQL counts exactly what each function
 * here names; the API and reports only present the results.
 */
import { DEFAULT_POLICY, type Policy } from './policy';
import { startOfShanghaiDay } from './time';

// ---------------------------------------------------------------------------------------------
// Policy

/** 签收及时率, 按期办结率, 满意率, and the penalties 退单率 and 重办率. */
export type RankingWeights = Policy['kpi']['ranking']['weights'];

/** The analytics part of the policy (domain/policy.ts), defined there once. */
export type KpiPolicy = Policy['kpi'];
export const DEFAULT_KPI_POLICY: KpiPolicy = DEFAULT_POLICY.kpi;

// ---------------------------------------------------------------------------------------------
// Ratios and the rates built from them

/** A share or rate with the counts behind it; `value` is null when nothing is in the denominator. */
export interface Ratio {
  numerator: number;
  denominator: number;
  value: number | null;
}

export function ratio(numerator: number, denominator: number): Ratio {
  return { numerator, denominator, value: denominator === 0 ? null : numerator / denominator };
}

/** 直接答复率 = tickets answered directly by the center ÷ all tickets received. */
export function directAnswerShare(c: { answered: number; tickets: number }): Ratio {
  return ratio(c.answered, c.tickets);
}

/** 转办率 = tickets dispatched to a unit ÷ all tickets received. */
export function dispatchShare(c: { dispatched: number; tickets: number }): Ratio {
  return ratio(c.dispatched, c.tickets);
}

/** 办结率 = dispatched tickets completed (the unit's reply stands) ÷ dispatched tickets due in the period. */
export function completionRate(c: { completed: number; due: number }): Ratio {
  return ratio(c.completed, c.due);
}

/** 按期办结率 = completed by the limit (an approved extension included) ÷ dispatched tickets due in the period. */
export function onTimeCompletionRate(c: { completedOnTime: number; due: number }): Ratio {
  return ratio(c.completedOnTime, c.due);
}

/** The latest callback outcomes (回访结果) of a set of tickets. */
export interface SatisfactionCounts {
  satisfied: number;
  basicallySatisfied: number;
  dissatisfied: number;
  unreachable: number;
}

/**
 * 满意率 = (满意 + w · 基本满意) ÷ valid callbacks, valid = satisfied + basically satisfied +
 * dissatisfied. Unreachable citizens gave no opinion, so they are left out of both sides.
 */
export function satisfactionRate(c: SatisfactionCounts, basicallySatisfiedWeight: number): Ratio {
  return ratio(
    c.satisfied + basicallySatisfiedWeight * c.basicallySatisfied,
    c.satisfied + c.basicallySatisfied + c.dissatisfied,
  );
}

/** 回访率 = callbacks done (any outcome, unreachable included: the call was made) ÷ callbacks due. */
export function callbackRate(c: { callbacksDone: number; callbacksDue: number }): Ratio {
  return ratio(c.callbacksDone, c.callbacksDue);
}

/** 签收及时率 = tickets signed by their sign-off limit ÷ tickets that had one. */
export function signOffRate(c: { signedOnTime: number; signDue: number }): Ratio {
  return ratio(c.signedOnTime, c.signDue);
}

/**
 * 退单率 = approved returns away from the unit ÷ tickets the unit was given. A returned ticket
 * belongs to its new unit afterwards, so the unit was given its current tickets plus the returned ones.
 */
export function returnRate(c: { returns: number; tickets: number }): Ratio {
  return ratio(c.returns, c.tickets + c.returns);
}

/** 重办率 = tickets sent back to the unit at least once after a dissatisfied callback ÷ its tickets. */
export function rehandleRate(c: { rehandled: number; tickets: number }): Ratio {
  return ratio(c.rehandled, c.tickets);
}

/** The counts behind the handling figures of one cohort of dispatched tickets (those due in a period). */
export interface HandlingCounts extends SatisfactionCounts {
  due: number;
  completed: number;
  completedOnTime: number;
  callbacksDue: number;
  callbacksDone: number;
}

export interface HandlingFigures {
  completionRate: Ratio;
  onTimeCompletionRate: Ratio;
  satisfactionRate: Ratio;
  callbackRate: Ratio;
}

export function handlingFigures(c: HandlingCounts, policy: Pick<KpiPolicy, 'basicallySatisfiedWeight'>): HandlingFigures {
  return {
    completionRate: completionRate(c),
    onTimeCompletionRate: onTimeCompletionRate(c),
    satisfactionRate: satisfactionRate(c, policy.basicallySatisfiedWeight),
    callbackRate: callbackRate(c),
  };
}

// ---------------------------------------------------------------------------------------------
// Changes against earlier periods

/** 环比/同比 of a volume, as a fraction (0.125 = +12.5%); null when the earlier period had none. */
export function relativeChange(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous === 0) return null;
  return (current - previous) / previous;
}

/** Change of a rate in percentage points (0.95 after 0.90 → +5 pp); null when either is unknown. */
export function pointChange(currentRate: number | null, previousRate: number | null): number | null {
  if (currentRate === null || previousRate === null) return null;
  return (currentRate - previousRate) * 100;
}

/** The headline figures of a period, for the whole hotline or one lane of it. */
export interface HeadlineFigures extends HandlingFigures {
  /** tickets received */
  volume: number;
  /** tickets per Shanghai calendar day of the period */
  dailyAverage: number | null;
  directAnswerShare: Ratio;
  dispatchShare: Ratio;
}

/** Each headline figure's change: relative for volumes, in percentage points for ratios. */
export type HeadlineChanges = { [K in keyof HeadlineFigures]: number | null };

export function headlineChanges(current: HeadlineFigures, previous: HeadlineFigures): HeadlineChanges {
  const rate = (k: Exclude<keyof HeadlineFigures, 'volume' | 'dailyAverage'>) => pointChange(current[k].value, previous[k].value);
  return {
    volume: relativeChange(current.volume, previous.volume),
    dailyAverage: relativeChange(current.dailyAverage, previous.dailyAverage),
    directAnswerShare: rate('directAnswerShare'),
    dispatchShare: rate('dispatchShare'),
    completionRate: rate('completionRate'),
    onTimeCompletionRate: rate('onTimeCompletionRate'),
    satisfactionRate: rate('satisfactionRate'),
    callbackRate: rate('callbackRate'),
  };
}

/** Tickets per day; null for an empty period. */
export function dailyAverage(volume: number, days: number): number | null {
  return days === 0 ? null : volume / days;
}

// ---------------------------------------------------------------------------------------------
// Periods in Asia/Shanghai civil time

/** A half-open interval of instants [from, to). */
export interface Period {
  from: Date;
  to: Date;
}

// Asia/Shanghai has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact.
const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** A Shanghai civil date-time as the UTC instant it names. */
function shanghaiInstant(year: number, monthIndex: number, day: number): Date {
  return new Date(Date.UTC(year, monthIndex, day) - SHANGHAI_OFFSET_MS);
}

/** Shanghai civil fields of an instant (read through UTC getters). */
function shanghaiFields(instant: Date): Date {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS);
}

/** The month 'YYYY-MM' from midnight Asia/Shanghai on its first day (16:00Z the day before) to the next month's. */
export function shanghaiMonthRange(month: string): Period {
  const m = MONTH_PATTERN.exec(month);
  if (!m) throw new RangeError(`not a month 'YYYY-MM': ${month}`);
  const year = Number(m[1]);
  const monthIndex = Number(m[2]) - 1;
  return { from: shanghaiInstant(year, monthIndex, 1), to: shanghaiInstant(year, monthIndex + 1, 1) };
}

/** The Shanghai month 'YYYY-MM' an instant falls in. */
export function shanghaiMonthOf(instant: Date): string {
  return shanghaiFields(instant).toISOString().slice(0, 7);
}

/** The month `n` months after (negative: before) 'YYYY-MM'. */
export function addMonths(month: string, n: number): string {
  const { from } = shanghaiMonthRange(month);
  const f = shanghaiFields(from);
  return shanghaiMonthOf(shanghaiInstant(f.getUTCFullYear(), f.getUTCMonth() + n, 1));
}

/** The `n` months ending with (and including) 'YYYY-MM', oldest first. */
export function monthsEndingWith(month: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => addMonths(month, i - n + 1));
}

/** The Shanghai days firstDay … lastDay, both included, as a period. */
export function shanghaiDayRange(firstDay: string, lastDay: string): Period {
  return { from: startOfShanghaiDay(firstDay), to: new Date(startOfShanghaiDay(lastDay).getTime() + DAY_MS) };
}

/** The days [from, to) of a period that starts and ends at midnight Asia/Shanghai; a RangeError otherwise. */
export function wholeShanghaiDays(period: Period): { from: string; to: string } {
  const day = (instant: Date) => shanghaiFields(instant).toISOString().slice(0, 10);
  const days = { from: day(period.from), to: day(period.to) };
  if (startOfShanghaiDay(days.from).getTime() !== period.from.getTime() || startOfShanghaiDay(days.to).getTime() !== period.to.getTime()) {
    throw new RangeError(`not whole Shanghai days: ${period.from.toISOString()} – ${period.to.toISOString()}`);
  }
  return days;
}

/** The Shanghai calendar days (YYYY-MM-DD) a period touches, in order. */
export function shanghaiDaysIn(period: Period): string[] {
  const days: string[] = [];
  const first = shanghaiFields(period.from);
  let day = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate());
  const end = period.to.getTime() + SHANGHAI_OFFSET_MS;
  for (; day < end; day += DAY_MS) days.push(new Date(day).toISOString().slice(0, 10));
  return days;
}

/** Whether a period is exactly one Shanghai calendar month. */
function wholeMonth(period: Period): string | undefined {
  const month = shanghaiMonthOf(period.from);
  const range = shanghaiMonthRange(month);
  return range.from.getTime() === period.from.getTime() && range.to.getTime() === period.to.getTime() ? month : undefined;
}

/**
 * The period 环比 compares with: the previous calendar month for a whole month (months differ
 * in length), otherwise the period of the same length immediately before.
 */
export function monthOnMonthPeriod(period: Period): Period {
  const month = wholeMonth(period);
  if (month) return shanghaiMonthRange(addMonths(month, -1));
  const length = period.to.getTime() - period.from.getTime();
  return { from: new Date(period.from.getTime() - length), to: period.from };
}

/** The period 同比 compares with: the same Shanghai dates and times one year before (29 Feb → 28 Feb). */
export function yearOnYearPeriod(period: Period): Period {
  return { from: shiftYears(period.from, -1), to: shiftYears(period.to, -1) };
}

function shiftYears(instant: Date, years: number): Date {
  const f = shanghaiFields(instant);
  const year = f.getUTCFullYear() + years;
  const lastDay = new Date(Date.UTC(year, f.getUTCMonth() + 1, 0)).getUTCDate();
  const civil = Date.UTC(year, f.getUTCMonth(), Math.min(f.getUTCDate(), lastDay), f.getUTCHours(), f.getUTCMinutes(), f.getUTCSeconds(), f.getUTCMilliseconds());
  return new Date(civil - SHANGHAI_OFFSET_MS);
}

// ---------------------------------------------------------------------------------------------
// Composite score and ranking (综合排名)

/** The rates a unit is scored on in a month; null when the unit had nothing to measure. */
export interface ScoreComponents {
  signOffRate: number | null;
  onTimeRate: number | null;
  satisfactionRate: number | null;
  returnRate: number | null;
  rehandleRate: number | null;
}

/** A unit's (or county's) counts for one month: its dispatched tickets due in the month. */
export interface UnitMonthCounts extends SatisfactionCounts {
  /** dispatched tickets of the unit due in the month */
  tickets: number;
  /** of those, tickets that had a sign-off limit */
  signDue: number;
  signedOnTime: number;
  completedOnTime: number;
  /** approved returns away from the unit during the month */
  returns: number;
  /** tickets re-handled at least once */
  rehandled: number;
}

export interface UnitComponents {
  signOffRate: Ratio;
  onTimeRate: Ratio;
  satisfactionRate: Ratio;
  returnRate: Ratio;
  rehandleRate: Ratio;
}

export function unitComponents(c: UnitMonthCounts, policy: Pick<KpiPolicy, 'basicallySatisfiedWeight'>): UnitComponents {
  return {
    signOffRate: signOffRate(c),
    onTimeRate: onTimeCompletionRate({ completedOnTime: c.completedOnTime, due: c.tickets }),
    satisfactionRate: satisfactionRate(c, policy.basicallySatisfiedWeight),
    returnRate: returnRate(c),
    rehandleRate: rehandleRate(c),
  };
}

export function componentValues(c: UnitComponents): ScoreComponents {
  return {
    signOffRate: c.signOffRate.value,
    onTimeRate: c.onTimeRate.value,
    satisfactionRate: c.satisfactionRate.value,
    returnRate: c.returnRate.value,
    rehandleRate: c.rehandleRate.value,
  };
}

/**
 * The composite score, 0–100, rounded to 0.01 (the precision it is published and compared at):
 *
 *   score = 100 · ( Σ wᵢ·rᵢ / Σ wᵢ  −  w_returns·returnRate − w_rehandles·rehandleRate )
 *
 * over the positive components i ∈ {signOff, onTime, satisfaction} that are known. A missing
 * positive component (no sign-off limits, no valid callbacks) is left out and the others are
 * re-weighted, so a unit is neither rewarded nor punished for what could not be measured; a
 * missing penalty counts as none. With the default weights (0.1/0.5/0.4 summing to 1) a unit
 * with perfect rates scores 100 and loses 0.05 points per percent of returns or re-handles.
 * Null when no positive component is known.
 */
export function compositeScore(c: ScoreComponents, weights: RankingWeights): number | null {
  const positive = [
    [c.signOffRate, weights.signOff],
    [c.onTimeRate, weights.onTime],
    [c.satisfactionRate, weights.satisfaction],
  ] as const;
  let weighted = 0;
  let weightSum = 0;
  for (const [rate, w] of positive) {
    if (rate === null || w === 0) continue;
    weighted += w * rate;
    weightSum += w;
  }
  if (weightSum === 0) return null;
  const penalty = weights.returns * (c.returnRate ?? 0) + weights.rehandles * (c.rehandleRate ?? 0);
  const score = 100 * (weighted / weightSum - penalty);
  return Math.round(Math.min(100, Math.max(0, score)) * 100) / 100;
}

export interface RankingEntry {
  /** unit id, or region code at county level */
  id: string;
  /** dispatched tickets in the month: decides the volume group; 0 → not ranked */
  tickets: number;
  score: number | null;
}

/** An entry as ranked: its score known, its place counted from both ends. */
export type RankedEntry<E extends RankingEntry = RankingEntry> = E & {
  score: number;
  /** competition ranking: equal scores share a rank, the next rank skips (1, 1, 3) */
  rank: number;
  /** the same counted from the bottom (1 = worst) */
  rankFromBottom: number;
};

export type VolumeGroup = 'large' | 'small';

export interface RankedGroup<E extends RankingEntry = RankingEntry> {
  entries: RankedEntry<E>[];
  /** 红榜: ids of the top of the group */
  redList: string[];
  /** 黑榜: ids of the bottom of the group, never also on the red list */
  blackList: string[];
}

export interface Ranking<E extends RankingEntry = RankingEntry> {
  /** more than `groupThreshold` tickets */
  large: RankedGroup<E>;
  /** 1 to `groupThreshold` tickets */
  small: RankedGroup<E>;
  /** entries without tickets (or without a score): not ranked */
  unranked: E[];
}

/**
 * Ranks units in volume groups so one fast ticket cannot top the big units: score descending,
 * equal scores share a rank and are listed by id for a stable order. Entries keep whatever
 * else they carry (components, counts).
 */
export function rankUnits<E extends RankingEntry>(
  entries: readonly E[],
  policy: Pick<KpiPolicy['ranking'], 'groupThreshold' | 'listSize'>,
): Ranking<E> {
  const scored: (E & { score: number })[] = [];
  const unranked: E[] = [];
  for (const e of entries) {
    if (e.tickets > 0 && e.score !== null) scored.push({ ...e, score: e.score });
    else unranked.push(e);
  }
  return {
    large: rankGroup(scored.filter((e) => e.tickets > policy.groupThreshold), policy.listSize),
    small: rankGroup(scored.filter((e) => e.tickets <= policy.groupThreshold), policy.listSize),
    unranked: unranked.sort((a, b) => compareIds(a.id, b.id)),
  };
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rankGroup<E extends RankingEntry>(group: (E & { score: number })[], listSize: number): RankedGroup<E> {
  const entries: RankedEntry<E>[] = group
    .map((e) => ({
      ...e,
      rank: 1 + group.filter((o) => o.score > e.score).length,
      rankFromBottom: 1 + group.filter((o) => o.score < e.score).length,
    }))
    .sort((a, b) => b.score - a.score || compareIds(a.id, b.id));
  const cut = listCut(entries.length, listSize);
  const redList = entries.filter((e) => e.rank <= cut).map((e) => e.id);
  const blackList = entries.filter((e) => isBottom(e, entries.length, listSize)).map((e) => e.id);
  return { entries, redList, blackList };
}

/**
 * How many places a top or bottom list takes in a group: n, but at most half the group so the
 * two lists never meet. Ties at the cut are all in (the list may run longer than n).
 */
function listCut(groupSize: number, n: number): number {
  return Math.min(n, Math.floor(groupSize / 2));
}

/**
 * In the bottom n of its group (黑榜, 约谈): at most the cut from the bottom, and not tied with
 * the top — a tie reaching the top n is no bottom, so a perfect score (rank 1) never is.
 */
function isBottom(e: RankedEntry, groupSize: number, n: number): boolean {
  const cut = listCut(groupSize, n);
  return e.rankFromBottom <= cut && e.rank > cut;
}

export interface InterviewCase {
  id: string;
  /** the months (oldest first) the unit was in the bottom of its group */
  months: string[];
  positions: { month: string; group: VolumeGroup; rankFromBottom: number; score: number }[];
}

/**
 * 约谈: units in the bottom `interviewBottom` of their volume group (capped at half the group,
 * as the black list) in each of the `interviewMonths` consecutive months ending with the latest
 * month given. A month without a ranking, or unranked in it, breaks the streak.
 */
export function interviewCases(
  monthly: readonly { month: string; ranking: Ranking }[],
  policy: Pick<KpiPolicy['ranking'], 'interviewBottom' | 'interviewMonths'>,
): InterviewCase[] {
  if (monthly.length === 0 || policy.interviewMonths < 1) return [];
  const byMonth = new Map(monthly.map((m) => [m.month, m.ranking]));
  const latest = [...byMonth.keys()].sort().at(-1)!;
  const months = monthsEndingWith(latest, policy.interviewMonths);
  const bottoms = months.map((month) => bottomOf(month, byMonth.get(month), policy.interviewBottom));
  const [first, ...rest] = bottoms;
  return [...first!.keys()]
    .filter((id) => rest.every((b) => b.has(id)))
    .sort(compareIds)
    .map((id) => ({ id, months, positions: bottoms.map((b) => b.get(id)!) }));
}

function bottomOf(month: string, ranking: Ranking | undefined, n: number): Map<string, InterviewCase['positions'][number]> {
  const bottom = new Map<string, InterviewCase['positions'][number]>();
  if (!ranking) return bottom;
  for (const group of ['large', 'small'] as const) {
    const { entries } = ranking[group];
    for (const e of entries) {
      if (isBottom(e, entries.length, n)) bottom.set(e.id, { month, group, rankFromBottom: e.rankFromBottom, score: e.score });
    }
  }
  return bottom;
}

// ---------------------------------------------------------------------------------------------
// Hot spots (热点预警)

/** Below this expected count the normal approximation is poor and the Poisson tail is used. */
const POISSON_BELOW_EXPECTED = 10;

export interface HotspotSignal {
  /** the count in the period */
  count: number;
  /** the count the baseline leads one to expect for a period of that length */
  expected: number;
  /** (count − expected) ÷ the baseline's standard deviation for the period */
  z: number;
  /** one-sided probability of at least `count` under the baseline */
  pValue: number;
  method: 'z-score' | 'poisson';
  flagged: boolean;
}

/**
 * Whether a count jumps against its own trailing baseline of daily counts (zero days included).
 *
 * Method: with the baseline's daily mean μ and sample standard deviation s, a period of k days
 * expects k·μ with standard deviation √k·max(s, √μ) — never below Poisson dispersion, so a
 * suspiciously regular baseline does not turn small wobbles into alarms; z = (count − k·μ) ÷ that.
 * When k·μ is at least 10 the z-score decides: flagged when z ≥ zThreshold. Below it (a rare
 * topic) counts are too small for a normal approximation and the Poisson upper tail decides:
 * flagged when P(X ≥ count | λ = k·μ) < P(Z ≥ zThreshold) (0.00135 for z = 3), λ floored at
 * half a ticket over the baseline so a topic never seen before can still be judged. Either way
 * a count below `minCount` is never flagged.
 */
export function detectJump(
  baseline: readonly number[],
  count: number,
  policy: KpiPolicy['hotspots'],
  periodDays = 1,
): HotspotSignal {
  const n = baseline.length;
  const mean = n === 0 ? 0 : baseline.reduce((s, x) => s + x, 0) / n;
  const variance = n < 2 ? 0 : baseline.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  const lambda = Math.max(periodDays * mean, (0.5 * periodDays) / Math.max(n, 1));
  const sd = Math.sqrt(periodDays * Math.max(variance, lambda / periodDays));
  const z = (count - periodDays * mean) / sd;
  const method = periodDays * mean >= POISSON_BELOW_EXPECTED ? 'z-score' : 'poisson';
  const pValue = method === 'z-score' ? normalUpperTail(z) : poissonUpperTail(count, lambda);
  const jumped = method === 'z-score' ? z >= policy.zThreshold : pValue < normalUpperTail(policy.zThreshold);
  return { count, expected: periodDays * mean, z, pValue, method, flagged: count >= policy.minCount && jumped };
}

/** P(Z ≥ z) for a standard normal Z (Abramowitz–Stegun 7.1.26, error < 1.5e-7). */
export function normalUpperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = poly * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** P(X ≥ k) for X ~ Poisson(λ), summed from k upwards so tiny tails keep their precision. */
export function poissonUpperTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  let logFactorial = 0;
  for (let i = 2; i <= k; i++) logFactorial += Math.log(i);
  let term = Math.exp(-lambda + k * Math.log(lambda) - logFactorial);
  let sum = 0;
  for (let i = k; term > sum * 1e-15 || i < lambda; i++) {
    sum += term;
    term *= lambda / (i + 1);
    if (term === 0) break;
  }
  return Math.min(1, sum);
}

/** A day's ticket count for one key (a topic code or a region code). */
export interface DailyCount {
  key: string | null;
  day: string;
  count: number;
}

export interface Hotspot extends HotspotSignal {
  key: string | null;
}

/** The trailing baseline a period is compared with: the `baselineDays` days just before it. */
export function hotspotBaseline(period: Period, policy: KpiPolicy['hotspots']): Period {
  return { from: new Date(period.from.getTime() - policy.baselineDays * DAY_MS), to: period.from };
}

/**
 * The keys whose count in the period jumps against their baseline, most surprising first.
 * `counts` covers baseline and period; days without a row count as zero.
 */
export function hotspots(counts: readonly DailyCount[], period: Period, policy: KpiPolicy['hotspots']): Hotspot[] {
  const periodDays = new Set(shanghaiDaysIn(period));
  const baselineDays = shanghaiDaysIn(hotspotBaseline(period, policy)).filter((d) => !periodDays.has(d));
  const byKey = new Map<string | null, Map<string, number>>();
  for (const c of counts) {
    const days = byKey.get(c.key) ?? new Map<string, number>();
    days.set(c.day, (days.get(c.day) ?? 0) + c.count);
    byKey.set(c.key, days);
  }
  const found: Hotspot[] = [];
  for (const [key, days] of byKey) {
    let count = 0;
    for (const [day, n] of days) if (periodDays.has(day)) count += n;
    if (count === 0) continue;
    const signal = detectJump(
      baselineDays.map((d) => days.get(d) ?? 0),
      count,
      policy,
      periodDays.size,
    );
    if (signal.flagged) found.push({ key, ...signal });
  }
  return found.sort((a, b) => a.pValue - b.pValue || b.count - a.count || compareIds(a.key ?? '', b.key ?? ''));
}
