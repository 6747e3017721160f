/**
 * Ticket lifecycles through the HTTP API while the servers fail under them.
 *
 * The API (bin/api.ts) and the worker (bin/worker.ts) run as separate processes against a private
 * Postgres cluster and a Temporal dev server with a db file. Clients drive the lifecycles
 * (create with a dispatch → sign → reply → callback satisfied; some dissatisfied → rehandle →
 * reply → callback) as the README tells a client to; meanwhile the worker is killed with SIGKILL
 * and started again, Temporal is stopped and started on its port and db file, and Postgres is
 * stopped and started (once cleanly, once `immediate`, i.e. with crash recovery).
 *
 * Afterwards: nothing lost, nothing duplicated, no Idempotency-Key left in progress, no ticket or
 * workflow the clients were never told of, no workflow left running.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { createDatabaseIfMissing, withDatabase } from '../../platform/postgres';
import { connectClient } from '../../platform/temporal';
import { TICKET_WORKFLOW } from '../../workflows/messages';
import { describeAttempts, RetryingClient, type Answer } from './client';
import {
  PostgresCluster,
  REPO,
  freePort,
  hotlineProcess,
  logMessage,
  tempDir,
  temporalDevServer,
  temporalReady,
  waitFor,
  type Proc,
} from './servers';
import { TEST_SEALING } from '../setup/keys';
import { formatPayloadKeys } from '../../platform/payload-codec';

const LIFECYCLES = 100;
/** every 4th lifecycle is called back dissatisfied, re-handled, replied again and then satisfied */
const REHANDLED_EVERY = 4;
/** enough clients that the tickets stalled by a fault (an activity lost with a killed worker waits out its 30 s timeout) do not stall the rest */
const CONCURRENCY = 20;
/** short, so that a missing worker turns into 503s (and retries) quickly */
const ACTION_TIMEOUT_MS = 8_000;
/**
 * every lifecycle must be done by then, faults included. Measured with a load average of 12–15 on
 * 2 cores: 127 s without faults, 185 s with them.
 */
const TRAFFIC_BUDGET_MS = 200_000;
/** after the traffic: workflows to finish, visibility to catch up */
const SETTLE_BUDGET_MS = 20_000;

const runTag = crypto.randomBytes(3).toString('hex');
/** made in beforeAll: collecting the tests (vitest list) must leave nothing behind */
let dir: string;
let pg: PostgresCluster;
let temporal: Proc;
let api: Proc;
let worker: Proc;
let temporalAddress: string;
let databaseUrl: string;
let baseUrl: string;
const adminKey = `admin-${crypto.randomBytes(12).toString('hex')}`;

// a killed test process must not leave servers behind
const killAll = () => {
  for (const p of [api, worker, temporal]) p?.killNow();
  pg?.stopQuietly();
};
process.once('exit', killAll);

beforeAll(async () => {
  dir = tempDir('hotline-fault-');
  pg = new PostgresCluster(dir, await freePort());
  await pg.init();
  await pg.start();
  if (!(await createDatabaseIfMissing(pg.url, 'hotline'))) throw new Error('the private Postgres did not answer');
  databaseUrl = withDatabase(pg.url, 'hotline');

  const temporalPort = await freePort();
  temporalAddress = `127.0.0.1:${temporalPort}`;
  temporal = temporalDevServer(dir, temporalPort);
  temporal.start();
  await waitFor('the Temporal dev server', () => temporalReady(temporalAddress), 60_000);

  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: `hotline-fault-${runTag}`,
    ADMIN_API_KEY: adminKey,
    // the API and the worker seal with the tests' key, as an installation's processes share theirs
    PAYLOAD_ENCRYPTION_KEYS: formatPayloadKeys(TEST_SEALING.keys),
    WEBHOOK_SECRETS_KEY: crypto.randomBytes(32).toString('hex'),
    PORT: String(port),
    ACTION_TIMEOUT_MS: String(ACTION_TIMEOUT_MS),
    // the test is about outages, not about the rate limit
    RATE_LIMIT_PER_MINUTE: '100000',
  };
  api = hotlineProcess('api', dir, env);
  worker = hotlineProcess('worker', dir, env);
  api.start();
  worker.start();
  await Promise.all([api.waitForLine(logMessage('API listening'), 90_000), worker.waitForLine(logMessage('worker running'), 90_000)]);
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  await temporal?.stop();
  if (pg) await pg.stopAsync('fast').catch(() => pg.stopQuietly());
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  process.removeListener('exit', killAll);
}, 60_000);

interface Step {
  name: string;
  who: 'agent' | 'supervisor' | 'unit';
  action?: string;
  body?: unknown;
  http: number;
  status: string;
}

interface Lifecycle {
  n: number;
  rehandled: boolean;
  unit: { id: string; key: string };
  marker: string;
  steps: Step[];
  /** the ticket id the API gave for the create */
  ticketId?: string;
  done: boolean;
  /** the step whose answer was not the expected one */
  failure?: { step: string; idempotencyKey: string; answer: Answer };
}

const SATISFIED_TRAIL = ['received', 'proposed', 'classified', 'dispatched', 'signed', 'replied', 'callback', 'closed'];
const REHANDLED_TRAIL = ['received', 'proposed', 'classified', 'dispatched', 'signed', 'replied', 'callback', 'rehandled', 'replied', 'callback', 'closed'];

function lifecycle(n: number, unit: { id: string; key: string }): Lifecycle {
  const rehandled = n % REHANDLED_EVERY === 0;
  const marker = `(fault ${runTag} #${n})`;
  const steps: Step[] = [
    {
      name: 'create',
      who: 'agent',
      body: {
        channel: 'phone',
        // one phone per lifecycle and no address: no ticket is a repeat of another
        caller: { name: '王女士', phone: `139${String(n).padStart(8, '0')}` },
        content: `红旗区向阳小区${n}号楼停水，请尽快处理 ${marker}`,
        regionCode: '410702',
        classification: { type: 'help', topic: '0301', category: 'C' },
        disposition: { action: 'dispatch', unitId: unit.id },
      },
      http: 201,
      status: 'dispatched',
    },
    { name: 'sign', who: 'unit', action: 'sign', http: 200, status: 'handling' },
    { name: 'reply-1', who: 'unit', action: 'reply', body: { result: 'resolved', reply: '已抢修，恢复供水' }, http: 200, status: 'replied' },
  ];
  if (rehandled) {
    steps.push(
      { name: 'callback-1', who: 'agent', action: 'callback', body: { outcome: 'dissatisfied', note: '水压仍然很小' }, http: 200, status: 'replied' },
      { name: 'rehandle', who: 'supervisor', action: 'rehandle', body: { note: '水压问题未解决' }, http: 200, status: 'handling' },
      { name: 'reply-2', who: 'unit', action: 'reply', body: { result: 'resolved', reply: '已更换加压泵' }, http: 200, status: 'replied' },
    );
  }
  steps.push({ name: 'callback-final', who: 'agent', action: 'callback', body: { outcome: 'satisfied' }, http: 200, status: 'closed' });
  return { n, rehandled, unit, marker, steps, done: false };
}

interface FaultRecord {
  name: string;
  /** when it struck, to read the servers' logs and the failures against */
  at: string;
  /** share of the lifecycle steps settled when it struck */
  atProgress: number;
  requestsInFlight: number;
  /** retries clients made between the fault and the recovery */
  retriesDuring: number;
  /** activities that failed in the worker meanwhile (a Postgres outage may reach no client: their requests wait on workflows) */
  activityFailuresDuring: number;
  ms: number;
}

describe('ticket lifecycles by HTTP while the worker, Temporal and Postgres fail', () => {
  it(
    'lose nothing, duplicate nothing, leave no key in progress, no orphan and no workflow running',
    async () => {
      const started = Date.now();
      const trafficDeadline = started + TRAFFIC_BUDGET_MS;
      const client = new RetryingClient(baseUrl, { deadline: trafficDeadline, attemptTimeoutMs: ACTION_TIMEOUT_MS + 20_000 });

      // principals, made through the admin API like an installation would
      const setupKey = (name: string) => `${runTag}-setup-${name}`;
      const created = async (p: Promise<Answer>) => {
        const a = await p;
        if (a.status !== 201) throw new Error(`setup failed: ${a.status} ${JSON.stringify(a.body)}`);
        return a.body;
      };
      const keyFor = async (name: string, role: string, unitId?: string) =>
        (await created(client.post('/v1/admin/api-keys', adminKey, setupKey(`key-${name.replace(/\s/g, '-')}`), { name, role, unitId }))).key as string;
      const units = await Promise.all(
        ['市供水集团', '市燃气公司', '红旗区住建局', '卫滨区城管局'].map(async (name, i) => {
          const unit = await created(client.post('/v1/admin/units', adminKey, setupKey(`unit-${i}`), { name, level: 'city', regionCode: '410702' }));
          return { id: unit.id as string, key: await keyFor(`unit ${i}`, 'unit', unit.id) };
        }),
      );
      const agentKey = await keyFor('agent', 'agent');
      const supervisorKey = await keyFor('supervisor', 'supervisor');
      const keyOf = (l: Lifecycle, who: Step['who']) => (who === 'agent' ? agentKey : who === 'supervisor' ? supervisorKey : l.unit.key);

      const lifecycles = Array.from({ length: LIFECYCLES }, (_, i) => lifecycle(i + 1, units[i % units.length]!));
      const totalSteps = lifecycles.reduce((sum, l) => sum + l.steps.length, 0);
      let settledSteps = 0;

      async function drive(l: Lifecycle): Promise<void> {
        for (const [i, step] of l.steps.entries()) {
          const idempotencyKey = `${runTag}-${l.n}-${step.name}`;
          if (Date.now() > trafficDeadline || client.abandoned) {
            // out of time: reported as not finished, without a request that would only muddy the servers' state
            l.failure = { step: step.name, idempotencyKey, answer: { status: 0, body: 'not sent: the traffic budget was spent', attempts: [], gaveUp: true } };
            settledSteps += l.steps.length - i;
            return;
          }
          const url = step.action ? `/v1/tickets/${l.ticketId}/${step.action}` : '/v1/tickets';
          const answer = await client.post(url, keyOf(l, step.who), idempotencyKey, step.body);
          if (answer.status !== step.http || answer.body?.status !== step.status) {
            // not retried: a 409 action_not_allowed after our own earlier attempt moved the ticket is a defect to report
            l.failure = { step: step.name, idempotencyKey, answer };
            settledSteps += l.steps.length - i;
            return;
          }
          if (step.name === 'create') l.ticketId = answer.body.id;
          settledSteps += 1;
        }
        l.done = true;
      }

      const queue = [...lifecycles];
      const traffic = Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let l = queue.shift(); l; l = queue.shift()) await drive(l);
        }),
      );
      let trafficDone = false;
      void traffic.then(() => (trafficDone = true));

      // a server process that dies on its own (not by a fault below) is a finding: stop early and report it
      let faultOn: Proc | undefined;
      const crashes: string[] = [];
      const watch = setInterval(() => {
        for (const p of [api, worker, temporal]) {
          if (p !== faultOn && !p.running && !crashes.some((c) => c.startsWith(`the ${p.name} `))) {
            crashes.push(`the ${p.name} process died on its own at ${new Date().toISOString()}:\n${p.lastLines(15)}`);
            client.abandoned = `${p.name} died`;
          }
        }
      }, 250);
      watch.unref();

      // ---- the faults, each when the traffic has come that far, each waited out until recovered
      const activityFailures = worker.count(logMessage('Activity failed'));
      const felt = (before: { retries: number; activityFailures: number }) => () =>
        client.retriesSeen > before.retries || activityFailures() > before.activityFailures;
      /** keeps a server down until a client or the worker has felt it (bounded: traffic may be between requests) */
      const untilFelt = (before: { retries: number; activityFailures: number }, ms: number) =>
        waitFor('the outage to be felt', felt(before), ms).catch(() => undefined);
      type Fault = { name: string; run(before: { retries: number; activityFailures: number }): Promise<void> };
      const killWorker: Fault = {
        name: 'kill -9 the worker, start it again',
        async run(before) {
          await worker.stop('SIGKILL');
          await untilFelt(before, ACTION_TIMEOUT_MS + 5_000);
          worker.start();
          await worker.waitForLine(logMessage('worker running'), 90_000);
        },
      };
      const restartTemporal: Fault = {
        name: 'stop Temporal, start it on the same port and db file',
        async run(before) {
          await temporal.stop('SIGTERM');
          await untilFelt(before, 10_000);
          temporal.start();
          await waitFor('Temporal back', () => temporalReady(temporalAddress), 60_000);
        },
      };
      const restartPostgres = (mode: 'fast' | 'immediate'): Fault => ({
        name: mode === 'fast' ? 'stop Postgres (fast), start it' : 'stop Postgres (immediate: crash recovery), start it',
        async run(before) {
          await pg.stopAsync(mode);
          await untilFelt(before, 10_000);
          await pg.start();
        },
      });
      const faults: (Fault & { at: number })[] = [
        { at: 0.1, ...killWorker },
        { at: 0.25, ...restartTemporal },
        { at: 0.4, ...restartPostgres('fast') },
        { at: 0.55, ...killWorker },
        { at: 0.7, ...restartTemporal },
        { at: 0.85, ...restartPostgres('immediate') },
      ];
      const faultRecords: FaultRecord[] = [];
      for (const fault of faults) {
        const reached = await waitFor(
          `${fault.at * 100}% of the steps`,
          () => trafficDone || client.abandoned !== undefined || settledSteps >= fault.at * totalSteps,
          Math.max(0, trafficDeadline - Date.now()),
          50,
        ).then(
          () => true,
          () => false,
        );
        // the traffic stalled or ended: what is missing is reported below
        if (!reached || trafficDone || client.abandoned) break;
        const before = { retries: client.retriesSeen, activityFailures: activityFailures() };
        const record = {
          name: fault.name,
          at: new Date().toISOString(),
          atProgress: settledSteps / totalSteps,
          requestsInFlight: client.inFlight,
          retriesDuring: 0,
          activityFailuresDuring: 0,
          ms: 0,
        };
        const t = Date.now();
        faultOn = fault.name.includes('worker') ? worker : fault.name.includes('Temporal') ? temporal : undefined;
        await fault.run(before).finally(() => (faultOn = undefined));
        record.ms = Date.now() - t;
        record.retriesDuring = client.retriesSeen - before.retries;
        record.activityFailuresDuring = activityFailures() - before.activityFailures;
        faultRecords.push(record);
      }
      await traffic;
      const trafficMs = Date.now() - started;

      // ---- what became of it, from Temporal and Postgres themselves
      const problems: string[] = [];
      clearInterval(watch);
      problems.push(...crashes);

      const sql = postgres(databaseUrl, { max: 2, onnotice: () => undefined });
      const temporalClient: Client = await connectClient({ address: temporalAddress, namespace: 'default', sealing: TEST_SEALING });
      try {
        const told = new Map(lifecycles.filter((l) => l.ticketId).map((l) => [l.ticketId!, l]));
        // the workflows of lifecycles the clients finished; the others are reported as refused
        const finished = lifecycles.filter((l) => l.done).map((l) => l.ticketId!);

        // every ticket workflow done: wait for it, then take what remains as stuck
        const statusOf = async (id: string) => (await temporalClient.workflow.getHandle(id).describe()).status.name;
        const settleDeadline = Date.now() + SETTLE_BUDGET_MS;
        await waitFor(
          'every ticket workflow completed',
          async () => (await Promise.all(finished.map(statusOf))).every((s) => s === 'COMPLETED'),
          Math.max(0, settleDeadline - Date.now()),
          500,
        ).catch(() => undefined);
        const listed = async () => {
          const all: { id: string; status: string }[] = [];
          for await (const wf of temporalClient.workflow.list({ query: `WorkflowType = '${TICKET_WORKFLOW}'` })) {
            all.push({ id: wf.workflowId, status: wf.status.name });
          }
          return all;
        };
        let workflows = await listed();
        // visibility trails the executions a little
        await waitFor(
          'visibility to show every ticket workflow closed',
          async () => {
            workflows = await listed();
            const completed = new Set(workflows.filter((w) => w.status === 'COMPLETED').map((w) => w.id));
            return finished.every((id) => completed.has(id));
          },
          Math.max(1_000, settleDeadline - Date.now()),
          500,
        ).catch(() => undefined);

        const rows = await sql<{ id: string; content: string; status: string; close_reason: string | null; satisfaction: string | null; rehandle_count: number; unit_id: string | null; last_event_seq: number }[]>`
          select id, content, status, close_reason, satisfaction, rehandle_count, unit_id, last_event_seq from tickets order by id`;
        const events = await sql<{ ticket_id: string; seq: number; type: string }[]>`select ticket_id, seq, type from ticket_events order by ticket_id, seq`;
        const trails = new Map<string, { seq: number; type: string }[]>();
        for (const e of events) trails.set(e.ticket_id, [...(trails.get(e.ticket_id) ?? []), e]);
        const stuckKeys = await sql<{ principal_id: string; key: string; path: string; created_at: Date; released_at: Date | null }[]>`
          select principal_id, key, path, created_at, released_at from idempotency_records where status_code is null order by created_at`;
        const workflowStatus = new Map(workflows.map((w) => [w.id, w.status]));

        // what the clients were refused, with what the servers showed for it
        for (const l of lifecycles.filter((x) => x.failure)) {
          const f = l.failure!;
          const id = l.ticketId;
          const row = rows.find((r) => r.id === id);
          const [record] = await sql`select status_code, released_at, resource_id from idempotency_records where key = ${f.idempotencyKey}`;
          // the request's own earlier attempt may have moved the ticket on: a retry must replay, not be refused
          const afterOwnAttempt = f.answer.status === 409 && f.answer.body?.error?.code === 'action_not_allowed' && f.answer.attempts.length > 1;
          problems.push(
            `refused${afterOwnAttempt ? ' after an earlier attempt of the same request' : ''}: lifecycle #${l.n}${l.rehandled ? ' (re-handled)' : ''} ${id ?? '(no ticket id)'} step ${f.step} (Idempotency-Key ${f.idempotencyKey})` +
              ` → ${f.answer.status}${f.answer.gaveUp ? ' (client gave up at its deadline)' : ''} ${JSON.stringify(f.answer.body)}` +
              ` after attempts [${describeAttempts(f.answer.attempts)}];` +
              ` ticket row: ${row ? `${row.status}, seq ${row.last_event_seq}` : 'none'}; trail: ${(trails.get(id ?? '') ?? []).map((e) => e.type).join(' ')};` +
              ` key record: ${record ? JSON.stringify(record) : 'none'}; workflow: ${id ? workflowStatus.get(id) ?? 'not listed' : '-'}`,
          );
        }

        for (const l of lifecycles) {
          const mine = rows.filter((r) => r.content.endsWith(l.marker));
          if (mine.length > 1) problems.push(`duplicated: lifecycle #${l.n} has ${mine.length} ticket rows: ${mine.map((r) => r.id).join(', ')} (told ${l.ticketId})`);
          if (!l.done) continue; // reported above
          const row = rows.find((r) => r.id === l.ticketId);
          if (!row) {
            problems.push(`lost: lifecycle #${l.n} ${l.ticketId} has no ticket row`);
            continue;
          }
          const expected = { status: 'closed', close_reason: 'satisfied', satisfaction: 'satisfied', rehandle_count: l.rehandled ? 1 : 0, unit_id: l.unit.id };
          const actual = { status: row.status, close_reason: row.close_reason, satisfaction: row.satisfaction, rehandle_count: row.rehandle_count, unit_id: row.unit_id };
          if (JSON.stringify(actual) !== JSON.stringify(expected)) problems.push(`lost: ticket ${row.id} (#${l.n}) row is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
          const trail = trails.get(row.id) ?? [];
          const types = trail.map((e) => e.type);
          const expectedTrail = l.rehandled ? REHANDLED_TRAIL : SATISFIED_TRAIL;
          if (types.join(' ') !== expectedTrail.join(' ')) problems.push(`trail of ${row.id} (#${l.n}) is [${types.join(' ')}], expected [${expectedTrail.join(' ')}]`);
          if (!trail.every((e, i) => e.seq === i + 1) || row.last_event_seq !== trail.length) {
            problems.push(`trail of ${row.id} (#${l.n}): seq ${trail.map((e) => e.seq).join(',')} with last_event_seq ${row.last_event_seq}, expected 1..${trail.length}`);
          }
          const status = workflowStatus.get(row.id);
          if (status !== 'COMPLETED') problems.push(`workflow ${row.id} (#${l.n}) is ${status ?? 'not listed'}, expected COMPLETED`);
        }

        for (const r of rows) if (!told.has(r.id)) problems.push(`orphan ticket row ${r.id} (${r.status}): ${r.content}`);
        for (const w of workflows) if (!told.has(w.id)) problems.push(`orphan workflow ${w.id} (${w.status})`);
        for (const w of workflows) if (w.status !== 'COMPLETED' && told.has(w.id) && !told.get(w.id)!.done) problems.push(`workflow ${w.id} left ${w.status}`);
        for (const k of stuckKeys) {
          problems.push(`stuck Idempotency-Key ${k.key} (${k.path}, since ${k.created_at.toISOString()}${k.released_at ? `, released ${k.released_at.toISOString()}` : ''})`);
        }
        if (rows.length !== told.size) problems.push(`${rows.length} ticket rows for ${told.size} tickets the clients were told of`);
        if (workflows.length !== told.size) problems.push(`${workflows.length} ticket workflows for ${told.size} tickets the clients were told of`);

        // the faults must have struck while requests were on their way, or the test proved nothing
        if (faultRecords.length !== faults.length) problems.push(`only ${faultRecords.length} of ${faults.length} faults were injected before the traffic ended`);
        for (const f of faultRecords) {
          if (f.retriesDuring + f.activityFailuresDuring === 0) problems.push(`neither a client nor the worker felt the fault "${f.name}"`);
        }

        const summary = {
          lifecycles: LIFECYCLES,
          rehandled: lifecycles.filter((l) => l.rehandled).length,
          done: lifecycles.filter((l) => l.done).length,
          trafficSeconds: trafficMs / 1000,
          totalSeconds: (Date.now() - started) / 1000,
          retries: Object.fromEntries(client.retriesByStatus),
          faults: faultRecords,
        };
        console.log(`fault test ${runTag}: ${JSON.stringify(summary, null, 1)}`);
        if (problems.length > 0) keepLogs();
        expect(problems).toEqual([]);
      } finally {
        await sql.end({ timeout: 2 }).catch(() => undefined);
        await temporalClient.connection.close().catch(() => undefined);
      }
    },
    TRAFFIC_BUDGET_MS + SETTLE_BUDGET_MS + 30_000,
  );
});

/** The servers' logs outlive the temp folder when the test fails, for whoever reads the failure. */
function keepLogs(): void {
  const target = path.join(REPO, '.vitest', `fault-logs-${runTag}`);
  fs.mkdirSync(target, { recursive: true });
  for (const f of ['api.log', 'worker.log', 'temporal.log', 'postgres.log']) {
    if (fs.existsSync(path.join(dir, f))) fs.copyFileSync(path.join(dir, f), path.join(target, f));
  }
  console.log(`fault test ${runTag}: server logs kept in ${target}`);
}
