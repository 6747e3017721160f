/**
 * The working-day calendar (工作日历): China's public holidays and make-up working days (调休)
 * as published by the State Council, plus the admin's overrides.
 *
 * The official days come from the `chinese-days` package's JSON data (documented in its README).
 * We read the data instead of calling its `isWorkday()` because that function reads dates in the
 * process's local time zone and answers wrongly for some days when the host is not on UTC or
 * UTC+8 (e.g. TZ=America/New_York), while this module must be exact wherever it runs.
 */
import chineseDays from 'chinese-days/dist/chinese-days.json';
import { addCalendarDays, shanghaiDay } from './time';
import { text } from './ticket';
import { z } from './zod';

/** Days keyed YYYY-MM-DD, valued with the package's "English,中文,n" holiday label. */
const official: { holidays: Record<string, string>; workdays: Record<string, string> } = chineseDays;

/**
 * The years the bundled holiday data covers (2004–2026 in chinese-days 1.5.7). Days of other
 * years are Monday–Friday working days unless an admin loads the year's notice as overrides.
 */
export const PACKAGE_CALENDAR_YEARS: readonly number[] = [
  ...new Set(Object.keys(official.holidays).map((day) => Number(day.slice(0, 4)))),
].sort((a, b) => a - b);

/**
 * The years a day or an instant given to the hotline may fall in. Deadlines, periods and reports
 * are computed on them, and a year far out (0000, 9999) is a typo that would only overflow later.
 */
export const YEARS = { min: 2000, max: 2100 } as const;
const YEARS_MESSAGE = `the year must be between ${YEARS.min} and ${YEARS.max}`;
/** The year a day or ISO time is written in; its format is checked (and aborts) before this runs. */
const inYears = (iso: string) => Number(iso.slice(0, 4)) >= YEARS.min && Number(iso.slice(0, 4)) <= YEARS.max;

/** A calendar day YYYY-MM-DD (zod's date format knows month lengths and leap years). */
export const isoDaySchema = z.iso
  .date({ message: 'must be a day of the calendar', abort: true })
  .refine(inYears, YEARS_MESSAGE);

/** A calendar month YYYY-MM. */
export const isoMonthSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'must be a month YYYY-MM', abort: true })
  .refine(inYears, YEARS_MESSAGE);

/** An instant as ISO 8601 with an offset, e.g. 2026-09-30T15:00:00+08:00. */
export const instantSchema = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 time with offset, e.g. 2019-03-01T09:30:00+08:00', abort: true })
  .refine(inYears, YEARS_MESSAGE);

/** An admin's correction of one day: a holiday (放假) or a make-up working day (调休上班). */
export const calendarOverrideSchema = z.object({
  date: isoDaySchema,
  kind: z.enum(['holiday', 'workday']),
  name: text(100).optional(),
});
export type CalendarOverride = z.infer<typeof calendarOverrideSchema>;

export class WorkingDayCalendar {
  private readonly overrides: ReadonlyMap<string, CalendarOverride['kind']>;

  /** When one day is overridden twice, the later entry wins. */
  constructor(overrides: readonly CalendarOverride[] = []) {
    this.overrides = new Map(overrides.map((o) => [o.date, o.kind]));
  }

  /** Whether a YYYY-MM-DD day is a working day: the override, else the official data, else Monday–Friday. */
  isWorkingDay(day: string): boolean {
    const kind = this.overrides.get(day);
    if (kind) return kind === 'workday';
    if (Object.hasOwn(official.workdays, day)) return true;
    if (Object.hasOwn(official.holidays, day)) return false;
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    return weekday >= 1 && weekday <= 5;
  }

  /**
   * The `n`th working day after (n > 0) or before (n < 0) `day`. `day` itself never counts,
   * whether or not it is a working day.
   */
  addWorkingDays(day: string, n: number): string {
    if (!Number.isInteger(n) || n === 0) throw new RangeError(`working days must be a non-zero integer, got ${n}`);
    const step = Math.sign(n);
    let current = day;
    for (let counted = 0; counted < Math.abs(n); ) {
      current = addCalendarDays(current, step);
      if (this.isWorkingDay(current)) counted++;
    }
    return current;
  }
}

/** The month (Asia/Shanghai) from which next year's calendar is expected: the notice comes in November or December. */
const NEXT_YEAR_DUE_MONTH = 11;

/**
 * Next year, when its working-day calendar is due (from 1 November, Asia/Shanghai) and neither
 * the package data nor the overrides hold a day of it; else undefined. Without it, next year's
 * deadlines would count its public holidays as working days.
 */
export function nextYearMissing(now: Date, overrides: readonly Pick<CalendarOverride, 'date'>[]): number | undefined {
  const [year, month] = shanghaiDay(now).split('-').map(Number) as [number, number];
  if (month < NEXT_YEAR_DUE_MONTH) return undefined;
  const next = year + 1;
  const covered = PACKAGE_CALENDAR_YEARS.includes(next) || overrides.some((o) => o.date.startsWith(`${next}-`));
  return covered ? undefined : next;
}
