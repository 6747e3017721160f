/**
 * One ticket's life as a durable workflow (接 → 分 → 转 → 办 → 督 → 复 → 结):
 * receive → triage → answer | reject | dispatch → the unit signs, reports progress, replies,
 * watched by timers for the sign-off, near-due, due and escalation points → the agent calls the
 * citizen back by the callback deadline → close, or re-handle / finalize when the citizen is
 * dissatisfied. Units may ask to return the ticket or to extend its deadline; the supervision
 * center decides, urges and merges repeats.
 *
 * People act through updates: each handler checks the lifecycle rules, applies the step under a
 * lock and answers once the step is recorded in Postgres. The main function waits for the phases
 * in order. Deterministic: deadlines, policy and calendar come from activities.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  currentUpdateInfo,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, type SearchAttributeUpdatePair, type UpdateDefinition } from '@temporalio/common';
import type * as activities from '../activities';
import type { TicketEvent } from '../activities/tickets';
import type { OutboxNotification, UnitNotification } from '../activities/notifications';
import { platformHandBack, type HandBackKind } from '../domain/hand-back';
import { notificationDeliveryWorkflow } from './notification-delivery';
import {
  ACTION_NOT_ALLOWED,
  ACTOR_NOT_ALLOWED,
  UNPROCESSABLE,
  actorRefusal,
  refusal,
  type DispatchDeadlines,
  type IntakeFindings,
  type TicketAction,
  type TicketState,
} from '../domain/lifecycle';
import { isUnsealed, unsealedRefusal, UNSEALED_ARGUMENTS } from '../domain/sealed';
import { DATA_ERROR, storable } from '../domain/storable';
import type { Actor, CallbackOutcome, Classification, Disposition, NewTicket, ReplyResult } from '../domain/ticket';
import {
  callbackUpdate,
  extensionDecisionUpdate,
  extensionRequestUpdate,
  finalizeUpdate,
  mergeUpdate,
  mergedInSignal,
  persistedUpdate,
  progressUpdate,
  rehandleUpdate,
  replyUpdate,
  returnDecisionUpdate,
  returnRequestUpdate,
  searchAttributes,
  signUpdate,
  stateQuery,
  triageUpdate,
  urgeUpdate,
} from './messages';

type Activities = ReturnType<typeof activities.createActivities>;

const { recordEvent, intake, dispatchDeadlines, extendedDeadlines, callbackDeadline, issueSupervisionNotice, recordNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** The delivery before the outbox, for the tickets whose histories began with it (patched NOTIFICATION_OUTBOX). */
const { notifyUnit } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 10 },
});

export interface TicketWorkflowInput {
  ticket: NewTicket;
  receivedAt: string;
  actor: Actor;
}

const SYSTEM: Actor = { role: 'system', id: 'ticket-workflow' };

/** patched(): a ticket answered or rejected without a classification adopts the classifier's. */
const ADOPT_PROPOSAL_ON_CLOSE = 'adopt-proposal-on-answer-reject';
/** patched(): a step Postgres refuses for its data is recorded storable and marked, not retried forever. */
const RECORD_REFUSED_STEPS = 'record-refused-steps';
/**
 * patched(): under the lock, an update checks again that its actor may take the action (the ticket
 * may have moved to another unit while it waited), and a signal not sealed with the key is dropped.
 */
const CHECK_SEALED_ACTOR = 'check-sealed-actor';
/**
 * patched(): a notification is recorded in the outbox and delivered by a workflow of its own,
 * so the ticket's workflow no longer stays open while a dead webhook is retried.
 */
const NOTIFICATION_OUTBOX = 'notification-outbox';
/** patched(): a ticket a platform handed over is handed back to it, through the outbox, when signed, replied and closed. */
const PLATFORM_HAND_BACK = 'platform-hand-back';

export async function ticketWorkflow(input: TicketWorkflowInput): Promise<TicketState> {
  // started straight on Temporal without the key: no ticket, nothing recorded
  if (isUnsealed(input)) throw ApplicationFailure.create({ type: UNSEALED_ARGUMENTS, message: unsealedRefusal(input), nonRetryable: true });
  const ticket = new TicketCase(input);
  ticket.listen();

  await ticket.receive();
  await ticket.triage();
  if (ticket.dispatched) {
    for (;;) {
      await ticket.handle();
      if (ticket.closed) break;
      const outcome = await ticket.callBack();
      if (outcome !== 'dissatisfied') break;
      const rehandled = await ticket.superviseDissatisfaction();
      if (!rehandled) break;
    }
  }
  await ticket.settle();
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
  /** One step at a time: an update or a timer holds this while it applies its step. */
  private busy = false;
  /** Bumped whenever the deadlines move, so the timers are set again. */
  private deadlineVersion = 0;
  private pendingNotifications = 0;
  private findings?: IntakeFindings;

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
      location: t.location,
      mediaUrl: t.mediaUrl,
      externalRef: t.externalRef,
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
      signOverdue: false,
      callbackMissed: false,
      dissatisfiedCount: 0,
      returnCount: 0,
      mergedTickets: [],
      repeatOf: [],
      lastEventSeq: 0,
    };
  }

  get dispatched(): boolean {
    return this.state.unitId !== undefined;
  }

  get closed(): boolean {
    return this.state.closedAt !== undefined;
  }

  /** Registers the query, the signal and every update, each validated against the lifecycle rules. */
  listen(): void {
    setHandler(stateQuery, () => this.state);
    setHandler(persistedUpdate, async () => {
      await condition(() => this.intakeDone && this.persistedSeq === this.state.lastEventSeq);
      return this.state;
    });
    // async, so the workflow does not end before the merged report is recorded (allHandlersFinished)
    setHandler(mergedInSignal, async (repeat) => {
      // a signal cannot be refused: one not sealed with the key (sent straight to Temporal) changes nothing
      if (isUnsealed(repeat) && patched(CHECK_SEALED_ACTOR)) {
        log.warn('signal not sealed with the payload key ignored', { signal: mergedInSignal.name, reason: unsealedRefusal(repeat) });
        return;
      }
      await this.exclusive(async () => {
        this.state.mergedTickets.push(repeat);
        await this.record('repeat_merged', SYSTEM, { ticketId: repeat.id });
      });
    });
    this.on(triageUpdate, 'triage', ({ actor, classification, disposition }) => this.decide(actor, disposition, classification));
    this.on(signUpdate, 'sign', ({ actor }) => this.sign(actor));
    this.on(progressUpdate, 'progress', ({ actor, note }) => this.record('progress', actor, { note }));
    this.on(replyUpdate, 'reply', ({ actor, result, reply }) => this.reply(actor, result, reply));
    this.on(callbackUpdate, 'callback', ({ actor, outcome, note }) => this.recordCallback(actor, outcome, note));
    this.on(rehandleUpdate, 'rehandle', ({ actor, note }) => this.rehandle(actor, note));
    this.on(finalizeUpdate, 'finalize', ({ actor, reason }) => this.close('finalized', actor, { reason }));
    this.on(returnRequestUpdate, 'returnRequest', ({ actor, reason, suggestedUnitId }) => this.requestReturn(actor, reason, suggestedUnitId));
    this.on(returnDecisionUpdate, 'returnDecision', ({ actor, approve, unitId, coUnitIds, note }) =>
      approve ? this.approveReturn(actor, unitId!, coUnitIds ?? [], note) : this.refuseReturn(actor, note),
    );
    this.on(extensionRequestUpdate, 'extensionRequest', ({ actor, workingDays, reason }) => this.requestExtension(actor, workingDays, reason), {
      validate: ({ workingDays }) =>
        this.state.extensionMaxWorkingDays !== undefined && workingDays > this.state.extensionMaxWorkingDays
          ? `workingDays: at most ${this.state.extensionMaxWorkingDays} working days may be asked for`
          : undefined,
    });
    this.on(extensionDecisionUpdate, 'extensionDecision', ({ actor, approve, note }) =>
      approve ? this.approveExtension(actor, note) : this.refuseExtension(actor, note),
    );
    this.on(urgeUpdate, 'urge', ({ actor, note }) => this.urge(actor, note));
    this.on(mergeUpdate, 'merge', ({ actor, intoTicketId }) => this.merge(actor, intoTicketId));
  }

  // ----------------------------------------------------------------------------------------
  // The phases, in the order the main function waits for them

  /**
   * 受理: the ticket enters the trail with the classifier's proposal, its route, and the open
   * tickets it repeats (反复多发).
   */
  async receive(): Promise<void> {
    const { ticket, actor } = this.input;
    await this.exclusive(async () => {
      await this.record('received', actor, {
        channel: ticket.channel,
        content: ticket.content,
        address: ticket.address,
        regionCode: ticket.regionCode,
        // data of the step only, no new command: histories recorded before replay unchanged
        location: ticket.location,
        mediaUrl: ticket.mediaUrl,
        externalRef: ticket.externalRef,
        businessEnvironment: ticket.businessEnvironment,
      });
      // text Postgres cannot hold would fail intake's queries; the classifier reads it the same
      this.findings = await intake({ ticketId: this.state.id, ticket: storable(ticket), receivedAt: this.state.receivedAt });
      this.state.proposal = this.findings.proposal;
      this.state.triageBy = this.findings.triageBy;
      this.state.regionCode ??= this.findings.proposal.regionCode ?? undefined;
      await this.record('proposed', SYSTEM, { ...this.findings.proposal, triageBy: this.findings.triageBy });
      if (this.findings.repeatOf.length > 0) {
        this.state.repeatOf = this.findings.repeatOf;
        await this.record('repeat_detected', SYSTEM, { repeatOf: this.findings.repeatOf });
      }
    });
  }

  /**
   * 分类 and 派单: the agent's decision, given at creation or later through the triage update; or,
   * without one, auto-dispatch on the proposal when intake found it confident enough.
   */
  async triage(): Promise<void> {
    const { disposition, classification } = this.input.ticket;
    if (disposition) {
      await this.exclusive(() => this.decide(this.input.actor, disposition, classification));
    } else if (this.findings?.autoDispatch) {
      const routed = this.findings.proposal.route!;
      await this.exclusive(() =>
        this.decide(SYSTEM, { action: 'dispatch', unitId: routed.unitId, coUnitIds: routed.coUnitIds }, classification),
      );
    }
    this.intakeDone = true;
    await condition(() => this.state.status !== 'triage');
  }

  /**
   * 办理 under supervision: until the unit replies, the timers raise the sign-off overdue, near-due
   * (yellow card), overdue (red card) and escalation steps as their points pass.
   */
  async handle(): Promise<void> {
    const answered = () => this.state.status === 'replied' || this.closed;
    for (;;) {
      if (answered()) return;
      const timer = this.nextTimer();
      if (timer && Date.parse(timer.at) <= Date.now()) {
        await this.exclusive(async () => {
          // an update may have moved the ticket on while this step waited for the lock
          const due = this.nextTimer();
          if (!answered() && due && Date.parse(due.at) <= Date.now()) await due.fire();
        });
        continue;
      }
      const watched = this.supervisionKey();
      await condition(() => answered() || this.supervisionKey() !== watched, timer ? Date.parse(timer.at) - Date.now() : undefined);
    }
  }

  /** 回访: wait for the agent's callback; a callback later than `callbackBy` is recorded as missed. */
  async callBack(): Promise<CallbackOutcome | undefined> {
    const calledBack = () => this.state.satisfaction !== undefined || this.closed;
    const waitMs = Date.parse(this.state.deadlines.callbackBy!) - Date.now();
    if (!(waitMs > 0 && (await condition(calledBack, waitMs))) && !calledBack()) {
      await this.exclusive(async () => {
        if (calledBack()) return;
        this.state.callbackMissed = true;
        await this.record('callback_missed', SYSTEM, { callbackBy: this.state.deadlines.callbackBy, deadline: this.state.deadlines.callbackBy });
      });
      await condition(calledBack);
    }
    return this.state.satisfaction;
  }

  /** 重办 or 终结: the supervisor decides on a dissatisfied ticket. True when re-handled. */
  async superviseDissatisfaction(): Promise<boolean> {
    await condition(() => this.state.status !== 'replied');
    return this.state.status === 'handling';
  }

  /** Before the workflow ends: the last steps are recorded and the notifications delivered or given up. */
  async settle(): Promise<void> {
    await condition(() => allHandlersFinished() && !this.busy && this.pendingNotifications === 0);
  }

  // ----------------------------------------------------------------------------------------
  // Steps

  private async decide(actor: Actor, disposition: Disposition, classification?: Classification): Promise<void> {
    if (classification) {
      this.state.classification = classification;
      await this.record('classified', actor, { ...classification, source: actor.role === 'system' ? 'classifier' : 'agent' });
    } else if (!this.state.classification && this.state.proposal && (disposition.action === 'dispatch' || patched(ADOPT_PROPOSAL_ON_CLOSE))) {
      // decided without the agent's classification: the proposal's category sets the deadlines of a
      // dispatch, and an answered or rejected ticket still counts by type and topic in analytics
      this.state.classification = this.state.proposal.classification;
      await this.record('classified', actor, { ...this.state.classification, source: 'classifier' });
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

  /** 转办: to the primary unit (主办) and the co-handling units (协办), with fresh deadlines. */
  private async dispatch(actor: Actor, unitId: string, coUnitIds: string[], eventType = 'dispatched', extra: Record<string, unknown> = {}): Promise<void> {
    const now = nowIso();
    const deadlines = await dispatchDeadlines({
      category: this.state.classification?.category ?? 'C',
      from: now,
      policyVersion: this.state.policyVersion,
    });
    Object.assign(this.state, {
      status: 'dispatched',
      unitId,
      coUnitIds: coUnitIds.filter((id) => id !== unitId),
      dispatchedAt: now,
      signedAt: undefined,
      nearDue: false,
      overdue: false,
      signOverdue: false,
    });
    this.setDeadlines(deadlines);
    await this.record(eventType, actor, { ...extra, unitId, coUnitIds: this.state.coUnitIds, ...this.deadlineData() });
    for (const id of [unitId, ...this.state.coUnitIds]) this.notify('dispatched', id, { role: id === unitId ? 'primary' : 'co-handling' });
  }

  /** 签收 */
  private async sign(actor: Actor): Promise<void> {
    this.state.status = 'handling';
    this.state.signedAt = nowIso();
    await this.record('signed', actor, { unitId: this.state.unitId, onTime: Date.now() <= Date.parse(this.state.deadlines.signBy!) });
    this.handBack('signed');
  }

  /** 办结回复: the unit's completion signal; on time when it comes by the (possibly extended) due date. */
  private async reply(actor: Actor, result: ReplyResult, reply: string): Promise<void> {
    const at = nowIso();
    const onTime = Date.parse(at) <= Date.parse(this.state.deadlines.dueBy!);
    const callbackBy = await callbackDeadline({ repliedAt: at, policyVersion: this.state.policyVersion });
    this.state.status = 'replied';
    this.state.reply = { result, reply, at, unitId: this.state.unitId!, onTime };
    this.state.satisfaction = undefined;
    this.state.deadlines.callbackBy = callbackBy;
    await this.record('replied', actor, { result, reply, unitId: this.state.unitId, onTime, callbackBy });
    this.handBack('replied');
  }

  /** 回访结果; the second dissatisfied callback escalates the ticket. */
  private async recordCallback(actor: Actor, outcome: CallbackOutcome, note?: string): Promise<void> {
    this.state.satisfaction = outcome;
    await this.record('callback', actor, { outcome, note, mergedTickets: this.state.mergedTickets.map((t) => t.id) });
    if (outcome === 'dissatisfied') {
      this.state.dissatisfiedCount += 1;
      if (this.state.dissatisfiedCount >= 2) await this.escalate('repeated_dissatisfaction');
    } else {
      await this.close(outcome, actor, {});
    }
  }

  /** 重办: back to the same unit with a new deadline under the ticket's own policy. */
  private async rehandle(actor: Actor, note: string): Promise<void> {
    const now = nowIso();
    const deadlines = await dispatchDeadlines({ category: this.state.classification?.category ?? 'C', from: now, policyVersion: this.state.policyVersion });
    Object.assign(this.state, { status: 'handling', nearDue: false, overdue: false, rehandleCount: this.state.rehandleCount + 1 });
    this.setDeadlines({ ...deadlines, signBy: this.state.deadlines.signBy! });
    await this.record('rehandled', actor, { note, unitId: this.state.unitId, rehandleCount: this.state.rehandleCount, ...this.deadlineData() });
    this.notify('rehandled', this.state.unitId!, { note });
  }

  /** 退单申请: the unit says the ticket is not its responsibility; the clock keeps running. */
  private async requestReturn(actor: Actor, reason: string, suggestedUnitId?: string): Promise<void> {
    const previousStatus = this.state.status as 'dispatched' | 'handling';
    this.state.returnRequest = { unitId: this.state.unitId!, reason, suggestedUnitId, at: nowIso(), previousStatus };
    this.state.status = 'return_requested';
    await this.record('return_requested', actor, { unitId: this.state.unitId, reason, suggestedUnitId });
  }

  private async approveReturn(actor: Actor, unitId: string, coUnitIds: string[], note?: string): Promise<void> {
    const fromUnitId = this.state.unitId!;
    this.state.returnRequest = undefined;
    this.state.returnCount += 1;
    this.notify('return_approved', fromUnitId, { newUnitId: unitId, note });
    await this.dispatch(actor, unitId, coUnitIds, 'return_approved', { fromUnitId, note });
  }

  private async refuseReturn(actor: Actor, note?: string): Promise<void> {
    this.state.status = this.state.returnRequest!.previousStatus;
    this.state.returnRequest = undefined;
    await this.record('return_refused', actor, { unitId: this.state.unitId, note });
    this.notify('return_refused', this.state.unitId!, { note });
  }

  /** 延期申请: once per ticket, up to the policy's maximum. */
  private async requestExtension(actor: Actor, workingDays: number, reason: string): Promise<void> {
    this.state.extension = { workingDays, reason, at: nowIso(), status: 'requested' };
    await this.record('extension_requested', actor, { unitId: this.state.unitId, workingDays, reason });
  }

  private async approveExtension(actor: Actor, note?: string): Promise<void> {
    const extension = this.state.extension!;
    const moved = await extendedDeadlines({
      category: this.state.classification?.category ?? 'C',
      policyVersion: this.state.policyVersion ?? 0,
      dueBy: this.state.deadlines.dueBy!,
      dispatchedAt: this.state.dispatchedAt!,
      workingDays: extension.workingDays,
    });
    this.state.extension = { ...extension, status: 'approved' };
    this.state.deadlines = { ...this.state.deadlines, ...moved };
    this.state.nearDue = Date.now() >= Date.parse(moved.nearDueAt);
    this.state.overdue = Date.now() > Date.parse(moved.dueBy);
    this.deadlineVersion += 1;
    await this.record('extension_approved', actor, { workingDays: extension.workingDays, note, ...this.deadlineData() });
    this.notify('extension_approved', this.state.unitId!, { dueBy: moved.dueBy, note });
  }

  private async refuseExtension(actor: Actor, note?: string): Promise<void> {
    this.state.extension = { ...this.state.extension!, status: 'refused' };
    await this.record('extension_refused', actor, { note });
    this.notify('extension_refused', this.state.unitId!, { note });
  }

  /** 催办: recorded, counted, and sent to the unit with a supervision notice; by the system, with the deadline missed. */
  private async urge(actor: Actor, note: string, deadline?: string): Promise<void> {
    this.state.urgeCount += 1;
    await this.record('urged', actor, { unitId: this.state.unitId, note, urgeCount: this.state.urgeCount, deadline });
    await this.issueNotice('urge', note);
    this.notify('urged', this.state.unitId!, { note });
  }

  /** 并单: this repeat report joins an open ticket, whose callback covers this caller too. */
  private async merge(actor: Actor, intoTicketId: string): Promise<void> {
    try {
      await getExternalWorkflowHandle(intoTicketId).signal(mergedInSignal, {
        id: this.state.id,
        callerName: this.state.caller.name,
        callerPhone: this.state.caller.phone,
      });
    } catch {
      throw ApplicationFailure.create({ type: UNPROCESSABLE, message: `intoTicketId: ticket ${intoTicketId} is not open`, nonRetryable: true });
    }
    Object.assign(this.state, { status: 'merged', mergedInto: intoTicketId, closeReason: 'merged', closedAt: nowIso() });
    await this.record('merged', actor, { intoTicketId });
    this.handBack('closed');
  }

  private async close(reason: NonNullable<TicketState['closeReason']>, actor: Actor, data: Record<string, unknown>): Promise<void> {
    this.state.status = reason === 'answered' ? 'answered' : reason === 'rejected' ? 'rejected' : 'closed';
    this.state.closeReason = reason;
    this.state.closedAt = nowIso();
    await this.record(this.state.status === 'closed' ? 'closed' : this.state.status, actor, { ...data, closeReason: reason });
    this.handBack('closed');
  }

  // ----------------------------------------------------------------------------------------
  // Timers
  //
  // Every step a timer raises keeps the point it stands for in `data.deadline`: its `at` is when
  // it was processed, which is later after an outage of the workers.

  /** The earliest supervision point still ahead of an unreplied ticket, with the step it raises. */
  private nextTimer(): { at: string; fire: () => Promise<void> } | undefined {
    const s = this.state;
    const d = s.deadlines;
    const candidates = [
      s.status === 'dispatched' && !s.signOverdue && d.signBy ? { at: d.signBy, fire: () => this.signOverdue() } : undefined,
      !s.nearDue && d.nearDueAt ? { at: d.nearDueAt, fire: () => this.markNearDue() } : undefined,
      !s.overdue && d.dueBy ? { at: d.dueBy, fire: () => this.markOverdue() } : undefined,
      s.overdue && !s.escalated && d.escalateAt ? { at: d.escalateAt, fire: () => this.escalate('overdue_beyond_limit', d.escalateAt) } : undefined,
    ].filter((c) => c !== undefined);
    return candidates.sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0];
  }

  /** Not signed in time: recorded, a supervision notice, and the unit is urged automatically. */
  private async signOverdue(): Promise<void> {
    this.state.signOverdue = true;
    await this.record('sign_overdue', SYSTEM, { unitId: this.state.unitId, signBy: this.state.deadlines.signBy, deadline: this.state.deadlines.signBy });
    await this.urge(SYSTEM, '工单超时未签收，请立即签收办理', this.state.deadlines.signBy);
  }

  /** 黄牌: near the due date without a reply. */
  private async markNearDue(): Promise<void> {
    this.state.nearDue = true;
    await this.record('near_due', SYSTEM, { unitId: this.state.unitId, dueBy: this.state.deadlines.dueBy, deadline: this.state.deadlines.nearDueAt });
  }

  /** 红牌: past the due date without a reply; the ticket stays open until the reply comes. */
  private async markOverdue(): Promise<void> {
    this.state.overdue = true;
    this.state.nearDue = true;
    await this.record('overdue', SYSTEM, { unitId: this.state.unitId, dueBy: this.state.deadlines.dueBy, deadline: this.state.deadlines.dueBy });
    await this.issueNotice('overdue');
    this.notify('overdue', this.state.unitId!, { dueBy: this.state.deadlines.dueBy });
  }

  /**
   * Escalated for the discipline inspection hand-off (纪委): repeated dissatisfaction, or long
   * overdue when the timer of its `deadline` fires.
   */
  private async escalate(reason: 'repeated_dissatisfaction' | 'overdue_beyond_limit', deadline?: string): Promise<void> {
    this.state.escalated = true;
    await this.record('escalated', SYSTEM, { reason, unitId: this.state.unitId, dissatisfiedCount: this.state.dissatisfiedCount, deadline });
    await this.issueNotice('escalated', reason);
  }

  /** What the timers depend on: when it changes, the next supervision point is chosen again. */
  private supervisionKey(): string {
    const s = this.state;
    return [s.status, s.signOverdue, s.nearDue, s.overdue, s.escalated, this.deadlineVersion].join('|');
  }

  /** 督办单 for the unit holding the ticket, keyed by the event just recorded so a retry issues it once. */
  private async issueNotice(kind: 'urge' | 'overdue' | 'escalated', note?: string): Promise<void> {
    const s = this.state;
    await issueSupervisionNotice({ id: `${s.id}:${s.lastEventSeq}`, ticketId: s.id, unitId: s.unitId, kind, note: storable(note), at: nowIso() });
  }

  private setDeadlines(d: DispatchDeadlines): void {
    this.state.policyVersion = d.policyVersion;
    this.state.extensionMaxWorkingDays = d.extensionMaxWorkingDays;
    this.state.deadlines = { signBy: d.signBy, dueBy: d.dueBy, nearDueAt: d.nearDueAt, escalateAt: d.escalateAt, returnBy: d.returnBy };
    this.deadlineVersion += 1;
  }

  private deadlineData(): Record<string, unknown> {
    return { deadlines: this.state.deadlines, policyVersion: this.state.policyVersion };
  }

  // ----------------------------------------------------------------------------------------
  // Plumbing

  /**
   * Registers an update whose validator applies the lifecycle rules. The handler takes the lock
   * and checks again, as another step may have moved the ticket on meanwhile.
   */
  private on<A extends { actor: Actor }>(
    update: UpdateDefinition<TicketState, [A]>,
    action: TicketAction,
    step: (args: A) => Promise<void>,
    opts: { validate?: (args: A) => string | undefined } = {},
  ): void {
    const check = (args: A) => {
      this.assertAllowed(action);
      const problem = opts.validate?.(args);
      if (problem) throw ApplicationFailure.create({ type: UNPROCESSABLE, message: problem, nonRetryable: true });
    };
    /**
     * Only what the API sealed with the installation's key counts, and the actor it sealed in:
     * an update sent straight to Temporal, or changed on the way, is refused before it is
     * accepted, so it changes nothing and leaves no trace in the history.
     */
    const checkSealed = (args: A) => {
      if (isUnsealed(args)) throw ApplicationFailure.create({ type: UNSEALED_ARGUMENTS, message: unsealedRefusal(args), nonRetryable: true });
    };
    // after the status check, so an action the status does not allow is the API's 409 naming the status
    const checkActor = (args: A) => {
      const why = actorRefusal(action, args?.actor, this.state);
      if (why) throw ApplicationFailure.create({ type: ACTOR_NOT_ALLOWED, message: why, nonRetryable: true });
    };
    setHandler<TicketState, [A], UpdateDefinition<TicketState, [A]>>(
      update,
      async (args: A) => {
        await this.exclusive(async () => {
          const again = patched(CHECK_SEALED_ACTOR);
          if (again) checkSealed(args);
          check(args);
          if (again) checkActor(args);
          await step(args);
        });
        return this.state;
      },
      {
        validator: (args: A) => {
          checkSealed(args);
          check(args);
          checkActor(args);
        },
      },
    );
  }

  private assertAllowed(action: TicketAction): void {
    const why = refusal(action, this.state, new Date());
    if (why) throw ApplicationFailure.create({ type: ACTION_NOT_ALLOWED, message: why, nonRetryable: true, details: [this.state.status] });
  }

  private async exclusive(step: () => Promise<void>): Promise<void> {
    await condition(() => !this.busy);
    this.busy = true;
    try {
      await step();
    } finally {
      this.busy = false;
    }
  }

  /**
   * Sends a notification to a unit in the background: recorded in the outbox, then handed to its
   * own delivery workflow. The ticket's workflow waits at its end only for that hand-off.
   */
  private notify(kind: UnitNotification['kind'], unitId: string, payload: Record<string, unknown>): void {
    const n: UnitNotification = {
      id: `${this.state.id}:${this.state.lastEventSeq}:${kind}:${unitId}`,
      ticketId: this.state.id,
      unitId,
      kind,
      payload: storable({ ...payload, status: this.state.status, deadlines: this.state.deadlines }),
    };
    this.pendingNotifications += 1;
    const handedOff = patched(NOTIFICATION_OUTBOX)
      ? this.enqueue({ ...n, target: { kind: 'unit', id: n.unitId } }).catch((err) => log.error('notification not handed to its delivery', { notificationId: n.id, error: String(err) }))
      : notifyUnit(n).catch(() => {
          // given up after its retries: it stays `failed` in the notifications table, for admins to see
        });
    void handedOff.finally(() => {
      this.pendingNotifications -= 1;
    });
  }

  /**
   * Outbox first, then the delivery workflow (id = the notification's), which outlives this one;
   * none for a unit without a webhook (recorded `no_webhook`).
   */
  private async enqueue(n: OutboxNotification): Promise<void> {
    const recorded = await recordNotification(n);
    if (recorded === 'no_webhook') return;
    try {
      await startChild(notificationDeliveryWorkflow, { workflowId: n.id, args: [{ notificationId: n.id }], parentClosePolicy: 'ABANDON' });
    } catch (err) {
      // started already (this step re-run after a reset, or an admin's redelivery): delivered by that one
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  /** 回传: the step just recorded, handed back to the platform the ticket came from (domain/hand-back.ts), through the outbox. */
  private handBack(kind: HandBackKind): void {
    const n = platformHandBack(this.state, kind, nowIso());
    if (!n || !patched(PLATFORM_HAND_BACK)) return;
    this.pendingNotifications += 1;
    void this.enqueue(n)
      .catch((err) => log.error('hand-back not handed to its delivery', { notificationId: n.id, error: String(err) }))
      .finally(() => {
        this.pendingNotifications -= 1;
      });
  }

  /** Appends an event to the trail and projects the new state into Postgres. */
  private async record(type: string, actor: Actor, data: Record<string, unknown>): Promise<void> {
    const seq = ++this.state.lastEventSeq;
    // the update that made the step (none for timers and signals), so a retried action can find it
    const updateId = currentUpdateInfo()?.id;
    const event: TicketEvent = { ticketId: this.state.id, seq, type, at: nowIso(), actor, data: dropUndefined(data), ...(updateId ? { updateId } : {}) };
    // the activity may run after later steps changed the state: it gets a copy
    const snapshot: TicketState = JSON.parse(JSON.stringify(this.state));
    this.updateSearchAttributes();
    log.info('ticket step', { ticketId: this.state.id, step: type, seq });
    const step = this.persisting.then(() => this.persist(event, snapshot));
    this.persisting = step.then(() => {
      this.persistedSeq = seq;
    });
    await this.persisting;
  }

  /**
   * Writes one step. A step Postgres refuses for its data (NUL or a lone surrogate in a text)
   * fails for good, and retrying it would hold up every later step: it is written again with
   * its text made storable (U+FFFD) and marked with `recordError`, the center gets a supervision
   * notice, and the ticket moves on.
   */
  private async persist(event: TicketEvent, snapshot: TicketState): Promise<void> {
    try {
      await recordEvent({ event, snapshot });
      return;
    } catch (err) {
      const error = postgresRefusal(err);
      if (error === undefined || !patched(RECORD_REFUSED_STEPS)) throw err;
      const where = { ticketId: event.ticketId, step: event.type, seq: event.seq, error };
      log.error('ticket step refused by Postgres; recorded with its text made storable', where);
      // the state keeps the storable text, or every later step would be refused for it as well
      Object.assign(this.state, storable(this.state));
      try {
        const stored = storable(event);
        await recordEvent({ event: { ...stored, data: { ...stored.data, recordError: error } }, snapshot: storable(snapshot) });
      } catch (again) {
        const still = postgresRefusal(again);
        if (still === undefined) throw again;
        // not a matter of text (a value out of range, a constraint): the notice and the log tell of it
        log.error('ticket step not recorded: Postgres refused it even with storable text', { ...where, error: still });
      }
      await issueSupervisionNotice({
        id: `${event.ticketId}:${event.seq}:record_failed`,
        ticketId: event.ticketId,
        unitId: this.state.unitId,
        kind: 'record_failed',
        note: `${event.type} #${event.seq}: ${error}`,
        at: nowIso(),
      });
    }
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
    upsertSearchAttributes(pairs);
  }
}

function nowIso(): string {
  return new Date().toISOString();
}

/** Postgres's error when an activity failed for good for its data (activities/data-errors.ts), else undefined. */
function postgresRefusal(err: unknown): string | undefined {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === DATA_ERROR ? err.cause.message : undefined;
}

function dropUndefined(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
}
