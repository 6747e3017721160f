/**
 * Choosing the knowledge-base threshold (KB_MIN_SCORE in domain/classifier/match-knowledge-base.ts)
 * on data/classifier/kb-tuning.jsonl — never on kb-evaluation.jsonl, which
 * `npm run eval:classifier` reports on. Prints hit@1, wrong entries and false hits per threshold,
 * for the retrieval alone and for the proposal, and the threshold the rule picks.
 *
 *   npx tsx bench/tune-knowledge-base.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR, starterClassifierData } from '../activities/classifier-model';
import { chooseKnowledgeBaseThreshold, evaluateKnowledgeBase, KB_MAX_FALSE_ANSWERS, parseKnowledgeBaseQueries } from '../domain/classifier/evaluate-knowledge-base';
import { KB_MIN_SCORE } from '../domain/classifier/match-knowledge-base';

const percent = (value: number) => `${(value * 100).toFixed(1)}%`.padStart(6);
const queries = parseKnowledgeBaseQueries(readFileSync(join(CORPUS_DIR, 'kb-tuning.jsonl'), 'utf8'));
const data = starterClassifierData();
const reports = Array.from({ length: 13 }, (_, i) => evaluateKnowledgeBase(queries, data, Math.round((0.2 + i * 0.05) * 100) / 100));
console.log(`kb-tuning.jsonl: ${reports[0]?.answerable} answerable, ${reports[0]?.unanswerable} unanswerable questions`);
console.log('min score | retrieval hit@1 wrong false | proposal hit@1 wrong false');
for (const r of reports) {
  const { retrieval: a, proposal: p } = r;
  console.log(`${r.minScore.toFixed(2).padStart(9)} | ${percent(a.hitAt1)} ${percent(a.wrongEntry)} ${percent(a.falseHits)} | ${percent(p.hitAt1)} ${percent(p.wrongEntry)} ${percent(p.falseHits)}`);
}
const chosen = chooseKnowledgeBaseThreshold(reports);
console.log(`\nrule: lowest threshold with proposal false hits and wrong entries ≤ ${percent(KB_MAX_FALSE_ANSWERS).trim()} → ${chosen?.minScore ?? 'none'} (in force: ${KB_MIN_SCORE})`);
