/** When no worker answers, an action is a 503 the client can retry, not a request that hangs. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSystem, type TestSystem } from '../setup/system';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startSystem({ withoutWorker: true, actionTimeoutMs: 1500 });
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
