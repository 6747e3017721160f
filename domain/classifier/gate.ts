/**
 * The auto-dispatch gate (自动派单): the confidence each gated quantity must reach, read from the
 * precision curves stored with the model for the precision the policy demands.
 *
 * `minPrecision.dispatch` is the joint gate: of the tickets let through, this share must be right
 * in unit (middle topic) and category, and in scope. A gate per field cannot promise that — a
 * topic gate at 0.95 and a category gate at 0.97 let through tickets wrong in either, about
 * 5 % + 3 % of them — so the joint gate reads the curve of `Proposal.dispatchConfidence` measured
 * on exactly that outcome. A model trained before the joint curve existed gates topic and
 * category each at the joint precision instead. A stored policy without `minPrecision` (written
 * before it existed) keeps its single `minConfidence` for topic and category.
 */
import type { Policy } from '../policy';
import { type CompiledModel, GATED_FIELDS, type GatedField, gateFor } from './model';

export function gatesFor(model: CompiledModel, policy: Policy['autoDispatch']): Record<GatedField, number> {
  const { minPrecision, minConfidence } = policy;
  if (minPrecision === undefined) return { type: 0, topic: minConfidence, category: minConfidence, dispatch: 0 };
  const gates = Object.fromEntries(
    GATED_FIELDS.map((field) => {
      const wanted = minPrecision[field];
      const curve = model.precision[field];
      // a field the policy leaves out keeps the route's least confidence, as before the joint gate
      if (wanted === undefined) return [field, field === 'topic' || field === 'category' ? minConfidence : 0];
      return [field, curve === undefined ? 0 : gateFor(curve, wanted)];
    }),
  ) as Record<GatedField, number>;
  const joint = minPrecision.dispatch;
  if (joint !== undefined && model.precision.dispatch === undefined) {
    gates.topic = Math.max(gates.topic, gateFor(model.precision.topic, joint));
    gates.category = Math.max(gates.category, gateFor(model.precision.category, joint));
  }
  return gates;
}
