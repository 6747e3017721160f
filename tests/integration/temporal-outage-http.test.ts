/**
 * Temporal frozen (SIGSTOP) or killed: every request that needs it answers 503 with Retry-After
 * within the action deadline, /readyz answers within 2 s, and with the queue full a request is
 * shed at once. The test runs a Temporal dev server of its own, to stop and kill it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, ensureSearchAttributes, temporalCliExecutable } from '../../platform/temporal';
import { createLogger } from '../../platform/logger';
import { createTicketWorker } from '../../platform/worker';
import { runBundle } from '../setup/bundle';
import { startSystem, testWorkerDeps, type TestSystem } from '../setup/system';
import { TEST_SEALING } from '../setup/keys';

const ACTION_TIMEOUT_MS = 3000;
/** what a request may take beyond the action deadline: its Postgres reads and writes */
const MARGIN_MS = 1500;
const MAX_IN_FLIGHT = 2;
const MAX_QUEUED = 2;

let dir: string;
let server: ChildProcess;
let sys: TestSystem;
let agent: string;
let unitKey: string;
let ticketId: string;

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  const cli = temporalCliExecutable(process.env.TEMPORAL_CLI_PATH);
  if (cli.type !== 'existing-path') throw new Error('this test runs a Temporal CLI of its own: put `temporal` on PATH or set TEMPORAL_CLI_PATH');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-outage-'));
  const port = await freePort();
  server = spawn(cli.path, ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', path.join(dir, 'temporal.db'), '--log-level', 'error'], {
    stdio: 'ignore',
  });
  const address = `127.0.0.1:${port}`;
  const client = await connectClient({ address, namespace: 'default', sealing: TEST_SEALING });
  await ensureSearchAttributes(client, 'default');
  await client.connection.close();

  sys = await startSystem({
    temporalAddress: address,
    withoutWorker: true,
    actionTimeoutMs: ACTION_TIMEOUT_MS,
    temporalMaxInFlight: MAX_IN_FLIGHT,
    temporalMaxQueued: MAX_QUEUED,
  });
  agent = await sys.key('agent');
  const unit = await sys.unit('市城管局');
  unitKey = await sys.key('unit', unit);

  // a ticket to act on, made while Temporal and a worker run
  const { worker, connection } = await createTicketWorker({
    address,
    namespace: 'default',
    sealing: TEST_SEALING,
    taskQueue: sys.taskQueue,
    deps: testWorkerDeps(sys.database, createLogger('silent')),
    ...runBundle(),
  });
  const running = worker.run();
  const created = await sys.call('POST', '/v1/tickets', {
    key: agent,
    body: { channel: 'phone', content: '人行道井盖缺失', classification: { type: 'report', topic: '0301', category: 'B' }, disposition: { action: 'dispatch', unitId: unit } },
  });
  worker.shutdown();
  await running;
  await connection.close();
  expect(created.status).toBe(201);
  ticketId = created.body.id;
});

afterAll(async () => {
  if (server?.exitCode === null) {
    server.kill('SIGCONT');
    server.kill('SIGKILL');
  }
  await sys?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function timed(call: () => Promise<{ status: number; body: any; headers: Headers }>) {
  const started = Date.now();
  const res = await call();
  return { ...res, ms: Date.now() - started };
}

const create = (content: string) => () => sys.call('POST', '/v1/tickets', { key: agent, body: { channel: 'phone', content } });
const sign = () => sys.call('POST', `/v1/tickets/${ticketId}/sign`, { key: unitKey });
const ready = () => sys.call('GET', '/readyz');

/** What a client sees from each request that needs Temporal, and from /readyz, in this outage. */
async function expectAnswersWithinDeadline(outage: string) {
  for (const call of [create(`${outage}时受理`), sign]) {
    const res = await timed(call);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('unavailable');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.ms).toBeLessThan(ACTION_TIMEOUT_MS + MARGIN_MS);
  }
  const readiness = await timed(ready);
  expect(readiness.status).toBe(503);
  expect(readiness.body.checks).toEqual({ postgres: 'ok', temporal: 'unavailable' });
  expect(readiness.ms).toBeLessThan(2000);
}

describe('with Temporal frozen', () => {
  beforeAll(() => {
    expect(server.kill('SIGSTOP')).toBe(true);
  });
  afterAll(() => {
    server.kill('SIGCONT');
  });

  it('a create, an action and /readyz answer 503 within the deadline', async () => {
    await expectAnswersWithinDeadline('冻结');
  });

  it('beyond the requests in flight and the queue, a request is shed at once with 503 and Retry-After', async () => {
    const all = await Promise.all(Array.from({ length: MAX_IN_FLIGHT + MAX_QUEUED + 3 }, (_, i) => timed(create(`排队 ${i}`))));
    const shed = all.filter((r) => r.body.error?.code === 'overloaded');
    expect(shed).toHaveLength(3);
    for (const r of shed) {
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.ms).toBeLessThan(1000);
    }
    const waited = all.filter((r) => r.body.error?.code !== 'overloaded');
    expect(waited.map((r) => r.status)).toEqual(Array(MAX_IN_FLIGHT + MAX_QUEUED).fill(503));
    for (const r of waited) expect(r.ms).toBeLessThan(ACTION_TIMEOUT_MS + MARGIN_MS);
  });
});

describe('with Temporal killed', () => {
  beforeAll(async () => {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGKILL');
    await exited;
  });

  it('a create, an action and /readyz answer 503 within the deadline', async () => {
    await expectAnswersWithinDeadline('宕机');
  });
});
