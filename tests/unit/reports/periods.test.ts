import { describe, expect, it } from 'vitest';
import { latestEndedStart, reportDays, reportId, reportRange, reportRankingPeriod } from '../../../domain/reports';
import { shanghaiDayRange, wholeShanghaiDays } from '../../../domain/kpi';

const at = (iso: string) => new Date(iso);

describe('report periods', () => {
  it('a schedule due at 01:00 Shanghai time reports on the period that has just ended', () => {
    // 01:00 on Monday 2 March 2026, Shanghai = 17:00Z on Sunday 1 March
    const due = at('2026-03-01T17:00:00Z');
    expect(latestEndedStart('day', due)).toBe('2026-03-01');
    expect(latestEndedStart('week', due)).toBe('2026-02-23');
    expect(latestEndedStart('month', due)).toBe('2026-02-01');
    expect(latestEndedStart('year', due)).toBe('2025-01-01');
    // on 1 January the month before is December of the year before
    expect(latestEndedStart('month', at('2026-12-31T19:00:00Z'))).toBe('2026-12-01');
  });

  it('a week runs Monday to Sunday, a month to its last day, February 2024 to the 29th', () => {
    expect(reportDays('week', '2026-02-23')).toEqual({ first: '2026-02-23', last: '2026-03-01' });
    expect(reportDays('month', '2024-02-01')).toEqual({ first: '2024-02-01', last: '2024-02-29' });
    expect(reportDays('year', '2025-01-01')).toEqual({ first: '2025-01-01', last: '2025-12-31' });
    expect(reportRange('day', '2026-03-01')).toEqual({ from: at('2026-02-28T16:00:00Z'), to: at('2026-03-01T16:00:00Z') });
    expect(reportId('month', '2026-02-01')).toBe('month-2026-02-01');
  });

  it('refuses a start that does not begin its period, or is no day', () => {
    expect(() => reportDays('week', '2026-02-24')).toThrow('a week starts on a Monday');
    expect(() => reportDays('month', '2026-02-02')).toThrow('a month starts on its 1st');
    expect(() => reportDays('year', '2026-02-01')).toThrow('a year starts on 1 January');
    expect(() => reportDays('day', '2026-02-30')).toThrow(RangeError);
  });

  it('ranks a day or week on the month to date of its last day, a month or year on itself', () => {
    expect(reportRankingPeriod('week', '2026-03-30')).toEqual({ basis: 'month_to_date', range: shanghaiDayRange('2026-04-01', '2026-04-05') });
    expect(reportRankingPeriod('day', '2026-03-15')).toEqual({ basis: 'month_to_date', range: shanghaiDayRange('2026-03-01', '2026-03-15') });
    expect(reportRankingPeriod('year', '2025-01-01')).toEqual({ basis: 'year', range: reportRange('year', '2025-01-01') });
  });

  it('whole Shanghai days are what the rollups answer', () => {
    expect(wholeShanghaiDays(shanghaiDayRange('2026-03-01', '2026-03-31'))).toEqual({ from: '2026-03-01', to: '2026-04-01' });
    expect(() => wholeShanghaiDays({ from: at('2026-03-01T00:00:00Z'), to: at('2026-03-02T00:00:00Z') })).toThrow(RangeError);
  });
});
