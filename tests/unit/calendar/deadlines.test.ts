import { describe, it, expect } from 'vitest';
import { WorkingDayCalendar, type CalendarOverride } from '../../../domain/calendar';
import {
  addDuration,
  callbackDeadline,
  computeDeadlines,
  extendedDeadlines,
  returnWindowEnd,
  subtractDuration,
} from '../../../domain/deadlines';
import { DEFAULT_POLICY, type Policy } from '../../../domain/policy';

const cal = new WorkingDayCalendar();
const at = (iso: string) => new Date(iso);

// 2025 National Day (国庆节+中秋): 10-01..10-08 off; Sunday 09-28 and Saturday 10-11 are make-up working days.
describe('deadlines in working days', () => {
  it('gives a C ticket received the afternoon before Golden Week a due date after the holiday', () => {
    expect(computeDeadlines(cal, DEFAULT_POLICY, 'C', at('2025-09-30T07:00:00Z'))).toEqual({
      signBy: '2025-10-09T15:59:59.999Z', // Thursday, first working day after the holiday
      dueBy: '2025-10-14T15:59:59.999Z', // 10-09, 10-10, Saturday 10-11 (调休), 10-13, 10-14
      nearDueAt: '2025-10-13T15:59:59.999Z', // one working day before
      escalateAt: '2025-10-21T15:59:59.999Z', // overdue by five more working days: 10-15…10-17, 10-20, 10-21
    });
  });

  it('counts a ticket received during a holiday from the next working days', () => {
    expect(computeDeadlines(cal, DEFAULT_POLICY, 'C', at('2025-10-01T02:00:00Z')).dueBy).toBe('2025-10-14T15:59:59.999Z');
  });

  it('gives a D ticket fifteen working days, its yellow card one working day before', () => {
    expect(computeDeadlines(cal, DEFAULT_POLICY, 'D', at('2025-09-30T07:00:00Z'))).toEqual({
      signBy: '2025-10-09T15:59:59.999Z',
      dueBy: '2025-10-28T15:59:59.999Z',
      nearDueAt: '2025-10-27T15:59:59.999Z',
      escalateAt: '2025-11-18T15:59:59.999Z',
    });
  });

  it('counts a make-up working Saturday (调休) as the first working day of a ticket received the Friday before', () => {
    expect(computeDeadlines(cal, DEFAULT_POLICY, 'C', at('2025-10-10T02:00:00Z'))).toMatchObject({
      signBy: '2025-10-11T15:59:59.999Z',
      dueBy: '2025-10-16T15:59:59.999Z',
    });
    // Saturday 09-27 is an ordinary weekend day; the make-up Sunday after it is a working day
    expect(computeDeadlines(cal, DEFAULT_POLICY, 'C', at('2025-09-27T02:00:00Z')).signBy).toBe('2025-09-28T15:59:59.999Z');
  });

  it('does not count the make-up working Saturday a ticket is received on, like any start day', () => {
    expect(computeDeadlines(cal, DEFAULT_POLICY, 'C', at('2025-10-11T02:00:00Z'))).toMatchObject({
      signBy: '2025-10-13T15:59:59.999Z',
      dueBy: '2025-10-17T15:59:59.999Z',
    });
  });

  it('takes the start day in Shanghai time: 23:30 counts from the next day, 00:30 from the day after', () => {
    const lateWednesday = computeDeadlines(cal, DEFAULT_POLICY, 'C', at('2025-10-15T15:30:00Z')); // 23:30 on 10-15
    const earlyThursday = computeDeadlines(cal, DEFAULT_POLICY, 'C', at('2025-10-15T16:30:00Z')); // 00:30 on 10-16
    expect(lateWednesday).toMatchObject({ signBy: '2025-10-16T15:59:59.999Z', dueBy: '2025-10-22T15:59:59.999Z' });
    expect(earlyThursday).toMatchObject({ signBy: '2025-10-17T15:59:59.999Z', dueBy: '2025-10-23T15:59:59.999Z' });
  });

  it('moves the due date when an admin marks a weekday as a holiday', () => {
    const dispatchedAt = at('2025-10-14T02:00:00Z');
    expect(computeDeadlines(cal, DEFAULT_POLICY, 'C', dispatchedAt)).toMatchObject({
      signBy: '2025-10-15T15:59:59.999Z',
      dueBy: '2025-10-21T15:59:59.999Z',
    });
    const typhoon = new WorkingDayCalendar([{ date: '2025-10-15', kind: 'holiday', name: '台风停工' }]);
    expect(computeDeadlines(typhoon, DEFAULT_POLICY, 'C', dispatchedAt)).toMatchObject({
      signBy: '2025-10-16T15:59:59.999Z',
      dueBy: '2025-10-22T15:59:59.999Z',
    });
  });

  it('counts a weekend day an admin marks as a working day', () => {
    const dispatchedAt = at('2025-10-17T02:00:00Z'); // Friday
    expect(computeDeadlines(cal, DEFAULT_POLICY, 'C', dispatchedAt).signBy).toBe('2025-10-20T15:59:59.999Z');
    const saturdayWorked = new WorkingDayCalendar([{ date: '2025-10-18', kind: 'workday' }]);
    expect(computeDeadlines(saturdayWorked, DEFAULT_POLICY, 'C', dispatchedAt)).toMatchObject({
      signBy: '2025-10-18T15:59:59.999Z',
      dueBy: '2025-10-23T15:59:59.999Z',
    });
  });

  it('falls back to Monday–Friday in a year beyond the package data until the admin loads its notice', () => {
    const dispatchedAt = at('2099-09-30T07:00:00Z'); // Wednesday afternoon
    expect(computeDeadlines(cal, DEFAULT_POLICY, 'C', dispatchedAt).dueBy).toBe('2099-10-07T15:59:59.999Z');

    const notice: CalendarOverride[] = [
      ...['01', '02', '03', '04', '05', '06', '07'].map((d) => ({ date: `2099-10-${d}`, kind: 'holiday' as const, name: '国庆节' })),
      { date: '2099-10-10', kind: 'workday', name: '国庆节调休' },
    ];
    // 10-08, 10-09, Saturday 10-10, 10-12, 10-13
    expect(computeDeadlines(new WorkingDayCalendar(notice), DEFAULT_POLICY, 'C', dispatchedAt).dueBy).toBe(
      '2099-10-13T15:59:59.999Z',
    );
  });

  it('gives the callback and the return request two working days', () => {
    expect(callbackDeadline(cal, DEFAULT_POLICY, at('2025-09-30T07:00:00Z'))).toBe('2025-10-10T15:59:59.999Z');
    // dispatched on the make-up Sunday 09-28: 09-29 and 09-30 count
    expect(returnWindowEnd(cal, DEFAULT_POLICY, at('2025-09-28T02:00:00Z'))).toBe('2025-09-30T15:59:59.999Z');
  });
});

describe('deadlines on the clock', () => {
  it('ignores holidays for A and B hour limits, with the near-due point at 80% of the time', () => {
    const nationalDay = at('2025-10-01T02:00:00Z'); // 10:00 on a holiday
    expect(computeDeadlines(cal, DEFAULT_POLICY, 'A', nationalDay)).toEqual({
      signBy: '2025-10-01T02:30:00.000Z',
      dueBy: '2025-10-01T04:00:00.000Z',
      nearDueAt: '2025-10-01T03:36:00.000Z', // 96 of 120 minutes
      escalateAt: '2025-10-01T06:00:00.000Z',
    });
    expect(computeDeadlines(cal, DEFAULT_POLICY, 'B', nationalDay)).toEqual({
      signBy: '2025-10-01T03:00:00.000Z',
      dueBy: '2025-10-02T02:00:00.000Z',
      nearDueAt: '2025-10-01T21:12:00.000Z', // 19.2 of 24 hours
      escalateAt: '2025-10-03T02:00:00.000Z',
    });
  });

  it('adds and subtracts seconds, minutes and hours as elapsed time', () => {
    expect(addDuration(cal, at('2025-10-01T23:59:30Z'), { amount: 45, unit: 'seconds' }).toISOString()).toBe(
      '2025-10-02T00:00:15.000Z',
    );
    expect(subtractDuration(cal, at('2025-10-01T00:10:00Z'), { amount: 1.5, unit: 'hours' }).toISOString()).toBe(
      '2025-09-30T22:40:00.000Z',
    );
  });
});

describe('near-due points', () => {
  it('puts a working-day near-due point of a due inside a day at the end of the working day before that day', () => {
    // due 10:00 Shanghai on 10-09; the working day before is 09-30, across the holiday
    expect(subtractDuration(cal, at('2025-10-09T02:00:00Z'), { amount: 1, unit: 'workingDays' }).toISOString()).toBe(
      '2025-09-30T15:59:59.999Z',
    );
  });

  it('makes a ticket near-due from its dispatch when the near-due span reaches back before it', () => {
    const oneDayPolicy: Policy = {
      ...DEFAULT_POLICY,
      categories: {
        ...DEFAULT_POLICY.categories,
        C: { signOff: { amount: 1, unit: 'workingDays' }, handling: { amount: 1, unit: 'workingDays' }, nearDue: { amount: 1, unit: 'workingDays' } },
      },
    };
    // dispatched Saturday: due end of Monday, one working day before is Friday, before the dispatch
    expect(computeDeadlines(cal, oneDayPolicy, 'C', at('2025-10-18T02:00:00Z'))).toEqual({
      signBy: '2025-10-20T15:59:59.999Z',
      dueBy: '2025-10-20T15:59:59.999Z',
      nearDueAt: '2025-10-18T02:00:00.000Z',
      escalateAt: '2025-10-21T15:59:59.999Z',
    });
  });
});

describe('extensions (延期)', () => {
  const dispatchedAt = at('2025-10-06T02:00:00Z');

  it('adds the approved working days to the current due date, with its near-due and escalation points', () => {
    expect(extendedDeadlines(cal, DEFAULT_POLICY, 'C', { dueBy: at('2025-10-14T15:59:59.999Z'), dispatchedAt }, 10)).toEqual({
      dueBy: '2025-10-28T15:59:59.999Z',
      nearDueAt: '2025-10-27T15:59:59.999Z',
      // five working days later, over the weekend of 11-01 and 11-02
      escalateAt: '2025-11-04T15:59:59.999Z',
    });
  });

  it('counts across Golden Week, the make-up Saturday included', () => {
    // 10-09, 10-10 and the make-up Saturday 10-11
    expect(extendedDeadlines(cal, DEFAULT_POLICY, 'C', { dueBy: at('2025-09-30T15:59:59.999Z'), dispatchedAt: at('2025-09-23T02:00:00Z') }, 3)).toEqual({
      dueBy: '2025-10-11T15:59:59.999Z',
      nearDueAt: '2025-10-10T15:59:59.999Z',
      escalateAt: '2025-10-17T15:59:59.999Z',
    });
  });

  it("moves a clock-time due of an urgent ticket to the end of a working day, its points by the category's own limits", () => {
    // A: handling 2 hours, near-due 24 minutes before; due Thursday 10:00 Shanghai, one working day more
    expect(extendedDeadlines(cal, DEFAULT_POLICY, 'A', { dueBy: at('2025-10-16T02:00:00Z'), dispatchedAt: at('2025-10-16T00:00:00Z') }, 1)).toEqual({
      dueBy: '2025-10-17T15:59:59.999Z',
      nearDueAt: '2025-10-17T15:35:59.999Z',
      escalateAt: '2025-10-17T17:59:59.999Z',
    });
  });
});
