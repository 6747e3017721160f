/**
 * Finding the knowledge-base entry that answers a citizen's question. An entry's score is the
 * share of its patterns (concepts) the text contains, so "社保卡丢了怎么补办" scores 1 on
 * "社保卡 + 补办" and 0.5 on "社保卡 + 申领". Whether a match is good enough to answer from
 * is the caller's decision (see classify.ts).
 */
import type { KnowledgeBaseEntry } from './knowledge-base';
import { round2 } from './scoring';
import { type AnalyzedText, analyze, hasTerm } from './text';

export interface KnowledgeBaseMatch {
  entryId: string;
  answer: string;
  score: number;
}

/** Below this, an entry shares too little with the question to be offered at all. */
const MIN_SCORE = 0.5;

function patternMatches(text: AnalyzedText, pattern: string): boolean {
  return pattern.split('|').some((term) => hasTerm(text, term));
}

export function bestKnowledgeBaseEntry(
  text: AnalyzedText,
  entries: readonly KnowledgeBaseEntry[],
): (KnowledgeBaseMatch & { topic: string }) | null {
  let best: (KnowledgeBaseMatch & { topic: string }) | null = null;
  for (const entry of entries) {
    const score = round2(entry.patterns.filter((pattern) => patternMatches(text, pattern)).length / entry.patterns.length);
    if (score >= MIN_SCORE && score > (best?.score ?? 0)) best = { entryId: entry.id, answer: entry.answer, score, topic: entry.topic };
  }
  return best;
}

export function matchKnowledgeBase(content: string, entries: readonly KnowledgeBaseEntry[]): KnowledgeBaseMatch | null {
  const best = bestKnowledgeBaseEntry(analyze(content), entries);
  return best && { entryId: best.entryId, answer: best.answer, score: best.score };
}
