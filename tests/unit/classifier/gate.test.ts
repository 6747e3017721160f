/** The auto-dispatch gate: per field from the precision the policy asks, or a stored version's single confidence. */
import { describe, expect, it } from 'vitest';
import { mayAutoDispatch } from '../../../activities/intake';
import type { ProposalSummary } from '../../../domain/lifecycle';
import type { CompiledModel } from '../../../domain/classifier/model';
import { DEFAULT_POLICY, policySchema } from '../../../domain/policy';

// a model whose calibration cases were right above 0.9 (topic) and 0.8 (category), and wrong below
const model = {
  version: 'm',
  fields: {},
  precision: {
    type: [[0.5, 1, 1]],
    topic: [[0.99, 1, 0.5], [0.9, 1, 0.8], [0.7, 0.9, 1]],
    category: [[0.99, 1, 0.5], [0.8, 0.98, 0.9], [0.6, 0.9, 1]],
  },
} as unknown as CompiledModel;

const proposal = (topic: number, category: number): ProposalSummary => ({
  classification: { type: 'help', topic: '040101', category: 'B' },
  confidence: { type: 0.99, topic, category, region: 0.9, route: 0.9 },
  regionCode: '410702',
  outOfScope: { value: false },
  route: { unitId: 'xx-water', coUnitIds: [] },
});

describe('mayAutoDispatch', () => {
  it('lets a ticket through when every field passes the gate its precision needs', () => {
    expect(mayAutoDispatch(DEFAULT_POLICY, 'wechat', proposal(0.92, 0.85), [], model)).toBe(true);
    expect(mayAutoDispatch(DEFAULT_POLICY, 'wechat', proposal(0.85, 0.85), [], model)).toBe(false);
    expect(mayAutoDispatch(DEFAULT_POLICY, 'wechat', proposal(0.92, 0.7), [], model)).toBe(false);
  });

  it('never for an out-of-scope ticket, a repeat, or a channel the policy leaves to agents', () => {
    expect(mayAutoDispatch(DEFAULT_POLICY, 'wechat', { ...proposal(1, 1), outOfScope: { value: true, emergency: true } }, [], model)).toBe(false);
    expect(mayAutoDispatch(DEFAULT_POLICY, 'wechat', proposal(1, 1), ['t-1'], model)).toBe(false);
    expect(mayAutoDispatch(DEFAULT_POLICY, 'phone', proposal(1, 1), [], model)).toBe(false);
  });

  it('reads a stored policy version written before minPrecision, and gates it by its minConfidence', () => {
    const { minPrecision: _, ...old } = DEFAULT_POLICY.autoDispatch;
    const stored = policySchema.parse({ ...DEFAULT_POLICY, autoDispatch: old });
    expect(stored.autoDispatch.minPrecision).toBeUndefined();
    expect(mayAutoDispatch(stored, 'wechat', proposal(0.65, 0.65), [], model)).toBe(true);
    expect(mayAutoDispatch(stored, 'wechat', proposal(0.55, 0.65), [], model)).toBe(false);
  });
});
