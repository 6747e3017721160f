import { describe, expect, it } from 'vitest';
import { PACKAGE_CALENDAR_YEARS, nextYearMissing } from '../../../domain/calendar';

describe('nextYearMissing', () => {
  const lastPackaged = PACKAGE_CALENDAR_YEARS.at(-1)!;

  it('names next year from 1 November Asia/Shanghai when neither the package nor an override holds it', () => {
    const year = lastPackaged + 1;
    expect(nextYearMissing(new Date(`${year}-10-31T15:59:59Z`), [])).toBeUndefined();
    expect(nextYearMissing(new Date(`${year}-10-31T16:00:00Z`), [])).toBe(year + 1);
    expect(nextYearMissing(new Date(`${year}-12-31T15:00:00Z`), [])).toBe(year + 1);
  });

  it('is satisfied by overrides of that year or by the package data', () => {
    const year = lastPackaged + 1;
    expect(nextYearMissing(new Date(`${year}-11-15T00:00:00Z`), [{ date: `${year + 1}-01-01` }])).toBeUndefined();
    expect(nextYearMissing(new Date(`${lastPackaged - 1}-11-15T00:00:00Z`), [])).toBeUndefined();
  });
});
