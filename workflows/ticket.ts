/**
 * One ticket's life as a durable workflow (接 → 分 → 转 → 办 → 督 → 复 → 结):
 * receive → triage → answer | reject | dispatch → the unit signs, reports progress, replies →
 * the agent calls the citizen back → close, or re-handle / finalize when the citizen is
 * dissatisfied.
 *
 * People act on the ticket through updates; each handler checks the lifecycle rules, applies
 * the step to the state and answers once the step is recorded in Postgres. The main function
 * below waits for the phases in order. Deterministic: no I/O here, only activities.
 */
import { ApplicationFailure, allHandlersFinished, condition, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo, log } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { UpdateDefinition } from '@temporalio/common';
import type * as activities from '../activities';
import { ACTION_NOT_ALLOWED, refusal, type TicketAction, type TicketState } from '../domain/lifecycle';
import type { Actor, Classification, Disposition, NewTicket, CallbackOutcome } from '../domain/ticket';
import {
  callbackUpdate,
  finalizeUpdate,
  persistedUpdate,
  progressUpdate,
  rehandleUpdate,
  replyUpdate,
  searchAttributes,
  signUpdate,
  stateQuery,
  triageUpdate,
} from './messages';

const { recordEvent } = proxyActivities<ReturnType<typeof activities.createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export interface TicketWorkflowInput {
  ticket: NewTicket;
  receivedAt: string;
  actor: Actor;
}

export async function ticketWorkflow(input: TicketWorkflowInput): Promise<TicketState> {
  const ticket = new TicketCase(input);
  ticket.listen();

  await ticket.receive();
  await ticket.triage();
  if (ticket.dispatched) {
    for (;;) {
      await ticket.handle();
      const outcome = await ticket.callBack();
      if (outcome !== 'dissatisfied') break;
      const rehandled = await ticket.superviseDissatisfaction();
      if (!rehandled) break;
    }
  }
  // the step that closed the ticket is still being recorded by its update handler
  await condition(allHandlersFinished);
  return ticket.state;
}

/** The state of one ticket and the steps that change it. */
class TicketCase {
  readonly state: TicketState;
  /** Steps are written to Postgres one after another, in the order of their sequence numbers. */
  private persisting: Promise<void> = Promise.resolve();
  private persistedSeq = 0;
  /** Set once the ticket is received and the disposition given with it (if any) applied. */
  private intakeDone = false;

  constructor(private readonly input: TicketWorkflowInput) {
    const t = input.ticket;
    this.state = {
      id: workflowInfo().workflowId,
      status: 'triage',
      channel: t.channel,
      caller: t.caller,
      content: t.content,
      address: t.address,
      regionCode: t.regionCode,
      businessEnvironment: t.businessEnvironment,
      receivedAt: input.receivedAt,
      classification: t.classification,
      coUnitIds: [],
      deadlines: {},
      nearDue: false,
      overdue: false,
      escalated: false,
      rehandleCount: 0,
      urgeCount: 0,
      lastEventSeq: 0,
    };
  }

  get dispatched(): boolean {
    return this.state.unitId !== undefined;
  }

  /** Registers the query and every update, each validated against the lifecycle rules. */
  listen(): void {
    setHandler(stateQuery, () => this.state);
    setHandler(persistedUpdate, async () => {
      await condition(() => this.intakeDone && this.persistedSeq === this.state.lastEventSeq);
      return this.state;
    });
    this.on(triageUpdate, 'triage', ({ actor, classification, disposition }) => this.decide(actor, disposition, classification));
    this.on(signUpdate, 'sign', ({ actor }) => this.sign(actor));
    this.on(progressUpdate, 'progress', ({ actor, note }) => this.record('progress', actor, { note }));
    this.on(replyUpdate, 'reply', ({ actor, result, reply }) => this.reply(actor, result, reply));
    this.on(callbackUpdate, 'callback', ({ actor, outcome, note }) => this.recordCallback(actor, outcome, note));
    this.on(rehandleUpdate, 'rehandle', ({ actor, note }) => this.rehandle(actor, note));
    this.on(finalizeUpdate, 'finalize', ({ actor, reason }) => this.close('finalized', actor, { reason }));
  }

  /** 受理: the ticket enters the trail. */
  async receive(): Promise<void> {
    const { ticket, actor } = this.input;
    await this.record('received', actor, {
      channel: ticket.channel,
      content: ticket.content,
      address: ticket.address,
      regionCode: ticket.regionCode,
      businessEnvironment: ticket.businessEnvironment,
    });
  }

  /** 分类: the agent's decision, given at creation or later through the triage update. */
  async triage(): Promise<void> {
    const { disposition, classification } = this.input.ticket;
    if (disposition) await this.decide(this.input.actor, disposition, classification);
    this.intakeDone = true;
    await condition(() => this.state.status !== 'triage');
  }

  /** 办理: wait until the unit has signed and replied. */
  async handle(): Promise<void> {
    await condition(() => this.state.status === 'replied');
  }

  /** 回访: wait for the agent's callback; returns its outcome. */
  async callBack(): Promise<CallbackOutcome> {
    await condition(() => this.state.satisfaction !== undefined);
    return this.state.satisfaction!;
  }

  /** 重办 or 终结: the supervisor decides on a dissatisfied ticket. True when re-handled. */
  async superviseDissatisfaction(): Promise<boolean> {
    await condition(() => this.state.status !== 'replied');
    return this.state.status === 'handling';
  }

  private async decide(actor: Actor, disposition: Disposition, classification?: Classification): Promise<void> {
    if (classification) {
      this.state.classification = classification;
      await this.record('classified', actor, { ...classification, source: 'agent' });
    }
    switch (disposition.action) {
      case 'answer':
        this.state.answer = disposition.answer;
        return this.close('answered', actor, { answer: disposition.answer });
      case 'reject':
        this.state.rejection = { reason: disposition.reason, referral: disposition.referral };
        return this.close('rejected', actor, { reason: disposition.reason, referral: disposition.referral });
      case 'dispatch':
        return this.dispatch(actor, disposition.unitId!, disposition.coUnitIds ?? []);
    }
  }

  /** 转办: to the primary unit (主办) and the co-handling units (协办). */
  private async dispatch(actor: Actor, unitId: string, coUnitIds: string[]): Promise<void> {
    this.state.status = 'dispatched';
    this.state.unitId = unitId;
    this.state.coUnitIds = coUnitIds.filter((id) => id !== unitId);
    this.state.dispatchedAt = now();
    await this.record('dispatched', actor, { unitId, coUnitIds: this.state.coUnitIds });
  }

  /** 签收 */
  private async sign(actor: Actor): Promise<void> {
    this.state.status = 'handling';
    this.state.signedAt = now();
    await this.record('signed', actor, { unitId: this.state.unitId });
  }

  /** 办结回复: the unit's completion signal. */
  private async reply(actor: Actor, result: 'resolved' | 'explained' | 'unresolved', reply: string): Promise<void> {
    const at = now();
    this.state.status = 'replied';
    this.state.reply = { result, reply, at, unitId: this.state.unitId! };
    this.state.satisfaction = undefined;
    await this.record('replied', actor, { result, reply, unitId: this.state.unitId });
  }

  /** 回访结果 */
  private async recordCallback(actor: Actor, outcome: CallbackOutcome, note?: string): Promise<void> {
    this.state.satisfaction = outcome;
    await this.record('callback', actor, { outcome, note });
    if (outcome !== 'dissatisfied') await this.close(outcome, actor, {});
  }

  /** 重办: back to the same unit, handling again. */
  private async rehandle(actor: Actor, note: string): Promise<void> {
    this.state.status = 'handling';
    this.state.rehandleCount += 1;
    await this.record('rehandled', actor, { note, unitId: this.state.unitId, rehandleCount: this.state.rehandleCount });
  }

  private async close(reason: NonNullable<TicketState['closeReason']>, actor: Actor, data: Record<string, unknown>): Promise<void> {
    this.state.status = reason === 'answered' ? 'answered' : reason === 'rejected' ? 'rejected' : 'closed';
    this.state.closeReason = reason;
    this.state.closedAt = now();
    await this.record(this.state.status === 'closed' ? 'closed' : this.state.status, actor, { ...data, closeReason: reason });
  }

  /**
   * Registers an update whose validator applies the lifecycle rules. The handler re-checks, as
   * another update accepted in the same activation may have moved the ticket on.
   */
  private on<A extends { actor: Actor }>(
    update: UpdateDefinition<TicketState, [A]>,
    action: TicketAction,
    step: (args: A) => Promise<void>,
  ): void {
    setHandler<TicketState, [A], UpdateDefinition<TicketState, [A]>>(
      update,
      async (args: A) => {
        this.assertAllowed(action);
        await step(args);
        return this.state;
      },
      { validator: () => this.assertAllowed(action) },
    );
  }

  private assertAllowed(action: TicketAction): void {
    const why = refusal(action, this.state);
    if (why) throw ApplicationFailure.create({ type: ACTION_NOT_ALLOWED, message: why, nonRetryable: true, details: [this.state.status] });
  }

  /** Appends an event to the trail and projects the new state into Postgres. */
  private async record(type: string, actor: Actor, data: Record<string, unknown>): Promise<void> {
    const seq = ++this.state.lastEventSeq;
    const event = { ticketId: this.state.id, seq, type, at: now(), actor, data: dropUndefined(data) };
    // the activity runs after the steps before it, by when the state may have moved on
    const snapshot: TicketState = JSON.parse(JSON.stringify(this.state));
    this.updateSearchAttributes();
    log.info('ticket step', { ticketId: this.state.id, step: type, seq });
    const step = this.persisting.then(() => recordEvent({ event, snapshot }));
    this.persisting = step.then(() => {
      this.persistedSeq = seq;
    });
    await this.persisting;
  }

  private updateSearchAttributes(): void {
    const s = this.state;
    const pairs: SearchAttributeUpdatePair[] = [{ key: searchAttributes.status, value: s.status }];
    if (s.unitId) pairs.push({ key: searchAttributes.unitId, value: s.unitId });
    if (s.classification) {
      pairs.push({ key: searchAttributes.category, value: s.classification.category });
      pairs.push({ key: searchAttributes.type, value: s.classification.type });
      pairs.push({ key: searchAttributes.topic, value: s.classification.topic });
    }
    if (s.regionCode) pairs.push({ key: searchAttributes.regionCode, value: s.regionCode });
    pairs.push({ key: searchAttributes.channel, value: s.channel });
    pairs.push({ key: searchAttributes.overdue, value: s.overdue });
    if (s.deadlines.dueBy) pairs.push({ key: searchAttributes.dueBy, value: new Date(s.deadlines.dueBy) });
    upsertSearchAttributes(pairs);
  }
}

function now(): string {
  return new Date().toISOString();
}

function dropUndefined(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
}
