/**
 * Activities that project a ticket's steps into Postgres. Each is idempotent: the event's key is
 * (ticket id, sequence number) chosen by the workflow, and the ticket row only moves forward.
 */
import type { Database } from '../db/client';
import { recordTicketSteps, ticketRow } from '../db/tickets';
import type { TicketState } from '../domain/lifecycle';
import type { Actor } from '../domain/ticket';
import type { Logger } from '../platform/logger';
import { inSpan } from '../platform/tracing';
import { classificationCorrections, classifierProposals, dispatches, ticketsReceived, timerLag } from '../platform/metrics';

export interface TicketEvent {
  ticketId: string;
  seq: number;
  type: string;
  at: string;
  actor: Actor;
  data: Record<string, unknown>;
  /** the Temporal update that made this step, when one did */
  updateId?: string;
}

export function createTicketActivities({ database, logger }: { database: Database; logger: Logger }) {
  async function recordSteps(events: TicketEvent[], snapshot: TicketState): Promise<void> {
    if (events.length === 0) return;
    const row = ticketRow(snapshot);
    const steps = events.map((e) => e.type).join(',');
    // the Postgres write of the steps, as a span of the activity's trace
    const inserted = await inSpan('postgres: record ticket step', { 'ticket.id': snapshot.id, 'ticket.step': steps }, () =>
      recordTicketSteps(
        database.sql,
        row,
        events.map((event) => ({ ...event, at: new Date(event.at), updateId: event.updateId ?? null })),
      ),
    );
    // counted once per step: a retried write of a step already recorded inserts nothing
    const fresh = new Set(inserted);
    for (const event of events) {
      if (fresh.has(event.seq)) countStep(event, snapshot);
      logger.info({ ticketId: event.ticketId, step: event.type, seq: event.seq, actor: event.actor.role }, 'ticket step recorded');
    }
  }

  return {
    /** Appends one event to the trail and writes the ticket's state as it stands after it. */
    async recordEvent({ event, snapshot }: { event: TicketEvent; snapshot: TicketState }): Promise<void> {
      await recordSteps([event], snapshot);
    },

    /**
     * Appends steps to the trail and writes the ticket's state as it stands after the last, in one
     * transaction (the lean path's intake writes received … dispatched at once).
     */
    async recordSteps({ events, snapshot }: { events: TicketEvent[]; snapshot: TicketState }): Promise<void> {
      await recordSteps(events, snapshot);
    },
  };
}

/** The domain metrics a recorded step stands for (platform/metrics.ts). */
export function countStep(event: TicketEvent, snapshot: TicketState): void {
  const { data } = event;
  if (event.actor.role === 'system' && typeof data.deadline === 'string') {
    // a deadline's step: how long after its point the worker got to it
    timerLag.observe({ step: event.type }, Math.max(0, Date.parse(event.at) - Date.parse(data.deadline)) / 1000);
  }
  switch (event.type) {
    case 'received':
      ticketsReceived.inc({ channel: snapshot.channel });
      break;
    case 'proposed': {
      const p = snapshot.proposal;
      const outcome = p?.outOfScope.value ? 'out_of_scope' : p?.knowledgeBase ? 'knowledge_base' : p?.route ? 'routed' : 'unrouted';
      classifierProposals.inc({ outcome });
      break;
    }
    case 'dispatched':
      dispatches.inc({ mode: event.actor.role === 'system' ? 'auto' : 'agent' });
      break;
    case 'classified': {
      const proposed = snapshot.proposal?.classification;
      if (data.source !== 'agent' || !proposed) break;
      for (const field of ['type', 'topic', 'category'] as const) {
        if (data[field] !== proposed[field]) classificationCorrections.inc({ field });
      }
      break;
    }
  }
}
