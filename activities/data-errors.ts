/**
 * Errors no retry can fix. Temporal retries a failed activity until it succeeds; when Postgres
 * refuses a write for its data — SQLSTATE class 22 (data exception: NUL in text, a lone surrogate
 * in jsonb, a value out of range) or class 23 (integrity constraint violation; the conflicts the
 * activities expect are answered with ON CONFLICT and never raised) — every retry fails the same
 * way and the ticket waits forever. Such a failure is made non-retryable, so the workflow sees it
 * and records what it can (workflows/ticket.ts).
 */
import { ApplicationFailure } from '@temporalio/common';
import { postgresErrorOf } from '../db/errors';
import { DATA_ERROR } from '../domain/storable';
import type { Logger } from '../platform/logger';

export interface DataError {
  /** SQLSTATE */
  code: string;
  /** Postgres's message; never the query's parameters, which hold personal data */
  message: string;
}

/** The Postgres data error behind `err` (drizzle wraps it as the cause), if it is one. */
export function dataErrorOf(err: unknown): DataError | undefined {
  const e = postgresErrorOf(err);
  return e && /^2[23]/.test(e.code) ? { code: e.code, message: e.message } : undefined;
}

export function dataFailure(e: DataError): ApplicationFailure {
  return ApplicationFailure.create({ type: DATA_ERROR, message: `${e.code} ${e.message}`, nonRetryable: true, details: [e] });
}

type Activity = (...args: never[]) => Promise<unknown>;

/** Every activity of `activities`, its Postgres data errors turned into non-retryable failures and logged. */
export function failingFastOnDataErrors<A extends Record<string, Activity>>(activities: A, logger: Logger): A {
  const wrapped = Object.entries(activities).map(([name, activity]) => [
    name,
    async (...args: never[]) => {
      try {
        return await activity(...args);
      } catch (err) {
        const data = dataErrorOf(err);
        if (!data) throw err;
        logger.error({ activity: name, ticketId: ticketIdOf(args[0]), sqlstate: data.code, error: data.message }, 'Postgres refused the data of an activity; not retried');
        throw dataFailure(data);
      }
    },
  ]);
  return Object.fromEntries(wrapped) as A;
}

/** The ticket an activity's argument is about, for the log line. */
function ticketIdOf(arg: unknown): string | undefined {
  const a = arg as { ticketId?: unknown; event?: { ticketId?: unknown }; snapshot?: { id?: unknown } } | undefined;
  const id = a?.ticketId ?? a?.event?.ticketId ?? a?.snapshot?.id;
  return typeof id === 'string' ? id : undefined;
}
