/**
 * Whether two addresses name the same place, for repeat detection (反复多发): citizens write one
 * place many ways ("红旗区向阳小区3号楼", "向阳小区三号楼东单元", "向阳小区 3#楼"). Addresses are
 * normalized (width, case, Chinese numerals to digits, "#"/"栋"/"幢" to "号楼", punctuation and
 * the city's own name dropped) and compared by the Dice coefficient of their character bigrams,
 * which tolerates a missing district or an extra unit number.
 *
 * A road crossing is written in many orders and words ("花园路建设路十字路口", "建设路与花园路交叉口",
 * "建设路/花园路路口", "花园路和建设路交汇处"): it is read as its two roads, in a fixed order, so
 * every spelling of one crossing normalizes alike, and two crossings are one place exactly when
 * they join the same two roads (the bigrams of "建设路与花园路" and "建设路与人民路" would make them
 * look alike).
 */
const NUMERALS: Record<string, string> = { 零: '0', 一: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };

/** A road's name: a few characters ending in a kind of road (not 道 alone: 街道 is a township). */
const ROAD = String.raw`[\p{Script=Han}\d]{1,10}?(?:大道|大街|路|街|巷)`;
/** Two roads, with or without a word between them, then a word for where they meet. */
const CROSSING = new RegExp(
  String.raw`(${ROAD})\s*(?:与|和|及|跟|同|、|/|-|\s)?\s*(${ROAD})\s*(?:的)?(?:交叉路口|交叉口|十字路口|丁字路口|交汇处|交会处|交口|路口|口)`,
  'u',
);
/** What precedes the first road's name in the same run of characters: the district, township, compound. */
const DIVISION_PREFIX = /^.*(?:区|县|市|镇|乡|街道)/u;

interface Crossing {
  /** the district (or other division) written before the roads, '' when none */
  prefix: string;
  /** the two roads, sorted */
  roads: [string, string];
}

function prepared(raw: string, cityNames: readonly string[]): string {
  let text = raw.normalize('NFKC').toLowerCase();
  for (const name of cityNames) text = text.split(name).join('');
  text = text.replace(/[零一二两三四五六七八九]/g, (c) => NUMERALS[c] as string);
  return text.replace(/(\d+)\s*(?:#|栋|幢|号楼)/g, '$1号楼');
}

function crossingIn(text: string): (Crossing & { index: number; length: number }) | null {
  const match = CROSSING.exec(text);
  if (!match) return null;
  const [whole, first, second] = match as unknown as [string, string, string];
  const prefix = DIVISION_PREFIX.exec(first)?.[0] ?? '';
  // a road's name needs two characters before its kind ("区路" is no road of its own)
  const road = first.length - prefix.length >= 2 ? first.slice(prefix.length) : first;
  const roads = [road, second].sort() as [string, string];
  return { prefix: road === first ? '' : prefix, roads, index: match.index, length: whole.length };
}

export function normalizePlace(raw: string, cityNames: readonly string[] = []): string {
  let text = prepared(raw, cityNames);
  const crossing = crossingIn(text);
  if (crossing) {
    const canonical = `${crossing.prefix}${crossing.roads.join('与')}路口`;
    text = `${text.slice(0, crossing.index)}${canonical}${text.slice(crossing.index + crossing.length)}`;
  }
  return text.replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** The crossing an address names, its roads normalized, or null. */
export function crossingOf(raw: string, cityNames: readonly string[] = []): Crossing | null {
  const found = crossingIn(prepared(raw, cityNames));
  return found && { prefix: found.prefix.replace(/[\s\p{P}\p{S}]+/gu, ''), roads: found.roads };
}

function bigrams(text: string): Map<string, number> {
  const chars = [...text];
  const grams = new Map<string, number>();
  for (let i = 0; i + 1 < chars.length; i++) {
    const gram = `${chars[i]}${chars[i + 1]}`;
    grams.set(gram, (grams.get(gram) ?? 0) + 1);
  }
  return grams;
}

/** In [0, 1]: 1 for the same normalized text; for two crossings, 1 when they join the same roads (in one district), else 0. */
export function placeSimilarity(a: string, b: string, cityNames: readonly string[] = []): number {
  const [p, q] = [crossingOf(a, cityNames), crossingOf(b, cityNames)];
  if (p && q) {
    const sameRoads = p.roads[0] === q.roads[0] && p.roads[1] === q.roads[1];
    const sameDistrict = p.prefix === '' || q.prefix === '' || p.prefix.endsWith(q.prefix) || q.prefix.endsWith(p.prefix);
    return sameRoads && sameDistrict ? 1 : 0;
  }
  const [x, y] = [bigrams(normalizePlace(a, cityNames)), bigrams(normalizePlace(b, cityNames))];
  const size = (m: Map<string, number>) => [...m.values()].reduce((s, n) => s + n, 0);
  const total = size(x) + size(y);
  if (total === 0) return 0;
  let shared = 0;
  for (const [gram, n] of x) shared += Math.min(n, y.get(gram) ?? 0);
  return (2 * shared) / total;
}

/** Two addresses at least this similar are taken for one place (measured on tests/unit/classifier/place.test.ts). */
export const SAME_PLACE_SIMILARITY = 0.6;
