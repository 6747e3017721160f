/**
 * Overload and outage: when no worker answers, an action is a 503 the client can retry, not a
 * request that hangs; a key that sends too many requests gets 429s, other keys do not.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { idempotencyRecords, tickets } from '../../db/schema';
import { createLogger } from '../../platform/logger';
import { createTicketWorker } from '../../platform/worker';
import { runBundle } from '../setup/bundle';
import { startSystem, TEST_WEBHOOK_SECRET, type TestSystem } from '../setup/system';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startSystem({ withoutWorker: true, actionTimeoutMs: 1500, rateLimitPerMinute: 5 });
});
afterAll(() => sys?.stop());

it('a ticket received while no worker runs gets a 503 with Retry-After within the action deadline', async () => {
  const agent = await sys.key('agent');
  const started = Date.now();
  const res = await sys.call('POST', '/v1/tickets', { key: agent, body: { channel: 'phone', content: '无人处理时的请求' } });
  expect(res.status).toBe(503);
  expect(res.body.error.code).toBe('unavailable');
  expect(res.headers.get('retry-after')).toBe('5');
  expect(Date.now() - started).toBeLessThan(10_000);
});

it('a key over its rate limit gets 429 in the error format; another key is unaffected', async () => {
  const busy = await sys.key('supervisor');
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) statuses.push((await sys.call('GET', '/v1/tickets?limit=1', { key: busy })).status);
  expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
  const limited = await sys.call('GET', '/v1/tickets?limit=1', { key: busy });
  expect(limited.status).toBe(429);
  expect(limited.body.error.code).toBe('rate_limited');
  expect(limited.headers.get('retry-after')).not.toBeNull();
  expect((await sys.call('GET', '/v1/tickets?limit=1', { key: await sys.key('supervisor') })).status).toBe(200);
});

it('a create retried with its Idempotency-Key after a 503 makes one ticket, the one the first attempt started', async () => {
  const agent = await sys.key('agent');
  const stamp = Date.now();
  const content = `重试不重复 ${stamp}`;
  const create = () => sys.call('POST', '/v1/tickets', { key: agent, body: { channel: 'phone', content }, headers: { 'Idempotency-Key': `create-${stamp}` } });
  expect((await create()).status).toBe(503);
  expect((await create()).status).toBe(503);
  const [record] = await sys.database.db.select().from(idempotencyRecords).where(eq(idempotencyRecords.key, `create-${stamp}`));
  expect(record!.resourceId).toMatch(/^12345-\d{8}-\d{6}$/);

  // a worker comes back: the started workflow runs, and the retry answers with its ticket
  const { worker, connection } = await createTicketWorker({
    address: inject('temporalAddress'),
    namespace: 'default',
    taskQueue: sys.taskQueue,
    deps: { database: sys.database, logger: createLogger('silent'), webhookSecret: TEST_WEBHOOK_SECRET },
    ...runBundle(),
  });
  const running = worker.run();
  try {
    // as a client does: retry with the same key while the answer is 503 (the worker is warming up)
    let third = await create();
    for (let i = 0; i < 20 && third.status === 503; i++) third = await create();
    expect(third.status).toBe(201);
    expect(third.body.id).toBe(record!.resourceId);
    expect(await sys.database.db.select().from(tickets).where(eq(tickets.content, content))).toHaveLength(1);
    const replay = await create();
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
});
