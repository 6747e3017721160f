/**
 * Intake (受理 + 分类): the classifier's proposal, the route from the routing table, repeat
 * detection (反复多发) and the auto-dispatch decision. The classifier and routing are pure
 * (domain/classifier); the knowledge base, routing rules, units and policy come from Postgres.
 */
import { and, eq, gte, inArray, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { knowledgeBase, routingRules, tickets, units } from '../db/schema';
import { currentPolicy, loadCalendar } from '../db/policy';
import { DEFAULT_CLASSIFIER_DATA, classify, route, type Proposal, type Route } from '../domain/classifier';
import { addDuration, subtractDuration } from '../domain/deadlines';
import { OPEN_STATUSES, type IntakeFindings, type ProposalSummary } from '../domain/lifecycle';
import type { Policy } from '../domain/policy';
import type { NewTicket } from '../domain/ticket';
import { districtOfPoint, type LatLng } from '../domain/geo';
import { repeatsByPlace } from '../db/repeats-by-place';
import type { ActivityDeps } from './index';

export interface ProposalInput {
  content: string;
  address?: string;
  /** the agent's region, when known, routes instead of the classifier's */
  regionCode?: string;
  /** where it happened (WGS-84): gives the district when neither the agent nor the address does */
  location?: LatLng;
}

/** The classifier's proposal and the route it leads to, with the knowledge base and routing table in force. */
export async function proposeFor(db: Db, input: ProposalInput): Promise<{ proposal: Proposal; route: Route | null }> {
  const [entries, rules, unitRows] = await Promise.all([
    db.select().from(knowledgeBase),
    db.select().from(routingRules),
    db.select({ id: units.id }).from(units),
  ]);
  const proposal = classify(input, { ...DEFAULT_CLASSIFIER_DATA, knowledgeBase: entries });
  const pointRegion = proposal.regionCode.value === null && input.location ? districtOfPoint(input.location) : null;
  // the nearest district seat is a rough guess near borders (domain/geo.ts), so not a sure one
  if (pointRegion) proposal.regionCode = { value: pointRegion, confidence: 0.7 };
  const regionCode = input.regionCode ?? proposal.regionCode.value;
  return { proposal, route: route(proposal.topic.value, regionCode, rules, unitRows) };
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
    outOfScope: { value: proposal.outOfScope.value, reason: proposal.outOfScope.reason, referral: proposal.outOfScope.referral },
    knowledgeBase: proposal.knowledgeBase
      ? { entryId: proposal.knowledgeBase.entryId, answer: proposal.knowledgeBase.answer, score: proposal.knowledgeBase.score }
      : undefined,
    route: routed ? { unitId: routed.unitId, coUnitIds: routed.coUnitIds } : null,
  };
}

/**
 * Auto-dispatch (自动派单) when the policy allows it for the channel and nothing asks for a person:
 * in scope, no knowledge-base answer to give, not a repeat, and the topic, the category and the
 * route each at least `minConfidence` sure.
 */
export function mayAutoDispatch(policy: Policy, channel: NewTicket['channel'], p: ProposalSummary, repeatOf: string[]): boolean {
  const { channels, minConfidence } = policy.autoDispatch;
  const c = p.confidence;
  return (
    channels.includes(channel) &&
    !p.outOfScope.value &&
    p.knowledgeBase === undefined &&
    repeatOf.length === 0 &&
    p.route !== null &&
    Math.min(c.topic, c.category, c.route ?? 0) >= minConfidence
  );
}

export function createIntakeActivities({ database }: ActivityDeps) {
  const { db } = database;
  return {
    async intake(args: { ticketId: string; ticket: NewTicket; receivedAt: string }): Promise<IntakeFindings> {
      const { ticket } = args;
      const [{ policy }, cal, { proposal, route: routed }] = await Promise.all([
        currentPolicy(db),
        loadCalendar(db),
        proposeFor(db, { content: ticket.content, address: ticket.address, regionCode: ticket.regionCode, location: ticket.location }),
      ]);
      const summary = summarize(proposal, routed);
      const receivedAt = new Date(args.receivedAt);
      const since = subtractDuration(cal, receivedAt, policy.repeatWindow);
      const topic = ticket.classification?.topic ?? summary.classification.topic;
      const address = ticket.address?.replace(/\s+/g, '');
      const sameCaller = ticket.caller.phone ? eq(tickets.callerPhone, ticket.caller.phone) : undefined;
      // the same place: the same address, about a topic of the same middle category
      const samePlace = address
        ? and(
            sql`regexp_replace(${tickets.address}, '\\s+', '', 'g') = ${address}`,
            // a ticket still in triage has only the classifier's topic
            sql`left(coalesce(${tickets.topic}, ${tickets.proposal}->'classification'->>'topic'), 4) = ${topic.slice(0, 4)}`,
          )
        : undefined;
      const repeats =
        sameCaller || samePlace
          ? await db
              .select({ id: tickets.id })
              .from(tickets)
              .where(
                and(
                  ne(tickets.id, args.ticketId),
                  inArray(tickets.status, [...OPEN_STATUSES]),
                  eq(tickets.imported, false),
                  gte(tickets.receivedAt, since),
                  or(sameCaller, samePlace),
                ),
              )
              .orderBy(tickets.receivedAt)
              .limit(10)
          : [];
      const nearby = ticket.location
        ? await repeatsByPlace(db, { point: ticket.location, topic, radiusMeters: policy.repeatDistanceMeters, since, excludeId: args.ticketId })
        : [];
      const repeatOf = [...new Set([...repeats.map((r) => r.id), ...nearby.map((r) => r.id)])];
      return {
        proposal: summary,
        repeatOf,
        triageBy: addDuration(cal, receivedAt, policy.triage).toISOString(),
        autoDispatch: mayAutoDispatch(policy, ticket.channel, summary, repeatOf),
      };
    },
  };
}
