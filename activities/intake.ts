/**
 * Intake (受理 + 分类): the classifier's proposal, the route from the routing table, repeat
 * detection (反复多发) and the auto-dispatch decision. The classifier and routing are pure
 * (domain/classifier); the knowledge base, routing rules, units and policy come from Postgres.
 */
import { and, desc, eq, gte, inArray, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { knowledgeBase, routingRules, tickets, units } from '../db/schema';
import { currentPolicy, loadCalendar } from '../db/policy';
import { DEFAULT_CLASSIFIER_BASE, classify, route, type Proposal, type Route } from '../domain/classifier';
import { gatesFor } from '../domain/classifier/gate';
import { placeSimilarity, SAME_PLACE_SIMILARITY } from '../domain/classifier/place';
import { XINXIANG_REGIONS } from '../domain/classifier/regions';
import type { CompiledModel } from '../domain/classifier/model';
import { currentModel } from './classifier-model';
import { addDuration, subtractDuration } from '../domain/deadlines';
import { OPEN_STATUSES, type IntakeFindings, type ProposalSummary } from '../domain/lifecycle';
import type { Policy } from '../domain/policy';
import type { NewTicket } from '../domain/ticket';
import type { LatLng } from '../domain/geo';
import { districtOfPoint } from '../domain/districts';
import { repeatsByPlace } from '../db/repeats-by-place';
import type { ActivityDeps } from './index';

/** Open tickets of the same middle topic compared by address: the newest this many in the repeat window. */
const PLACE_CANDIDATES = 500;
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

/** The classifier's proposal and the route it leads to, with the knowledge base and routing table in force. */
export async function proposeFor(
  db: Db,
  input: ProposalInput,
): Promise<{ proposal: Proposal; route: Route | null; model: CompiledModel }> {
  const [entries, rules, unitRows, model] = await Promise.all([
    db.select().from(knowledgeBase),
    db.select().from(routingRules),
    db.select({ id: units.id }).from(units),
    currentModel(db),
  ]);
  const proposal = classify(input, { ...DEFAULT_CLASSIFIER_BASE, knowledgeBase: entries, model });
  const pointRegion = proposal.regionCode.value === null && input.location ? districtOfPoint(input.location) : null;
  // the nearest district seat is a rough guess near borders (domain/geo.ts), so not a sure one
  if (pointRegion) proposal.regionCode = { value: pointRegion, confidence: 0.7 };
  const regionCode = input.regionCode ?? proposal.regionCode.value;
  return { proposal, route: route(proposal.topic.value, regionCode, rules, unitRows), model };
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
 * sure, and type, topic and category each past the gate the model's precision curves give for
 * the policy's `minPrecision` (domain/classifier/gate.ts).
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
    c.category >= gates.category
  );
}

export function createIntakeActivities({ database }: ActivityDeps) {
  const { db } = database;
  return {
    async intake(args: { ticketId: string; ticket: NewTicket; receivedAt: string }): Promise<IntakeFindings> {
      const { ticket } = args;
      const [{ policy }, cal, { proposal, route: routed, model }] = await Promise.all([
        currentPolicy(db),
        loadCalendar(db),
        proposeFor(db, { content: ticket.content, address: ticket.address, regionCode: ticket.regionCode, location: ticket.location }),
      ]);
      const summary = summarize(proposal, routed);
      const receivedAt = new Date(args.receivedAt);
      const since = subtractDuration(cal, receivedAt, policy.repeatWindow);
      const topic = ticket.classification?.topic ?? summary.classification.topic;
      const recentOpen = and(
        ne(tickets.id, args.ticketId),
        inArray(tickets.status, [...OPEN_STATUSES]),
        eq(tickets.imported, false),
        gte(tickets.receivedAt, since),
      );
      const sameCaller = ticket.caller.phone
        ? db.select({ id: tickets.id, receivedAt: tickets.receivedAt }).from(tickets).where(and(recentOpen, eq(tickets.callerPhone, ticket.caller.phone))).limit(10)
        : Promise.resolve([]);
      // the same place in other words: open tickets of the same middle topic (a ticket still in
      // triage has only the classifier's topic) whose address is similar (domain/classifier/place.ts)
      const samePlace = ticket.address
        ? db
            .select({ id: tickets.id, receivedAt: tickets.receivedAt, address: tickets.address })
            .from(tickets)
            .where(
              and(
                recentOpen,
                sql`${tickets.address} is not null`,
                sql`left(coalesce(${tickets.topic}, ${tickets.proposal}->'classification'->>'topic'), 4) = ${topic.slice(0, 4)}`,
              ),
            )
            .orderBy(desc(tickets.receivedAt))
            .limit(PLACE_CANDIDATES)
            .then((rows) => rows.filter((row) => placeSimilarity(row.address as string, ticket.address as string, CITY_NAMES) >= SAME_PLACE_SIMILARITY))
        : Promise.resolve([]);
      const found = new Map((await Promise.all([sameCaller, samePlace])).flat().map((row) => [row.id, row]));
      const repeats = [...found.values()].sort((x, y) => x.receivedAt.getTime() - y.receivedAt.getTime() || x.id.localeCompare(y.id)).slice(0, 10);
      // the same place by its point: the same middle topic within the policy's distance (db/repeats-by-place.ts)
      const nearby = ticket.location
        ? await repeatsByPlace(db, { point: ticket.location, topic, radiusMeters: policy.repeatDistanceMeters, since, excludeId: args.ticketId })
        : [];
      const repeatOf = [...new Set([...repeats.map((r) => r.id), ...nearby.map((r) => r.id)])];
      return {
        proposal: summary,
        repeatOf,
        triageBy: addDuration(cal, receivedAt, policy.triage).toISOString(),
        autoDispatch: mayAutoDispatch(policy, ticket.channel, summary, repeatOf, model),
      };
    },
  };
}
