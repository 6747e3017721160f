/**
 * 反复多发 by meaning: whether two reports at one place are the same problem, however each is
 * worded. Words alone cannot tell: "小区停水了，一滴水都没有" and "俺们这儿咋又没水了" share no word
 * of the matter, while "楼下饭店油烟太大" and "楼下饭店门口乱停车" share the whole scene. What the
 * two texts of one problem do share is what the learned model reads in them, so each report is
 * described by the model's distribution over the minor topics (the finest level of the taxonomy,
 * 6 digits, all of them, not only those under the likeliest middle), and two reports are compared
 * by the cosine of their distributions: near 1 when the model puts both in the same minor topic,
 * still clear of 0 when it hesitates between the same few.
 *
 * Measured on labelled pairs at one place (data/classifier/repeat-tuning.jsonl to choose the
 * threshold, repeat-evaluation.jsonl only reported; bench/eval-classifier.ts). Lexical overlap
 * (BM25 over jieba words and bigrams, as the knowledge base ranks) was tried first: on the tuning
 * pairs the same problem in other words scored 0–0.19 and different problems sharing the scene
 * up to 0.60, so no threshold separated them and it is not used.
 */
import { features } from './features';
import { type CompiledModel, predictField, tokensFor } from './model';

/** A report as repeat detection sees it: its text, and its topic on record (the agent's, else the proposal's), when known. */
export interface Report {
  content: string;
  topic?: string | null;
}

/** The model's distribution over every minor topic it knows, for a text. */
export type ProblemProfile = ReadonlyMap<string, number>;

export function problemProfile(model: CompiledModel, content: string): ProblemProfile {
  const tokens = tokensFor('minor', features(content));
  return new Map(predictField(model.fields.minor, tokens).ranked.map(({ label, p }) => [label, p]));
}

/** The cosine of two profiles, in [0, 1]. */
export function problemSimilarity(a: ProblemProfile, b: ProblemProfile): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (const [label, p] of a) {
    dot += p * (b.get(label) ?? 0);
    aa += p * p;
  }
  for (const p of b.values()) bb += p * p;
  return aa === 0 || bb === 0 ? 0 : dot / Math.sqrt(aa * bb);
}

/**
 * Two reports this similar are one problem. Chosen on repeat-tuning.jsonl as the best F1 of the
 * thresholds 0.1–0.5 tried (with the same-minor rule below: precision 0.88, recall 0.92 there).
 */
export const SAME_PROBLEM_SIMILARITY = 0.3;

/**
 * The same problem: the same minor topic on record (6 digits; a person's or the proposal's), or
 * profiles at least `SAME_PROBLEM_SIMILARITY` alike.
 */
export function sameProblem(a: Report & { profile: ProblemProfile }, b: Report & { profile: ProblemProfile }): boolean {
  if (a.topic && b.topic && a.topic.length === 6 && a.topic === b.topic) return true;
  return problemSimilarity(a.profile, b.profile) >= SAME_PROBLEM_SIMILARITY;
}

/**
 * The candidates (open reports already found at the same place inside the repeat window) that
 * are the same problem as the new report; each candidate's profile is computed once, here.
 */
export function sameProblemAs<T extends Report>(
  model: CompiledModel,
  report: Report,
  candidates: readonly T[],
  profile: ProblemProfile = problemProfile(model, report.content),
): T[] {
  const mine = { ...report, profile };
  return candidates.filter((candidate) => sameProblem(mine, { ...candidate, profile: problemProfile(model, candidate.content) }));
}

/**
 * A minor topic this likely in a report's profile is worth looking for under its own middle
 * topic. Low, because the link is symmetric and this side is not: "垃圾桶满了往外溢" gives the
 * sanitation topic of "垃圾站臭气熏天" only 1 %, yet the other's profile, split between the two,
 * makes them alike.
 */
const LIKELY_MINOR = 0.01;

/**
 * The middle topics (4 digits) where the same problem may have been filed, for a lookup that
 * can only ask one middle topic at a time (the point lookup, db/repeats-by-place.ts): the
 * report's own, then those of the minor topics its profile finds at least `LIKELY_MINOR`
 * likely, at most `limit`.
 */
export function likelyMiddles(topic: string, profile: ProblemProfile, limit = 4): string[] {
  const middles = [topic.slice(0, 4)];
  const ranked = [...profile].filter(([, p]) => p >= LIKELY_MINOR).sort((a, b) => b[1] - a[1]);
  for (const [minor] of ranked) {
    const middle = minor.slice(0, 4);
    if (!middles.includes(middle)) middles.push(middle);
  }
  return middles.slice(0, limit);
}
