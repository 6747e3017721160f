/**
 * Overload and outage: when no worker answers, an action is a 503 the client can retry, not a
 * request that hangs; a key that sends too many requests gets 429s, other keys do not.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSystem, type TestSystem } from '../setup/system';

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
