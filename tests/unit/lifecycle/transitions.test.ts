/**
 * The state machine of domain/lifecycle.ts: every action's statuses, guard and target, the
 * refusals the API turns into 409s, and the status sets derived from the table.
 */
import { describe, expect, it } from 'vitest';
import {
  ACTION_ACTORS,
  ARROWS,
  CLOSED_STATUSES,
  DISPATCHED_STATUSES,
  INITIAL_STATUS,
  LIFECYCLE,
  OPEN_STATUSES,
  REPLIED_STATUSES,
  TICKET_ACTIONS,
  WITH_UNIT,
  actorRefusal,
  argumentsRefusal,
  isOpen,
  nextStatus,
  refusal,
  statusesAfter,
  type StateView,
  type TicketAction,
} from '../../../domain/lifecycle';
import { STATUSES, type TicketStatus } from '../../../domain/ticket';

const NOW = new Date('2025-10-09T02:00:00Z');
/** A ticket in `status` that passes every guard of that status's actions. */
const view = (status: TicketStatus, more: Partial<StateView> = {}): StateView => ({
  status,
  deadlines: {},
  satisfaction: undefined,
  extension: undefined,
  ...more,
});

/** The lifecycle as the hotline's rules describe it: action → allowed in → goes to (per branch). */
const EXPECTED: Record<TicketAction, { from: TicketStatus[]; to: Record<string, TicketStatus | 'unchanged' | 'previous'> }> = {
  triage: { from: ['triage'], to: { answer: 'answered', reject: 'rejected', dispatch: 'dispatched' } },
  sign: { from: ['dispatched'], to: { '': 'handling' } },
  progress: { from: ['handling'], to: { '': 'unchanged' } },
  reply: { from: ['handling'], to: { '': 'replied' } },
  callback: { from: ['replied'], to: { closes: 'closed', dissatisfied: 'unchanged' } },
  rehandle: { from: ['replied'], to: { '': 'handling' } },
  finalize: { from: ['replied'], to: { '': 'closed' } },
  returnRequest: { from: ['dispatched', 'handling'], to: { '': 'return_requested' } },
  returnDecision: { from: ['return_requested'], to: { approve: 'dispatched', refuse: 'previous' } },
  extensionRequest: { from: ['handling'], to: { '': 'unchanged' } },
  extensionDecision: { from: ['handling'], to: { '': 'unchanged' } },
  urge: { from: ['dispatched', 'handling', 'return_requested'], to: { '': 'unchanged' } },
  merge: { from: ['triage', 'dispatched', 'handling'], to: { '': 'merged' } },
};

describe('the transition table', () => {
  it('has every action, each allowed in the statuses and going where the rules say', () => {
    expect([...TICKET_ACTIONS].sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const action of TICKET_ACTIONS) {
      const rule = LIFECYCLE[action];
      expect([...rule.from].sort(), action).toEqual([...EXPECTED[action].from].sort());
      const to = typeof rule.to === 'string' ? { '': rule.to } : rule.to;
      expect(to, action).toEqual(EXPECTED[action].to);
    }
  });

  it('refuses an action in a status it is not allowed in, naming the status and the allowed ones', () => {
    let refused = 0;
    for (const action of TICKET_ACTIONS) {
      for (const status of STATUSES) {
        const why = refusal(action, view(status), NOW);
        if (EXPECTED[action].from.includes(status)) continue;
        refused += 1;
        expect(why).toBe(`cannot ${action} a ticket in status '${status}' (allowed in: ${LIFECYCLE[action].from.join(', ')})`);
      }
    }
    // 13 actions × 9 statuses, less the 18 (action, status) pairs allowed
    expect(refused).toBe(13 * 9 - 18);
  });

  it('allows each action in its statuses when its guard holds', () => {
    for (const action of TICKET_ACTIONS) {
      for (const status of EXPECTED[action].from) {
        const ok: Partial<StateView> =
          action === 'rehandle' || action === 'finalize'
            ? { satisfaction: 'dissatisfied' }
            : action === 'extensionDecision'
              ? { extension: { workingDays: 3, reason: 'r', at: NOW.toISOString(), status: 'requested' } }
              : {};
        expect(refusal(action, view(status, ok), NOW), `${action} in ${status}`).toBeUndefined();
      }
    }
  });

  it('refuses by the guards: the return window, the callback round, a dissatisfied callback, one extension', () => {
    const closedWindow = { deadlines: { returnBy: '2025-10-08T15:59:59.999Z' } };
    expect(refusal('returnRequest', view('handling', closedWindow), NOW)).toBe(
      "cannot returnRequest a ticket in status 'handling' without the return window still open",
    );
    expect(refusal('returnRequest', view('handling', { deadlines: { returnBy: NOW.toISOString() } }), NOW)).toBeUndefined();
    expect(refusal('callback', view('replied', { satisfaction: 'dissatisfied' }), NOW)).toBe(
      "cannot callback a ticket in status 'replied' without a reply awaiting its callback",
    );
    for (const action of ['rehandle', 'finalize'] as const) {
      expect(refusal(action, view('replied'), NOW)).toBe(`cannot ${action} a ticket in status 'replied' without a dissatisfied callback`);
      expect(refusal(action, view('replied', { satisfaction: 'satisfied' }), NOW)).toMatch(/without a dissatisfied callback$/);
    }
    const asked = { extension: { workingDays: 3, reason: 'r', at: NOW.toISOString(), status: 'refused' as const } };
    expect(refusal('extensionRequest', view('handling', asked), NOW)).toBe(
      "cannot extensionRequest a ticket in status 'handling' without no earlier extension request (a unit may ask once)",
    );
    expect(refusal('extensionDecision', view('handling', asked), NOW)).toBe(
      "cannot extensionDecision a ticket in status 'handling' without a pending extension request",
    );
  });

  it('checks the working days of an extension request against the limit fixed at dispatch', () => {
    const s = view('handling', { extensionMaxWorkingDays: 10 });
    expect(argumentsRefusal('extensionRequest', { workingDays: 10 }, s)).toBeUndefined();
    expect(argumentsRefusal('extensionRequest', { workingDays: 11 }, s)).toBe('workingDays: at most 10 working days may be asked for');
    // dispatched before the limit was kept on the ticket: the schema's bound is the only one
    expect(argumentsRefusal('extensionRequest', { workingDays: 30 }, view('handling'))).toBeUndefined();
  });
});

describe('where a step goes', () => {
  it('branches triage on the disposition, callback on the outcome, a return decision on approve', () => {
    const triage = view('triage');
    expect(nextStatus('triage', { disposition: { action: 'answer' } }, triage)).toBe('answered');
    expect(nextStatus('triage', { disposition: { action: 'reject' } }, triage)).toBe('rejected');
    expect(nextStatus('triage', { disposition: { action: 'dispatch' } }, triage)).toBe('dispatched');
    for (const outcome of ['satisfied', 'basically_satisfied', 'unreachable'] as const) {
      expect(nextStatus('callback', { outcome }, view('replied'))).toBe('closed');
    }
    expect(nextStatus('callback', { outcome: 'dissatisfied' }, view('replied'))).toBe('replied');
    for (const previousStatus of ['dispatched', 'handling'] as const) {
      const requested = view('return_requested', { returnRequest: { unitId: 'u1', reason: 'r', at: NOW.toISOString(), previousStatus } });
      expect(nextStatus('returnDecision', { approve: true }, requested)).toBe('dispatched');
      expect(nextStatus('returnDecision', { approve: false }, requested)).toBe(previousStatus);
    }
    expect(() => nextStatus('returnDecision', { approve: false }, view('return_requested'))).toThrow(/no pending return request/);
  });

  it('moves the plain steps to their status, and leaves it for the steps that only record', () => {
    expect(nextStatus('sign', undefined, view('dispatched'))).toBe('handling');
    expect(nextStatus('reply', undefined, view('handling'))).toBe('replied');
    expect(nextStatus('rehandle', undefined, view('replied'))).toBe('handling');
    expect(nextStatus('finalize', undefined, view('replied'))).toBe('closed');
    expect(nextStatus('returnRequest', undefined, view('dispatched'))).toBe('return_requested');
    for (const status of ['triage', 'dispatched', 'handling'] as const) expect(nextStatus('merge', undefined, view(status))).toBe('merged');
    for (const status of ['dispatched', 'handling', 'return_requested'] as const) expect(nextStatus('urge', undefined, view(status))).toBe(status);
    for (const action of ['progress', 'extensionRequest', 'extensionDecision'] as const) expect(nextStatus(action, undefined, view('handling'))).toBe('handling');
  });

  it('spells every arrow out, the refused return going back to where it was asked', () => {
    const back = ARROWS.filter((a) => a.action === 'returnDecision' && a.branch === 'refuse').map((a) => a.to);
    expect(back.sort()).toEqual(['dispatched', 'handling']);
    expect(ARROWS).toHaveLength(23);
  });
});

describe('the status sets, derived from the table', () => {
  it('every status is reachable from receipt', () => {
    expect(INITIAL_STATUS).toBe('triage');
    const reached = new Set<TicketStatus>([INITIAL_STATUS, ...ARROWS.map((a) => a.to)]);
    expect([...reached].sort()).toEqual([...STATUSES].sort());
  });

  it('open: some action is allowed; closed: none is', () => {
    expect(OPEN_STATUSES).toEqual(['triage', 'dispatched', 'handling', 'return_requested', 'replied']);
    expect(CLOSED_STATUSES).toEqual(['answered', 'rejected', 'closed', 'merged']);
    for (const s of STATUSES) expect(isOpen(s)).toBe(TICKET_ACTIONS.some((a) => LIFECYCLE[a].from.includes(s)));
  });

  it('dispatched: only after a dispatch (merged is not: a ticket may be merged from triage)', () => {
    expect(DISPATCHED_STATUSES).toEqual(['dispatched', 'handling', 'return_requested', 'replied', 'closed']);
    expect(statusesAfter('dispatched')).toEqual(DISPATCHED_STATUSES);
  });

  it('replied: only after the reply, so it stands (a re-handled ticket is handling again)', () => {
    expect(REPLIED_STATUSES).toEqual(['replied', 'closed']);
  });

  it('with a unit: dispatched and not yet replied, the statuses a supervisor may urge in', () => {
    expect(WITH_UNIT).toEqual(['dispatched', 'handling', 'return_requested']);
    expect([...LIFECYCLE.urge.from]).toEqual([...WITH_UNIT]);
  });

  it('"after" follows the arrows: every status is after receipt, merged only after itself, the reply after handling', () => {
    expect(statusesAfter('triage')).toEqual(STATUSES);
    expect(statusesAfter('merged')).toEqual(['merged']);
    expect(statusesAfter('handling')).toEqual(['handling', 'replied', 'closed']);
  });
});

describe('who may take each action', () => {
  it('is the roles of the table, a unit as the primary unit but for progress', () => {
    expect(ACTION_ACTORS).toEqual({
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
    });
    for (const action of TICKET_ACTIONS) expect(ACTION_ACTORS[action]).toBe(LIFECYCLE[action].by);
  });

  it('refuses another role, a unit not holding the ticket, and a co-unit where the primary is needed', () => {
    const held = { unitId: 'water', coUnitIds: ['roads'] };
    expect(actorRefusal('urge', { role: 'agent', id: 'k1' }, held)).toBe("actor: urge is for the role supervisor, not 'agent'");
    expect(actorRefusal('merge', { role: 'agent', id: 'k1' }, held)).toBeUndefined();
    expect(actorRefusal('sign', { role: 'unit', id: 'k2', unitId: 'water' }, held)).toBeUndefined();
    expect(actorRefusal('sign', { role: 'unit', id: 'k3', unitId: 'roads' }, held)).toBe("actor: unit 'roads' does not hold this ticket as its primary unit");
    expect(actorRefusal('progress', { role: 'unit', id: 'k3', unitId: 'roads' }, held)).toBeUndefined();
    expect(actorRefusal('progress', { role: 'unit', id: 'k4', unitId: 'parks' }, held)).toBe("actor: unit 'parks' does not hold this ticket");
    expect(actorRefusal('reply', undefined, held)).toBe('actor: reply needs the actor who takes it');
  });
});
