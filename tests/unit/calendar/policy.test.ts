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

  it('rejects a near-due span longer than the handling limit, naming it; as long as it is allowed', () => {
    const withA = (nearDue: object, handling: object = DEFAULT_POLICY.categories.A.handling) =>
      policySchema.safeParse({ ...DEFAULT_POLICY, categories: { ...DEFAULT_POLICY.categories, A: { ...DEFAULT_POLICY.categories.A, handling, nearDue } } });
    for (const [nearDue, handling] of [
      [{ amount: 3, unit: 'hours' }, { amount: 2, unit: 'hours' }],
      [{ amount: 121, unit: 'minutes' }, { amount: 2, unit: 'hours' }],
      [{ amount: 6, unit: 'workingDays' }, { amount: 5, unit: 'workingDays' }],
      [{ amount: 1, unit: 'workingDays' }, { amount: 2, unit: 'hours' }],
      [{ amount: 25, unit: 'hours' }, { amount: 1, unit: 'workingDays' }],
    ]) {
      expect(withA(nearDue!, handling).error?.issues.map((i) => i.path.join('.')), JSON.stringify(nearDue)).toEqual(['categories.A.nearDue']);
    }
    expect(withA({ amount: 2, unit: 'hours' }, { amount: 2, unit: 'hours' }).success).toBe(true);
    expect(withA({ amount: 1, unit: 'workingDays' }, { amount: 24, unit: 'hours' }).success).toBe(true);
  });

  it('rejects counts and weights far beyond any city', () => {
    const ranking = DEFAULT_POLICY.kpi.ranking;
    expect(policySchema.safeParse({ ...DEFAULT_POLICY, kpi: { ...DEFAULT_POLICY.kpi, ranking: { ...ranking, listSize: 1e300 } } }).success).toBe(false);
    expect(policySchema.safeParse({ ...DEFAULT_POLICY, kpi: { ...DEFAULT_POLICY.kpi, ranking: { ...ranking, weights: { ...ranking.weights, onTime: 1e308 } } } }).success).toBe(false);
  });

  it('rejects an unknown auto-dispatch channel and a confidence above 1', () => {
    expect(policySchema.safeParse({ ...DEFAULT_POLICY, autoDispatch: { channels: ['fax'], minConfidence: 0.8 } }).success).toBe(false);
    expect(policySchema.safeParse({ ...DEFAULT_POLICY, autoDispatch: { channels: ['web'], minConfidence: 1.2 } }).success).toBe(false);
  });
});
