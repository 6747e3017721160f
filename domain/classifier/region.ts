/**
 * Where a matter happened (事发地), to the district or county: from the address the agent
 * typed and from the places the citizen names. A district's own name weighs more than a town
 * or street in it, the address more than the text; on a tie the place named first wins, since
 * callers start with where it happened ("房子在红旗区，户口在牧野区").
 */
import type { RegionGazetteer } from './regions';
import { confidence } from './scoring';
import { type AnalyzedText, findTerm, hasTerm } from './text';

export interface RegionFinding {
  value: string | null;
  confidence: number;
  /** the names that decided, for explaining */
  terms: string[];
  /** another city named while nothing points inside this one */
  otherCity?: string;
}

const WEIGHTS = { address: { name: 6, place: 4 }, content: { name: 4, place: 3 } };
/** A text that names no place: the district is simply unknown, which is right as often as not. */
const UNKNOWN_CONFIDENCE = 0.5;

interface Candidate {
  code: string;
  score: number;
  firstSeen: number;
  terms: string[];
}

export function findRegion(address: AnalyzedText | undefined, content: AnalyzedText, gazetteer: RegionGazetteer): RegionFinding {
  // address offsets come before any content offset, so the address is "named first"
  const sources = [
    ...(address ? [{ text: address, weights: WEIGHTS.address, offset: 0 }] : []),
    { text: content, weights: WEIGHTS.content, offset: address ? address.text.length + 1 : 0 },
  ];
  const candidates: Candidate[] = [];
  for (const district of gazetteer.districts) {
    const candidate: Candidate = { code: district.code, score: 0, firstSeen: Infinity, terms: [] };
    for (const source of sources) {
      const named = [
        ...[district.name, ...district.aliases].map((term) => ({ term, weight: source.weights.name })),
        ...district.places.map((term) => ({ term, weight: source.weights.place })),
      ];
      for (const { term, weight } of named) {
        const first = findTerm(source.text, term)[0];
        if (!first) continue;
        candidate.score += weight;
        candidate.terms.push(term);
        candidate.firstSeen = Math.min(candidate.firstSeen, source.offset + first.start);
      }
    }
    if (candidate.score > 0) candidates.push(candidate);
  }
  candidates.sort((a, b) => b.score - a.score || a.firstSeen - b.firstSeen);
  const [best, second] = candidates;
  if (best) {
    // a named district is at worst a coin toss against the runner-up (a tie decided by order)
    return { value: best.code, confidence: Math.max(confidence(best.score, second?.score ?? 0, 3), 0.5), terms: best.terms };
  }
  const texts = sources.map((source) => source.text);
  const inCity = gazetteer.cityNames.some((name) => texts.some((text) => hasTerm(text, name)));
  const otherCity = inCity ? undefined : gazetteer.otherCities.find((name) => texts.some((text) => hasTerm(text, name)));
  if (otherCity) return { value: null, confidence: 0.9, terms: [otherCity], otherCity };
  return { value: null, confidence: UNKNOWN_CONFIDENCE, terms: [] };
}
