/**
 * What a cached workflow costs every other one: Node 20's AsyncLocalStorage copies each enabled
 * storage of the isolate onto every promise created in it, so a storage made per workflow (a
 * module-scope storage in a module each workflow evaluates afresh, or one per activator) puts one
 * property per cached workflow on every promise of every workflow — memory and CPU growing with
 * the square of the cache. The worker here runs the workflows in the test's own isolate, keeps
 * them cached as open tickets, and counts the storages a new promise carries: it must not grow with
 * the number of workflows (the request-id interceptors' storage is preloaded once,
 * platform/worker.ts WORKFLOW_PRELOAD; the SDK's random-source storage is one per context,
 * patches/@temporalio+workflow+1.24.0.patch).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type TestSystem } from '../setup/system';

const WORKFLOWS = 24;

/** The AsyncLocalStorage stores a promise made now carries (one per enabled storage of the isolate). */
function storagesOnANewPromise(): number {
  const promise = new Promise<void>(() => undefined);
  return Object.getOwnPropertySymbols(promise).filter((s) => s.description === 'kResourceStore').length;
}

let sys: TestSystem;
let agent: string;
let unit: string;

beforeAll(async () => {
  sys = await startSystem({ workflowsInThisThread: true });
  agent = await sys.key('agent');
  unit = await sys.unit('市供水集团');
});
afterAll(() => sys?.stop());

describe('the async context of cached workflows', () => {
  it('does not grow with the number of open tickets in the worker', async () => {
    const open = async (n: number) => {
      const res = await sys.call('POST', '/v1/tickets', {
        key: agent,
        headers: { 'x-request-id': `footprint-${n}` },
        body: { channel: 'phone', content: `第${n}号楼停水了`, classification: { type: 'help', topic: '0301', category: 'C' }, disposition: { action: 'dispatch', unitId: unit } },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect((res.body as { status: string }).status).toBe('dispatched');
    };
    // the first few make every storage that exists once per isolate
    for (let n = 0; n < 3; n++) await open(n);
    const before = storagesOnANewPromise();
    for (let n = 3; n < 3 + WORKFLOWS; n++) await open(n);
    const after = storagesOnANewPromise();
    // one storage (or two) per cached workflow before the fix: 24–48 more
    expect(after - before).toBeLessThanOrEqual(2);
  });
});
