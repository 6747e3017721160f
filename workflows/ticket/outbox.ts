/**
 * The notification outbox: a notification to a unit (or a hand-back to the platform a ticket came from) is recorded once its step is in Postgres,
 * then handed to a delivery workflow of its own (id = the notification's), which outlives the
 * ticket's. The ticket's workflow waits at its end only for the hand-offs.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { condition, log, patched, startChild } from '@temporalio/workflow';
import type { OutboxNotification, UnitNotification } from '../../activities/notifications';
import { platformHandBack, type HandBackKind } from '../../domain/hand-back';
import type { TicketState } from '../../domain/lifecycle';
import { storable } from '../../domain/storable';
import { notificationDeliveryWorkflow } from '../notification-delivery';
import { notifyUnit, nowIso, type Activities } from './platform';
import type { Trail } from './trail';

/**
 * patched(): a notification is recorded in the outbox and delivered by a workflow of its own,
 * so the ticket's workflow no longer stays open while a dead webhook is retried.
 */
const NOTIFICATION_OUTBOX = 'notification-outbox';
/** patched(): a ticket a platform handed over is handed back to it, through the outbox, when signed, replied and closed. */
const PLATFORM_HAND_BACK = 'platform-hand-back';

export class Outbox {
  private pending = 0;

  constructor(
    private readonly state: TicketState,
    private readonly trail: Trail,
    private readonly acts: Activities,
    private readonly lean: boolean,
  ) {}

  /** No hand-off is still under way. */
  get idle(): boolean {
    return this.pending === 0;
  }

  /** Sends a notification about the step just recorded to a unit, in the background. */
  notify(kind: UnitNotification['kind'], unitId: string, payload: Record<string, unknown>): void {
    const seq = this.state.lastEventSeq;
    const n: UnitNotification = {
      id: `${this.state.id}:${seq}:${kind}:${unitId}`,
      ticketId: this.state.id,
      unitId,
      kind,
      payload: storable({ ...payload, status: this.state.status, deadlines: this.state.deadlines }),
    };
    this.pending += 1;
    const handedOff =
      this.lean || patched(NOTIFICATION_OUTBOX)
        ? this.afterStep(seq, () => this.enqueue({ ...n, target: { kind: 'unit', id: n.unitId } })).catch((err) =>
            log.error('notification not handed to its delivery', { notificationId: n.id, error: String(err) }),
          )
        : notifyUnit(n).catch(() => {
            // given up after its retries: it stays `failed` in the notifications table, for admins to see
          });
    void handedOff.finally(() => {
      this.pending -= 1;
    });
  }

  /**
   * 回传: the step just recorded, handed back to the platform the ticket came from
   * (domain/hand-back.ts), through the outbox as a unit's notification; none for other tickets.
   */
  handBack(kind: HandBackKind): void {
    const n = platformHandBack(this.state, kind, nowIso());
    if (!n || !(this.lean || patched(PLATFORM_HAND_BACK))) return;
    this.pending += 1;
    void this.afterStep(this.state.lastEventSeq, () => this.enqueue(n))
      .catch((err) => log.error('hand-back not handed to its delivery', { notificationId: n.id, error: String(err) }))
      .finally(() => {
        this.pending -= 1;
      });
  }

  /** Runs `send` once step `seq` is in Postgres: at once when it is (as every ticket before the lean path did). */
  private async afterStep(seq: number, send: () => Promise<void>): Promise<void> {
    if (this.trail.persistedSeq < seq) await condition(() => this.trail.persistedSeq >= seq);
    await send();
  }

  /** Outbox first, then the delivery workflow; none for a unit without a webhook (recorded `no_webhook`). */
  private async enqueue(n: OutboxNotification): Promise<void> {
    const recorded = await this.acts.recordNotification(n);
    if (recorded === 'no_webhook') return;
    try {
      await startChild(notificationDeliveryWorkflow, { workflowId: n.id, args: [{ notificationId: n.id }], parentClosePolicy: 'ABANDON' });
    } catch (err) {
      // started already (this step re-run after a reset, or an admin's redelivery): delivered by that one
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
}
