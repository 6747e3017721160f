/**
 * The auto-dispatch gate (自动派单): the confidence each field must reach, read from the
 * precision curves stored with the model for the precision the policy demands. A stored policy
 * without `minPrecision` (written before it existed) keeps its single `minConfidence`.
 */
import type { Policy } from '../policy';
import { type CompiledModel, GATED_FIELDS, type GatedField, gateFor } from './model';

export function gatesFor(model: CompiledModel, policy: Policy['autoDispatch']): Record<GatedField, number> {
  const { minPrecision, minConfidence } = policy;
  return Object.fromEntries(
    GATED_FIELDS.map((field) => {
      const wanted = minPrecision?.[field];
      return [field, wanted === undefined ? (field === 'type' ? 0 : minConfidence) : gateFor(model.precision[field], wanted)];
    }),
  ) as Record<GatedField, number>;
}
