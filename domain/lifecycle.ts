/**
 * The ticket's lifecycle rules: which action is allowed in which state. Defined once and used
 * by the workflow's update validators (the source of truth) and by the API (for its 409s).
 */
import type {
  Actor,
  CallbackOutcome,
  Role,
  Channel,
  Classification,
  CloseReason,
  ExternalRef,
  ReplyResult,
  TicketLocation,
  TicketStatus,
} from './ticket';

export const OPEN_STATUSES: readonly TicketStatus[] = ['triage', 'dispatched', 'handling', 'return_requested', 'replied'];
export const CLOSED_STATUSES: readonly TicketStatus[] = ['answered', 'rejected', 'closed', 'merged'];

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
  confidence: { type: number; topic: number; category: number; region: number; route: number | null };
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

type StateView = Pick<TicketState, 'status' | 'satisfaction' | 'extension' | 'deadlines'>;

/** Statuses in which a unit holds the ticket. */
export const WITH_UNIT: readonly TicketStatus[] = ['dispatched', 'handling', 'return_requested'];

const RULES: Record<
  TicketAction,
  { statuses: readonly TicketStatus[]; when?: (s: StateView, now: Date) => boolean; needs?: string }
> = {
  triage: { statuses: ['triage'] },
  sign: { statuses: ['dispatched'] },
  progress: { statuses: ['handling'] },
  reply: { statuses: ['handling'] },
  returnRequest: {
    statuses: ['dispatched', 'handling'],
    when: (s, now) => s.deadlines.returnBy === undefined || now.getTime() <= Date.parse(s.deadlines.returnBy),
    needs: 'the return window still open',
  },
  returnDecision: { statuses: ['return_requested'] },
  extensionRequest: { statuses: ['handling'], when: (s) => s.extension === undefined, needs: 'no earlier extension request (a unit may ask once)' },
  extensionDecision: { statuses: ['handling'], when: (s) => s.extension?.status === 'requested', needs: 'a pending extension request' },
  urge: { statuses: WITH_UNIT },
  merge: { statuses: ['triage', 'dispatched', 'handling'] },
  callback: { statuses: ['replied'], when: (s) => s.satisfaction === undefined, needs: 'a reply awaiting its callback' },
  rehandle: {
    statuses: ['replied'],
    when: (s) => s.satisfaction === 'dissatisfied',
    needs: 'a dissatisfied callback',
  },
  finalize: {
    statuses: ['replied'],
    when: (s) => s.satisfaction === 'dissatisfied',
    needs: 'a dissatisfied callback',
  },
};

/** Why an action is not allowed now, or undefined when it is. */
export function refusal(action: TicketAction, state: StateView, now: Date): string | undefined {
  const rule = RULES[action];
  if (!rule.statuses.includes(state.status)) {
    return `cannot ${action} a ticket in status '${state.status}' (allowed in: ${rule.statuses.join(', ')})`;
  }
  if (rule.when && !rule.when(state, now)) {
    return `cannot ${action} a ticket in status '${state.status}' without ${rule.needs}`;
  }
  return undefined;
}

/**
 * Who may take each action: the roles, and for a unit, whether it must hold the ticket as its
 * primary unit (签收, 办结回复, 退单, 延期) or may co-handle it (progress). The API's endpoints
 * answer 403 by these, and the workflow checks them again on the actor sealed in the update.
 */
export const ACTION_ACTORS: Record<TicketAction, { roles: readonly Role[]; unit?: 'primary' | 'primaryOrCo' }> = {
  triage: { roles: ['agent'] },
  sign: { roles: ['unit'], unit: 'primary' },
  progress: { roles: ['unit'], unit: 'primaryOrCo' },
  reply: { roles: ['unit'], unit: 'primary' },
  returnRequest: { roles: ['unit'], unit: 'primary' },
  extensionRequest: { roles: ['unit'], unit: 'primary' },
  callback: { roles: ['agent'] },
  rehandle: { roles: ['supervisor'] },
  finalize: { roles: ['supervisor'] },
  returnDecision: { roles: ['supervisor'] },
  extensionDecision: { roles: ['supervisor'] },
  urge: { roles: ['supervisor'] },
  merge: { roles: ['supervisor', 'agent'] },
};

/** Why this actor may not take the action on this ticket, or undefined when it may. */
export function actorRefusal(action: TicketAction, actor: Actor | undefined, state: Pick<TicketState, 'unitId' | 'coUnitIds'>): string | undefined {
  const rule = ACTION_ACTORS[action];
  if (!actor || typeof actor.role !== 'string' || typeof actor.id !== 'string') return `actor: ${action} needs the actor who takes it`;
  if (!(rule.roles as readonly string[]).includes(actor.role)) return `actor: ${action} is for the role ${rule.roles.join(' or ')}, not '${actor.role}'`;
  if (actor.role !== 'unit') return undefined;
  const holds = actor.unitId !== undefined && (actor.unitId === state.unitId || (rule.unit === 'primaryOrCo' && state.coUnitIds.includes(actor.unitId)));
  return holds ? undefined : `actor: unit '${actor.unitId ?? ''}' does not hold this ticket${rule.unit === 'primary' ? ' as its primary unit' : ''}`;
}

export function isOpen(status: TicketStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

/** The error type the workflow raises for a refused action; the API turns it into a 409. */
export const ACTION_NOT_ALLOWED = 'ActionNotAllowed';
/** The error type the workflow raises for an actor the action is not for (the API's 403). */
export const ACTOR_NOT_ALLOWED = 'ActorNotAllowed';
/** The error type for a well-formed request naming something that does not exist (422). */
export const UNPROCESSABLE = 'Unprocessable';
