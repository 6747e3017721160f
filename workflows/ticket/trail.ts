/**
 * The trail (工单流转记录): every step gets the next sequence number, is written to Postgres in
 * that order together with the ticket's state after it, and the search attributes follow.
 * Steps added together are written in one transaction (the lean path's intake).
 */
import { ActivityFailure, ApplicationFailure, currentUpdateInfo, log, patched, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { TicketEvent } from '../../activities/tickets';
import type { TicketState } from '../../domain/lifecycle';
import { DATA_ERROR, hasUnstorableText, storable } from '../../domain/storable';
import type { Actor } from '../../domain/ticket';
import { searchAttributes } from '../messages';
import { nowIso, type Activities } from './platform';

/** patched(): a step Postgres refuses for its data is recorded storable and marked, not retried forever. */
const RECORD_REFUSED_STEPS = 'record-refused-steps';

export class Trail {
  /** The sequence number of the last step written to Postgres. */
  persistedSeq = 0;
  private persisting: Promise<void> = Promise.resolve();
  private added: TicketEvent[] = [];
  private latest?: TicketState;
  private holding = 0;
  private lastAttributes?: string;

  constructor(
    private readonly state: TicketState,
    private readonly acts: Activities,
    /** the lean path: batched steps, search attributes upserted only when they change */
    private readonly lean: boolean,
  ) {}

  /** True once every step added so far is in Postgres. */
  get settled(): boolean {
    return this.added.length === 0 && this.persistedSeq === this.state.lastEventSeq;
  }

  /** Appends a step to the trail; in Postgres once the returned promise resolves (or the batch it is in is written). */
  record(type: string, actor: Actor, data: Record<string, unknown>): Promise<void> {
    const seq = ++this.state.lastEventSeq;
    // the update that made the step (none for timers and signals), so a retried action can find it
    const updateId = currentUpdateInfo()?.id;
    this.added.push({ ticketId: this.state.id, seq, type, at: nowIso(), actor, data: dropUndefined(data), ...(updateId ? { updateId } : {}) });
    // the write may run after later steps changed the state: it gets a copy
    this.latest = JSON.parse(JSON.stringify(this.state));
    log.info('ticket step', { ticketId: this.state.id, step: type, seq });
    return this.holding > 0 ? Promise.resolve() : this.flush();
  }

  /** Runs `steps` and writes all they recorded at once, in one transaction. */
  async batch(steps: () => Promise<void>): Promise<void> {
    this.holding += 1;
    try {
      await steps();
    } finally {
      this.holding -= 1;
    }
    await this.flush();
  }

  private async flush(): Promise<void> {
    const events = this.added.splice(0);
    const snapshot = this.latest;
    if (events.length === 0 || !snapshot) return this.persisting;
    this.updateSearchAttributes();
    const seq = events[events.length - 1]!.seq;
    const written = this.persisting.then(() => this.write(events, snapshot));
    this.persisting = written.then(() => {
      this.persistedSeq = seq;
    });
    await this.persisting;
  }

  /**
   * Writes steps. Steps Postgres refuses for their data (NUL or a lone surrogate in a text) fail
   * for good, and retrying them would hold up every later step: they are written again with
   * their text made storable (U+FFFD) and marked with `recordError`, the center gets a
   * supervision notice, and the ticket moves on.
   */
  private async write(events: TicketEvent[], snapshot: TicketState): Promise<void> {
    try {
      await this.store(events, snapshot);
      return;
    } catch (err) {
      const error = postgresRefusal(err);
      if (error === undefined || !(this.lean || patched(RECORD_REFUSED_STEPS))) throw err;
      // the steps whose text Postgres cannot hold are the ones marked (all, when none is the cause)
      const unstorable = events.filter((e) => hasUnstorableText(e));
      const refused = unstorable.length > 0 ? unstorable : events;
      const first = refused[0]!;
      const steps = refused.map((e) => `${e.type} #${e.seq}`).join(', ');
      const where = { ticketId: first.ticketId, step: refused.map((e) => e.type).join(','), seq: first.seq, error };
      log.error('ticket step refused by Postgres; recorded with its text made storable', where);
      // the state keeps the storable text, or every later step would be refused for it as well
      Object.assign(this.state, storable(this.state));
      try {
        const marked = events.map((e) => {
          const stored = storable(e);
          return refused.includes(e) ? { ...stored, data: { ...stored.data, recordError: error } } : stored;
        });
        await this.store(marked, storable(snapshot));
      } catch (again) {
        const still = postgresRefusal(again);
        if (still === undefined) throw again;
        // not a matter of text (a value out of range, a constraint): the notice and the log tell of it
        log.error('ticket step not recorded: Postgres refused it even with storable text', { ...where, error: still });
      }
      await this.acts.issueSupervisionNotice({
        id: `${first.ticketId}:${first.seq}:record_failed`,
        ticketId: first.ticketId,
        unitId: this.state.unitId,
        kind: 'record_failed',
        note: `${steps}: ${error}`,
        at: nowIso(),
      });
    }
  }

  private store(events: TicketEvent[], snapshot: TicketState): Promise<void> {
    // one step per activity as the tickets before the lean path recorded them
    return this.lean ? this.acts.recordSteps({ events, snapshot }) : this.acts.recordEvent({ event: events[0]!, snapshot });
  }

  private updateSearchAttributes(): void {
    const s = this.state;
    const pairs: SearchAttributeUpdatePair[] = [
      { key: searchAttributes.status, value: s.status },
      { key: searchAttributes.channel, value: s.channel },
      { key: searchAttributes.overdue, value: s.overdue },
    ];
    if (s.unitId) pairs.push({ key: searchAttributes.unitId, value: s.unitId });
    if (s.classification) {
      pairs.push({ key: searchAttributes.category, value: s.classification.category });
      pairs.push({ key: searchAttributes.type, value: s.classification.type });
      pairs.push({ key: searchAttributes.topic, value: s.classification.topic });
    }
    if (s.regionCode) pairs.push({ key: searchAttributes.regionCode, value: s.regionCode });
    if (s.deadlines.dueBy) pairs.push({ key: searchAttributes.dueBy, value: new Date(s.deadlines.dueBy) });
    if (this.lean) {
      // an upsert is an event in the history: only when a value changed
      const key = JSON.stringify(pairs.map((p) => [p.key.name, p.value]));
      if (key === this.lastAttributes) return;
      this.lastAttributes = key;
    }
    upsertSearchAttributes(pairs);
  }
}

/**
 * Postgres's error when an activity failed for good for its data (activities/data-errors.ts),
 * else undefined: wrapped in an ActivityFailure (an activity) or as it was thrown (a local one).
 */
function postgresRefusal(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.type === DATA_ERROR ? cause.message : undefined;
}

function dropUndefined(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
}
