/**
 * Weighted cue tables and how they turn into scores and confidences. A cue table maps a term
 * (see text.ts for how terms match) to its weight: about 3 for a term an agent would decide on
 * by itself ("欠薪", "停水"), 2 for a strong hint, 1 or less for context.
 */
import { type AnalyzedText, findTerm, type TermMatch } from './text';

export type Cues = Readonly<Record<string, number>>;

export interface LabelledCues<K extends string> {
  label: K;
  cues: Cues;
}

export interface LabelScore<K extends string> {
  label: K;
  score: number;
  /** the matched terms, for explaining the decision */
  terms: string[];
}

interface Hit<K extends string> extends TermMatch {
  label: K;
  weight: number;
}

/** A match inside a longer matched term counts for nothing ("暖气" inside "暖气费"). */
function coveredByLonger<K extends string>(hit: Hit<K>, hits: readonly Hit<K>[]): boolean {
  return hits.some(
    (other) =>
      !other.term.includes('…') &&
      other.end - other.start > hit.end - hit.start &&
      other.start <= hit.start &&
      other.end >= hit.end,
  );
}

/**
 * Scores every label of competing cue tables on one text: the sum of the weights of the terms
 * found (each term once, however often it occurs). Labels without any match are left out;
 * the result is sorted best first, ties in table order.
 */
export function scoreLabels<K extends string>(analyzed: AnalyzedText, tables: readonly LabelledCues<K>[]): LabelScore<K>[] {
  const hits: Hit<K>[] = tables.flatMap(({ label, cues }) =>
    Object.entries(cues).flatMap(([term, weight]) => findTerm(analyzed, term).map((match) => ({ ...match, label, weight }))),
  );
  const scores = new Map<K, LabelScore<K>>();
  for (const hit of hits) {
    if (coveredByLonger(hit, hits)) continue;
    const entry = scores.get(hit.label) ?? { label: hit.label, score: 0, terms: [] };
    if (entry.terms.includes(hit.term)) continue;
    entry.score += hit.weight;
    entry.terms.push(hit.term);
    scores.set(hit.label, entry);
  }
  const order = tables.map((table) => table.label);
  return [...scores.values()].sort((a, b) => b.score - a.score || order.indexOf(a.label) - order.indexOf(b.label));
}

/**
 * How sure a decision is, in [0, 1]: the winner's margin over the runner-up, damped when the
 * evidence is thin (a score of `saturation` gives 63% of the margin, twice that 86%).
 */
export function confidence(best: number, runnerUp: number, saturation: number): number {
  if (best <= 0) return 0;
  const margin = (best - Math.max(runnerUp, 0)) / best;
  return round2(margin * (1 - Math.exp(-best / saturation)));
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
