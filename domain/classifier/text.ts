/**
 * Text analysis shared by the classifier's rules: a normalized text, its jieba word boundaries
 * and term matching that respects them.
 *
 * A cue term matches whole words, or part of one word, but never pieces of two: "供电" is
 * found in "供电所" and "物业" in "物业费", but not "供电" in "提供电话" (提供|电话), "工资" in
 * "员工资料" or "停电" in "停电梯卡" (停|电梯|卡). A one-character term must be a whole word
 * ("没|水|了"). Plain substring matching gives such false hits; matching whole jieba words
 * alone misses domain words jieba splits or joins unpredictably ("七里|营|镇", "拖欠工资").
 *
 * A term "A…B" matches A followed by B within the same clause, at most GAP_LIMIT characters
 * apart ("电梯…困" finds "电梯里困着").
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';

export interface AnalyzedText {
  /** NFKC-normalized (full-width letters and digits folded), lower case */
  text: string;
  /** offsets in `text` where a word starts, and where one ends */
  wordStarts: Set<number>;
  wordEnds: Set<number>;
  /** for each character offset, the offset where its word starts */
  wordOf: number[];
}

export interface TermMatch {
  term: string;
  start: number;
  end: number;
}

const GAP = '…';
const GAP_LIMIT = 8;
const CLAUSE_BREAK = /[,.!?;:，。！？；：、\s]/;

let jieba: Jieba | undefined;
/** Loading the dictionary takes a moment, so it happens once, on first use. */
function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

export function analyze(raw: string): AnalyzedText {
  const text = raw.normalize('NFKC').toLowerCase();
  const words = segmenter().cut(text, false);
  const wordStarts = new Set<number>();
  const wordEnds = new Set<number>();
  const wordOf: number[] = [];
  let offset = 0;
  for (const word of words) {
    wordStarts.add(offset);
    for (let i = 0; i < word.length; i++) wordOf.push(offset);
    offset += word.length;
    wordEnds.add(offset);
  }
  return { text, wordStarts, wordEnds, wordOf };
}

function alignedOccurrences(analyzed: AnalyzedText, term: string, from = 0, until = analyzed.text.length): TermMatch[] {
  const found: TermMatch[] = [];
  for (let start = analyzed.text.indexOf(term, from); start >= 0; start = analyzed.text.indexOf(term, start + 1)) {
    const end = start + term.length;
    if (end > until) break;
    const wholeWords = analyzed.wordStarts.has(start) && analyzed.wordEnds.has(end);
    const insideOneWord = term.length > 1 && analyzed.wordOf[start] === analyzed.wordOf[end - 1];
    if (wholeWords || insideOneWord) found.push({ term, start, end });
  }
  return found;
}

function clauseEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) if (CLAUSE_BREAK.test(text[i] as string)) return i;
  return text.length;
}

/** Every occurrence of a term in the text (see the rules above). */
export function findTerm(analyzed: AnalyzedText, term: string): TermMatch[] {
  const gap = term.indexOf(GAP);
  if (gap < 0) return alignedOccurrences(analyzed, term);
  const head = term.slice(0, gap);
  const tail = term.slice(gap + GAP.length);
  const found: TermMatch[] = [];
  for (const first of alignedOccurrences(analyzed, head)) {
    const limit = Math.min(first.end + GAP_LIMIT + tail.length, clauseEnd(analyzed.text, first.end));
    const second = alignedOccurrences(analyzed, tail, first.end, limit)[0];
    if (second) found.push({ term, start: first.start, end: second.end });
  }
  return found;
}

export function hasTerm(analyzed: AnalyzedText, term: string): boolean {
  return findTerm(analyzed, term).length > 0;
}

/** The clause (between punctuation) around an offset, to look for qualifiers near a match. */
export function clauseAround(analyzed: AnalyzedText, offset: number): string {
  let start = offset;
  while (start > 0 && !CLAUSE_BREAK.test(analyzed.text[start - 1] as string)) start--;
  return analyzed.text.slice(start, clauseEnd(analyzed.text, offset));
}
