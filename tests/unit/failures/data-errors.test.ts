import { describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { DrizzleQueryError } from 'drizzle-orm';
import { ApplicationFailure } from '@temporalio/common';
import { failingFastOnDataErrors } from '../../../activities/data-errors';
import { DATA_ERROR, hasUnstorableText, storable } from '../../../domain/storable';
import { createLogger } from '../../../platform/logger';

/** An error as drizzle throws it: the query and its parameters, Postgres's error as the cause. */
const refused = (code: string, message: string) =>
  new DrizzleQueryError('insert into "tickets" ... ', ['13800000000'], new (postgres.PostgresError as unknown as new (x: object) => Error)({ code, message }));

function activitiesThrowing(err: unknown) {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  const activities = failingFastOnDataErrors(
    {
      async recordEvent(_args: { event: { ticketId: string } }): Promise<void> {
        throw err;
      },
    },
    logger,
  );
  return { activities, lines };
}

async function failureOf(err: unknown): Promise<{ thrown: unknown; lines: string[] }> {
  const { activities, lines } = activitiesThrowing(err);
  const thrown = await activities.recordEvent({ event: { ticketId: 'T-1' } }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { thrown, lines };
}

describe('activities failing fast on data errors', () => {
  it.each([
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22P05', 'unsupported Unicode escape sequence'],
    ['23503', 'insert or update on table "ticket_events" violates foreign key constraint'],
  ])('a Postgres data error %s fails for good, with Postgres message and no parameters, and is logged', async (code, message) => {
    const { thrown, lines } = await failureOf(refused(code, message));
    expect(thrown).toBeInstanceOf(ApplicationFailure);
    expect(thrown).toMatchObject({ type: DATA_ERROR, nonRetryable: true, message: `${code} ${message}` });
    expect(lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ level: 50, activity: 'recordEvent', ticketId: 'T-1', sqlstate: code })]);
    expect(lines.join('')).not.toContain('13800000000');
  });

  it('other errors stay as they were, for Temporal to retry', async () => {
    for (const err of [refused('40001', 'could not serialize access'), refused('57P01', 'terminating connection'), new Error('connection reset')]) {
      const { thrown, lines } = await failureOf(err);
      expect(thrown).toBe(err);
      expect(lines).toEqual([]);
    }
  });
});

describe('storable text', () => {
  it('replaces NUL and lone surrogates with U+FFFD in every string, keys too, and keeps pairs', () => {
    const value = { content: 'a\u0000b', list: ['\ud800x', 'y\udc00', '😀'], nested: { 'k\u0000': 1, ok: '停水' }, n: 2, none: null };
    expect(hasUnstorableText(value)).toBe(true);
    const clean = storable(value);
    expect(clean).toEqual({ content: 'a\uFFFDb', list: ['\uFFFDx', 'y\uFFFD', '😀'], nested: { 'k\uFFFD': 1, ok: '停水' }, n: 2, none: null });
    expect(hasUnstorableText(clean)).toBe(false);
    expect(hasUnstorableText({ ok: ['停水 😀'] })).toBe(false);
  });
});
