/**
 * The classifier: proposes a ticket's type, topic, urgency category, district and whether the
 * hotline accepts it at all, plus a knowledge-base answer when one fits. Type, topic and
 * category come from the learned model (model.ts), raised by the urgency rules; out of scope by
 * the cue tables, the gazetteer and the model; the answer by ranked retrieval
 * (match-knowledge-base.ts). `evidence` lists what each decision rests on — for type and topic
 * the tokens that weigh most for the chosen label — so an agent can see why. The agent confirms
 * or corrects the proposal.
 */
import type { Category, TicketType } from '../ticket';
import {
  HYPOTHETICAL_MARKERS,
  OTHER_JURISDICTION,
  OUT_OF_SCOPE_RULES,
  OUT_OF_SCOPE_THRESHOLD,
  type OutOfScopeKind,
  type OutOfScopeRule,
} from './cues';
import type { KnowledgeBaseEntry } from './knowledge-base';
import { KB_MIN_SCORE, type KnowledgeBaseMatch, rankKnowledgeBase } from './match-knowledge-base';
import { type CompiledModel, type Distribution, evidenceFor, type ModelPrediction, predict } from './model';
import { findRegion } from './region';
import type { RegionGazetteer } from './regions';
import { confidence, round2 } from './scoring';
import { OTHER_TOPIC, type Topic } from './taxonomy';
import { type AnalyzedText, analyze, clauseAround, findTerm } from './text';
import { PAST_MARKERS, urgencyFloor, urgencySigns } from './urgency-signs';

export interface ClassifierData {
  topics: readonly Topic[];
  /** the learned model in force (see model.ts, train.ts) */
  model: CompiledModel;
  regions: RegionGazetteer;
  knowledgeBase: readonly KnowledgeBaseEntry[];
  /** the least retrieval score (match-knowledge-base.ts) at which an entry answers; KB_MIN_SCORE unless a measurement sweeps it */
  knowledgeBaseMinScore?: number;
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
  /** the model that made this proposal, for the trail */
  modelVersion: string;
  type: Scored<TicketType>;
  topic: Scored<string>;
  category: Scored<Category>;
  regionCode: Scored<string | null>;
  /** `kind` names the rule, for machines; `reason` and `referral` are for the agent and the citizen */
  outOfScope: Scored<boolean> & { kind?: OutOfScopeKind; reason?: string; referral?: string; emergency: boolean };
  knowledgeBase?: KnowledgeBaseMatch;
  /**
   * The probability that an auto-dispatch of this proposal is right: the ticket in scope, its
   * middle topic (so its unit) and its category all right — the product of the three calibrated
   * probabilities, 0 when proposed out of scope. The joint gate (gate.ts) reads its own precision
   * curve, so the product need not be exact, only rank well.
   */
  dispatchConfidence: number;
  /** the words each decision rests on */
  evidence: Record<'type' | 'topic' | 'category' | 'region' | 'outOfScope', string[]>;
}

type Decision<T> = Scored<T> & { terms: string[] };

/**
 * Words and marks of a question ("停水了，什么时候来水", "想问问…", "能提公积金不", a bare "？"):
 * only a ticket that asks is answered from the knowledge base, whatever its type — the type
 * model calls "高龄津贴三个月没发了" a consultation, but it asks nothing the entry answers.
 */
const ASKS = /[?？吗]|请问|想问|问问|问一下|咨询|怎么|咋|如何|哪|多少|能不能|可以不|需要啥|需要什么|什么时候|啥时候|(啥|什么)(材料|手续|证件)|几号|几点|几月|几天|几年|要不要|是否|能.{0,8}不$/;

function best(distribution: Distribution, fallback: string): Scored<string> {
  const top = distribution.ranked[0];
  return top ? { value: top.label, confidence: round2(top.p) } : { value: fallback, confidence: 0 };
}

function probability(distribution: Distribution, labels: readonly string[]): number {
  return distribution.ranked.filter(({ label }) => labels.includes(label)).reduce((sum, { p }) => sum + p, 0);
}

/** The middle topic the model is surest of, refined to its likeliest minor when the model knows minors under it. */
function classifyTopic(model: CompiledModel, prediction: ModelPrediction): Decision<string> {
  const middle = best(prediction.middle, OTHER_TOPIC.slice(0, 4));
  const minor = prediction.minor.ranked[0];
  return { value: minor?.label ?? middle.value, confidence: middle.confidence, terms: evidenceFor(model.fields.middle, prediction.tokens, middle.value) };
}

/**
 * The model's category, raised by the urgency signs: a sign of danger makes it at least A, one
 * of an outage at least B. The confidence stays the model's own probability of the category
 * proposed, so a category the rules raised against the model goes to an agent, not out at once.
 */
function classifyCategory(prediction: ModelPrediction, text: string, emergency: boolean): Decision<Category> {
  const model = best(prediction.category, 'C') as Scored<Category>;
  const signs = urgencySigns(text);
  const floor = emergency ? 'A' : urgencyFloor(signs);
  const value: Category = floor === 'A' ? 'A' : floor === 'B' && model.value !== 'A' ? 'B' : model.value;
  const confidence = value === model.value ? model.confidence : round2(probability(prediction.category, [value]));
  return { value, confidence, terms: signs.map((sign) => sign.name) };
}

function isHypothetical(clause: string): boolean {
  return [...HYPOTHETICAL_MARKERS, ...PAST_MARKERS].some((marker) => clause.includes(marker));
}

function ruleScore(text: AnalyzedText, rule: OutOfScopeRule): { score: number; terms: string[] } {
  const terms = Object.keys(rule.cues).filter((term) =>
    findTerm(text, term).some((match) => !rule.emergency || !isHypothetical(clauseAround(text, match.start))),
  );
  return { score: terms.reduce((sum, term) => sum + (rule.cues[term] as number), 0), terms };
}

type ScopeDecision = Proposal['outOfScope'] & { terms: string[] };

/** The model alone puts a ticket out of scope only when it is this sure (false rejections cost a citizen an answer). */
const MODEL_SCOPE_MIN = 0.8;

/**
 * Out of scope by rules first (emergencies, court, petition, secrets — each cue table in
 * cues.ts), then by the place, then by the model when it is sure of a kind it learnt from the
 * city's history.
 */
function classifyScope(text: AnalyzedText, otherCity: string | undefined, prediction: ModelPrediction): ScopeDecision {
  const ranked = OUT_OF_SCOPE_RULES.map((rule) => ({ rule, ...ruleScore(text, rule) })).sort((a, b) => b.score - a.score);
  const top = ranked[0];
  if (top && top.score >= OUT_OF_SCOPE_THRESHOLD) {
    const { rule, score, terms } = top;
    const { kind, reason, referral, emergency } = rule;
    return { value: true, kind, reason, referral, confidence: confidence(score, 0, 2), emergency, terms };
  }
  if (otherCity) {
    const { kind, reason, referral } = OTHER_JURISDICTION;
    return { value: true, kind, reason, referral: referral(otherCity), confidence: 0.8, emergency: false, terms: [otherCity] };
  }
  const model = prediction.scope.ranked[0];
  const rule = OUT_OF_SCOPE_RULES.find((candidate) => candidate.kind === model?.label);
  if (model && rule && model.p >= MODEL_SCOPE_MIN) {
    const { kind, reason, referral, emergency } = rule;
    return { value: true, kind, reason, referral, confidence: round2(model.p), emergency, terms: [] };
  }
  return { value: false, confidence: round2(probability(prediction.scope, ['in'])), emergency: false, terms: [] };
}

export function classify(input: ClassifierInput, data: ClassifierData): Proposal {
  const text = analyze(input.content);
  const address = input.address ? analyze(input.address) : undefined;
  const region = findRegion(address, text, data.regions);
  const prediction = predict(data.model, input.content);
  const { emergency, terms: scopeTerms, ...outOfScope } = classifyScope(text, region.otherCity, prediction);
  const type = best(prediction.type, 'help') as Scored<TicketType>;
  const topic = classifyTopic(data.model, prediction);
  const category = classifyCategory(prediction, text.text, emergency);
  // a consultation or help request that asks is answered from the best-ranked entry when it is
  // close enough; complaints, reports and the rest always go to a unit
  const asks = ASKS.test(text.text);
  const wantsAnswer = !outOfScope.value && (type.value === 'consultation' || type.value === 'help') && asks;
  const knowledgeBase = wantsAnswer ? rankKnowledgeBase(input.content, data.knowledgeBase)[0] : undefined;
  const answers = knowledgeBase !== undefined && knowledgeBase.score >= (data.knowledgeBaseMinScore ?? KB_MIN_SCORE);
  const inScope = outOfScope.value ? 0 : outOfScope.confidence;
  return {
    modelVersion: data.model.version,
    type,
    topic: { value: topic.value, confidence: topic.confidence },
    category: { value: category.value, confidence: category.confidence },
    regionCode: { value: region.value, confidence: region.confidence },
    outOfScope: { ...outOfScope, emergency },
    ...(answers && knowledgeBase ? { knowledgeBase: { entryId: knowledgeBase.entryId, answer: knowledgeBase.answer, score: knowledgeBase.score } } : {}),
    dispatchConfidence: round2(topic.confidence * category.confidence * inScope),
    evidence: {
      type: evidenceFor(data.model.fields.type, prediction.tokens, type.value),
      topic: topic.terms,
      category: category.terms,
      region: region.terms,
      outOfScope: scopeTerms,
    },
  };
}
