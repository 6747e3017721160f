/**
 * What the learned classifier reads of a text: jieba words plus character 1–3-grams. Words carry
 * the meaning where jieba knows them; character n-grams still match when it does not — a typo
 * ("停点" for 停电 shares "停"), dialect ("咋整", "后晌") or a run of words jieba cuts oddly.
 * Punctuation and spaces are dropped for the n-grams, so "停电了！！" and "停电了" read the same.
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';

/** Beyond this many characters a long letter adds little to the topic but costs time. */
export const FEATURE_TEXT_LIMIT = 3000;

const NOT_TEXT = /[\s\p{P}\p{S}]+/gu;

let jieba: Jieba | undefined;
function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

export function normalizeText(raw: string): string {
  return raw.normalize('NFKC').toLowerCase();
}

/**
 * A long text is read at its head and its tail: a mayor-mailbox letter states its matter at the
 * start and its request at the end; the middle is the story.
 */
function clip(text: string): string {
  if (text.length <= FEATURE_TEXT_LIMIT) return text;
  const half = FEATURE_TEXT_LIMIT / 2;
  return `${text.slice(0, half)}。${text.slice(-half)}`;
}

/**
 * A residential compound's name ("向阳小区", "幸福家园") says where, not what: a model that
 * learnt "向阳" from two property complaints would file "向阳小区停水" under property. The two
 * characters before the kind of place are dropped; the kind ("小区") stays.
 */
const COMPOUND_NAME = /\p{Script=Han}{2}(?=小区|花园|家园|新村|社区|公寓)/gu;

/** The tokens of a text, each once (presence, not frequency: a repeated word is not more evidence). */
export function features(raw: string): string[] {
  const text = clip(normalizeText(raw)).replace(COMPOUND_NAME, '，');
  const found = new Set<string>();
  for (const word of segmenter().cut(text, false)) {
    const w = word.replace(NOT_TEXT, '');
    if (w.length > 1) found.add(`w:${w}`);
  }
  const chars = [...text.replace(NOT_TEXT, '')];
  for (let i = 0; i < chars.length; i++) {
    found.add(chars[i] as string);
    if (i + 1 < chars.length) found.add(`${chars[i]}${chars[i + 1]}`);
    if (i + 2 < chars.length) found.add(`${chars[i]}${chars[i + 1]}${chars[i + 2]}`);
  }
  // a bare question mark is a question in WeChat: keep it as a token of its own
  if (/[?？]/.test(text)) found.add('p:?');
  return [...found];
}
