/**
 * Measuring repeat detection by meaning on labelled pairs of reports at one place
 * (data/classifier/repeat-tuning.jsonl to choose the threshold, repeat-evaluation.jsonl written
 * apart and only reported): each pair is the same problem told in other words, or a different
 * problem at the same place. Precision: of the pairs linked, the share that are one problem;
 * recall: of the pairs that are one problem, the share linked. Three rules side by side:
 *  - `meaning` (repeats.ts, what intake uses): the same minor topic proposed, or the model's
 *    minor-topic profiles alike;
 *  - `middleTopic`, the rule before it: the same middle topic proposed;
 *  - `words`: lexical overlap alone, the knowledge base's BM25 retrieval score of one text
 *    against the other at its best threshold on the tuning pairs (for comparison only).
 */
import { z } from '../zod';
import { parseJsonLines } from './corpus';
import { type ClassifierData, classify } from './classify';
import { rankKnowledgeBase } from './match-knowledge-base';
import { problemProfile, sameProblem } from './repeats';

export interface RepeatPair {
  a: string;
  b: string;
  /** one problem (a repeat), or two */
  same: boolean;
}

const pairSchema = z.object({ a: z.string().min(1), b: z.string().min(1), same: z.boolean() });

export function parseRepeatPairs(jsonl: string): RepeatPair[] {
  return parseJsonLines(jsonl, pairSchema);
}

export interface LinkScores {
  precision: number;
  recall: number;
  /** pairs linked that are one problem, and that are not */
  linked: { right: number; wrong: number };
}

export interface RepeatReport {
  pairs: number;
  repeats: number;
  meaning: LinkScores;
  middleTopic: LinkScores;
  words: LinkScores & { threshold: number };
}

/** One pair's signals: the rules' decisions and the lexical score. */
export function pairSignals(pair: RepeatPair, data: ClassifierData) {
  // each report with the topic the classifier proposes for it, as intake has it on record
  const reportOf = (content: string) => ({ content, topic: classify({ content }, data).topic.value, profile: problemProfile(data.model, content) });
  const [a, b] = [reportOf(pair.a), reportOf(pair.b)];
  const entry = { id: 'b', topic: b.topic, question: b.content, patterns: [], answer: '' };
  return {
    same: pair.same,
    meaning: sameProblem(a, b),
    middleTopic: a.topic.slice(0, 4) === b.topic.slice(0, 4),
    words: rankKnowledgeBase(a.content, [entry])[0]?.score ?? 0,
  };
}

export type PairSignals = ReturnType<typeof pairSignals>;

function scores(signals: readonly PairSignals[], linked: (s: PairSignals) => boolean): LinkScores {
  const right = signals.filter((s) => s.same && linked(s)).length;
  const wrong = signals.filter((s) => !s.same && linked(s)).length;
  const repeats = signals.filter((s) => s.same).length;
  return { precision: right + wrong === 0 ? 1 : right / (right + wrong), recall: repeats === 0 ? 1 : right / repeats, linked: { right, wrong } };
}

const f1 = ({ precision, recall }: LinkScores) => (precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall));

/** The lexical threshold with the best F1 on these pairs (the tuning pairs: then reuse it on the others). */
export function bestWordsThreshold(signals: readonly PairSignals[]): number {
  const thresholds = Array.from({ length: 19 }, (_, i) => (i + 1) / 20);
  return thresholds.reduce((best, t) => (f1(scores(signals, (s) => s.words >= t)) > f1(scores(signals, (s) => s.words >= best)) ? t : best));
}

export function evaluateRepeats(signals: readonly PairSignals[], wordsThreshold: number): RepeatReport {
  return {
    pairs: signals.length,
    repeats: signals.filter((s) => s.same).length,
    meaning: scores(signals, (s) => s.meaning),
    middleTopic: scores(signals, (s) => s.middleTopic),
    words: { ...scores(signals, (s) => s.words >= wordsThreshold), threshold: wordsThreshold },
  };
}
