/**
 * The ticket's lifecycle: the state machine (`LIFECYCLE`: per action, the statuses it is allowed
 * in, its guard and the status it goes to), the status sets derived from it, and who may take
 * each action. Used by the workflow's update validators (the source of truth), by the API (for its
 * 409s and 403s), by the SQL of the read model (db/kpi-definitions.ts, the partial index in
 * db/schema/tickets.ts) and by the historical import's rules.
 */
import { STATUSES } from './statuses';
import type {
  Actor,
  CallbackOutcome,
  Disposition,
  Role,
  Channel,
  Classification,
  CloseReason,
  ExternalRef,
  ReplyResult,
  TicketLocation,
  TicketStatus,
} from './ticket';

export interface Deadlines {
  /** 签收时限 */
  signBy?: string;
  /** 办理时限 (including an approved extension) */
  dueBy?: string;
  /** 临期: the yellow card point */
  nearDueAt?: string;
  /** overdue by the handling limit again: escalated */
  escalateAt?: string;
  /** 退单 requests are accepted until then */
  returnBy?: string;
  /** 回访时限 */
  callbackBy?: string;
}

/** What the deadline activity computes at dispatch, re-dispatch and re-handle. */
export interface DispatchDeadlines {
  policyVersion: number;
  signBy: string;
  dueBy: string;
  nearDueAt: string;
  escalateAt: string;
  returnBy: string;
  /** the longest extension the policy allows, in working days */
  extensionMaxWorkingDays: number;
}

/** What the classifier and the routing table proposed for a ticket, as the trail keeps it. */
export interface ProposalSummary {
  classification: Classification;
  /** `dispatch`: that the ticket is in scope and right in unit and category (absent in proposals recorded before the joint gate) */
  confidence: { type: number; topic: number; category: number; region: number; route: number | null; dispatch?: number };
  regionCode: string | null;
  /** `emergency`: for 110/119/120/122, first in the agents' triage queue */
  outOfScope: { value: boolean; reason?: string; referral?: string; kind?: string; emergency?: boolean };
  knowledgeBase?: { entryId: string; answer: string; score: number };
  route: { unitId: string; coUnitIds: string[] } | null;
  /** the classifier model that proposed this (absent in proposals recorded before models) */
  modelVersion?: string;
}

/** What intake finds about a new ticket: the proposal, repeats, the triage limit, and whether to dispatch at once. */
export interface IntakeFindings {
  proposal: ProposalSummary;
  repeatOf: string[];
  triageBy: string;
  /** true when policy allows it for the channel and the classifier and routing are confident enough */
  autoDispatch: boolean;
}

export interface ReturnRequest {
  unitId: string;
  reason: string;
  suggestedUnitId?: string;
  at: string;
  /** the status to go back to when the return is refused */
  previousStatus: 'dispatched' | 'handling';
}

export interface Extension {
  workingDays: number;
  reason: string;
  at: string;
  status: 'requested' | 'approved' | 'refused';
}

/** The live state of one ticket, held by its workflow and projected into Postgres after each step. */
export interface TicketState {
  id: string;
  status: TicketStatus;
  channel: Channel;
  caller: { name?: string; phone?: string };
  content: string;
  address?: string;
  regionCode?: string;
  /** where it happened, WGS-84 */
  location?: TicketLocation;
  /** a photo of it, by link */
  mediaUrl?: string;
  /** the provincial or national platform's ticket number */
  externalRef?: ExternalRef;
  businessEnvironment: boolean;
  receivedAt: string;
  classification?: Classification;
  unitId?: string;
  coUnitIds: string[];
  deadlines: Deadlines;
  nearDue: boolean;
  overdue: boolean;
  escalated: boolean;
  rehandleCount: number;
  urgeCount: number;
  signOverdue: boolean;
  callbackMissed: boolean;
  /** how many dissatisfied callbacks the ticket has had; the second escalates */
  dissatisfiedCount: number;
  policyVersion?: number;
  extensionMaxWorkingDays?: number;
  returnRequest?: ReturnRequest;
  returnCount: number;
  /** at most one per ticket (延期 may be asked once) */
  extension?: Extension;
  /** 并单: this ticket joined that one */
  mergedInto?: string;
  /** repeat reports merged into this ticket; their callers are called back with it */
  mergedTickets: { id: string; callerName?: string; callerPhone?: string }[];
  /** open tickets this one repeats, found at receipt */
  repeatOf: string[];
  /** the classifier's proposal at receipt; the agent's classification, when given, wins */
  proposal?: ProposalSummary;
  /** how long the ticket may wait in triage */
  triageBy?: string;
  dispatchedAt?: string;
  signedAt?: string;
  reply?: { result: ReplyResult; reply: string; at: string; unitId: string; onTime?: boolean };
  /** The callback outcome of the current round; cleared when the unit replies again. */
  satisfaction?: CallbackOutcome;
  answer?: string;
  rejection?: { reason: string; referral?: string };
  closeReason?: CloseReason;
  closedAt?: string;
  /** The sequence number of the last event in the trail. */
  lastEventSeq: number;
}

export type TicketAction =
  | 'triage'
  | 'sign'
  | 'progress'
  | 'reply'
  | 'callback'
  | 'rehandle'
  | 'finalize'
  | 'returnRequest'
  | 'returnDecision'
  | 'extensionRequest'
  | 'extensionDecision'
  | 'urge'
  | 'merge';

/** What the rules read of a ticket. */
export type StateView = Pick<TicketState, 'status' | 'satisfaction' | 'extension' | 'deadlines' | 'returnRequest' | 'extensionMaxWorkingDays'>;

/**
 * Where a step goes: a status; `'unchanged'`, the status it was taken in (a step that records
 * something and moves nothing); `'previous'`, back to the status the ticket entered this one from
 * (for return_requested, the status the return was asked in: `returnRequest.previousStatus`).
 */
export type Target = TicketStatus | 'unchanged' | 'previous';

/** What a branching step's branch is chosen by, of its arguments. */
export interface BranchArgs {
  triage: { disposition: { action: Disposition['action'] } };
  callback: { outcome: CallbackOutcome };
  returnDecision: { approve: boolean };
}
/** The branches of the branching steps. */
export interface Branches {
  triage: Disposition['action'];
  callback: 'closes' | 'dissatisfied';
  returnDecision: 'approve' | 'refuse';
}
type Branching = keyof BranchArgs;

/** A condition on the ticket beyond its status; `needs` completes "cannot X a ticket in status 'S' without …". */
export interface Guard {
  holds: (s: StateView, now: Date) => boolean;
  needs: string;
}

/** What the arguments of an update hold the rules check against the ticket (a 422, not a 409). */
export interface ArgumentsCheck {
  extensionRequest: { workingDays: number };
}

/**
 * Who may take an action: the roles, and for a unit, whether it must hold the ticket as its
 * primary unit (签收, 办结回复, 退单, 延期) or may co-handle it (progress).
 */
export interface Actors {
  roles: readonly Role[];
  unit?: 'primary' | 'primaryOrCo';
}

export type Transition<A extends TicketAction> = {
  /** who may take it */
  by: Actors;
  /** the statuses the action is allowed in */
  from: readonly TicketStatus[];
  guard?: Guard;
  /** arguments that cannot be taken on this ticket: why, naming the field, or undefined */
  check?: A extends keyof ArgumentsCheck ? (args: ArgumentsCheck[A], s: StateView) => string | undefined : never;
} & (A extends Branching
  ? { to: Readonly<Record<Branches[A], Target>>; branch: (args: BranchArgs[A]) => Branches[A] }
  : { to: Target });

/** The status a ticket is in when it is received (受理). */
export const INITIAL_STATUS: TicketStatus = 'triage';

const returnWindowOpen: Guard = {
  holds: (s, now) => s.deadlines.returnBy === undefined || now.getTime() <= Date.parse(s.deadlines.returnBy),
  needs: 'the return window still open',
};
const dissatisfiedCallback: Guard = { holds: (s) => s.satisfaction === 'dissatisfied', needs: 'a dissatisfied callback' };

/**
 * The state machine: for every action on a ticket, the statuses it is allowed in, the condition
 * on the rest of the ticket, and the status it goes to. The timers' steps (sign-off overdue,
 * near-due, overdue, escalation, callback missed) mark the ticket and never change its status, so
 * they are not here. The README's state diagram is checked against this table
 * (tests/unit/lifecycle/diagram.test.ts), and the status sets below are derived from it.
 */
export const LIFECYCLE: { readonly [A in TicketAction]: Transition<A> } = {
  triage: {
    by: { roles: ['agent'] },
    from: ['triage'],
    to: { answer: 'answered', reject: 'rejected', dispatch: 'dispatched' },
    branch: (a) => a.disposition.action,
  },
  sign: { by: { roles: ['unit'], unit: 'primary' }, from: ['dispatched'], to: 'handling' },
  progress: { by: { roles: ['unit'], unit: 'primaryOrCo' }, from: ['handling'], to: 'unchanged' },
  reply: { by: { roles: ['unit'], unit: 'primary' }, from: ['handling'], to: 'replied' },
  callback: {
    by: { roles: ['agent'] },
    from: ['replied'],
    guard: { holds: (s) => s.satisfaction === undefined, needs: 'a reply awaiting its callback' },
    to: { closes: 'closed', dissatisfied: 'unchanged' },
    branch: (a) => (a.outcome === 'dissatisfied' ? 'dissatisfied' : 'closes'),
  },
  rehandle: { by: { roles: ['supervisor'] }, from: ['replied'], guard: dissatisfiedCallback, to: 'handling' },
  finalize: { by: { roles: ['supervisor'] }, from: ['replied'], guard: dissatisfiedCallback, to: 'closed' },
  returnRequest: { by: { roles: ['unit'], unit: 'primary' }, from: ['dispatched', 'handling'], guard: returnWindowOpen, to: 'return_requested' },
  returnDecision: {
    by: { roles: ['supervisor'] },
    from: ['return_requested'],
    to: { approve: 'dispatched', refuse: 'previous' },
    branch: (a) => (a.approve ? 'approve' : 'refuse'),
  },
  extensionRequest: {
    by: { roles: ['unit'], unit: 'primary' },
    from: ['handling'],
    guard: { holds: (s) => s.extension === undefined, needs: 'no earlier extension request (a unit may ask once)' },
    check: ({ workingDays }, s) =>
      s.extensionMaxWorkingDays !== undefined && workingDays > s.extensionMaxWorkingDays
        ? `workingDays: at most ${s.extensionMaxWorkingDays} working days may be asked for`
        : undefined,
    to: 'unchanged',
  },
  extensionDecision: {
    by: { roles: ['supervisor'] },
    from: ['handling'],
    guard: { holds: (s) => s.extension?.status === 'requested', needs: 'a pending extension request' },
    to: 'unchanged',
  },
  urge: { by: { roles: ['supervisor'] }, from: ['dispatched', 'handling', 'return_requested'], to: 'unchanged' },
  merge: { by: { roles: ['supervisor', 'agent'] }, from: ['triage', 'dispatched', 'handling'], to: 'merged' },
};

export const TICKET_ACTIONS = Object.keys(LIFECYCLE) as TicketAction[];

function isBranching(action: TicketAction): action is Branching {
  return typeof LIFECYCLE[action].to === 'object';
}

function resolve(target: Target, s: Pick<StateView, 'status' | 'returnRequest'>): TicketStatus {
  if (target === 'unchanged') return s.status;
  if (target === 'previous') {
    if (!s.returnRequest) throw new Error(`no pending return request to go back from (status '${s.status}')`);
    return s.returnRequest.previousStatus;
  }
  return target;
}

/** The arguments `nextStatus` reads: the branch's for a branching action, nothing for the others. */
export type NextArgs<A extends TicketAction> = A extends Branching ? BranchArgs[A] : unknown;

/** The status an allowed action takes the ticket to, with these arguments. */
export function nextStatus<A extends TicketAction>(action: A, args: NextArgs<A>, state: Pick<StateView, 'status' | 'returnRequest'>): TicketStatus {
  if (!isBranching(action)) return resolve((LIFECYCLE[action] as { to: Target }).to, state);
  const rule = LIFECYCLE[action] as unknown as { to: Record<string, Target>; branch: (a: unknown) => string };
  return resolve(rule.to[rule.branch(args)]!, state);
}

/** One arrow of the state machine. */
export interface Arrow {
  from: TicketStatus;
  action: TicketAction;
  /** the branch of a branching action */
  branch?: string;
  to: TicketStatus;
}

const branchesOf = (action: TicketAction): [string | undefined, Target][] =>
  isBranching(action) ? Object.entries(LIFECYCLE[action].to as Record<string, Target>) : [[undefined, LIFECYCLE[action].to as Target]];
const arrow = (from: TicketStatus, action: TicketAction, branch: string | undefined, to: TicketStatus): Arrow => ({
  from,
  action,
  ...(branch === undefined ? {} : { branch }),
  to,
});
/** The arrows of the table but those going back (`'previous'`). */
const forward: Arrow[] = TICKET_ACTIONS.flatMap((action) =>
  LIFECYCLE[action].from.flatMap((from) =>
    branchesOf(action).flatMap(([branch, target]) =>
      target === 'previous' ? [] : [arrow(from, action, branch, target === 'unchanged' ? from : target)],
    ),
  ),
);

/**
 * Every arrow of the table, `'unchanged'` spelled out as the status the step is taken in and
 * `'previous'` as each status an arrow enters that one from.
 */
export const ARROWS: readonly Arrow[] = TICKET_ACTIONS.flatMap((action) =>
  LIFECYCLE[action].from.flatMap((from) =>
    branchesOf(action).flatMap(([branch, target]) =>
      target !== 'previous'
        ? [arrow(from, action, branch, target === 'unchanged' ? from : target)]
        : [...new Set(forward.filter((a) => a.to === from && a.from !== from).map((a) => a.from))].map((back) => arrow(from, action, branch, back)),
    ),
  ),
);

/** The statuses a ticket can reach from its receipt without ever entering `avoid`. */
function reachableAvoiding(avoid?: TicketStatus): Set<TicketStatus> {
  const seen = new Set<TicketStatus>();
  if (avoid === INITIAL_STATUS) return seen;
  const queue: TicketStatus[] = [INITIAL_STATUS];
  seen.add(INITIAL_STATUS);
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
    for (const a of ARROWS) {
      if (a.from === s && a.to !== avoid && !seen.has(a.to)) {
        seen.add(a.to);
        queue.push(a.to);
      }
    }
  }
  return seen;
}

/** In the order of STATUSES, so the SQL rendered from a set stays the same text. */
const inOrder = (keep: (s: TicketStatus) => boolean): readonly TicketStatus[] => Object.freeze(STATUSES.filter(keep));

/**
 * The statuses a ticket can only be in once it has been in `status`: every way from receipt to
 * them passes through it (`status` included).
 */
export function statusesAfter(status: TicketStatus): readonly TicketStatus[] {
  const without = reachableAvoiding(status);
  const all = reachableAvoiding();
  return inOrder((s) => all.has(s) && !without.has(s));
}

/** Statuses some action is allowed in: the ticket is still open. */
export const OPEN_STATUSES = inOrder((s) => ARROWS.some((a) => a.from === s));
/** Statuses no action leaves: closed for good (answered, rejected, closed, merged). */
export const CLOSED_STATUSES = inOrder((s) => !OPEN_STATUSES.includes(s));
/**
 * Statuses a ticket is in only once it has been dispatched (已转办): dispatched, handling,
 * return_requested, replied, closed. Not merged: a ticket may be merged from triage.
 */
export const DISPATCHED_STATUSES = statusesAfter('dispatched');
/**
 * Statuses a ticket is in only once its unit has replied, so the reply stands (办结): replied and
 * closed. A re-handled ticket is handling again, no longer replied. Awaiting its callback is one of
 * these without a callback outcome yet (the partial index tickets_awaiting_callback_idx).
 */
export const REPLIED_STATUSES = statusesAfter('replied');
/** Statuses in which a unit holds the ticket: dispatched and not yet replied. */
export const WITH_UNIT = inOrder((s) => DISPATCHED_STATUSES.includes(s) && !REPLIED_STATUSES.includes(s));

export function isOpen(status: TicketStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

/** Why an action is not allowed now, or undefined when it is. */
export function refusal(action: TicketAction, state: StateView, now: Date): string | undefined {
  const rule: Transition<TicketAction> = LIFECYCLE[action];
  if (!rule.from.includes(state.status)) {
    return `cannot ${action} a ticket in status '${state.status}' (allowed in: ${rule.from.join(', ')})`;
  }
  if (rule.guard && !rule.guard.holds(state, now)) {
    return `cannot ${action} a ticket in status '${state.status}' without ${rule.guard.needs}`;
  }
  return undefined;
}

/** Why these arguments cannot be taken on this ticket (naming the field, for a 422), or undefined. */
export function argumentsRefusal<A extends keyof ArgumentsCheck>(action: A, args: ArgumentsCheck[A], state: StateView): string | undefined {
  const check = LIFECYCLE[action].check as ((args: ArgumentsCheck[A], s: StateView) => string | undefined) | undefined;
  return check?.(args, state);
}

/**
 * Who may take each action, from the table: the roles, and for a unit, whether it must hold the
 * ticket as its primary unit or may co-handle it. The API's endpoints answer 403 by these, and
 * the workflow checks them again on the actor sealed in the update.
 */
export const ACTION_ACTORS = Object.fromEntries(TICKET_ACTIONS.map((action) => [action, LIFECYCLE[action].by])) as Record<TicketAction, Actors>;

/** Why this actor may not take the action on this ticket, or undefined when it may. */
export function actorRefusal(action: TicketAction, actor: Actor | undefined, state: Pick<TicketState, 'unitId' | 'coUnitIds'>): string | undefined {
  const rule = ACTION_ACTORS[action];
  if (!actor || typeof actor.role !== 'string' || typeof actor.id !== 'string') return `actor: ${action} needs the actor who takes it`;
  if (!(rule.roles as readonly string[]).includes(actor.role)) return `actor: ${action} is for the role ${rule.roles.join(' or ')}, not '${actor.role}'`;
  if (actor.role !== 'unit') return undefined;
  const holds = actor.unitId !== undefined && (actor.unitId === state.unitId || (rule.unit === 'primaryOrCo' && state.coUnitIds.includes(actor.unitId)));
  return holds ? undefined : `actor: unit '${actor.unitId ?? ''}' does not hold this ticket${rule.unit === 'primary' ? ' as its primary unit' : ''}`;
}

/** The error type the workflow raises for a refused action; the API turns it into a 409. */
export const ACTION_NOT_ALLOWED = 'ActionNotAllowed';
/** The error type the workflow raises for an actor the action is not for (the API's 403). */
export const ACTOR_NOT_ALLOWED = 'ActorNotAllowed';
/** The error type for a well-formed request naming something that does not exist (422). */
export const UNPROCESSABLE = 'Unprocessable';
