import { describe, it, expect } from 'vitest';
import { DEFAULT_POLICY, durationSchema, policySchema } from '../../../domain/policy';

describe('the policy', () => {
  it('accepts the default policy unchanged', () => {
    expect(policySchema.parse(DEFAULT_POLICY)).toEqual(DEFAULT_POLICY);
  });

  it('accepts fractional elapsed limits but only whole working days', () => {
    expect(durationSchema.safeParse({ amount: 1.5, unit: 'hours' }).success).toBe(true);
    expect(durationSchema.safeParse({ amount: 2, unit: 'workingDays' }).success).toBe(true);
    expect(durationSchema.safeParse({ amount: 1.5, unit: 'workingDays' }).success).toBe(false);
    expect(durationSchema.safeParse({ amount: 0, unit: 'minutes' }).success).toBe(false);
    expect(durationSchema.safeParse({ amount: -1, unit: 'workingDays' }).success).toBe(false);
    expect(durationSchema.safeParse({ amount: 1, unit: 'days' }).success).toBe(false);
  });

  it('rejects a limit longer than a year as a typo', () => {
    expect(durationSchema.safeParse({ amount: 367, unit: 'workingDays' }).success).toBe(false);
    expect(durationSchema.safeParse({ amount: 9000, unit: 'hours' }).success).toBe(false);
  });

  it('requires limits for every category and an extension maximum in working days', () => {
    const { D: _omitted, ...withoutD } = DEFAULT_POLICY.categories;
    expect(policySchema.safeParse({ ...DEFAULT_POLICY, categories: withoutD }).success).toBe(false);
    expect(policySchema.safeParse({ ...DEFAULT_POLICY, extensionMax: { amount: 240, unit: 'hours' } }).success).toBe(false);
  });

  it('rejects an unknown auto-dispatch channel and a confidence above 1', () => {
    expect(policySchema.safeParse({ ...DEFAULT_POLICY, autoDispatch: { channels: ['fax'], minConfidence: 0.8 } }).success).toBe(false);
    expect(policySchema.safeParse({ ...DEFAULT_POLICY, autoDispatch: { channels: ['web'], minConfidence: 1.2 } }).success).toBe(false);
  });
});
