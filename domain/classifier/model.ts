/**
 * The learned part of the classifier: one naive Bayes text classifier per field (type, middle
 * topic, minor topic, category, scope), over the tokens of features.ts, trained by
 * wink-naive-bayes-text-classifier (it counts and smooths; the counts are the stored model).
 *
 * Scoring: wink's own computeOdds is O(labels² × tokens) — it re-adds every other label's counts
 * for each label — which is too slow for a 10,000-character letter over 45 middle topics.
 * `compile` keeps the same formula (log-likelihood for the label minus that for all other labels,
 * plus the prior ratio) with each token's total count summed once, so a score is O(labels ×
 * tokens); tests/unit/classifier/model.test.ts checks it equals the library's odds.
 *
 * Calibration: naive Bayes odds grow with the number of (correlated) tokens, so its raw scores
 * are far too sure on long texts. A softmax over odds / (T · n^α) (n: known tokens) with T and α
 * fitted on a calibration split (minimum log-loss over a grid) turns them into probabilities that
 * mean what they say; evaluate.ts reports the reliability curve and ECE.
 */
import { createHash } from 'node:crypto';
import winkNaiveBayes from 'wink-naive-bayes-text-classifier';
import type { Category, TicketType } from '../ticket';
import { features } from './features';

export const MODEL_FIELDS = ['type', 'middle', 'minor', 'category', 'scope'] as const;
export type ModelField = (typeof MODEL_FIELDS)[number];
/**
 * What the auto-dispatch gate checks, each with its own precision curve: type, topic and category
 * alone, and `dispatch`, the three together that decide whether an auto-dispatch is right (the
 * middle topic, so the unit, and the category, of a ticket in scope; see `dispatchConfidence`).
 */
export const GATED_FIELDS = ['type', 'topic', 'category', 'dispatch'] as const;
export type GatedField = (typeof GATED_FIELDS)[number];

/** A ticket whose classification a person settled: imported history or an agent's decision. */
export interface LabelledTicket {
  content: string;
  type: TicketType;
  topic: string;
  category: Category;
  /** 'in' for accepted tickets, else the out-of-scope kind ('crime', 'judicial', …) */
  scope: string;
}

/** [threshold, precision, share]: of the calibration cases at least this sure, how many were right and how many they were. */
export type PrecisionPoint = [number, number, number];

/** What is stored (Postgres `classifier_models.artifact`, JSON): enough to rebuild the model exactly. */
export interface ModelArtifact {
  /** wink's exportJSON per field */
  counts: Record<ModelField, string>;
  calibration: Record<ModelField, { temperature: number; lengthPower: number }>;
  /** `dispatch` is absent in models trained before the joint gate (gate.ts then gates topic and category by its precision) */
  precision: Record<Exclude<GatedField, 'dispatch'>, PrecisionPoint[]> & { dispatch?: PrecisionPoint[] };
}

/**
 * A field's scoring table. wink's odds of label l for token t are
 *   log2(c + s) − log2(W_l + V·s) − [log2(T_t − c + s) − log2(W − W_l + V·s)]
 * (c: t's count under l, T_t: over all labels, W: token counts, V: vocabulary, s: smoothing).
 * For the labels where c = 0 that is a per-label constant minus log2(T_t + s), so a token
 * stores that shift and a sparse correction for the few labels it was seen under.
 */
interface FieldModel {
  labels: string[];
  /** per label: the odds of a token never seen under it, before the token's shift */
  unseen: Float64Array;
  tokens: Map<string, { shift: number; labels: Int32Array; correction: Float64Array }>;
  prior: Float64Array;
  temperature: number;
  lengthPower: number;
}

export interface CompiledModel {
  version: string;
  fields: Record<ModelField, FieldModel>;
  precision: ModelArtifact['precision'];
}

export interface Distribution {
  /** best first; probabilities sum to 1 over the labels scored */
  ranked: Array<{ label: string; p: number }>;
}

/**
 * Additive smoothing per field. The topic fields have 45 middles and ~130 minors, each with few
 * examples, where a large smoothing drowns the few tokens seen under a label: chosen on the
 * training corpus's own test split (type, category: 0.5; topics 0.05 — middle 81.5 % → 86.1 % of 287, with TOPIC_FIELDS below; 0.02 and 0.2 did worse),
 * never on the evaluation set.
 */
const SMOOTHING: Record<ModelField, number> = { type: 0.5, middle: 0.05, minor: 0.05, category: 0.5, scope: 0.5 };

/**
 * The topic fields read words and character 1–2-grams; the trigrams that help type and category
 * (their cues are phrases: "能不能", "太差了") only split the topic's few examples further
 * (middle 86.1 % with, 84.0 % without, on the corpus's test split).
 */
const TOPIC_FIELDS: ReadonlySet<ModelField> = new Set(['middle', 'minor']);
const isCharTrigram = (token: string) => token.length === 3 && !token.includes(':');
export function tokensFor(field: ModelField, tokens: readonly string[]): readonly string[] {
  return TOPIC_FIELDS.has(field) ? tokens.filter((token) => !isCharTrigram(token)) : tokens;
}

function labelOf(field: ModelField, ticket: LabelledTicket): string | null {
  switch (field) {
    case 'type':
      return ticket.type;
    case 'middle':
      return ticket.topic.slice(0, 4);
    case 'minor':
      return ticket.topic.length === 6 ? ticket.topic : null;
    case 'category':
      return ticket.category;
    case 'scope':
      return ticket.scope;
  }
}

function learnField(field: ModelField, tokenized: ReadonlyArray<{ tokens: string[]; ticket: LabelledTicket }>): string {
  const nb = winkNaiveBayes();
  nb.definePrepTasks([(tokens) => tokens]);
  nb.defineConfig({ considerOnlyPresence: true, smoothingFactor: SMOOTHING[field] });
  const labels = new Set<string>();
  for (const { tokens, ticket } of tokenized) {
    const label = labelOf(field, ticket);
    if (label === null) continue;
    nb.learn([...tokensFor(field, tokens)], label);
    labels.add(label);
  }
  // wink needs two labels; a field with one (a city with no out-of-scope history) gets a dummy
  if (labels.size < 2) nb.learn(['\u0000'], '\u0000');
  nb.consolidate();
  return nb.exportJSON();
}

type WinkExport = [
  { considerOnlyPresence: boolean; smoothingFactor: number },
  Record<string, number>,
  Record<string, Record<string, number>>,
  Record<string, number>,
  string[],
];

function compileField(json: string, calibration: { temperature: number; lengthPower: number }): FieldModel {
  const [config, samples, counts, words, vocabulary] = JSON.parse(json) as WinkExport;
  const labels = Object.keys(samples);
  const s = config.smoothingFactor;
  const v = vocabulary.length;
  const allSamples = labels.reduce((sum, l) => sum + (samples[l] as number), 0);
  const allWords = labels.reduce((sum, l) => sum + (words[l] as number), 0);
  const perLabel = (f: (label: string) => number) => Float64Array.from(labels, f);
  const logDenominator = perLabel((l) => Math.log2((words[l] as number) + v * s));
  const logInverseDenominator = perLabel((l) => Math.log2(allWords - (words[l] as number) + v * s));
  const unseen = Float64Array.from(labels, (_, i) => Math.log2(s) - (logDenominator[i] as number) + (logInverseDenominator[i] as number));
  const seen = new Map<string, Array<[number, number]>>(vocabulary.map((token) => [token, []]));
  labels.forEach((label, i) => {
    for (const [token, c] of Object.entries(counts[label] ?? {})) seen.get(token)?.push([i, c]);
  });
  const tokens: FieldModel['tokens'] = new Map();
  for (const [token, entries] of seen) {
    const total = entries.reduce((sum, [, c]) => sum + c, 0);
    const shift = -Math.log2(total + s);
    const correction = Float64Array.from(entries, ([i, c]) => {
      const odds = Math.log2(c + s) - (logDenominator[i] as number) - Math.log2(total - c + s) + (logInverseDenominator[i] as number);
      return odds - (unseen[i] as number) - shift;
    });
    tokens.set(token, { shift, labels: Int32Array.from(entries, ([i]) => i), correction });
  }
  return {
    labels,
    unseen,
    tokens,
    prior: perLabel((l) => Math.log2(samples[l] as number) - Math.log2(allSamples - (samples[l] as number))),
    ...calibration,
  };
}

export function compile(version: string, artifact: ModelArtifact): CompiledModel {
  const fields = Object.fromEntries(
    MODEL_FIELDS.map((field) => [field, compileField(artifact.counts[field], artifact.calibration[field])]),
  ) as Record<ModelField, FieldModel>;
  return { version, fields, precision: artifact.precision };
}

/** wink's odds (log2) for each label index given, and how many tokens the model knows. */
export function odds(model: FieldModel, tokens: readonly string[], only?: ReadonlySet<string>): { odds: Map<number, number>; known: number } {
  const sums = new Float64Array(model.labels.length);
  let known = 0;
  let shift = 0;
  for (const token of tokens) {
    const entry = model.tokens.get(token);
    if (entry === undefined) continue;
    known++;
    shift += entry.shift;
    for (let k = 0; k < entry.labels.length; k++) {
      const i = entry.labels[k] as number;
      sums[i] = (sums[i] as number) + (entry.correction[k] as number);
    }
  }
  const result = new Map<number, number>();
  model.labels.forEach((label, i) => {
    if (only && !only.has(label)) return;
    // wink adds the prior only when some token is known, and returns 0 otherwise
    result.set(i, known === 0 ? 0 : (sums[i] as number) + known * (model.unseen[i] as number) + shift + (model.prior[i] as number));
  });
  return { odds: result, known };
}

function softmax(scores: Map<number, number>, scale: number): Map<number, number> {
  const entries = [...scores];
  const max = Math.max(...entries.map(([, x]) => x));
  const exp = entries.map(([, x]) => Math.exp((x - max) * scale));
  const sum = exp.reduce((total, e) => total + e, 0);
  return new Map(entries.map(([i], k) => [i, (exp[k] as number) / sum]));
}

/** −log p of the label at `index`, without building the distribution (the calibration grid runs it often). */
function logLoss(values: Float64Array, index: number, scale: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const x of values) max = Math.max(max, x);
  let sum = 0;
  for (const x of values) sum += Math.exp((x - max) * scale);
  return Math.log(sum) - ((values[index] as number) - max) * scale;
}

function scaleOf(known: number, temperature: number, lengthPower: number): number {
  return Math.LN2 / (temperature * Math.max(1, known) ** lengthPower);
}

/** Calibrated probabilities of a field's labels (or of a subset, renormalized: a middle's minors). */
export function predictField(model: FieldModel, tokens: readonly string[], only?: ReadonlySet<string>): Distribution {
  const { odds: raw, known } = odds(model, tokens, only);
  if (raw.size === 0) return { ranked: [] };
  const p = softmax(raw, scaleOf(known, model.temperature, model.lengthPower));
  const ranked = [...p].map(([i, value]) => ({ label: model.labels[i] as string, p: value })).sort((a, b) => b.p - a.p);
  return { ranked };
}

export interface ModelPrediction {
  /** the text's tokens (features.ts), for `evidenceFor` */
  tokens: string[];
  type: Distribution;
  middle: Distribution;
  minor: Distribution;
  category: Distribution;
  scope: Distribution;
}

export function predict(model: CompiledModel, content: string): ModelPrediction {
  const tokens = features(content);
  const middle = predictField(model.fields.middle, tokens);
  const best = middle.ranked[0]?.label;
  const minors = new Set(model.fields.minor.labels.filter((label) => best !== undefined && label.startsWith(best)));
  return {
    tokens,
    type: predictField(model.fields.type, tokens),
    middle,
    minor: minors.size > 0 ? predictField(model.fields.minor, tokens, minors) : { ranked: [] },
    category: predictField(model.fields.category, tokens),
    scope: predictField(model.fields.scope, tokens),
  };
}

/** A token as an agent reads it: the word or characters, a bare question mark as "？". */
function readable(token: string): string {
  if (token === 'p:?') return '？';
  return token.startsWith('w:') ? token.slice(2) : token;
}

/**
 * Why the model chose a label: the text's tokens that weigh most for it against the other
 * labels (each token's term of wink's odds, log2 P(t | label) / P(t | others)), only those in
 * favour, jieba words before character n-grams, each strongest first; a token contained in a stronger one shown ("社保卡" before "社保")
 * is left out as the same evidence.
 */
export function evidenceFor(field: FieldModel, tokens: readonly string[], label: string, limit = 5): string[] {
  const i = field.labels.indexOf(label);
  if (i < 0) return [];
  const weighed: Array<{ token: string; word: boolean; weight: number }> = [];
  for (const token of tokens) {
    const entry = field.tokens.get(token);
    if (entry === undefined) continue;
    const k = entry.labels.indexOf(i);
    if (k < 0) continue; // never seen under the label: only evidence against it
    const weight = (entry.correction[k] as number) + (field.unseen[i] as number) + entry.shift;
    if (weight > 0) weighed.push({ token: readable(token), word: token.startsWith('w:'), weight });
  }
  // whole words read better than the n-grams across them ("工资" rather than "俺工"): words first
  weighed.sort((a, b) => Number(b.word) - Number(a.word) || b.weight - a.weight || b.token.length - a.token.length);
  const chosen: string[] = [];
  for (const { token } of weighed) {
    if (chosen.some((shown) => shown.includes(token) || token.includes(shown))) continue;
    chosen.push(token);
    if (chosen.length === limit) break;
  }
  return chosen;
}

/** Which split a ticket falls in, by a hash of its text: stable across retrainings, so a ticket never moves from test to train. */
export type Split = 'train' | 'calibration' | 'test';
export function splitOf(content: string): Split {
  const bucket = createHash('sha1').update(content).digest().readUInt16BE(0) % 20;
  return bucket < 3 ? 'calibration' : bucket < 6 ? 'test' : 'train';
}

const TEMPERATURES = [0.25, 0.35, 0.5, 0.7, 1, 1.4, 2, 2.8, 4, 5.6, 8, 11, 16, 23, 32];
const LENGTH_POWERS = [0, 0.5, 1];

/** The (T, α) of the grid with the least log-loss on the calibration cases. */
function fitCalibration(model: FieldModel, cases: ReadonlyArray<{ tokens: string[]; label: string }>): { temperature: number; lengthPower: number } {
  const scored = cases.flatMap(({ tokens, label }) => {
    const index = model.labels.indexOf(label);
    if (index < 0) return [];
    const { odds: raw, known } = odds(model, tokens);
    return [{ values: Float64Array.from(model.labels, (_, i) => raw.get(i) ?? 0), known, index }];
  });
  let best = { temperature: 1, lengthPower: 0, loss: Number.POSITIVE_INFINITY };
  for (const temperature of TEMPERATURES) {
    for (const lengthPower of LENGTH_POWERS) {
      let loss = 0;
      for (const { values, known, index } of scored) loss += logLoss(values, index, scaleOf(known, temperature, lengthPower));
      if (loss < best.loss) best = { temperature, lengthPower, loss };
    }
  }
  return { temperature: best.temperature, lengthPower: best.lengthPower };
}

/**
 * The precision curve of a field: for each confidence among the calibration cases, the share of
 * cases at least that sure which were right — made non-increasing from the top (a threshold
 * qualifies only if every stricter one does too), so a gate read from it is conservative.
 */
export function precisionCurve(outcomes: ReadonlyArray<{ confidence: number; right: boolean }>): PrecisionPoint[] {
  const sorted = [...outcomes].sort((a, b) => b.confidence - a.confidence);
  const points: PrecisionPoint[] = [];
  let right = 0;
  let worst = 1;
  sorted.forEach(({ confidence, right: ok }, i) => {
    right += ok ? 1 : 0;
    const next = sorted[i + 1];
    if (next && next.confidence === confidence) return;
    worst = Math.min(worst, right / (i + 1));
    points.push([round4(confidence), round4(worst), round4((i + 1) / sorted.length)]);
  });
  return points;
}

/** The confidence a field must reach for its auto-dispatched tickets to be `minPrecision` right; above 1 when none reaches it. */
export function gateFor(curve: readonly PrecisionPoint[], minPrecision: number): number {
  let gate = Number.POSITIVE_INFINITY;
  for (const [threshold, precision] of curve) {
    if (precision < minPrecision) break;
    gate = threshold;
  }
  return Math.min(gate, 1.01);
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

export function tokenize(tickets: readonly LabelledTicket[]) {
  return tickets.map((ticket) => ({ ticket, tokens: features(ticket.content) }));
}

/**
 * Trains on the train split, calibrates on the calibration split. The precision curves are
 * filled in by the caller from the whole classifier's answers (rules included), see train.ts.
 */
export function fitModel(tokenized: ReturnType<typeof tokenize>, version: string): CompiledModel & { artifact: ModelArtifact } {
  const train = tokenized.filter(({ ticket }) => splitOf(ticket.content) === 'train');
  const calibration = tokenized.filter(({ ticket }) => splitOf(ticket.content) === 'calibration');
  const counts = {} as Record<ModelField, string>;
  const calibrations = {} as ModelArtifact['calibration'];
  const fields = {} as Record<ModelField, FieldModel>;
  for (const field of MODEL_FIELDS) {
    counts[field] = learnField(field, train);
    const raw = compileField(counts[field], { temperature: 1, lengthPower: 0 });
    const cases = calibration.flatMap(({ ticket, tokens }) => {
      const label = labelOf(field, ticket);
      return label === null ? [] : [{ tokens, label }];
    });
    calibrations[field] = fitCalibration(raw, cases);
    fields[field] = { ...raw, ...calibrations[field] };
  }
  const precision = { type: [], topic: [], category: [], dispatch: [] };
  return { version, fields, precision, artifact: { counts, calibration: calibrations, precision } };
}
