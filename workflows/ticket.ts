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
 * in order. The steps are in ticket/steps.ts, the trail that orders their writes in
 * ticket/trail.ts, the deadline clock in ticket/clock.ts, the notification outbox in
 * ticket/outbox.ts. Deterministic: deadlines, policy and calendar come from activities.
 */
import { ApplicationFailure, allHandlersFinished, condition, log, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import {
  ACTION_NOT_ALLOWED,
  ACTOR_NOT_ALLOWED,
  INITIAL_STATUS,
  UNPROCESSABLE,
  actorRefusal,
  argumentsRefusal,
  refusal,
  type TicketAction,
  type TicketState,
} from '../domain/lifecycle';
import { isUnsealed, unsealedRefusal, UNSEALED_ARGUMENTS } from '../domain/sealed';
import { storable } from '../domain/storable';
import type { Actor, CallbackOutcome, NewTicket } from '../domain/ticket';
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
  signUpdate,
  stateQuery,
  triageUpdate,
  urgeUpdate,
} from './messages';
import { activitiesOf, type Activities } from './ticket/platform';
import { SYSTEM, TicketSteps } from './ticket/steps';

export interface TicketWorkflowInput {
  ticket: NewTicket;
  receivedAt: string;
  actor: Actor;
  /**
   * The topic the channel gives, for a ticket that comes without a classification (Open311's
   * service code): intake classifies it with this topic and the classifier's type and category.
   */
  topic?: string;
}

/**
 * patched(): the lean path. Intake is one local activity (classify, route, deadlines) and one
 * transaction (received, proposed, repeats, the decision); every step is written by a local
 * activity; search attributes are upserted only when they change. Tickets started before it
 * replay on the path they ran.
 */
const LEAN = 'lean-intake-local-steps';
/**
 * patched(): under the lock, an update checks again that its actor may take the action (the ticket
 * may have moved to another unit while it waited), and a signal not sealed with the key is dropped.
 */
const CHECK_SEALED_ACTOR = 'check-sealed-actor';

/** The workflow's failure when intake refused the ticket as asked: nothing was recorded. */
export const TICKET_REFUSED = 'TicketRefused';

export async function ticketWorkflow(input: TicketWorkflowInput): Promise<TicketState> {
  // started straight on Temporal without the key: no ticket, nothing recorded
  if (isUnsealed(input)) throw ApplicationFailure.create({ type: UNSEALED_ARGUMENTS, message: unsealedRefusal(input), nonRetryable: true });
  const ticket = new TicketCase(input, patched(LEAN));
  ticket.listen();

  const refused = await ticket.receive();
  if (refused) {
    await condition(allHandlersFinished);
    throw ApplicationFailure.create({ type: TICKET_REFUSED, message: `${refused.field}: ${refused.message}`, details: [refused.field], nonRetryable: true });
  }
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

/** The phases of one ticket, the lock its steps take, and the handlers people act through. */
class TicketCase {
  readonly state: TicketState;
  private readonly steps: TicketSteps;
  private readonly acts: Activities;
  /** Set once the ticket is received and the disposition given with it (if any) applied. */
  private intakeDone = false;
  /** Why intake refused the ticket as asked (nothing recorded). */
  private refused?: { field: string; message: string };
  /** One step at a time: an update or a timer holds this while it applies its step. */
  private busy = false;

  constructor(
    private readonly input: TicketWorkflowInput,
    private readonly lean: boolean,
  ) {
    const t = input.ticket;
    this.state = {
      id: workflowInfo().workflowId,
      status: INITIAL_STATUS,
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
    this.acts = activitiesOf(lean);
    this.steps = new TicketSteps(this.state, this.acts, lean);
  }

  get dispatched(): boolean {
    return this.state.unitId !== undefined;
  }

  get closed(): boolean {
    return this.state.closedAt !== undefined;
  }

  /** Registers the query, the signal and every update, each validated against the lifecycle rules. */
  listen(): void {
    const s = this.steps;
    setHandler(stateQuery, () => this.state);
    setHandler(persistedUpdate, async () => {
      await condition(() => this.refused !== undefined || (this.intakeDone && s.trail.settled));
      if (this.refused) {
        const { field, message } = this.refused;
        throw ApplicationFailure.create({ type: UNPROCESSABLE, message: `${field}: ${message}`, details: [field], nonRetryable: true });
      }
      return this.state;
    });
    // async, so the workflow does not end before the merged report is recorded (allHandlersFinished)
    setHandler(mergedInSignal, async (repeat) => {
      // a signal cannot be refused: one not sealed with the key (sent straight to Temporal) changes nothing
      if (isUnsealed(repeat) && (this.lean || patched(CHECK_SEALED_ACTOR))) {
        log.warn('signal not sealed with the payload key ignored', { signal: mergedInSignal.name, reason: unsealedRefusal(repeat) });
        return;
      }
      await this.exclusive(() => s.mergedIn(repeat));
    });
    this.on(triageUpdate, 'triage', ({ actor, classification, disposition }) => s.decide(actor, disposition, classification));
    this.on(signUpdate, 'sign', ({ actor }) => s.sign(actor));
    this.on(progressUpdate, 'progress', ({ actor, note }) => s.progress(actor, note));
    this.on(replyUpdate, 'reply', ({ actor, result, reply }) => s.reply(actor, result, reply));
    this.on(callbackUpdate, 'callback', ({ actor, outcome, note }) => s.callback(actor, outcome, note));
    this.on(rehandleUpdate, 'rehandle', ({ actor, note }) => s.rehandle(actor, note));
    this.on(finalizeUpdate, 'finalize', ({ actor, reason }) => s.finalize(actor, reason));
    this.on(returnRequestUpdate, 'returnRequest', ({ actor, reason, suggestedUnitId }) => s.requestReturn(actor, reason, suggestedUnitId));
    this.on(returnDecisionUpdate, 'returnDecision', ({ actor, ...decision }) => s.decideReturn(actor, decision));
    this.on(extensionRequestUpdate, 'extensionRequest', ({ actor, workingDays, reason }) => s.requestExtension(actor, workingDays, reason), {
      validate: (args) => argumentsRefusal('extensionRequest', args, this.state),
    });
    this.on(extensionDecisionUpdate, 'extensionDecision', ({ actor, ...decision }) => s.decideExtension(actor, decision));
    this.on(urgeUpdate, 'urge', ({ actor, note }) => s.urge(actor, note));
    this.on(mergeUpdate, 'merge', ({ actor, intoTicketId }) => s.merge(actor, intoTicketId));
  }

  // ----------------------------------------------------------------------------------------
  // The phases, in the order the main function waits for them

  /**
   * 受理: the ticket enters the trail with the classifier's proposal, its route, and the open
   * tickets it repeats (反复多发); on the lean path with the decision given with it, at once.
   * Answers why the ticket cannot be received as asked, when it cannot.
   */
  async receive(): Promise<{ field: string; message: string } | undefined> {
    const { ticket, actor } = this.input;
    if (this.lean) {
      await this.exclusive(async () => {
        this.refused = await this.steps.admit(ticket, actor, this.input.topic);
      });
      return this.refused;
    }
    await this.exclusive(async () => {
      await this.steps.received(ticket, actor);
      this.findings = await this.acts.intake({ ticketId: this.state.id, ticket: storable(ticket), receivedAt: this.state.receivedAt });
      await this.steps.proposed(this.findings);
    });
    return undefined;
  }

  /** What intake found, on the path before the lean one (the decision then came as a step of its own). */
  private findings?: Awaited<ReturnType<Activities['intake']>>;

  /**
   * 分类 and 派单: the agent's decision, given at creation or later through the triage update; or,
   * without one, auto-dispatch on the proposal when intake found it confident enough.
   */
  async triage(): Promise<void> {
    if (!this.lean) {
      const { disposition, classification } = this.input.ticket;
      if (disposition) {
        await this.exclusive(() => this.steps.decide(this.input.actor, disposition, classification));
      } else if (this.findings?.autoDispatch && this.findings.proposal.route) {
        const routed = this.findings.proposal.route;
        await this.exclusive(() => this.steps.decide(SYSTEM, { action: 'dispatch', unitId: routed.unitId, coUnitIds: routed.coUnitIds }, classification));
      }
    }
    this.intakeDone = true;
    await condition(() => this.state.status !== 'triage');
  }

  /**
   * 办理 under supervision: until the unit replies, the timers raise the sign-off overdue, near-due
   * (yellow card), overdue (red card) and escalation steps as their points pass.
   */
  async handle(): Promise<void> {
    const { clock } = this.steps;
    const answered = () => this.state.status === 'replied' || this.closed;
    for (;;) {
      if (answered()) return;
      const next = clock.next();
      if (next && Date.parse(next.at) <= Date.now()) {
        await this.exclusive(async () => {
          // an update may have moved the ticket on while this step waited for the lock
          const due = clock.next();
          if (!answered() && due && Date.parse(due.at) <= Date.now()) await this.steps.pass(due.point);
        });
        continue;
      }
      const watched = clock.key();
      await condition(() => answered() || clock.key() !== watched, next ? Date.parse(next.at) - Date.now() : undefined);
    }
  }

  /** 回访: wait for the agent's callback; a callback later than `callbackBy` is recorded as missed. */
  async callBack(): Promise<CallbackOutcome | undefined> {
    const calledBack = () => this.state.satisfaction !== undefined || this.closed;
    const callbackBy = this.state.deadlines.callbackBy;
    const waitMs = callbackBy === undefined ? 0 : Date.parse(callbackBy) - Date.now();
    if (!(waitMs > 0 && (await condition(calledBack, waitMs))) && !calledBack()) {
      await this.exclusive(async () => {
        if (!calledBack()) await this.steps.callbackMissed();
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

  /** Before the workflow ends: the last steps are recorded and the notifications handed off. */
  async settle(): Promise<void> {
    await condition(() => allHandlersFinished() && !this.busy && this.steps.outbox.idle);
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
      const why = refusal(action, this.state, new Date());
      if (why) throw ApplicationFailure.create({ type: ACTION_NOT_ALLOWED, message: why, nonRetryable: true, details: [this.state.status] });
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
          const again = this.lean || patched(CHECK_SEALED_ACTOR);
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

  private async exclusive(step: () => Promise<void>): Promise<void> {
    await condition(() => !this.busy);
    this.busy = true;
    try {
      await step();
    } finally {
      this.busy = false;
    }
  }
}
