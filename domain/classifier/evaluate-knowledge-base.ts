/**
 * Measuring the knowledge-base answers on labelled questions (data/classifier/kb-tuning.jsonl to
 * choose the threshold, kb-evaluation.jsonl to report it, written apart): for each question the
 * entry that answers it, or none. Two levels:
 *  - retrieval alone (match-knowledge-base.ts): the best-ranked entry at or above the threshold;
 *  - the proposal (classify.ts): what intake offers, after out-of-scope and type (a complaint
 *    about the social-security office is never answered from the entry on social-security cards).
 * hit@1: of the questions an entry answers, the share offered that entry. False hits: of the
 * questions no entry answers, the share offered one anyway; wrong entries: of the answerable,
 * the share offered another entry.
 */
import { z } from '../zod';
import { parseJsonLines } from './corpus';
import { type ClassifierData, classify } from './classify';
import { rankKnowledgeBase } from './match-knowledge-base';

export interface KnowledgeBaseQuery {
  query: string;
  /** the entry that answers it, or null when none does */
  entryId: string | null;
}

const querySchema = z.object({ query: z.string().min(1), entryId: z.string().min(1).nullable() });

export function parseKnowledgeBaseQueries(jsonl: string): KnowledgeBaseQuery[] {
  return parseJsonLines(jsonl, querySchema);
}

export interface KnowledgeBaseScores {
  hitAt1: number;
  wrongEntry: number;
  falseHits: number;
}

export interface KnowledgeBaseReport {
  minScore: number;
  answerable: number;
  unanswerable: number;
  retrieval: KnowledgeBaseScores;
  proposal: KnowledgeBaseScores;
  misses: Array<{ query: string; expected: string | null; retrieved: string | null; proposed: string | null }>;
}

export function evaluateKnowledgeBase(queries: readonly KnowledgeBaseQuery[], data: ClassifierData, minScore: number): KnowledgeBaseReport {
  const counts = { retrieval: { hit: 0, wrong: 0, false: 0 }, proposal: { hit: 0, wrong: 0, false: 0 } };
  const misses: KnowledgeBaseReport['misses'] = [];
  let answerable = 0;
  for (const { query, entryId } of queries) {
    const top = rankKnowledgeBase(query, data.knowledgeBase)[0];
    const retrieved = top && top.score >= minScore ? top.entryId : null;
    const proposed = classify({ content: query }, { ...data, knowledgeBaseMinScore: minScore }).knowledgeBase?.entryId ?? null;
    if (entryId !== null) answerable++;
    for (const [level, offered] of [['retrieval', retrieved], ['proposal', proposed]] as const) {
      const c = counts[level];
      if (entryId === null) c.false += offered === null ? 0 : 1;
      else if (offered === entryId) c.hit++;
      else if (offered !== null) c.wrong++;
    }
    if (proposed !== entryId) misses.push({ query, expected: entryId, retrieved, proposed });
  }
  const unanswerable = queries.length - answerable;
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const scores = (c: { hit: number; wrong: number; false: number }): KnowledgeBaseScores => ({
    hitAt1: ratio(c.hit, answerable),
    wrongEntry: ratio(c.wrong, answerable),
    falseHits: ratio(c.false, unanswerable),
  });
  return { minScore, answerable, unanswerable, retrieval: scores(counts.retrieval), proposal: scores(counts.proposal), misses };
}

/** The rule the threshold is chosen by: the lowest at which the proposal's false hits and wrong entries each stay ≤ 5 %. */
export const KB_MAX_FALSE_ANSWERS = 0.05;

export function chooseKnowledgeBaseThreshold(reports: readonly KnowledgeBaseReport[]): KnowledgeBaseReport | undefined {
  return [...reports]
    .sort((a, b) => a.minScore - b.minScore)
    .find((r) => r.proposal.falseHits <= KB_MAX_FALSE_ANSWERS && r.proposal.wrongEntry <= KB_MAX_FALSE_ANSWERS);
}
