/**
 * Routing (派单): the unit responsible for a topic at a place, from a routing table. The most
 * specific rule wins. The topic falls back from minor to middle to major ("040101" → "0401" →
 * "04"), and for each topic level the place falls back from village or township to county to
 * the city to "anywhere" (a rule with regionCode null). Topic comes first: a water outage goes
 * to the water company even where the district has a rule for all utilities.
 */
import { topicLineage } from './taxonomy';
import { round2 } from './scoring';

export interface RoutingRule {
  /** topic code of 2, 4 or 6 digits */
  topic: string;
  /** division code of 6 (county, or the city "xxxx00"), 9 (township) or 12 (village) digits; null = anywhere */
  regionCode: string | null;
  unitId: string;
  coUnitIds: string[];
}

export interface RoutingUnit {
  id: string;
}

export interface Route {
  unitId: string;
  coUnitIds: string[];
  /** 1 for an exact rule, less for each step of fall-back */
  confidence: number;
  matched: { topic: string; regionCode: string | null };
}

/** Confidence lost per fall-back step: a coarser topic is a bigger guess than a wider place. */
const TOPIC_STEP = 0.15;
const REGION_STEP = 0.1;

/** A division code and the areas containing it, most specific first, ending with null (anywhere). */
export function regionLineage(regionCode: string | null): (string | null)[] {
  if (regionCode === null) return [null];
  const lineage: string[] = [];
  if (regionCode.length >= 12) lineage.push(regionCode.slice(0, 12));
  if (regionCode.length >= 9) lineage.push(regionCode.slice(0, 9));
  const county = regionCode.slice(0, 6);
  const city = `${regionCode.slice(0, 4)}00`;
  lineage.push(county);
  if (city !== county) lineage.push(city);
  return [...lineage, null];
}

export function route(
  topic: string,
  regionCode: string | null,
  rules: readonly RoutingRule[],
  units: readonly RoutingUnit[],
): Route | null {
  // a rule naming a unit that no longer exists must not dispatch anywhere
  const known = new Set(units.map((unit) => unit.id));
  const usable = rules.filter((rule) => known.has(rule.unitId));
  const places = regionLineage(regionCode);
  for (const [topicSteps, topicLevel] of topicLineage(topic).entries()) {
    for (const [regionSteps, place] of places.entries()) {
      const rule = usable.find((candidate) => candidate.topic === topicLevel && candidate.regionCode === place);
      if (!rule) continue;
      return {
        unitId: rule.unitId,
        coUnitIds: rule.coUnitIds.filter((id) => known.has(id) && id !== rule.unitId),
        confidence: round2(Math.max(0.1, 1 - TOPIC_STEP * topicSteps - REGION_STEP * regionSteps)),
        matched: { topic: topicLevel, regionCode: place },
      };
    }
  }
  return null;
}
