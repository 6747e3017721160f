/**
 * Whether two addresses name the same place, for repeat detection (反复多发): citizens write one
 * place many ways ("红旗区向阳小区3号楼", "向阳小区三号楼东单元", "向阳小区 3#楼"). Addresses are
 * normalized (width, case, Chinese numerals to digits, "#"/"栋"/"幢" to "号楼", punctuation and
 * the city's own name dropped) and compared by the Dice coefficient of their character bigrams,
 * which tolerates a missing district or an extra unit number.
 */
const NUMERALS: Record<string, string> = { 零: '0', 一: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };

export function normalizePlace(raw: string, cityNames: readonly string[] = []): string {
  let text = raw.normalize('NFKC').toLowerCase();
  for (const name of cityNames) text = text.split(name).join('');
  text = text.replace(/[零一二两三四五六七八九]/g, (c) => NUMERALS[c] as string);
  text = text.replace(/(\d+)\s*(?:#|栋|幢|号楼)/g, '$1号楼');
  return text.replace(/[\s\p{P}\p{S}]+/gu, '');
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

/** In [0, 1]: 1 for the same normalized text. */
export function placeSimilarity(a: string, b: string, cityNames: readonly string[] = []): number {
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
