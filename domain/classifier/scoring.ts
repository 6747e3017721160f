/**
 * Weighted cue tables (the out-of-scope rules, cues.ts) and confidences. A cue table maps a term
 * (see text.ts for how terms match) to its weight: about 3 for a term an agent would decide on
 * by itself ("着火", "已经起诉"), 2 for a strong hint, 1 or less for context.
 */

export type Cues = Readonly<Record<string, number>>;

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
