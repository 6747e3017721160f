/**
 * Finding the knowledge-base entry that answers a citizen's question, by meaning rather than by
 * literal patterns: a ranked retrieval (Okapi BM25) over the entries, each indexed by its
 * question and its key phrases (the "a|b" alternatives of `patterns` are synonyms a citizen
 * may use instead), tokenized as jieba words plus character bigrams. Bigrams still match when
 * jieba cuts a citizen's wording differently ("挂失补办" / "补办"), words weigh the whole term.
 *
 * Entries are ranked by BM25. A BM25 score grows with the query's length and has no fixed
 * scale, so the score offered, in [0, 1], is the geometric mean of two shares:
 *  - the entry's side: its BM25 for the question over its BM25 for its own question (what a
 *    citizen asking exactly that would get), capped at 1;
 *  - the question's side: the idf-weighted share of the question's tokens the entry has (a token
 *    no entry has weighs half the rarest one's idf), so a long story that merely mentions "社保卡" is no match.
 * "社保卡丢了，想问问咋挂失补办" scores 0.92 on "社保卡丢了怎么办？"; "社保卡里的钱被扣了" shares only
 * "社保卡" and scores low. Whether a match is close enough to answer from is the caller's
 * decision (classify.ts, with the threshold measured by bench/tune-knowledge-base.ts).
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';
import type { KnowledgeBaseEntry } from './knowledge-base';
import { round2 } from './scoring';

export interface KnowledgeBaseMatch {
  entryId: string;
  answer: string;
  /** in [0, 1]: how close the question is to the entry (see the top of this file) */
  score: number;
}

export interface RankedEntry extends KnowledgeBaseMatch {
  topic: string;
  /** raw BM25 */
  bm25: number;
}

/** Okapi BM25's usual constants: term-frequency saturation and length normalization. */
const K1 = 1.2;
const B = 0.75;

/**
 * A question's token no entry has (a place name, the citizen's own story) weighs this share of
 * the rarest entry token's idf on the question's side: enough that a long story mentioning a
 * subject is no match, not so much that every place name in a question sinks it (with 1,
 * "户口从郑州迁到新乡需要什么手续" scored 0.31 on the entry on 户口迁移, with 0.5 0.38: still short).
 * Chosen with the threshold on kb-tuning.jsonl (0.3–1 tried; 0.5 found the most at ≤ 5 % false answers).
 */
const UNKNOWN_TOKEN_WEIGHT = 0.5;

const NOT_TEXT = /[\s\p{P}\p{S}]+/gu;
/**
 * Ways of asking that say nothing of the matter ("想问问咋…", "请问…怎么办"): dropped before
 * tokenizing, or every question would share them with every entry's question.
 */
const ASKING =
  /请问|想问问|想问一下|想问|问一下|问问|咨询一下|咨询|您好|你好|麻烦|怎么办|怎么样|怎么|咋办|咋整|咋弄|咋|如何|什么时候|什么|啥时候|啥|哪些|哪里|哪儿|在哪|需要|可以|能不能|能否|是不是|有没有|一下|吗|呢|呀|啊|吧/g;

let jieba: Jieba | undefined;
function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

/** The retrieval's tokens of a text, with repeats (BM25 counts them): jieba words of 2+ characters and character bigrams. */
export function retrievalTokens(raw: string): string[] {
  const text = raw.normalize('NFKC').toLowerCase().replace(ASKING, ' ');
  const tokens: string[] = [];
  for (const word of segmenter().cut(text, false)) {
    const w = word.replace(NOT_TEXT, '');
    if (w.length > 1) tokens.push(`w:${w}`);
  }
  // every bigram, across jieba's cuts too (dropping those that span two whole words was tried:
  // fewer hits at the same false-hit rate on kb-tuning.jsonl)
  for (const run of text.split(NOT_TEXT)) {
    const chars = [...run];
    for (let i = 0; i + 1 < chars.length; i++) tokens.push(`${chars[i]}${chars[i + 1]}`);
  }
  return tokens;
}

interface IndexedEntry {
  entry: KnowledgeBaseEntry;
  tf: Map<string, number>;
  length: number;
  /** BM25 of the entry for its own question: the scale of its scores */
  selfScore: number;
}

export interface KnowledgeBaseIndex {
  entries: IndexedEntry[];
  idf: Map<string, number>;
  averageLength: number;
  /** the weight of a token no entry has (see UNKNOWN_TOKEN_WEIGHT) */
  unknownIdf: number;
}

function termFrequencies(tokens: readonly string[]): Map<string, number> {
  const tf = new Map<string, number>();
  for (const token of tokens) tf.set(token, (tf.get(token) ?? 0) + 1);
  return tf;
}

/** The text an entry is found by: its question and every alternative of its key phrases. */
function documentOf(entry: KnowledgeBaseEntry): string {
  return [entry.question, ...entry.patterns.flatMap((pattern) => pattern.split('|'))].join('。');
}

function bm25(index: KnowledgeBaseIndex, doc: IndexedEntry, query: ReadonlySet<string>): number {
  let score = 0;
  const norm = K1 * (1 - B + (B * doc.length) / (index.averageLength || 1));
  for (const token of query) {
    const f = doc.tf.get(token);
    if (f === undefined) continue;
    score += (index.idf.get(token) as number) * ((f * (K1 + 1)) / (f + norm));
  }
  return score;
}

/** A question's distinct tokens: a word said twice is not asked twice. */
const queryOf = (text: string) => new Set(retrievalTokens(text));

export function buildKnowledgeBaseIndex(entries: readonly KnowledgeBaseEntry[]): KnowledgeBaseIndex {
  const docs = entries.map((entry) => {
    const tokens = retrievalTokens(documentOf(entry));
    return { entry, tf: termFrequencies(tokens), length: tokens.length, selfScore: 0 };
  });
  const documentFrequency = new Map<string, number>();
  for (const doc of docs) for (const token of doc.tf.keys()) documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1);
  const n = docs.length;
  // BM25's idf, kept positive (Lucene's form): a token in every entry still counts a little
  const idf = new Map([...documentFrequency].map(([token, df]) => [token, Math.log(1 + (n - df + 0.5) / (df + 0.5))]));
  const averageLength = docs.reduce((sum, doc) => sum + doc.length, 0) / (n || 1);
  const index: KnowledgeBaseIndex = { entries: docs, idf, averageLength, unknownIdf: UNKNOWN_TOKEN_WEIGHT * Math.log(1 + (n + 0.5) / 0.5) };
  for (const doc of docs) doc.selfScore = bm25(index, doc, queryOf(doc.entry.question));
  return index;
}

/**
 * The entries are read from Postgres on each intake, so the index is kept for the last set of
 * entries seen (keyed by their content): rebuilt only when an admin changes the knowledge base.
 */
let cached: { key: string; index: KnowledgeBaseIndex } | undefined;
function indexFor(entries: readonly KnowledgeBaseEntry[]): KnowledgeBaseIndex {
  const key = JSON.stringify(entries.map((e) => [e.id, e.topic, e.question, e.patterns, e.answer]));
  if (cached?.key !== key) cached = { key, index: buildKnowledgeBaseIndex(entries) };
  return cached.index;
}

/** A question the knowledge base answers is short; of a long letter only its head is compared (and it would score low anyway). */
export const KB_QUERY_LIMIT = 500;

/** Every entry sharing a token with the question, best first. */
export function rankKnowledgeBase(content: string, entries: readonly KnowledgeBaseEntry[] | KnowledgeBaseIndex): RankedEntry[] {
  const index = 'idf' in entries ? entries : indexFor(entries);
  const query = queryOf(content.slice(0, KB_QUERY_LIMIT));
  const ranked: RankedEntry[] = [];
  for (const doc of index.entries) {
    const raw = bm25(index, doc, query);
    if (raw <= 0) continue;
    const { id, answer, topic } = doc.entry;
    const relative = Math.min(1, raw / (doc.selfScore || raw));
    let matched = 0;
    let all = 0;
    for (const token of query) {
      const weight = index.idf.get(token) ?? index.unknownIdf;
      all += weight;
      if (doc.tf.has(token)) matched += weight;
    }
    const coverage = all === 0 ? 0 : matched / all;
    ranked.push({ entryId: id, answer, topic, bm25: raw, score: round2(Math.sqrt(relative * coverage)) });
  }
  return ranked.sort((a, b) => b.bm25 - a.bm25 || b.score - a.score);
}

/**
 * Below this score an entry shares too little with the question to be offered at all;
 * chosen on data/classifier/kb-tuning.jsonl (bench/tune-knowledge-base.ts), never on the
 * evaluation queries.
 */
export const KB_MIN_SCORE = 0.3;

/** The best-ranked entry, when it is close enough to be offered. */
export function bestKnowledgeBaseEntry(content: string, entries: readonly KnowledgeBaseEntry[]): RankedEntry | null {
  const top = rankKnowledgeBase(content, entries)[0];
  return top && top.score >= KB_MIN_SCORE ? top : null;
}

export function matchKnowledgeBase(content: string, entries: readonly KnowledgeBaseEntry[]): KnowledgeBaseMatch | null {
  const best = bestKnowledgeBaseEntry(content, entries);
  return best && { entryId: best.entryId, answer: best.answer, score: best.score };
}
