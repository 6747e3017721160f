/**
 * Periodic reports (日报, 周报, 月报, 年报): each covers whole Shanghai days — a day, a week from
 * Monday to Sunday, a calendar month or year — and is named by its kind and first day, so a
 * report regenerated for the same period replaces the stored one. Pure and deterministic: the
 * report workflow derives the period from its schedule's time with these functions.
 */
import type { Period } from './kpi';
import { addCalendarDays, shanghaiDay, startOfShanghaiDay } from './time';

export const REPORT_PERIODS = ['day', 'week', 'month', 'year'] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];

/** The Temporal workflow type that generates one report (workflows/reports.ts). */
export const REPORT_WORKFLOW = 'reportWorkflow';

/** A stored report's id as `reportId` makes it (the API's schema: api/analytics.ts). */
export const REPORT_ID_PATTERN = new RegExp(`^(${REPORT_PERIODS.join('|')})-\\d{4}-\\d{2}-\\d{2}$`);

/** `month-2026-03-01`: the id of the report of a period. */
export function reportId(period: ReportPeriod, start: string): string {
  return `${period}-${start}`;
}

/** The days first … last, both included, as instants. */
function daysRange(first: string, last: string): Period {
  return { from: startOfShanghaiDay(first), to: startOfShanghaiDay(addCalendarDays(last, 1)) };
}

/** 0 = Monday … 6 = Sunday, of a day 'YYYY-MM-DD'. */
function weekday(day: string): number {
  return (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
}

/**
 * The first and last day of the report period that starts on `start`; a RangeError unless
 * `start` is a day that begins such a period (a Monday, the 1st of a month, 1 January).
 */
export function reportDays(period: ReportPeriod, start: string): { first: string; last: string } {
  startOfShanghaiDay(start);
  const [year, month] = start.split('-').map(Number) as [number, number];
  switch (period) {
    case 'day':
      return { first: start, last: start };
    case 'week':
      if (weekday(start) !== 0) throw new RangeError(`a week starts on a Monday; ${start} is not one`);
      return { first: start, last: addCalendarDays(start, 6) };
    case 'month':
      if (!start.endsWith('-01')) throw new RangeError(`a month starts on its 1st; ${start} is not one`);
      return { first: start, last: new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10) };
    case 'year':
      if (!start.endsWith('-01-01')) throw new RangeError(`a year starts on 1 January; ${start} is not one`);
      return { first: start, last: `${year}-12-31` };
  }
}

/** The instants a report covers: from midnight of its first day to midnight after its last. */
export function reportRange(period: ReportPeriod, start: string): Period {
  const { first, last } = reportDays(period, start);
  return daysRange(first, last);
}

/**
 * The first day of the latest period of this kind that has ended by `at`: what a schedule
 * firing at `at` reports on (at 01:00 on 5 March: 4 March, the week before, February, last year).
 */
export function latestEndedStart(period: ReportPeriod, at: Date): string {
  const today = shanghaiDay(at);
  const [year, month] = today.split('-').map(Number) as [number, number];
  switch (period) {
    case 'day':
      return addCalendarDays(today, -1);
    case 'week':
      return addCalendarDays(today, -weekday(today) - 7);
    case 'month':
      return new Date(Date.UTC(year, month - 2, 1)).toISOString().slice(0, 10);
    case 'year':
      return `${year - 1}-01-01`;
  }
}

/**
 * What a report ranks units on: the composite ranking is monthly, so a daily or weekly report
 * shows the month to date of its last day (本月累计), a monthly one its month, a yearly one its year.
 */
export function reportRankingPeriod(period: ReportPeriod, start: string): { basis: 'month_to_date' | 'month' | 'year'; range: Period } {
  const { last } = reportDays(period, start);
  if (period === 'month' || period === 'year') return { basis: period, range: reportRange(period, start) };
  return { basis: 'month_to_date', range: daysRange(`${last.slice(0, 7)}-01`, last) };
}

/** The names a report prints beside the codes it holds: topics, districts (事发地) and units. */
export interface ReportNames {
  topics: Record<string, string>;
  regions: Record<string, string>;
  units: Record<string, string>;
}

