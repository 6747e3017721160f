/**
 * 回传: a ticket the provincial or national platform handed over is handed back to it at each
 * step the platform follows — signed (签收), replied (办结回复) and closed (办结, with the
 * citizen's satisfaction) — under the platform's own ticket number (externalRef). The hand-back
 * goes through the outbox as a unit's notification does (activities/notifications.ts): recorded,
 * delivered by its own workflow, signed, retried, redeliverable by an admin.
 *
 * Pure and deterministic: the ticket workflow builds the notification from its state.
 */
import type { TicketState } from './lifecycle';
import type { ExternalRef } from './ticket';

export const HAND_BACK_KINDS = ['signed', 'replied', 'closed'] as const;
export type HandBackKind = (typeof HAND_BACK_KINDS)[number];

/** The outbox notification of a hand-back (activities/notifications.ts OutboxNotification). */
export interface PlatformHandBack {
  /** the step's sequence number in it: the same on every retry and redelivery */
  id: string;
  ticketId: string;
  /** no unit's keys see it: it is the center's business with the platform */
  unitId: null;
  target: { kind: 'platform'; id: ExternalRef['platform'] };
  kind: HandBackKind;
  payload: Record<string, unknown>;
}

/**
 * The hand-back of the step just recorded (`state.lastEventSeq`), or undefined for a ticket no
 * platform handed over. The platform orders hand-backs by `seq` (they are delivered each by its
 * own workflow, so a retried one may arrive after a later one).
 */
export function platformHandBack(state: TicketState, kind: HandBackKind, at: string): PlatformHandBack | undefined {
  const ref = state.externalRef;
  if (!ref) return undefined;
  const step: Record<string, unknown> =
    kind === 'signed'
      ? { signedAt: state.signedAt }
      : kind === 'replied'
        ? { result: state.reply?.result, reply: state.reply?.reply, repliedAt: state.reply?.at, onTime: state.reply?.onTime }
        : {
            closeReason: state.closeReason,
            // the citizen's satisfaction at the callback that closed it (none when answered, rejected, finalized or merged)
            satisfaction: state.closeReason === state.satisfaction ? state.satisfaction : undefined,
            closedAt: state.closedAt,
            answer: state.closeReason === 'answered' ? state.answer : undefined,
            rejection: state.closeReason === 'rejected' ? state.rejection : undefined,
            mergedInto: state.mergedInto,
            reply: state.reply ? { result: state.reply.result, reply: state.reply.reply, repliedAt: state.reply.at } : undefined,
          };
  return {
    id: `${state.id}:${state.lastEventSeq}:${kind}:${ref.platform}`,
    ticketId: state.id,
    unitId: null,
    target: { kind: 'platform', id: ref.platform },
    kind,
    payload: dropUndefined({
      platform: ref.platform,
      // the platform's own ticket number, which it files the hand-back under
      platformTicketId: ref.id,
      seq: state.lastEventSeq,
      at,
      status: state.status,
      unitId: state.unitId,
      ...step,
    }),
  };
}

function dropUndefined(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
}
