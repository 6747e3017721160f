/**
 * Measuring the classifier on a held-out labelled set (data/classifier/evaluation.jsonl: written
 * apart from the training corpus, never used to fit a rule, a model or a threshold): accuracy per
 * field, urgent (A/B) recall, out-of-scope recall and false rejections, calibration (reliability
 * bins and expected calibration error) and what the auto-dispatch gate would let through.
 * Topic accuracy is reported at the middle level (the level that decides the responsible unit in
 * most routing rules) and at the minor level.
 */
import type { Policy } from '../policy';
import { type ClassifierData, classify, type Proposal } from './classify';
import type { LabelledTicket } from './model';
import { route, type RoutingRule } from './route';
import { gatesFor } from './gate';

export const EVAL_FIELDS = ['type', 'topicMiddle', 'topicMinor', 'category', 'outOfScope'] as const;
export type EvalField = (typeof EVAL_FIELDS)[number];
export const CALIBRATED_FIELDS = ['type', 'topicMiddle', 'category'] as const;
type CalibratedField = (typeof CALIBRATED_FIELDS)[number];

export interface ReliabilityBin {
  /** bin [from, to) of confidence */
  from: number;
  to: number;
  cases: number;
  meanConfidence: number;
  accuracy: number;
}

export interface Calibration {
  /** expected calibration error: Σ (cases in bin / all) · |accuracy − mean confidence| */
  ece: number;
  bins: ReliabilityBin[];
}

export interface Miss {
  index: number;
  field: EvalField;
  expected: string;
  proposed: string;
  content: string;
}

export interface EvaluationReport {
  cases: number;
  accuracy: Record<EvalField, number>;
  urgent: { cases: number; recall: number; proposedC: number };
  outOfScope: { cases: number; recall: number; falseRejections: number; emergencyRecall: number };
  calibration: Record<CalibratedField, Calibration>;
  autoDispatch: { share: number; cases: number; precision: number };
  /** confusion[expected][proposed] = count */
  confusion: { type: Record<string, Record<string, number>>; category: Record<string, Record<string, number>> };
  misses: Miss[];
}

const BINS = 10;

export function calibration(outcomes: ReadonlyArray<{ confidence: number; right: boolean }>): Calibration {
  const bins: ReliabilityBin[] = Array.from({ length: BINS }, (_, i) => ({ from: i / BINS, to: (i + 1) / BINS, cases: 0, meanConfidence: 0, accuracy: 0 }));
  for (const { confidence, right } of outcomes) {
    const bin = bins[Math.min(BINS - 1, Math.floor(confidence * BINS))] as ReliabilityBin;
    bin.cases++;
    bin.meanConfidence += confidence;
    bin.accuracy += right ? 1 : 0;
  }
  let ece = 0;
  for (const bin of bins) {
    if (bin.cases === 0) continue;
    bin.meanConfidence /= bin.cases;
    bin.accuracy /= bin.cases;
    ece += (bin.cases / outcomes.length) * Math.abs(bin.accuracy - bin.meanConfidence);
  }
  return { ece, bins: bins.filter((bin) => bin.cases > 0) };
}

const EMERGENCIES = new Set(['fire', 'medical', 'crime', 'traffic_accident']);

/**
 * `gate`: the auto-dispatch policy to simulate; a ticket counts as auto-dispatched when it is in
 * scope, routed, and each gated field at least as sure as the model's gate for the policy's
 * precision. It is right when its category and its unit (the route of the expected topic) are.
 */
export function evaluate(
  set: readonly LabelledTicket[],
  data: ClassifierData,
  gate: { policy: Policy['autoDispatch']; rules: readonly RoutingRule[] },
): EvaluationReport {
  const units = [...new Set(gate.rules.map((rule) => rule.unitId))].map((id) => ({ id }));
  const gates = gatesFor(data.model, gate.policy);
  const right: Record<EvalField, number> = { type: 0, topicMiddle: 0, topicMinor: 0, category: 0, outOfScope: 0 };
  const outcomes: Record<CalibratedField, Array<{ confidence: number; right: boolean }>> = { type: [], topicMiddle: [], category: [] };
  const confusion: EvaluationReport['confusion'] = { type: {}, category: {} };
  const misses: Miss[] = [];
  const urgent = { cases: 0, found: 0, proposedC: 0 };
  const scope = { out: 0, found: 0, emergencies: 0, emergenciesFound: 0, rejected: 0 };
  const auto = { cases: 0, right: 0 };
  set.forEach((ticket, index) => {
    const p: Proposal = classify({ content: ticket.content }, data);
    const outOfScope = ticket.scope !== 'in';
    const pairs: Record<EvalField, [string, string]> = {
      type: [ticket.type, p.type.value],
      topicMiddle: [ticket.topic.slice(0, 4), p.topic.value.slice(0, 4)],
      topicMinor: [ticket.topic, p.topic.value],
      category: [ticket.category, p.category.value],
      outOfScope: [String(outOfScope), String(p.outOfScope.value)],
    };
    for (const field of EVAL_FIELDS) {
      const [expected, proposed] = pairs[field];
      if (expected === proposed) right[field]++;
      else misses.push({ index, field, expected, proposed, content: ticket.content });
    }
    outcomes.type.push({ confidence: p.type.confidence, right: pairs.type[0] === pairs.type[1] });
    outcomes.topicMiddle.push({ confidence: p.topic.confidence, right: pairs.topicMiddle[0] === pairs.topicMiddle[1] });
    outcomes.category.push({ confidence: p.category.confidence, right: pairs.category[0] === pairs.category[1] });
    for (const field of ['type', 'category'] as const) {
      const row = (confusion[field][pairs[field][0]] ??= {});
      row[pairs[field][1]] = (row[pairs[field][1]] ?? 0) + 1;
    }
    if (ticket.category === 'A' || ticket.category === 'B') {
      urgent.cases++;
      if (p.category.value === 'A' || p.category.value === 'B') urgent.found++;
      if (p.category.value === 'C') urgent.proposedC++;
    }
    if (outOfScope) {
      scope.out++;
      if (p.outOfScope.value) scope.found++;
      if (EMERGENCIES.has(ticket.scope)) {
        scope.emergencies++;
        if (p.outOfScope.value && p.outOfScope.emergency) scope.emergenciesFound++;
      }
    } else if (p.outOfScope.value) scope.rejected++;
    const routed = route(p.topic.value, null, gate.rules, units);
    const dispatched =
      !p.outOfScope.value &&
      routed !== null &&
      p.topic.confidence >= gates.topic &&
      p.category.confidence >= gates.category &&
      p.type.confidence >= gates.type &&
      p.dispatchConfidence >= gates.dispatch;
    if (dispatched) {
      auto.cases++;
      const expectedUnit = route(ticket.topic, null, gate.rules, units)?.unitId;
      if (!outOfScope && p.category.value === ticket.category && routed.unitId === expectedUnit) auto.right++;
    }
  });
  const n = set.length;
  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  return {
    cases: n,
    accuracy: Object.fromEntries(EVAL_FIELDS.map((field) => [field, ratio(right[field], n)])) as Record<EvalField, number>,
    urgent: { cases: urgent.cases, recall: ratio(urgent.found, urgent.cases), proposedC: urgent.proposedC },
    outOfScope: {
      cases: scope.out,
      recall: ratio(scope.found, scope.out),
      falseRejections: ratio(scope.rejected, n - scope.out),
      emergencyRecall: ratio(scope.emergenciesFound, scope.emergencies),
    },
    calibration: {
      type: calibration(outcomes.type),
      topicMiddle: calibration(outcomes.topicMiddle),
      category: calibration(outcomes.category),
    },
    autoDispatch: { share: ratio(auto.cases, n), cases: auto.cases, precision: ratio(auto.right, auto.cases) },
    confusion,
    misses,
  };
}
