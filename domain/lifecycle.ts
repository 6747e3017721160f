/**
 * The ticket's lifecycle rules: which action is allowed in which state. Defined once and used
 * by the workflow's update validators (the source of truth) and by the API (for its 409s).
 */
import type {
  CallbackOutcome,
  Channel,
  Classification,
  CloseReason,
  ReplyResult,
  TicketStatus,
} from './ticket';

export const OPEN_STATUSES: readonly TicketStatus[] = ['triage', 'dispatched', 'handling', 'return_requested', 'replied'];
export const CLOSED_STATUSES: readonly TicketStatus[] = ['answered', 'rejected', 'closed', 'merged'];

export interface Deadlines {
  /** 签收时限 */
  signBy?: string;
  /** 办理时限 */
  dueBy?: string;
  /** 回访时限 */
  callbackBy?: string;
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
  | 'finalize';

type StateView = Pick<TicketState, 'status' | 'satisfaction'>;

const RULES: Record<TicketAction, { statuses: readonly TicketStatus[]; when?: (s: StateView) => boolean; needs?: string }> = {
  triage: { statuses: ['triage'] },
  sign: { statuses: ['dispatched'] },
  progress: { statuses: ['handling'] },
  reply: { statuses: ['handling'] },
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
export function refusal(action: TicketAction, state: StateView): string | undefined {
  const rule = RULES[action];
  if (!rule.statuses.includes(state.status)) {
    return `cannot ${action} a ticket in status '${state.status}' (allowed in: ${rule.statuses.join(', ')})`;
  }
  if (rule.when && !rule.when(state)) {
    return `cannot ${action} a ticket in status '${state.status}' without ${rule.needs}`;
  }
  return undefined;
}

export function isOpen(status: TicketStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

/** The error type the workflow raises for a refused action; the API turns it into a 409. */
export const ACTION_NOT_ALLOWED = 'ActionNotAllowed';
/** The error type for a well-formed request naming something that does not exist (422). */
export const UNPROCESSABLE = 'Unprocessable';
