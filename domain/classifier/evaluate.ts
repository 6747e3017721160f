/**
 * Measuring the classifier against a labelled evaluation set: accuracy per field, the mean
 * confidence of right and of wrong proposals (a useful confidence is higher on the right ones),
 * and confusion matrices. Topic accuracy is reported at the middle level (4 digits, the level
 * that decides the responsible unit in most routing rules) and at the minor level (6 digits).
 */
import { z } from '../zod';
import { CATEGORIES, regionCodeSchema, TICKET_TYPES, topicSchema } from '../ticket';
import { type ClassifierData, classify, type Proposal } from './classify';
import { round2 } from './scoring';

export const evalCaseSchema = z.object({
  content: z.string().min(1),
  address: z.string().min(1).optional(),
  expected: z.object({
    type: z.enum(TICKET_TYPES),
    topic: topicSchema,
    category: z.enum(CATEGORIES),
    regionCode: regionCodeSchema.nullable(),
    outOfScope: z.boolean(),
  }),
});
export type EvalCase = z.infer<typeof evalCaseSchema>;

export const EVAL_FIELDS = ['type', 'topicMiddle', 'topicMinor', 'category', 'region', 'outOfScope'] as const;
export type EvalField = (typeof EVAL_FIELDS)[number];

export interface FieldResult {
  correct: number;
  total: number;
  accuracy: number;
  /** null when there is no such proposal */
  meanConfidenceCorrect: number | null;
  meanConfidenceWrong: number | null;
}

/** confusion[expected][proposed] = count */
export type ConfusionMatrix = Record<string, Record<string, number>>;

export interface Miss {
  index: number;
  field: EvalField;
  expected: string;
  proposed: string;
  content: string;
}

export interface EvaluationReport {
  cases: number;
  fields: Record<EvalField, FieldResult>;
  confusion: { type: ConfusionMatrix; category: ConfusionMatrix };
  misses: Miss[];
}

export function parseEvalSet(jsonl: string): EvalCase[] {
  return jsonl
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => evalCaseSchema.parse(JSON.parse(line)));
}

/** Every fifth case, kept out of rule tuning to show that the rules generalize. */
export function isHoldout(index: number): boolean {
  return index % 5 === 4;
}

interface Outcome {
  expected: string;
  proposed: string;
  confidence: number;
}

function compare(expected: EvalCase['expected'], proposal: Proposal): Record<EvalField, Outcome> {
  const outcome = (wanted: unknown, { value, confidence }: { value: unknown; confidence: number }, digits?: number) => ({
    expected: String(wanted).slice(0, digits),
    proposed: String(value).slice(0, digits),
    confidence,
  });
  return {
    type: outcome(expected.type, proposal.type),
    topicMiddle: outcome(expected.topic, proposal.topic, 4),
    topicMinor: outcome(expected.topic, proposal.topic),
    category: outcome(expected.category, proposal.category),
    region: outcome(expected.regionCode, proposal.regionCode),
    outOfScope: outcome(expected.outOfScope, proposal.outOfScope),
  };
}

const mean = (values: number[]) => (values.length === 0 ? null : round2(values.reduce((sum, value) => sum + value, 0) / values.length));

export function evaluate(set: readonly EvalCase[], data: ClassifierData): EvaluationReport {
  const confidences = Object.fromEntries(
    EVAL_FIELDS.map((field) => [field, { right: [] as number[], wrong: [] as number[] }]),
  ) as Record<EvalField, { right: number[]; wrong: number[] }>;
  const confusion: EvaluationReport['confusion'] = { type: {}, category: {} };
  const misses: Miss[] = [];
  set.forEach((evalCase, index) => {
    const { content, address } = evalCase;
    const proposal = classify({ content, ...(address ? { address } : {}) }, data);
    const outcome = compare(evalCase.expected, proposal);
    for (const field of EVAL_FIELDS) {
      const { expected, proposed, confidence } = outcome[field];
      confidences[field][expected === proposed ? 'right' : 'wrong'].push(confidence);
      if (expected !== proposed) misses.push({ index, field, expected, proposed, content: evalCase.content });
    }
    for (const field of ['type', 'category'] as const) {
      const row = (confusion[field][outcome[field].expected] ??= {});
      row[outcome[field].proposed] = (row[outcome[field].proposed] ?? 0) + 1;
    }
  });
  const fields = Object.fromEntries(
    EVAL_FIELDS.map((field) => {
      const { right, wrong } = confidences[field];
      const result: FieldResult = {
        correct: right.length,
        total: set.length,
        accuracy: set.length === 0 ? 0 : right.length / set.length,
        meanConfidenceCorrect: mean(right),
        meanConfidenceWrong: mean(wrong),
      };
      return [field, result];
    }),
  ) as Record<EvalField, FieldResult>;
  return { cases: set.length, fields, confusion, misses };
}
