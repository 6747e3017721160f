import { describe, expect, it } from 'vitest';
import {
  addMonths,
  monthOnMonthPeriod,
  monthsEndingWith,
  shanghaiDaysIn,
  shanghaiMonthOf,
  shanghaiMonthRange,
  yearOnYearPeriod,
} from '../../../domain/kpi';

const d = (iso: string) => new Date(iso);

describe('Shanghai calendar periods', () => {
  it('a month starts at midnight Asia/Shanghai, 16:00Z the day before', () => {
    expect(shanghaiMonthRange('2026-03')).toEqual({ from: d('2026-02-28T16:00:00Z'), to: d('2026-03-31T16:00:00Z') });
    expect(shanghaiMonthRange('2026-12')).toEqual({ from: d('2026-11-30T16:00:00Z'), to: d('2026-12-31T16:00:00Z') });
  });

  it('an instant at 16:00Z on the last day of February is already in March', () => {
    expect(shanghaiMonthOf(d('2026-02-28T15:59:59.999Z'))).toBe('2026-02');
    expect(shanghaiMonthOf(d('2026-02-28T16:00:00Z'))).toBe('2026-03');
  });

  it('rejects what is not a month', () => {
    expect(() => shanghaiMonthRange('2026-13')).toThrow(RangeError);
    expect(() => shanghaiMonthRange('2026-3')).toThrow(RangeError);
  });

  it('counts months across year ends', () => {
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2025-11', 3)).toBe('2026-02');
    expect(monthsEndingWith('2026-02', 3)).toEqual(['2025-12', '2026-01', '2026-02']);
  });

  it('lists the Shanghai days a period touches', () => {
    const days = shanghaiDaysIn(shanghaiMonthRange('2026-03'));
    expect(days).toHaveLength(31);
    expect(days[0]).toBe('2026-03-01');
    expect(days.at(-1)).toBe('2026-03-31');
    expect(shanghaiDaysIn({ from: d('2026-03-01T02:00:00Z'), to: d('2026-03-02T17:00:00Z') })).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
  });
});

describe('comparison periods', () => {
  it('month-on-month of a calendar month is the previous calendar month', () => {
    expect(monthOnMonthPeriod(shanghaiMonthRange('2026-03'))).toEqual(shanghaiMonthRange('2026-02'));
    expect(monthOnMonthPeriod(shanghaiMonthRange('2026-01'))).toEqual(shanghaiMonthRange('2025-12'));
  });

  it('month-on-month of another period is the same length just before', () => {
    const week = { from: d('2026-03-08T16:00:00Z'), to: d('2026-03-15T16:00:00Z') };
    expect(monthOnMonthPeriod(week)).toEqual({ from: d('2026-03-01T16:00:00Z'), to: d('2026-03-08T16:00:00Z') });
  });

  it('year-on-year is the same Shanghai dates a year before, 29 February falling on the 28th', () => {
    expect(yearOnYearPeriod(shanghaiMonthRange('2026-03'))).toEqual(shanghaiMonthRange('2025-03'));
    expect(yearOnYearPeriod(shanghaiMonthRange('2028-02'))).toEqual(shanghaiMonthRange('2027-02'));
    const leapDay = { from: d('2028-02-28T16:00:00Z'), to: d('2028-02-29T16:00:00Z') };
    expect(yearOnYearPeriod(leapDay)).toEqual({ from: d('2027-02-27T16:00:00Z'), to: d('2027-02-28T16:00:00Z') });
  });
});
