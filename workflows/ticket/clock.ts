/**
 * The deadline clock: the ticket's deadlines and the supervision points still ahead of it. The
 * deadlines themselves are computed by activities (calendar and policy are data); the clock only
 * says which point comes next and when the timers must be set again.
 */
import type { DispatchDeadlines, TicketState } from '../../domain/lifecycle';

/** A supervision point: the step its timer raises when it passes. */
export type SupervisionPoint = 'sign_overdue' | 'near_due' | 'overdue' | 'escalate';

export class DeadlineClock {
  /** Bumped whenever the deadlines move, so the timers are set again. */
  private version = 0;

  constructor(private readonly state: TicketState) {}

  /** Fresh deadlines of a dispatch or a re-handle (a re-handle keeps the sign-off it had). */
  set(d: DispatchDeadlines, keep: { signBy?: string } = {}): void {
    this.state.policyVersion = d.policyVersion;
    this.state.extensionMaxWorkingDays = d.extensionMaxWorkingDays;
    this.state.deadlines = { signBy: keep.signBy ?? d.signBy, dueBy: d.dueBy, nearDueAt: d.nearDueAt, escalateAt: d.escalateAt, returnBy: d.returnBy };
    this.version += 1;
  }

  /** An approved extension moves the due date and the points around it. */
  move(moved: { dueBy: string; nearDueAt: string; escalateAt: string }): void {
    this.state.deadlines = { ...this.state.deadlines, ...moved };
    this.state.nearDue = Date.now() >= Date.parse(moved.nearDueAt);
    this.state.overdue = Date.now() > Date.parse(moved.dueBy);
    this.version += 1;
  }

  /** The deadlines as a step's data records them. */
  data(): Record<string, unknown> {
    return { deadlines: this.state.deadlines, policyVersion: this.state.policyVersion };
  }

  /** The earliest supervision point still ahead of an unreplied ticket. */
  next(): { at: string; point: SupervisionPoint } | undefined {
    const s = this.state;
    const d = s.deadlines;
    const candidates: { at: string | undefined; point: SupervisionPoint; pending: boolean }[] = [
      { at: d.signBy, point: 'sign_overdue', pending: s.status === 'dispatched' && !s.signOverdue },
      { at: d.nearDueAt, point: 'near_due', pending: !s.nearDue },
      { at: d.dueBy, point: 'overdue', pending: !s.overdue },
      { at: d.escalateAt, point: 'escalate', pending: s.overdue && !s.escalated },
    ];
    return candidates
      .flatMap(({ at, point, pending }) => (pending && at !== undefined ? [{ at, point }] : []))
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0];
  }

  /** What the timers depend on: when it changes, the next supervision point is chosen again. */
  key(): string {
    const s = this.state;
    return [s.status, s.signOverdue, s.nearDue, s.overdue, s.escalated, this.version].join('|');
  }
}
