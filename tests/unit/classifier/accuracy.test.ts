import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIFIER_DATA } from '../../../domain/classifier/data';
import { type EvalField, evaluate, isHoldout, parseEvalSet } from '../../../domain/classifier/evaluate';

const evalSet = parseEvalSet(readFileSync(join(__dirname, 'eval-set.jsonl'), 'utf8'));
const freshSet = parseEvalSet(readFileSync(join(__dirname, 'fresh-set.jsonl'), 'utf8'));

function accuracies(report: ReturnType<typeof evaluate>): Record<EvalField, number> {
  return Object.fromEntries(Object.entries(report.fields).map(([field, result]) => [field, result.accuracy])) as Record<EvalField, number>;
}

/** Floors a little under the measured figures (see bench/eval-classifier.ts), so a regression shows. */
function expectAtLeast(measured: Record<EvalField, number>, floors: Record<EvalField, number>): void {
  for (const [field, floor] of Object.entries(floors)) expect(measured[field as EvalField], field).toBeGreaterThanOrEqual(floor);
}

describe('classifier accuracy', () => {
  it('the evaluation set is large and follows the real mix of ticket types', () => {
    expect(evalSet.length).toBeGreaterThanOrEqual(320);
    const share = (type: string) => evalSet.filter((entry) => entry.expected.type === type).length / evalSet.length;
    expect(share('help')).toBeGreaterThan(0.55);
    expect(share('consultation')).toBeGreaterThan(0.15);
    expect(evalSet.filter((entry) => entry.expected.outOfScope).length).toBeGreaterThanOrEqual(15);
  });

  it('the evaluation set covers every major topic and every district of the demo city', () => {
    const majors = new Set(evalSet.map((entry) => entry.expected.topic.slice(0, 2)));
    const taxonomyMajors = DEFAULT_CLASSIFIER_DATA.topics.filter((topic) => topic.code.length === 2).map((topic) => topic.code);
    expect([...majors].sort()).toEqual(taxonomyMajors.sort());
    const regions = new Set(evalSet.map((entry) => entry.expected.regionCode));
    for (const district of DEFAULT_CLASSIFIER_DATA.regions.districts) expect(regions.has(district.code), district.name).toBe(true);
  });

  it('reaches its measured accuracy on the whole evaluation set', () => {
    expectAtLeast(accuracies(evaluate(evalSet, DEFAULT_CLASSIFIER_DATA)), {
      type: 0.95,
      topicMiddle: 0.94,
      topicMinor: 0.92,
      category: 0.96,
      region: 0.97,
      outOfScope: 0.98,
    });
  });

  it('generalizes to the holdout (every fifth case, never used to tune the rules)', () => {
    const holdout = evalSet.filter((_, index) => isHoldout(index));
    expectAtLeast(accuracies(evaluate(holdout, DEFAULT_CLASSIFIER_DATA)), {
      type: 0.92,
      topicMiddle: 0.92,
      topicMinor: 0.87,
      category: 0.94,
      region: 0.97,
      outOfScope: 0.97,
    });
  });

  it('handles the fresh set of texts written after the rules', () => {
    expectAtLeast(accuracies(evaluate(freshSet, DEFAULT_CLASSIFIER_DATA)), {
      type: 0.9,
      topicMiddle: 0.9,
      topicMinor: 0.85,
      category: 0.95,
      region: 0.95,
      outOfScope: 0.95,
    });
  });

  it('is more confident in its right proposals than in its wrong ones', () => {
    const { fields } = evaluate(evalSet, DEFAULT_CLASSIFIER_DATA);
    for (const field of ['type', 'topicMinor', 'category'] as const) {
      expect(fields[field].meanConfidenceCorrect, field).toBeGreaterThan(fields[field].meanConfidenceWrong ?? 0);
    }
  });

  it('builds confusion matrices with expected types as rows', () => {
    const report = evaluate(evalSet.slice(0, 5), DEFAULT_CLASSIFIER_DATA);
    const counted = Object.values(report.confusion.type).flatMap((row) => Object.values(row));
    expect(counted.reduce((sum, count) => sum + count, 0)).toBe(5);
  });
});
