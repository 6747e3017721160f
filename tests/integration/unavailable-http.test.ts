/**
 * Overload and outage: when no worker answers, an action is a 503 the client can retry, not a
 * request that hangs; a key that sends too many requests gets 429s, other keys do not.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { idempotencyRecords, tickets } from '../../db/schema';
import { createLogger } from '../../platform/logger';
import { createTicketWorker } from '../../platform/worker';
import { persistedUpdate } from '../../workflows/messages';
import { runBundle } from '../setup/bundle';
import { startSystem, testWorkerDeps, type TestSystem } from '../setup/system';
import { TEST_SEALING } from '../setup/keys';

/**
 * How long an action waits for the workflow here. Each 503 below takes this long; an action a
 * running worker answers must fit in it on a loaded machine too, so it is not cut short.
 */
const ACTION_TIMEOUT_MS = 5_000;
/** the API's own default action deadline, which a request without one would wait for */
const DEFAULT_ACTION_TIMEOUT_MS = 30_000;

let sys: TestSystem;
beforeAll(async () => {
  sys = await startSystem({ withoutWorker: true, actionTimeoutMs: ACTION_TIMEOUT_MS, rateLimitPerMinute: 5 });
});
afterAll(() => sys?.stop());

it('a ticket received while no worker runs gets a 503 with Retry-After within the action deadline', async () => {
  const agent = await sys.key('agent');
  const started = Date.now();
  const res = await sys.call('POST', '/v1/tickets', { key: agent, body: { channel: 'phone', content: '无人处理时的请求' } });
  expect(res.status).toBe(503);
  expect(res.body.error.code).toBe('unavailable');
  expect(res.headers.get('retry-after')).toBe('5');
  // answered at the action deadline, well before the default one: the deadline applies
  expect(Date.now() - started).toBeLessThan(DEFAULT_ACTION_TIMEOUT_MS - 5_000);
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
    sealing: TEST_SEALING,
    taskQueue: sys.taskQueue,
    deps: testWorkerDeps(sys.database, createLogger('silent')),
    ...runBundle(),
  });
  const running = worker.run();
  try {
    // the retry is answered once the started workflow has run its intake: wait for that, with
    // no deadline, rather than hope the worker gets it done within the retry's action deadline
    await sys.temporal.workflow.getHandle(record!.resourceId!).executeUpdate(persistedUpdate);
    const third = await create();
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
