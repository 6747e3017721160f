/**
 * Safety first for urgency: signs of danger to life or property (→ at least A) and of an outage
 * (→ at least B) that overrule the learned model, so that an urgent ticket is never proposed — or
 * auto-dispatched — as routine because the model had not seen its wording. Patterns are written
 * over the normalized text with room for how people really type: dialect (木电 for 没电, 咋),
 * homophone typos (停点/停店 for 停电, 停谁 for 停水, 燃起 for 燃气, 天燃气), and free word order
 * ("电线…掉在地上"). A sign in a clause that only imagines or recalls the event ("万一着火",
 * "去年着过一次火") does not count.
 */
import type { Category } from '../ticket';
import { HYPOTHETICAL_MARKERS } from './cues';

export interface UrgencySign {
  /** what the sign means, shown to the agent as evidence */
  name: string;
  category: Extract<Category, 'A' | 'B'>;
  pattern: RegExp;
  /** a match preceded by one of these (in the same clause) is something else: a chimney's smoke is pollution */
  unless?: RegExp;
}

const GAS = '(?:燃气|煤气|天然气|天燃气|天然汽|燃起|液化气|气罐)';

export const URGENCY_SIGNS: readonly UrgencySign[] = [
  { name: '燃气泄漏', category: 'A', pattern: new RegExp(`${GAS}.{0,6}(?:泄漏|泄露|漏气|漏了|冒气|味)|漏气|嘶嘶|呲呲|咝咝`) },
  { name: '塌陷', category: 'A', pattern: /塌|坍|地陷|下陷|陷下去|下沉|窟窿|大洞|大坑|决口|滑坡/ },
  { name: '被困', category: 'A', pattern: /被困|困(?:在|着|住|人)|关人|关在.{0,4}里|(?:出不来|出不去)|卡在.{0,4}(?:楼|层|中间)/ },
  {
    name: '触电危险',
    category: 'A',
    pattern: /漏电|触电|被电|火花|火星|电线.{0,8}(?:断|掉|地上|耷拉|搭在|冒)|(?:变压器|配电|电箱|电表箱|电线|插排).{0,6}(?:冒烟|着火|烧)|高压线.{0,4}断/,
  },
  { name: '井盖缺失', category: 'A', pattern: /井盖.{0,6}(?:没|丢|偷|不见|碎|掀|冲走|木有)|井口.{0,4}敞|没有(?:井)?盖/ },
  { name: '坠落倒塌', category: 'A', pattern: /砸(?:着|到|伤|坏|在)|随时.{0,6}(?:倒|塌|掉)|快(?:要)?倒|要倒了|往下掉|掉下来|往外斜|往下滚/ },
  { name: '火情烟雾', category: 'A', pattern: /着火|着活|起火|失火|火灾|冒烟|浓烟|黑烟|火苗|火光|烧起来|烧着/, unless: /厂|烟囱|烧烤|垃圾|秸秆|塑料|电缆|电线皮/ },
  { name: '停水', category: 'B', pattern: /停水|断水|没水|木水|没有水|水停|停谁|(?:不|没)来水|一滴(?:都|也)?(?:没|不)|断了水/ },
  { name: '停电', category: 'B', pattern: /停电|断电|没电|木电|没有电|停点|停店|电(?:没|停|断)了|跳闸|变压器.{0,4}(?:烧|坏)/ },
  { name: '停气', category: 'B', pattern: new RegExp(`停气|断气|没气|没有气|${GAS}.{0,4}(?:停|没|断)|灶.{0,6}打不着`) },
  { name: '暖气不热', category: 'B', pattern: /(?:暖气|暖器|供暖).{0,8}(?:不热|凉|冰|停|温乎|不暖|跟没开)|冻得|冷得/ },
  { name: '水质突变', category: 'B', pattern: /(?:自来水|水龙头|水).{0,6}(?:发黄|黄黄|浑|泥汤|发黑|有虫|小虫|锈水)/ },
  { name: '内涝反水', category: 'B', pattern: /反水|往外冒|淹了|水.{0,6}(?:灌|漫进|进屋)|(?:下水道|化粪池|污水).{0,6}(?:冒|溢)/ },
];

/** Words that place an event in the past: it is over, so it is no longer an emergency or urgent. */
export const PAST_MARKERS = ['去年', '上次', '上个月', '以前', '之前', '前几天', '着过', '过一次'];

const CLAUSE = /[^,.!?;:，。！？；：、\s]+/g;

function counts(clause: string, sign: UrgencySign): boolean {
  const match = sign.pattern.exec(clause);
  if (!match) return false;
  if (sign.unless && sign.unless.test(clause.slice(Math.max(0, match.index - 8), match.index + match[0].length))) return false;
  return ![...HYPOTHETICAL_MARKERS, ...PAST_MARKERS].some((marker) => clause.includes(marker));
}

/** The signs found in a (normalized) text, the most urgent first. */
export function urgencySigns(text: string): UrgencySign[] {
  const clauses = text.match(CLAUSE) ?? [];
  const found = URGENCY_SIGNS.filter((sign) => clauses.some((clause) => counts(clause, sign)));
  return found.sort((a, b) => a.category.localeCompare(b.category));
}

/** The category the signs demand at least (A before B), or null when there is none. */
export function urgencyFloor(signs: readonly UrgencySign[]): 'A' | 'B' | null {
  return signs[0]?.category ?? null;
}
