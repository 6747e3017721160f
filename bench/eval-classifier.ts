/**
 * Accuracy of the ticket classifier on the evaluation set, on all cases and on the holdout
 * (every fifth case, not used to tune the rules), and on the fresh set (texts written after the
 * rules were settled, never used to tune them).
 *
 *   npx tsx bench/eval-classifier.ts            accuracy per field, confusion matrices
 *   npx tsx bench/eval-classifier.ts --misses   also every wrong proposal
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CLASSIFIER_DATA } from '../domain/classifier/data';
import {
  type ConfusionMatrix,
  EVAL_FIELDS,
  type EvaluationReport,
  evaluate,
  isHoldout,
  parseEvalSet,
} from '../domain/classifier/evaluate';

const SETS = join(__dirname, '..', 'tests', 'unit', 'classifier');

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

function printAccuracy(all: EvaluationReport, holdout: EvaluationReport, fresh: EvaluationReport): void {
  console.log(`cases: ${all.cases} (holdout ${holdout.cases}), fresh set: ${fresh.cases}\n`);
  const header = ['all', 'holdout', 'fresh'].map((name) => name.padStart(8)).join('');
  console.log(`${'field'.padEnd(12)}${header}   mean confidence right / wrong (all)`);
  for (const field of EVAL_FIELDS) {
    const columns = [all, holdout, fresh].map((report) => percent(report.fields[field].accuracy).padStart(8)).join('');
    const { meanConfidenceCorrect, meanConfidenceWrong } = all.fields[field];
    const [right, wrong] = [meanConfidenceCorrect, meanConfidenceWrong].map((value) => value?.toFixed(2) ?? '–');
    console.log(`${field.padEnd(12)}${columns}   ${right} / ${wrong}`);
  }
}

function printConfusion(title: string, matrix: ConfusionMatrix, labels: readonly string[]): void {
  const width = Math.max(6, ...labels.map((label) => label.length)) + 1;
  console.log(`\n${title} (rows expected, columns proposed)`);
  console.log(''.padEnd(width) + labels.map((label) => label.padStart(width)).join(''));
  for (const expected of labels) {
    const row = matrix[expected] ?? {};
    console.log(expected.padEnd(width) + labels.map((proposed) => String(row[proposed] ?? 0).padStart(width)).join(''));
  }
}

const set = parseEvalSet(readFileSync(join(SETS, 'eval-set.jsonl'), 'utf8'));
const all = evaluate(set, DEFAULT_CLASSIFIER_DATA);
const holdout = evaluate(set.filter((_, index) => isHoldout(index)), DEFAULT_CLASSIFIER_DATA);
const fresh = evaluate(parseEvalSet(readFileSync(join(SETS, 'fresh-set.jsonl'), 'utf8')), DEFAULT_CLASSIFIER_DATA);

printAccuracy(all, holdout, fresh);
printConfusion('type', all.confusion.type, ['help', 'consultation', 'complaint', 'report', 'suggestion', 'praise', 'other']);
printConfusion('category', all.confusion.category, ['A', 'B', 'C', 'D']);

if (process.argv.includes('--misses')) {
  console.log('\nmisses (set line: field expected → proposed)');
  const show = (name: string, report: EvaluationReport, tag: (index: number) => string) => {
    for (const miss of report.misses) {
      const line = `${name} ${miss.index + 1}${tag(miss.index)}`;
      console.log(`${line}: ${miss.field} ${miss.expected} → ${miss.proposed}  ${miss.content.slice(0, 60)}`);
    }
  };
  show('eval', all, (index) => (isHoldout(index) ? ' [holdout]' : ''));
  show('fresh', fresh, () => '');
}
