/**
 * The ticket's steps (接 → 分 → 转 → 办 → 督 → 复 → 结): each changes the state as the lifecycle
 * says, records itself in the trail, moves the deadline clock and notifies the units concerned.
 * The phases and the lock that runs one step at a time are in ../ticket.ts.
 */
import { ApplicationFailure, getExternalWorkflowHandle, patched } from '@temporalio/workflow';
import type { Admission } from '../../activities/intake';
import { UNPROCESSABLE, nextStatus, type DispatchDeadlines, type TicketState } from '../../domain/lifecycle';
import { storable } from '../../domain/storable';
import type { Actor, CallbackOutcome, Classification, Disposition, NewTicket, ReplyResult } from '../../domain/ticket';
import { mergedInSignal } from '../messages';
import { DeadlineClock, type SupervisionPoint } from './clock';
import { Outbox } from './outbox';
import { nowIso, required, type Activities } from './platform';
import { Trail } from './trail';

export const SYSTEM: Actor = { role: 'system', id: 'ticket-workflow' };

/** patched(): a ticket answered or rejected without a classification adopts the classifier's. */
const ADOPT_PROPOSAL_ON_CLOSE = 'adopt-proposal-on-answer-reject';

/** The words of an automatic urge when a unit has not signed in time. */
const SIGN_OVERDUE_URGE = '工单超时未签收，请立即签收办理';

export class TicketSteps {
  readonly trail: Trail;
  readonly clock: DeadlineClock;
  readonly outbox: Outbox;

  constructor(
    readonly state: TicketState,
    private readonly acts: Activities,
    /** the lean path (local activities, one-transaction intake): every ticket started since it */
    private readonly lean: boolean,
  ) {
    this.trail = new Trail(state, acts, lean);
    this.clock = new DeadlineClock(state);
    this.outbox = new Outbox(state, this.trail, acts, lean);
  }

  /** The unit holding the ticket: every step after a dispatch has one. */
  private get holder(): string {
    return required(this.state.unitId, 'the unit holding the ticket');
  }

  // ----------------------------------------------------------------------------------------
  // 受理 and 分类

  /**
   * The lean intake: one local activity classifies, routes and computes the deadlines, then the
   * receipt, the proposal, the repeats and the decision given with the ticket (or the
   * auto-dispatch) are written in one transaction. Answers why the ticket cannot be received as
   * asked (nothing recorded), or undefined.
   */
  async admit(ticket: NewTicket, actor: Actor, topic?: string): Promise<{ field: string; message: string } | undefined> {
    const at = nowIso();
    // text Postgres cannot hold would fail intake's queries; the classifier reads it the same
    const admission = await this.acts.admit({ ticketId: this.state.id, ticket: storable(ticket), receivedAt: this.state.receivedAt, dispatchAt: at, ...(topic ? { topic } : {}) });
    if (admission.refused) return admission.refused;
    const computed = admission.dispatch ? { deadlines: admission.dispatch.deadlines, at } : undefined;
    // a ticket received with only its topic is classified by intake, as if it had come classified
    const classification = ticket.classification ?? admission.classification;
    if (admission.classification) this.state.classification = admission.classification;
    await this.trail.batch(async () => {
      await this.received(ticket, actor);
      await this.proposed(admission);
      const dispatch = admission.dispatch;
      if (ticket.disposition) {
        const disposition =
          ticket.disposition.action === 'dispatch' && dispatch ? { ...ticket.disposition, unitId: dispatch.unitId, coUnitIds: dispatch.coUnitIds } : ticket.disposition;
        await this.decide(actor, disposition, classification, computed);
      } else if (admission.autoDispatch && dispatch) {
        await this.decide(SYSTEM, { action: 'dispatch', unitId: dispatch.unitId, coUnitIds: dispatch.coUnitIds }, classification, computed);
      }
    });
    return undefined;
  }

  /** The receipt, as the trail keeps it. */
  received(ticket: NewTicket, actor: Actor): Promise<void> {
    return this.trail.record('received', actor, {
      channel: ticket.channel,
      content: ticket.content,
      address: ticket.address,
      regionCode: ticket.regionCode,
      location: ticket.location,
      mediaUrl: ticket.mediaUrl,
      externalRef: ticket.externalRef,
      businessEnvironment: ticket.businessEnvironment,
    });
  }

  /** The classifier's proposal with its route, and the open tickets this one repeats (反复多发). */
  async proposed(findings: Pick<Admission, 'proposal' | 'triageBy' | 'repeatOf'>): Promise<void> {
    this.state.proposal = findings.proposal;
    this.state.triageBy = findings.triageBy;
    this.state.regionCode ??= findings.proposal.regionCode ?? undefined;
    await this.trail.record('proposed', SYSTEM, { ...findings.proposal, triageBy: findings.triageBy });
    if (findings.repeatOf.length > 0) {
      this.state.repeatOf = findings.repeatOf;
      await this.trail.record('repeat_detected', SYSTEM, { repeatOf: findings.repeatOf });
    }
  }

  /**
   * The agent's (or the auto-dispatch's) decision: answer, reject or dispatch. A dispatch without
   * a unit goes where the routing table sends the ticket's topic; none there is a refusal.
   */
  async decide(actor: Actor, disposition: Disposition, classification?: Classification, computed?: { deadlines: DispatchDeadlines; at: string }): Promise<void> {
    // a unit named needs no step (and no await: the tickets before routing here replay as they ran)
    const unit =
      disposition.action !== 'dispatch'
        ? undefined
        : disposition.unitId
          ? { unitId: disposition.unitId, coUnitIds: disposition.coUnitIds ?? [] }
          : await this.unitFor(disposition, classification);
    if (classification) {
      this.state.classification = classification;
      await this.trail.record('classified', actor, { ...classification, source: actor.role === 'system' ? 'classifier' : 'agent' });
    } else if (!this.state.classification && this.state.proposal && (disposition.action === 'dispatch' || this.lean || patched(ADOPT_PROPOSAL_ON_CLOSE))) {
      // decided without the agent's classification: the proposal's category sets the deadlines of a
      // dispatch, and an answered or rejected ticket still counts by type and topic in analytics
      this.state.classification = this.state.proposal.classification;
      await this.trail.record('classified', actor, { ...this.state.classification, source: 'classifier' });
    }
    const to = nextStatus('triage', { disposition }, this.state);
    switch (disposition.action) {
      case 'answer':
        this.state.answer = disposition.answer;
        return this.close(to, 'answered', actor, { answer: disposition.answer });
      case 'reject':
        this.state.rejection = { reason: disposition.reason, referral: disposition.referral };
        return this.close(to, 'rejected', actor, { reason: disposition.reason, referral: disposition.referral });
      case 'dispatch': {
        const { unitId, coUnitIds } = required(unit, 'the unit of the dispatch');
        return this.dispatch(to, actor, unitId, coUnitIds, 'dispatched', {}, computed);
      }
    }
  }

  /** The unit a dispatch goes to: the one named, else the routing table's for the ticket's topic and district. */
  private async unitFor(d: Extract<Disposition, { action: 'dispatch' }>, classification?: Classification): Promise<{ unitId: string; coUnitIds: string[] }> {
    const topic = classification?.topic ?? this.state.classification?.topic ?? this.state.proposal?.classification.topic;
    const routed = topic ? await this.acts.routeFor({ topic, regionCode: this.state.regionCode ?? this.state.proposal?.regionCode ?? undefined }) : null;
    if (!routed) {
      throw ApplicationFailure.create({
        type: UNPROCESSABLE,
        message: 'disposition.unitId: no routing rule matches this ticket; name the unit to dispatch to',
        details: ['disposition.unitId'],
        nonRetryable: true,
      });
    }
    return { unitId: routed.unitId, coUnitIds: d.coUnitIds ?? routed.coUnitIds };
  }

  // ----------------------------------------------------------------------------------------
  // 转办 and 办理

  /** 转办: to the primary unit (主办) and the co-handling units (协办), with fresh deadlines. */
  async dispatch(
    /** the status the lifecycle gives the action that dispatches (triage, an approved return) */
    status: TicketState['status'],
    actor: Actor,
    unitId: string,
    coUnitIds: string[],
    eventType = 'dispatched',
    extra: Record<string, unknown> = {},
    /** deadlines already computed (by the lean intake) from the dispatch time `at` */
    computed?: { deadlines: DispatchDeadlines; at: string },
  ): Promise<void> {
    const now = computed?.at ?? nowIso();
    const deadlines =
      computed?.deadlines ??
      (await this.acts.dispatchDeadlines({ category: this.state.classification?.category ?? 'C', from: now, policyVersion: this.state.policyVersion }));
    Object.assign(this.state, {
      status,
      unitId,
      coUnitIds: coUnitIds.filter((id) => id !== unitId),
      dispatchedAt: now,
      signedAt: undefined,
      nearDue: false,
      overdue: false,
      signOverdue: false,
    });
    this.clock.set(deadlines);
    await this.trail.record(eventType, actor, { ...extra, unitId, coUnitIds: this.state.coUnitIds, ...this.clock.data() });
    for (const id of [unitId, ...this.state.coUnitIds]) this.outbox.notify('dispatched', id, { role: id === unitId ? 'primary' : 'co-handling' });
  }

  /** 签收 */
  async sign(actor: Actor): Promise<void> {
    this.state.status = nextStatus('sign', undefined, this.state);
    this.state.signedAt = nowIso();
    const signBy = required(this.state.deadlines.signBy, 'the sign-off deadline');
    await this.trail.record('signed', actor, { unitId: this.state.unitId, onTime: Date.now() <= Date.parse(signBy) });
    this.outbox.handBack('signed');
  }

  progress(actor: Actor, note: string): Promise<void> {
    return this.trail.record('progress', actor, { note });
  }

  /** 办结回复: the unit's completion signal; on time when it comes by the (possibly extended) due date. */
  async reply(actor: Actor, result: ReplyResult, reply: string): Promise<void> {
    const at = nowIso();
    const onTime = Date.parse(at) <= Date.parse(required(this.state.deadlines.dueBy, 'the due date'));
    const callbackBy = await this.acts.callbackDeadline({ repliedAt: at, policyVersion: this.state.policyVersion });
    this.state.status = nextStatus('reply', undefined, this.state);
    this.state.reply = { result, reply, at, unitId: this.holder, onTime };
    this.state.satisfaction = undefined;
    this.state.deadlines.callbackBy = callbackBy;
    await this.trail.record('replied', actor, { result, reply, unitId: this.state.unitId, onTime, callbackBy });
    this.outbox.handBack('replied');
  }

  // ----------------------------------------------------------------------------------------
  // 回访, 重办, 终结

  /** 回访结果; the second dissatisfied callback escalates the ticket. */
  async callback(actor: Actor, outcome: CallbackOutcome, note?: string): Promise<void> {
    const to = nextStatus('callback', { outcome }, this.state);
    this.state.satisfaction = outcome;
    await this.trail.record('callback', actor, { outcome, note, mergedTickets: this.state.mergedTickets.map((t) => t.id) });
    if (outcome === 'dissatisfied') {
      this.state.dissatisfiedCount += 1;
      if (this.state.dissatisfiedCount >= 2) await this.escalate('repeated_dissatisfaction');
    } else {
      await this.close(to, outcome, actor, {});
    }
  }

  /** Recorded when the callback deadline passes without one. */
  async callbackMissed(): Promise<void> {
    this.state.callbackMissed = true;
    const callbackBy = this.state.deadlines.callbackBy;
    await this.trail.record('callback_missed', SYSTEM, { callbackBy, deadline: callbackBy });
  }

  /** 重办: back to the same unit with a new deadline under the ticket's own policy. */
  async rehandle(actor: Actor, note: string): Promise<void> {
    const now = nowIso();
    const deadlines = await this.acts.dispatchDeadlines({ category: this.state.classification?.category ?? 'C', from: now, policyVersion: this.state.policyVersion });
    Object.assign(this.state, { status: nextStatus('rehandle', undefined, this.state), nearDue: false, overdue: false, rehandleCount: this.state.rehandleCount + 1 });
    this.clock.set(deadlines, { signBy: this.state.deadlines.signBy });
    await this.trail.record('rehandled', actor, { note, unitId: this.state.unitId, rehandleCount: this.state.rehandleCount, ...this.clock.data() });
    this.outbox.notify('rehandled', this.holder, { note });
  }

  finalize(actor: Actor, reason: string): Promise<void> {
    return this.close(nextStatus('finalize', undefined, this.state), 'finalized', actor, { reason });
  }

  /** 办结 / 直接答复 / 不予受理: `status` is the one the lifecycle gives the action that closes. */
  private async close(status: TicketState['status'], reason: NonNullable<TicketState['closeReason']>, actor: Actor, data: Record<string, unknown>): Promise<void> {
    this.state.status = status;
    this.state.closeReason = reason;
    this.state.closedAt = nowIso();
    await this.trail.record(this.state.status === 'closed' ? 'closed' : this.state.status, actor, { ...data, closeReason: reason });
    this.outbox.handBack('closed');
  }

  // ----------------------------------------------------------------------------------------
  // 退单 and 延期

  /** 退单申请: the unit says the ticket is not its responsibility; the clock keeps running. */
  async requestReturn(actor: Actor, reason: string, suggestedUnitId?: string): Promise<void> {
    const previousStatus = this.state.status === 'handling' ? 'handling' : 'dispatched';
    this.state.returnRequest = { unitId: this.holder, reason, suggestedUnitId, at: nowIso(), previousStatus };
    this.state.status = nextStatus('returnRequest', undefined, this.state);
    await this.trail.record('return_requested', actor, { unitId: this.state.unitId, reason, suggestedUnitId });
  }

  async decideReturn(actor: Actor, d: { approve: boolean; unitId?: string; coUnitIds?: string[]; note?: string }): Promise<void> {
    if (!d.approve) return this.refuseReturn(actor, d.note);
    const unitId = required(d.unitId, 'the unit of an approved return (checked by the schema)');
    const to = nextStatus('returnDecision', d, this.state);
    const fromUnitId = this.holder;
    this.state.returnRequest = undefined;
    this.state.returnCount += 1;
    this.outbox.notify('return_approved', fromUnitId, { newUnitId: unitId, note: d.note });
    await this.dispatch(to, actor, unitId, d.coUnitIds ?? [], 'return_approved', { fromUnitId, note: d.note });
  }

  private async refuseReturn(actor: Actor, note?: string): Promise<void> {
    this.state.status = nextStatus('returnDecision', { approve: false }, this.state);
    this.state.returnRequest = undefined;
    await this.trail.record('return_refused', actor, { unitId: this.state.unitId, note });
    this.outbox.notify('return_refused', this.holder, { note });
  }

  /** 延期申请: once per ticket, up to the policy's maximum. */
  async requestExtension(actor: Actor, workingDays: number, reason: string): Promise<void> {
    this.state.extension = { workingDays, reason, at: nowIso(), status: 'requested' };
    await this.trail.record('extension_requested', actor, { unitId: this.state.unitId, workingDays, reason });
  }

  async decideExtension(actor: Actor, d: { approve: boolean; note?: string }): Promise<void> {
    const extension = required(this.state.extension, 'the extension request');
    if (!d.approve) {
      this.state.extension = { ...extension, status: 'refused' };
      await this.trail.record('extension_refused', actor, { note: d.note });
      this.outbox.notify('extension_refused', this.holder, { note: d.note });
      return;
    }
    const moved = await this.acts.extendedDeadlines({
      category: this.state.classification?.category ?? 'C',
      policyVersion: this.state.policyVersion ?? 0,
      dueBy: required(this.state.deadlines.dueBy, 'the due date'),
      dispatchedAt: required(this.state.dispatchedAt, 'the dispatch time'),
      workingDays: extension.workingDays,
    });
    this.state.extension = { ...extension, status: 'approved' };
    this.clock.move(moved);
    await this.trail.record('extension_approved', actor, { workingDays: extension.workingDays, note: d.note, ...this.clock.data() });
    this.outbox.notify('extension_approved', this.holder, { dueBy: moved.dueBy, note: d.note });
  }

  // ----------------------------------------------------------------------------------------
  // 督办

  /** 催办: recorded, counted, and sent to the unit with a supervision notice; by the system, with the deadline missed. */
  async urge(actor: Actor, note: string, deadline?: string): Promise<void> {
    this.state.urgeCount += 1;
    await this.trail.record('urged', actor, { unitId: this.state.unitId, note, urgeCount: this.state.urgeCount, deadline });
    await this.issueNotice('urge', note);
    this.outbox.notify('urged', this.holder, { note });
  }

  /** 并单: this repeat report joins an open ticket, whose callback covers this caller too. */
  async merge(actor: Actor, intoTicketId: string): Promise<void> {
    try {
      await getExternalWorkflowHandle(intoTicketId).signal(mergedInSignal, {
        id: this.state.id,
        callerName: this.state.caller.name,
        callerPhone: this.state.caller.phone,
      });
    } catch {
      throw ApplicationFailure.create({ type: UNPROCESSABLE, message: `intoTicketId: ticket ${intoTicketId} is not open`, details: ['intoTicketId'], nonRetryable: true });
    }
    Object.assign(this.state, { status: nextStatus('merge', undefined, this.state), mergedInto: intoTicketId, closeReason: 'merged', closedAt: nowIso() });
    await this.trail.record('merged', actor, { intoTicketId });
    this.outbox.handBack('closed');
  }

  /** A repeat report merged into this ticket (by its own workflow's merge). */
  async mergedIn(repeat: TicketState['mergedTickets'][number]): Promise<void> {
    this.state.mergedTickets.push(repeat);
    await this.trail.record('repeat_merged', SYSTEM, { ticketId: repeat.id });
  }

  // ----------------------------------------------------------------------------------------
  // The steps the timers raise. Each keeps the point it stands for in `data.deadline`: its `at`
  // is when it was processed, which is later after an outage of the workers.

  pass(point: SupervisionPoint): Promise<void> {
    switch (point) {
      case 'sign_overdue':
        return this.signOverdue();
      case 'near_due':
        return this.markNearDue();
      case 'overdue':
        return this.markOverdue();
      case 'escalate':
        return this.escalate('overdue_beyond_limit', this.state.deadlines.escalateAt);
    }
  }

  /** Not signed in time: recorded, a supervision notice, and the unit is urged automatically. */
  private async signOverdue(): Promise<void> {
    const signBy = this.state.deadlines.signBy;
    this.state.signOverdue = true;
    await this.trail.record('sign_overdue', SYSTEM, { unitId: this.state.unitId, signBy, deadline: signBy });
    await this.urge(SYSTEM, SIGN_OVERDUE_URGE, signBy);
  }

  /** 黄牌: near the due date without a reply. */
  private async markNearDue(): Promise<void> {
    this.state.nearDue = true;
    await this.trail.record('near_due', SYSTEM, { unitId: this.state.unitId, dueBy: this.state.deadlines.dueBy, deadline: this.state.deadlines.nearDueAt });
  }

  /** 红牌: past the due date without a reply; the ticket stays open until the reply comes. */
  private async markOverdue(): Promise<void> {
    this.state.overdue = true;
    this.state.nearDue = true;
    await this.trail.record('overdue', SYSTEM, { unitId: this.state.unitId, dueBy: this.state.deadlines.dueBy, deadline: this.state.deadlines.dueBy });
    await this.issueNotice('overdue');
    this.outbox.notify('overdue', this.holder, { dueBy: this.state.deadlines.dueBy });
  }

  /**
   * Escalated for the discipline inspection hand-off (纪委): repeated dissatisfaction, or long
   * overdue when the timer of its `deadline` fires.
   */
  private async escalate(reason: 'repeated_dissatisfaction' | 'overdue_beyond_limit', deadline?: string): Promise<void> {
    this.state.escalated = true;
    await this.trail.record('escalated', SYSTEM, { reason, unitId: this.state.unitId, dissatisfiedCount: this.state.dissatisfiedCount, deadline });
    await this.issueNotice('escalated', reason);
  }

  /** 督办单 for the unit holding the ticket, keyed by the event just recorded so a retry issues it once. */
  private async issueNotice(kind: 'urge' | 'overdue' | 'escalated', note?: string): Promise<void> {
    const s = this.state;
    await this.acts.issueSupervisionNotice({ id: `${s.id}:${s.lastEventSeq}`, ticketId: s.id, unitId: s.unitId, kind, note: storable(note), at: nowIso() });
  }
}
