/**
 * Every request that needs Temporal goes through here, so an outage or an overload answers a
 * quick 503 with Retry-After instead of a request that hangs:
 * - all of a request's Temporal calls share one deadline (the action deadline), enforced both as
 *   the gRPC deadline and as a timer, since the client's retries of an unreachable server pause
 *   between attempts regardless of the deadline;
 * - at most `maxInFlight` requests talk to Temporal at once and at most `maxQueued` wait for their
 *   turn (until their deadline); beyond that a request is shed at once.
 */
import type { Client } from '@temporalio/client';
import { beforeDeadline } from '../platform/deadline';
import { HttpError } from './errors';

export interface TemporalCallLimits {
  /** the action deadline: how long a request may wait for Temporal, its turn included */
  timeoutMs: number;
  maxInFlight: number;
  maxQueued: number;
}

export class TemporalCalls {
  private inFlight = 0;
  /** waiting requests, first come first served; each is handed a slot when one frees */
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly temporal: Client,
    private readonly limits: TemporalCallLimits,
  ) {}

  /** Runs `calls` (any number of Temporal requests) within one action deadline. */
  async run<R>(calls: () => Promise<R>): Promise<R> {
    const deadline = Date.now() + this.limits.timeoutMs;
    await this.takeSlot(deadline);
    try {
      return await beforeDeadline(this.temporal.withDeadline(deadline, calls), deadline, unavailable(this.limits.timeoutMs));
    } finally {
      this.freeSlot();
    }
  }

  private takeSlot(deadline: number): Promise<void> {
    if (this.inFlight < this.limits.maxInFlight) {
      this.inFlight += 1;
      return Promise.resolve();
    }
    if (this.queue.length >= this.limits.maxQueued) {
      return Promise.reject(
        new HttpError(503, 'overloaded', 'the server has too many requests waiting for Temporal; retry with the same Idempotency-Key after Retry-After seconds', [], 1),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const granted = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.queue.splice(this.queue.indexOf(granted), 1);
        reject(unavailable(this.limits.timeoutMs));
      }, deadline - Date.now());
      this.queue.push(granted);
    });
  }

  private freeSlot(): void {
    const next = this.queue.shift();
    if (next) next(); // the slot passes to the next request as is
    else this.inFlight -= 1;
  }
}

const unavailable = (ms: number) =>
  new HttpError(503, 'unavailable', `Temporal did not answer within ${ms} ms; retry with the same Idempotency-Key after Retry-After seconds`);
