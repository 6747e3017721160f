/**
 * Intake (受理 + 分类): the classifier's proposal, the route from the routing table, repeat
 * detection (反复多发) and the auto-dispatch decision. The classifier and routing are pure
 * (domain/classifier); the knowledge base, routing rules, units and policy come from Postgres.
 */
import { and, desc, eq, gte, inArray, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { preparedOn } from '../db/prepared';
import { knowledgeBase, routingRules, tickets, units } from '../db/schema';
import { loadCalendar, policyInForce } from '../db/policy';
import { DEFAULT_CLASSIFIER_BASE, classify, route, type Proposal, type Route } from '../domain/classifier';
import { gatesFor } from '../domain/classifier/gate';
import { placeSimilarity, SAME_PLACE_SIMILARITY } from '../domain/classifier/place';
import { XINXIANG_REGIONS } from '../domain/classifier/regions';
import type { CompiledModel } from '../domain/classifier/model';
import { currentModel } from './classifier-model';
import { addDuration, dispatchDeadlines, subtractDuration } from '../domain/deadlines';
import { OPEN_STATUSES, type DispatchDeadlines, type IntakeFindings, type ProposalSummary } from '../domain/lifecycle';
import type { Policy } from '../domain/policy';
import type { Category, Classification, NewTicket } from '../domain/ticket';
import type { LatLng } from '../domain/geo';
import { districtOfPoint } from '../domain/districts';
import { repeatsByPlace } from '../db/repeats-by-place';
import { likelyMiddles, type ProblemProfile, problemProfile, type Report, sameProblemAs } from '../domain/classifier/repeats';
import type { ActivityDeps } from './index';

/** Open tickets compared by address: the newest this many in the repeat window, of the same middle topic and of any. */
const PLACE_CANDIDATES = 500;
/** Of the tickets at the same place, at most this many (the newest by address, then the nearest) are compared by meaning. */
const PROBLEM_CANDIDATES = 50;

/** A ticket's topic on record: the agent's, else (still in triage) the classifier's. */
const recordedTopic = sql<string | null>`coalesce(${tickets.topic}, ${tickets.proposal}->'classification'->>'topic')`;

/** Of the open tickets at the same place (ids), those that are the same problem as the report, by meaning. */
async function sameProblemAt(db: Db, model: CompiledModel, report: Report, profile: ProblemProfile, ids: readonly string[]) {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: tickets.id, receivedAt: tickets.receivedAt, content: tickets.content, topic: recordedTopic })
    .from(tickets)
    .where(inArray(tickets.id, [...ids]));
  return sameProblemAs(model, report, rows, profile);
}
/** Left out of address comparison: every address in the city may or may not name it. */
const CITY_NAMES = XINXIANG_REGIONS.cityNames;

export interface ProposalInput {
  content: string;
  address?: string;
  /** the agent's region, when known, routes instead of the classifier's */
  regionCode?: string;
  /** where it happened (WGS-84): gives the district when neither the agent nor the address does */
  location?: LatLng;
}

/**
 * The classifier's proposal and the route it leads to, with the knowledge base and routing table
 * in force; `routeFor` routes another topic (the agent's) to the same district.
 */
export async function proposeFor(
  db: Db,
  input: ProposalInput,
): Promise<{ proposal: Proposal; route: Route | null; model: CompiledModel; routeFor: (topic: string) => Route | null }> {
  const [entries, { rules, unitRows }, model] = await Promise.all([knowledgeBaseRows(db).execute(), routingTable(db), currentModel(db)]);
  const proposal = classify(input, { ...DEFAULT_CLASSIFIER_BASE, knowledgeBase: entries, model });
  const pointRegion = proposal.regionCode.value === null && input.location ? districtOfPoint(input.location) : null;
  // the nearest district seat is a rough guess near borders (domain/geo.ts), so not a sure one
  if (pointRegion) proposal.regionCode = { value: pointRegion, confidence: 0.7 };
  const regionCode = input.regionCode ?? proposal.regionCode.value;
  const routeFor = (topic: string) => route(topic, regionCode, rules, unitRows);
  return { proposal, route: routeFor(proposal.topic.value), model, routeFor };
}

/** The routing table in force: its rules and the units that exist (a rule naming a gone unit routes nowhere). */
async function routingTable(db: Db) {
  const [rules, unitRows] = await Promise.all([routingRuleRows(db).execute(), unitIds(db).execute()]);
  return { rules, unitRows };
}

// read by every intake: prepared once (db/prepared.ts)
const knowledgeBaseRows = preparedOn((db) => db.select().from(knowledgeBase).prepare('knowledge_base'));
const routingRuleRows = preparedOn((db) => db.select().from(routingRules).prepare('routing_rules'));
const unitIds = preparedOn((db) => db.select({ id: units.id }).from(units).prepare('unit_ids'));

/** The route of a topic in a district, with the routing table in force. */
export async function routeOf(db: Db, topic: string, regionCode: string | null): Promise<Route | null> {
  const { rules, unitRows } = await routingTable(db);
  return route(topic, regionCode, rules, unitRows);
}

/**
 * What the lean intake needs in one step: the findings, and for a dispatch at receipt (the
 * agent's, or the auto-dispatch) its unit and deadlines. `refused` (naming the field) when the
 * ticket cannot be received as asked: a dispatch without a unit that no routing rule covers.
 */
export interface Admission extends IntakeFindings {
  /** The classification intake gave a ticket received with only its topic (topicClassification). */
  classification?: Classification;
  dispatch?: { unitId: string; coUnitIds: string[]; deadlines: DispatchDeadlines };
  refused?: { field: string; message: string };
}

export function summarize(proposal: Proposal, routed: Route | null): ProposalSummary {
  return {
    classification: { type: proposal.type.value, topic: proposal.topic.value, category: proposal.category.value },
    confidence: {
      type: proposal.type.confidence,
      topic: proposal.topic.confidence,
      category: proposal.category.confidence,
      region: proposal.regionCode.confidence,
      route: routed?.confidence ?? null,
      dispatch: proposal.dispatchConfidence,
    },
    regionCode: proposal.regionCode.value,
    outOfScope: {
      value: proposal.outOfScope.value,
      reason: proposal.outOfScope.reason,
      referral: proposal.outOfScope.referral,
      ...(proposal.outOfScope.kind ? { kind: proposal.outOfScope.kind } : {}),
      ...(proposal.outOfScope.emergency ? { emergency: true } : {}),
    },
    modelVersion: proposal.modelVersion,
    knowledgeBase: proposal.knowledgeBase
      ? { entryId: proposal.knowledgeBase.entryId, answer: proposal.knowledgeBase.answer, score: proposal.knowledgeBase.score }
      : undefined,
    route: routed ? { unitId: routed.unitId, coUnitIds: routed.coUnitIds } : null,
  };
}

/**
 * Auto-dispatch (自动派单) when the policy allows it for the channel and nothing asks for a person:
 * in scope, no knowledge-base answer to give, not a repeat, the route at least `minConfidence`
 * sure, and the joint confidence (and type, topic, category where the policy gates them alone)
 * past the gate the model's precision curves give for the policy's `minPrecision`
 * (domain/classifier/gate.ts).
 */
export function mayAutoDispatch(
  policy: Policy,
  channel: NewTicket['channel'],
  p: ProposalSummary,
  repeatOf: string[],
  model: CompiledModel,
): boolean {
  const { channels, minConfidence } = policy.autoDispatch;
  const gates = gatesFor(model, policy.autoDispatch);
  const c = p.confidence;
  return (
    channels.includes(channel) &&
    !p.outOfScope.value &&
    p.knowledgeBase === undefined &&
    repeatOf.length === 0 &&
    p.route !== null &&
    (c.route ?? 0) >= minConfidence &&
    c.type >= gates.type &&
    c.topic >= gates.topic &&
    c.category >= gates.category &&
    (c.dispatch ?? 0) >= gates.dispatch
  );
}

/**
 * The classification of a ticket received with only its topic (Open311's service code): that
 * topic, with the classifier's type and category; none when the ticket came classified, or without a topic.
 */
export function topicClassification(ticket: NewTicket, topic: string | undefined, proposal: ProposalSummary): Classification | undefined {
  return !ticket.classification && topic ? { type: proposal.classification.type, topic, category: proposal.classification.category } : undefined;
}

/**
 * The decision made at receipt, from intake's findings: the dispatch the agent asked for (to the
 * unit named, else where the routing table sends the agent's topic, else the classifier's), or
 * the auto-dispatch on the proposal; its deadlines by the category that will be the ticket's. A
 * ticket received with only its `topic` is classified first (topicClassification).
 */
export function admissionOf(
  ticket: NewTicket,
  findings: IntakeFindings,
  routeFor: (topic: string) => Pick<Route, 'unitId' | 'coUnitIds'> | null,
  deadlinesFor: (category: Category) => DispatchDeadlines,
  topic?: string,
): Admission {
  const classification = topicClassification(ticket, topic, findings.proposal);
  if (classification) return { ...admissionOf({ ...ticket, classification }, findings, routeFor, deadlinesFor), classification };
  const d = ticket.disposition;
  let unit: { unitId: string; coUnitIds: string[] } | undefined;
  if (d?.action === 'dispatch') {
    const routed = d.unitId ? { unitId: d.unitId, coUnitIds: d.coUnitIds ?? [] } : routeFor(ticket.classification?.topic ?? findings.proposal.classification.topic);
    if (!routed) return { ...findings, refused: { field: 'disposition.unitId', message: 'no routing rule matches this ticket; name the unit to dispatch to' } };
    unit = { unitId: routed.unitId, coUnitIds: d.coUnitIds ?? routed.coUnitIds };
  } else if (!d && findings.autoDispatch && findings.proposal.route) {
    unit = findings.proposal.route;
  }
  if (!unit) return findings;
  const category = ticket.classification?.category ?? findings.proposal.classification.category;
  return { ...findings, dispatch: { ...unit, deadlines: deadlinesFor(category) } };
}

export function createIntakeActivities({ database }: ActivityDeps) {
  const { db } = database;

  /** 受理 + 分类: the proposal, the route, the repeats (反复多发) and the auto-dispatch decision. */
  async function findingsOf(args: { ticketId: string; ticket: NewTicket; receivedAt: string; topic?: string }) {
    const { ticket } = args;
    const receivedAt = new Date(args.receivedAt);
    const rules = Promise.all([policyInForce(db), loadCalendar(db)]);
    const recentOpenSince = (since: Date) =>
      and(ne(tickets.id, args.ticketId), inArray(tickets.status, [...OPEN_STATUSES]), eq(tickets.imported, false), gte(tickets.receivedAt, since));
    // the start of the repeat window, by the policy and calendar in force
    const windowStart = rules.then(([{ policy }, cal]) => subtractDuration(cal, receivedAt, policy.repeatWindow));
    const phone = ticket.caller.phone;
    // the same caller's open tickets need the repeat window, not the proposal: looked up while the classifier runs
    const callerRepeats = phone
      ? windowStart.then((since) =>
          db
            .select({ id: tickets.id, receivedAt: tickets.receivedAt })
            .from(tickets)
            .where(and(recentOpenSince(since), eq(tickets.callerPhone, phone)))
            .limit(10),
        )
      : Promise.resolve([]);
    const [[{ version, policy }, cal], since, proposed, sameCaller] = await Promise.all([
      rules,
      windowStart,
      proposeFor(db, { content: ticket.content, address: ticket.address, regionCode: ticket.regionCode, location: ticket.location }),
      callerRepeats,
    ]);
    const { proposal, route: routed, model } = proposed;
    const summary = summarize(proposal, routed);
    const topic = ticket.classification?.topic ?? args.topic ?? summary.classification.topic;
    const recentOpen = recentOpenSince(since);
    // the same place: open tickets whose address is similar (domain/classifier/place.ts) — the
    // newest of the same middle topic and the newest of any (the same problem may have been
    // filed under another topic) — or whose point is near (db/repeats-by-place.ts); of those,
    // the ones that are the same problem (domain/classifier/repeats.ts)
    const byAddress = (sameMiddle: boolean) =>
      db
        .select({ id: tickets.id, receivedAt: tickets.receivedAt, address: tickets.address })
        .from(tickets)
        .where(
          and(
            recentOpen,
            sql`${tickets.address} is not null`,
            // a ticket still in triage has only the classifier's topic
            sameMiddle ? sql`left(${recordedTopic}, 4) = ${topic.slice(0, 4)}` : undefined,
          ),
        )
        .orderBy(desc(tickets.receivedAt))
        .limit(PLACE_CANDIDATES);
    const samePlace = ticket.address
      ? Promise.all([byAddress(true), byAddress(false)]).then((lists) =>
          lists.flat().filter((row) => placeSimilarity(row.address as string, ticket.address as string, CITY_NAMES) >= SAME_PLACE_SIMILARITY),
        )
      : Promise.resolve([]);
    // the point lookup asks one middle topic at a time: the ticket's, and those where the model
    // finds the same problem may also have been filed
    const report = { content: ticket.content, topic };
    const profile = problemProfile(model, report.content);
    const location = ticket.location;
    const nearby = location
      ? Promise.all(
          likelyMiddles(topic, profile).map((middle) =>
            repeatsByPlace(db, { point: location, topic: middle, radiusMeters: policy.repeatDistanceMeters, since, excludeId: args.ticketId }),
          ),
        ).then((lists) => lists.flat().sort((x, y) => x.distanceMeters - y.distanceMeters))
      : Promise.resolve([]);
    const [placeRows, nearRows] = await Promise.all([samePlace, nearby]);
    const atPlace = [...new Set([...placeRows.map((r) => r.id), ...nearRows.map((r) => r.id)])].slice(0, PROBLEM_CANDIDATES);
    const sameProblem = await sameProblemAt(db, model, report, profile, atPlace);
    const found = new Map([...sameCaller, ...sameProblem].map((row) => [row.id, row]));
    const repeatOf = [...found.values()]
      .sort((x, y) => x.receivedAt.getTime() - y.receivedAt.getTime() || x.id.localeCompare(y.id))
      .slice(0, 10)
      .map((r) => r.id);
    const findings: IntakeFindings = {
      proposal: summary,
      repeatOf,
      triageBy: addDuration(cal, receivedAt, policy.triage).toISOString(),
      autoDispatch: mayAutoDispatch(policy, ticket.channel, summary, repeatOf, model),
    };
    return { findings, cal, policy, version, routeFor: proposed.routeFor };
  }

  return {
    /** The findings of intake, on the path before the lean one (its decision comes as a step of its own). */
    async intake(args: { ticketId: string; ticket: NewTicket; receivedAt: string }): Promise<IntakeFindings> {
      return (await findingsOf(args)).findings;
    },

    /**
     * The lean intake's one step (a local activity, reads only): the findings, and the unit and
     * deadlines of a dispatch at receipt, computed from `dispatchAt` under the current policy.
     */
    async admit(args: { ticketId: string; ticket: NewTicket; receivedAt: string; dispatchAt: string; topic?: string }): Promise<Admission> {
      const { findings, cal, policy, version, routeFor } = await findingsOf(args);
      return admissionOf(args.ticket, findings, routeFor, (category) => dispatchDeadlines(cal, policy, version, category, new Date(args.dispatchAt)), args.topic);
    },

    /** The route for a dispatch without a unit, decided after receipt (the triage update). */
    async routeFor(args: { topic: string; regionCode?: string }): Promise<{ unitId: string; coUnitIds: string[] } | null> {
      const routed = await routeOf(db, args.topic, args.regionCode ?? null);
      return routed ? { unitId: routed.unitId, coUnitIds: routed.coUnitIds } : null;
    },
  };
}
