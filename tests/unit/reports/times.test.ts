import { describe, expect, it } from 'vitest';
import { shanghaiTime } from '../../../domain/time';

describe('shanghaiTime', () => {
  it('prints a 03:50 Beijing due time as 03:50 +08:00 of that day, not 19:50 UTC of the day before', () => {
    expect(shanghaiTime('2026-12-01T19:50:00.000Z')).toBe('2026-12-02 03:50 +08:00');
    expect(shanghaiTime(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01 00:00 +08:00');
  });
});
