import { describe, it, expect } from 'vitest';
import { PACKAGE_CALENDAR_YEARS, WorkingDayCalendar, calendarOverrideSchema } from '../../../domain/calendar';

describe('the working-day calendar', () => {
  const cal = new WorkingDayCalendar();

  it('knows the 2025 National Day holidays and their make-up working weekend days (调休)', () => {
    for (const day of ['2025-10-01', '2025-10-03', '2025-10-06', '2025-10-08']) expect(cal.isWorkingDay(day)).toBe(false);
    expect(cal.isWorkingDay('2025-09-28')).toBe(true); // Sunday
    expect(cal.isWorkingDay('2025-10-11')).toBe(true); // Saturday
    expect(cal.isWorkingDay('2025-10-12')).toBe(false); // ordinary Sunday
    expect(cal.isWorkingDay('2025-10-09')).toBe(true);
  });

  it('covers the years of the bundled chinese-days data, 2004 to at least 2026, without gaps', () => {
    expect(PACKAGE_CALENDAR_YEARS[0]).toBe(2004);
    expect(PACKAGE_CALENDAR_YEARS.at(-1)).toBeGreaterThanOrEqual(2026);
    expect(PACKAGE_CALENDAR_YEARS).toHaveLength(PACKAGE_CALENDAR_YEARS.at(-1)! - 2004 + 1);
  });

  it('falls back to Monday–Friday for a year beyond the package data', () => {
    expect(PACKAGE_CALENDAR_YEARS).not.toContain(2099);
    expect(cal.isWorkingDay('2099-01-01')).toBe(true); // Thursday: 元旦 is unknown until an admin loads it
    expect(cal.isWorkingDay('2099-01-03')).toBe(false); // Saturday
    expect(cal.isWorkingDay('2099-01-04')).toBe(false); // Sunday
  });

  it('lets an admin override make a weekday a holiday, a weekend a working day, and correct the package data', () => {
    const overridden = new WorkingDayCalendar([
      { date: '2025-10-15', kind: 'holiday', name: '台风停工' },
      { date: '2025-10-18', kind: 'workday' },
      { date: '2025-10-08', kind: 'workday' },
    ]);
    expect(overridden.isWorkingDay('2025-10-15')).toBe(false);
    expect(overridden.isWorkingDay('2025-10-18')).toBe(true);
    expect(overridden.isWorkingDay('2025-10-08')).toBe(true);
    expect(overridden.isWorkingDay('2025-10-16')).toBe(true);
  });

  it('lets the later of two overrides of one day win', () => {
    const overridden = new WorkingDayCalendar([
      { date: '2025-10-15', kind: 'holiday' },
      { date: '2025-10-15', kind: 'workday' },
    ]);
    expect(overridden.isWorkingDay('2025-10-15')).toBe(true);
  });

  it('counts working days after or before a day, never the day itself', () => {
    expect(cal.addWorkingDays('2025-09-30', 1)).toBe('2025-10-09');
    expect(cal.addWorkingDays('2025-10-10', 1)).toBe('2025-10-11');
    expect(cal.addWorkingDays('2025-10-14', -1)).toBe('2025-10-13');
    expect(cal.addWorkingDays('2025-10-09', -1)).toBe('2025-09-30');
    expect(() => cal.addWorkingDays('2025-10-09', 0)).toThrow(RangeError);
  });

  it('accepts an override only for a real day', () => {
    expect(calendarOverrideSchema.safeParse({ date: '2027-10-01', kind: 'holiday', name: '国庆节' }).success).toBe(true);
    expect(calendarOverrideSchema.safeParse({ date: '2027-02-30', kind: 'holiday' }).success).toBe(false);
    expect(calendarOverrideSchema.safeParse({ date: '2027-1-1', kind: 'holiday' }).success).toBe(false);
    expect(calendarOverrideSchema.safeParse({ date: '2027-10-01', kind: 'weekend' }).success).toBe(false);
  });
});
