/**
 * The ticket workflow's ways to the outside: its activities, each as a normal activity (the
 * tickets started before the lean intake, which replay with them) or as a local activity (a short
 * Postgres read or write that needs no round trip through the Temporal server).
 */
import { log, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type * as activities from '../../activities';

export type Activities = ReturnType<typeof activities.createActivities>;

const RETRY = { initialInterval: '1 second', maximumInterval: '1 minute' } as const;

const remote = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: RETRY });
const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: RETRY });

/** The delivery before the outbox, for the tickets whose histories began with it (patched NOTIFICATION_OUTBOX). */
export const { notifyUnit } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 10 },
});

/** The activities a ticket calls: local ones for a ticket on the lean path, the server's for the others. */
export function activitiesOf(lean: boolean): Activities {
  return lean ? local : remote;
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** The value, or a workflow task failure naming the invariant broken (a bug, retried once fixed). */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    log.error('ticket invariant broken', { missing: what });
    throw new Error(`invariant broken: ${what} is not set`);
  }
  return value;
}
