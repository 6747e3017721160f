/**
 * The auto-dispatch gate: jointly by the precision the policy asks of unit and category together,
 * per field for a policy stored with per-field precisions, or a stored version's single confidence.
 */
import { describe, expect, it } from 'vitest';
import { mayAutoDispatch } from '../../../activities/intake';
import type { ProposalSummary } from '../../../domain/lifecycle';
import type { CompiledModel } from '../../../domain/classifier/model';
import { gatesFor } from '../../../domain/classifier/gate';
import { DEFAULT_POLICY, policySchema } from '../../../domain/policy';

// a model whose calibration cases were right above 0.9 (topic) and 0.8 (category), and wrong
// below; jointly (unit and category) right only above 0.93
const precision = {
  type: [[0.5, 1, 1]],
  topic: [[0.99, 1, 0.5], [0.9, 1, 0.8], [0.7, 0.9, 1]],
  category: [[0.99, 1, 0.5], [0.8, 0.98, 0.9], [0.6, 0.9, 1]],
  dispatch: [[0.99, 1, 0.4], [0.93, 0.98, 0.6], [0.85, 0.95, 0.8], [0.5, 0.9, 1]],
};
const model = { version: 'm', fields: {}, precision } as unknown as CompiledModel;
// trained before the joint curve: its artifact has none
const { dispatch: _, ...perField } = precision;
const olderModel = { version: 'old', fields: {}, precision: perField } as unknown as CompiledModel;

const proposal = (topic: number, category: number, dispatch: number | null = topic * category): ProposalSummary => ({
  classification: { type: 'help', topic: '040101', category: 'B' },
  confidence: { type: 0.99, topic, category, region: 0.9, route: 0.9, ...(dispatch === null ? {} : { dispatch }) },
  regionCode: '410702',
  outOfScope: { value: false },
  route: { unitId: 'xx-water', coUnitIds: [] },
});

const policyWith = (minPrecision: Record<string, number> | undefined) =>
  policySchema.parse({ ...DEFAULT_POLICY, autoDispatch: { ...DEFAULT_POLICY.autoDispatch, minPrecision } });

describe('the joint gate (minPrecision.dispatch, the default)', () => {
  it('lets a ticket through when the chance it is right in unit and category is past the joint gate', () => {
    expect(DEFAULT_POLICY.autoDispatch.minPrecision).toEqual({ dispatch: 0.97 });
    expect(gatesFor(model, DEFAULT_POLICY.autoDispatch).dispatch).toBe(0.93);
    expect(mayAutoDispatch(DEFAULT_POLICY, 'wechat', proposal(0.99, 0.99), [], model)).toBe(true);
  });

  it('holds back a ticket whose fields each pass a per-field gate but not jointly', () => {
    // topic 0.95 and category 0.95 each pass their own 0.95/0.97 gates (0.9 and 0.8), together 0.90 < 0.93
    const each = policyWith({ topic: 0.95, category: 0.97 });
    expect(mayAutoDispatch(each, 'wechat', proposal(0.95, 0.95), [], model)).toBe(true);
    expect(mayAutoDispatch(DEFAULT_POLICY, 'wechat', proposal(0.95, 0.95), [], model)).toBe(false);
  });

  it('holds back a proposal recorded without a joint confidence', () => {
    expect(mayAutoDispatch(DEFAULT_POLICY, 'wechat', proposal(1, 1, null), [], model)).toBe(false);
  });

  it('reads a stricter or looser joint precision from the same curve, and closes when none reaches it', () => {
    expect(gatesFor(model, policyWith({ dispatch: 0.99 }).autoDispatch).dispatch).toBe(0.99);
    expect(gatesFor(model, policyWith({ dispatch: 0.95 }).autoDispatch).dispatch).toBe(0.85);
    const unsure = { ...model, precision: { ...precision, dispatch: [[0.99, 0.9, 1]] } } as unknown as CompiledModel;
    expect(gatesFor(unsure, DEFAULT_POLICY.autoDispatch).dispatch).toBeGreaterThan(1);
    expect(mayAutoDispatch(DEFAULT_POLICY, 'wechat', proposal(1, 1), [], unsure)).toBe(false);
  });

  it('with a model trained before the joint curve, gates topic and category each at the joint precision', () => {
    const gates = gatesFor(olderModel, DEFAULT_POLICY.autoDispatch);
    expect(gates).toMatchObject({ topic: 0.9, category: 0.8, dispatch: 0 });
    expect(mayAutoDispatch(DEFAULT_POLICY, 'wechat', proposal(0.92, 0.85, null), [], olderModel)).toBe(true);
    expect(mayAutoDispatch(DEFAULT_POLICY, 'wechat', proposal(0.85, 0.99, null), [], olderModel)).toBe(false);
  });
});

describe('mayAutoDispatch', () => {
  it('never for an out-of-scope ticket, a repeat, or a channel the policy leaves to agents', () => {
    expect(mayAutoDispatch(DEFAULT_POLICY, 'wechat', { ...proposal(1, 1), outOfScope: { value: true, emergency: true } }, [], model)).toBe(false);
    expect(mayAutoDispatch(DEFAULT_POLICY, 'wechat', proposal(1, 1), ['t-1'], model)).toBe(false);
    expect(mayAutoDispatch(DEFAULT_POLICY, 'phone', proposal(1, 1), [], model)).toBe(false);
  });

  it('keeps a policy stored with per-field precisions gating each field by its own curve', () => {
    const each = policyWith({ topic: 0.95, category: 0.97 });
    expect(gatesFor(model, each.autoDispatch)).toEqual({ type: 0, topic: 0.9, category: 0.8, dispatch: 0 });
    expect(mayAutoDispatch(each, 'wechat', proposal(0.92, 0.85), [], model)).toBe(true);
    expect(mayAutoDispatch(each, 'wechat', proposal(0.85, 0.85), [], model)).toBe(false);
    expect(mayAutoDispatch(each, 'wechat', proposal(0.92, 0.7), [], model)).toBe(false);
  });

  it('reads a stored policy version written before minPrecision, and gates it by its minConfidence', () => {
    const { minPrecision: _unused, ...old } = DEFAULT_POLICY.autoDispatch;
    const stored = policySchema.parse({ ...DEFAULT_POLICY, autoDispatch: old });
    expect(stored.autoDispatch.minPrecision).toBeUndefined();
    expect(mayAutoDispatch(stored, 'wechat', proposal(0.65, 0.65), [], model)).toBe(true);
    expect(mayAutoDispatch(stored, 'wechat', proposal(0.55, 0.65), [], model)).toBe(false);
  });
});
