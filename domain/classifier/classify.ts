/**
 * The classifier: proposes a ticket's type, topic, urgency category, district and whether the
 * hotline accepts it at all, plus a knowledge-base answer when one fits. Rule-based and
 * deterministic: every decision is a sum of weighted cue words (listed in `evidence`), so an
 * agent can see why, and a city can change the data without touching this code. The agent
 * confirms or corrects the proposal.
 */
import { type Category, TICKET_TYPES, type TicketType } from '../ticket';
import {
  CATEGORY_CUES,
  CATEGORY_THRESHOLD,
  HELP_PRIOR,
  HYPOTHETICAL_MARKERS,
  OTHER_JURISDICTION,
  OUT_OF_SCOPE_RULES,
  OUT_OF_SCOPE_THRESHOLD,
  type OutOfScopeKind,
  type OutOfScopeRule,
  TYPE_CUES,
} from './cues';
import type { KnowledgeBaseEntry } from './knowledge-base';
import { bestKnowledgeBaseEntry, type KnowledgeBaseMatch } from './match-knowledge-base';
import { findRegion } from './region';
import type { RegionGazetteer } from './regions';
import { confidence, round2, scoreLabels } from './scoring';
import { OTHER_TOPIC, type Topic } from './taxonomy';
import { type AnalyzedText, analyze, clauseAround, findTerm } from './text';
import type { TopicCues } from './topic-cues';

export interface ClassifierData {
  topics: readonly Topic[];
  topicCues: readonly TopicCues[];
  regions: RegionGazetteer;
  knowledgeBase: readonly KnowledgeBaseEntry[];
}

export interface ClassifierInput {
  content: string;
  address?: string;
}

export interface Scored<T> {
  value: T;
  /** in [0, 1]; low when the text holds little evidence either way */
  confidence: number;
}

export interface Proposal {
  type: Scored<TicketType>;
  topic: Scored<string>;
  category: Scored<Category>;
  regionCode: Scored<string | null>;
  /** `kind` names the rule, for machines; `reason` and `referral` are for the agent and the citizen */
  outOfScope: Scored<boolean> & { kind?: OutOfScopeKind; reason?: string; referral?: string };
  knowledgeBase?: KnowledgeBaseMatch;
  /** the words each decision rests on */
  evidence: Record<'type' | 'topic' | 'category' | 'region' | 'outOfScope', string[]>;
}

type Decision<T> = Scored<T> & { terms: string[] };

/** How much evidence makes a decision fairly sure (see `confidence`). */
const SATURATION = 3;
/** A topic needs at least one contextual hint; below that the text names no subject at all. */
const MIN_TOPIC_SCORE = 1;
/** A consultation is answered from the knowledge base when most of an entry's concepts match. */
const CONSULTATION_KB_SCORE = 0.6;

/** `asks`: the text asks something, whatever its type ("停水了，什么时候来水"). */
function classifyType(text: AnalyzedText): Decision<TicketType> & { asks: boolean } {
  const scored = scoreLabels(text, TICKET_TYPES.map((type) => ({ label: type, cues: TYPE_CUES[type] })));
  const ranked = TICKET_TYPES.map((type) => {
    const found = scored.find((entry) => entry.label === type);
    return { type, score: (found?.score ?? 0) + (type === 'help' ? HELP_PRIOR : 0), terms: found?.terms ?? [] };
  }).sort((a, b) => b.score - a.score);
  // TICKET_TYPES is not empty, so there is always a best
  const best = ranked[0] as (typeof ranked)[number];
  const second = ranked[1];
  const asks = scored.some((entry) => entry.label === 'consultation');
  return { value: best.type, confidence: confidence(best.score, second?.score ?? 0, SATURATION), terms: best.terms, asks };
}

/**
 * Scores middle topics by all the evidence in their area (their own cues and their minors'),
 * then picks the best minor inside the winning middle; a middle without minor evidence is
 * proposed as it is.
 */
function classifyTopic(text: AnalyzedText, data: ClassifierData): Decision<string> {
  const known = new Set(data.topics.map((topic) => topic.code));
  const scored = scoreLabels(
    text,
    data.topicCues.filter((entry) => known.has(entry.topic)).map((entry) => ({ label: entry.topic, cues: entry.cues })),
  );
  const middles = new Map<string, { score: number; best: number; terms: string[] }>();
  for (const { label, score, terms } of scored) {
    const middle = middles.get(label.slice(0, 4)) ?? { score: 0, best: 0, terms: [] };
    middle.score += score;
    middle.best = Math.max(middle.best, score);
    middle.terms.push(...terms);
    middles.set(label.slice(0, 4), middle);
  }
  const ranked = [...middles.entries()].sort(([, a], [, b]) => b.score - a.score || b.best - a.best);
  const [best, second] = ranked;
  if (!best || best[1].score < MIN_TOPIC_SCORE) return { value: OTHER_TOPIC, confidence: 0.1, terms: [] };
  const [middle, area] = best;
  const minors = scored.filter(({ label }) => label.length === 6 && label.startsWith(middle));
  const [minor, runnerUp] = minors;
  const areaConfidence = confidence(area.score, second?.[1].score ?? 0, SATURATION);
  if (!minor) return { value: middle, confidence: areaConfidence, terms: area.terms };
  const minorMargin = (minor.score - (runnerUp?.score ?? 0)) / minor.score;
  return { value: minor.label, confidence: round2(areaConfidence * (0.5 + 0.5 * minorMargin)), terms: area.terms };
}

function classifyCategory(text: AnalyzedText, emergency: boolean): Decision<Category> {
  if (emergency) return { value: 'A', confidence: 0.9, terms: [] };
  const scored = scoreLabels(text, (['A', 'B', 'D'] as const).map((label) => ({ label, cues: CATEGORY_CUES[label] })));
  // checked in order of urgency: an outage that units pass around is still pressing
  for (const label of ['A', 'B', 'D'] as const) {
    const found = scored.find((entry) => entry.label === label);
    if (found && found.score >= CATEGORY_THRESHOLD) {
      return { value: label, confidence: confidence(found.score, 0, SATURATION), terms: found.terms };
    }
  }
  // C is the default: the closer another category came to its threshold, the less sure
  const nearest = Math.max(0, ...scored.map((entry) => entry.score));
  return { value: 'C', confidence: round2(0.8 - (0.4 * nearest) / CATEGORY_THRESHOLD), terms: [] };
}

function isHypothetical(clause: string): boolean {
  return HYPOTHETICAL_MARKERS.some((marker) => clause.includes(marker));
}

function ruleScore(text: AnalyzedText, rule: OutOfScopeRule): { score: number; terms: string[] } {
  const terms = Object.keys(rule.cues).filter((term) =>
    findTerm(text, term).some((match) => !rule.emergency || !isHypothetical(clauseAround(text, match.start))),
  );
  return { score: terms.reduce((sum, term) => sum + (rule.cues[term] as number), 0), terms };
}

type ScopeDecision = Proposal['outOfScope'] & { emergency: boolean; terms: string[] };

function classifyScope(text: AnalyzedText, otherCity: string | undefined): ScopeDecision {
  const ranked = OUT_OF_SCOPE_RULES.map((rule) => ({ rule, ...ruleScore(text, rule) })).sort((a, b) => b.score - a.score);
  const best = ranked[0];
  if (best && best.score >= OUT_OF_SCOPE_THRESHOLD) {
    const { rule, score, terms } = best;
    const sure = confidence(score, 0, 2);
    const { kind, reason, referral, emergency } = rule;
    return { value: true, kind, reason, referral, confidence: sure, emergency, terms };
  }
  if (otherCity) {
    const { kind, reason, referral } = OTHER_JURISDICTION;
    return { value: true, kind, reason, referral: referral(otherCity), confidence: 0.8, emergency: false, terms: [otherCity] };
  }
  // in scope by default; a cue short of the threshold makes it less sure
  return { value: false, confidence: round2(Math.max(0.5, 0.95 - 0.15 * (best?.score ?? 0))), emergency: false, terms: [] };
}

export function classify(input: ClassifierInput, data: ClassifierData): Proposal {
  const text = analyze(input.content);
  const address = input.address ? analyze(input.address) : undefined;
  const region = findRegion(address, text, data.regions);
  const { emergency, terms: scopeTerms, ...outOfScope } = classifyScope(text, region.otherCity);
  const type = classifyType(text);
  const topic = classifyTopic(text, data);
  const category = classifyCategory(text, emergency);
  const knowledgeBase = outOfScope.value ? null : bestKnowledgeBaseEntry(text, data.knowledgeBase);
  // a consultation is answered from a close entry, a help request only when it asks exactly an
  // entry's question; complaints, reports and the rest always go to a unit
  const answers =
    knowledgeBase &&
    ((type.value === 'consultation' && knowledgeBase.score >= CONSULTATION_KB_SCORE) ||
      (type.value === 'help' && type.asks && knowledgeBase.score === 1));
  return {
    type: { value: type.value, confidence: type.confidence },
    topic: { value: topic.value, confidence: topic.confidence },
    category: { value: category.value, confidence: category.confidence },
    regionCode: { value: region.value, confidence: region.confidence },
    outOfScope,
    ...(answers ? { knowledgeBase: { entryId: knowledgeBase.entryId, answer: knowledgeBase.answer, score: knowledgeBase.score } } : {}),
    evidence: {
      type: type.terms,
      topic: topic.terms,
      category: category.terms,
      region: region.terms,
      outOfScope: scopeTerms,
    },
  };
}
