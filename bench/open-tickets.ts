/**
 * Many open tickets at once: opens N dispatched tickets (category C: sign-off one working day,
 * handling five, so every one waits on its timers) through POST /v1/tickets as an agent does, from
 * autocannon at a concurrency that keeps the machine busy; then, while they are all open, reads the
 * memory of the worker, the Temporal server and Postgres from /proc, the worker's workflow cache,
 * and the p50/p99 of the reads the supervision center makes and of actions (sign, progress) on
 * random open tickets, for a fixed sample each. Prints a table, writes bench/results/open-tickets-*.json
 * and checks the issue's targets (worker RSS < 1 GB, read p99 < 100 ms).
 *
 *   npm run bench:open-tickets                                  50,000 tickets, 16 connections
 *   npm run bench:open-tickets -- --tickets 2000 --concurrency 16 --sample 200
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { connectDatabase } from '../db/client';
import { REPO, freePort } from '../tests/fault/servers';
import { newTicket } from './platform/compare';
import { cpuDelta, cpuMillis } from './platform/cpu';
import { runRound, type Action, type RoundResult, type Scenario } from './platform/load';
import { treeMemory, type TreeMemory } from './platform/memory';
import { startStack, type Stack } from './platform/stack';
import { runBench } from './platform/run';

const { values } = parseArgs({
  options: {
    tickets: { type: 'string', default: '50000' },
    // enough requests in flight that the API, the worker, Temporal and Postgres all have work
    concurrency: { type: 'string', default: '8' },
    // requests per read and per action, and the connections they come from
    sample: { type: 'string', default: '500' },
    'sample-concurrency': { type: 'string', default: '4' },
    out: { type: 'string' },
  },
});
const N = Number(values.tickets);
const CONCURRENCY = Number(values.concurrency);
const SAMPLE = Number(values.sample);
const SAMPLE_CONCURRENCY = Number(values['sample-concurrency']);
if (![N, CONCURRENCY, SAMPLE, SAMPLE_CONCURRENCY].every((n) => Number.isInteger(n) && n > 0)) {
  throw new Error('--tickets, --concurrency, --sample and --sample-concurrency take positive integers');
}

const TARGETS = { workerRssMiB: 1024, readP99Ms: 100, tickets: 50_000 };

const log = (line: string) => process.stdout.write(`${line}\n`);
const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const json = { 'content-type': 'application/json' };

async function createKey(stack: Stack, body: object): Promise<string> {
  const res = await fetch(`${stack.project.url}/v1/admin/api-keys`, {
    method: 'POST',
    headers: { ...json, authorization: `Bearer ${stack.project.adminKey}` },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`creating an API key answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { key: string }).key;
}

/** Opens the tickets; the ids the API answered with, and the round's measurements. */
async function openTickets(stack: Stack, processes: Scenario['processes']) {
  const ids: string[] = [];
  const statuses: Record<string, number> = {};
  const scenario: Scenario = {
    name: 'open',
    url: stack.project.url,
    processes,
    actions: [
      {
        name: 'create',
        method: 'POST',
        path: () => '/v1/tickets',
        headers: { ...json, authorization: `Bearer ${stack.project.agentKey}` },
        body: newTicket,
        retry: true,
        keep: (body: { id: string; status: string }) => {
          ids.push(body.id);
          statuses[body.status] = (statuses[body.status] ?? 0) + 1;
        },
      },
    ],
  };
  const startedAt = performance.now();
  let lastCount = 0;
  let lastAt = startedAt;
  const progress = setInterval(() => {
    const now = performance.now();
    const rate = (ids.length - lastCount) / ((now - lastAt) / 1000);
    const overall = ids.length / ((now - startedAt) / 1000);
    const eta = overall > 0 ? (N - ids.length) / overall / 60 : Infinity;
    log(`  ${ids.length}/${N} open, ${f1(rate)}/s now, ${f1(overall)}/s overall, ~${f0(eta)} min to go`);
    lastCount = ids.length;
    lastAt = now;
  }, 30_000);
  try {
    const round = await runRound(scenario, { connections: CONCURRENCY, amount: N });
    // a 503 retried takes a request of the N: top up (outside the measured round) until N are open
    for (let i = 0; i < 5 && ids.length < N; i += 1) await runRound(scenario, { connections: CONCURRENCY, amount: N - ids.length });
    return { ids, statuses, round };
  } finally {
    clearInterval(progress);
  }
}

/** What Postgres and Temporal hold once the API has answered: every ticket dispatched, every workflow running. */
async function openState(stack: Stack) {
  const db = connectDatabase(stack.databaseUrl, { max: 1 });
  try {
    const rows = await db.sql<{ status: string; n: string }[]>`select status, count(*)::text as n from tickets group by status`;
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    const out = execFileSync(
      'temporal',
      ['workflow', 'count', '--address', stack.temporalAddress, '--query', `ExecutionStatus='Running' AND TaskQueue='hotline-tickets'`, '--output', 'json'],
      { encoding: 'utf8' },
    );
    const running = Number((JSON.parse(out) as { count?: string | number }).count ?? 0);
    return { byStatus, runningWorkflows: running };
  } finally {
    await db.close();
  }
}

/** What one intake cost the Temporal server: its history's events by type (the server's work grows with them). */
function historyOf(stack: Stack, workflowId: string): Record<string, number> {
  const out = execFileSync('temporal', ['workflow', 'show', '--address', stack.temporalAddress, '-w', workflowId, '--output', 'json'], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const events = (JSON.parse(out) as { events: { eventType: string }[] }).events;
  const counts: Record<string, number> = { total: events.length };
  for (const e of events) {
    const type = String(e.eventType).replace(/^EVENT_TYPE_/, '');
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

/** The worker's workflow cache: what the SDK sizes it to and how full it is (the worker's Prometheus endpoint). */
async function workflowCache(metricsUrl: string) {
  const configured = fs.readFileSync(path.join(REPO, 'platform/worker.ts'), 'utf8').match(/maxCachedWorkflows\s*:\s*([^,\n]+)/)?.[1];
  // the SDK's default when Worker.create gets no maxCachedWorkflows (reuseV8Context, the default):
  // max(floor((heap limit MiB - 200) * 600 / 1024), 10), the heap limit being the worker's V8 one
  const heapLimitMiB = Number(execFileSync(process.execPath, ['-p', 'require("v8").getHeapStatistics().heap_size_limit / 2 ** 20'], { encoding: 'utf8', env: { PATH: process.env.PATH } }).trim());
  const sdkDefault = Math.max(Math.floor((Math.max(heapLimitMiB - 200, 0) * 600) / 1024), 10);
  const text = await fetch(metricsUrl).then((r) => r.text());
  const metric = (name: string) => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  return {
    maxCachedWorkflows: configured ? `set in platform/worker.ts: ${configured.trim()}` : `SDK default ${sdkDefault} (heap limit ${f0(heapLimitMiB)} MiB)`,
    maxConcurrentWorkflowTaskExecutions: /maxConcurrentWorkflowTaskExecutions/.test(fs.readFileSync(path.join(REPO, 'platform/worker.ts'), 'utf8')) ? 'set in platform/worker.ts' : 'SDK default 40',
    stickyCacheSize: metric('temporal_sticky_cache_size'),
    stickyCacheForcedEvictions: metric('temporal_sticky_cache_total_forced_eviction(?:_total)?'),
    stickyCacheHits: metric('temporal_sticky_cache_hit(?:_total)?'),
    stickyCacheMisses: metric('temporal_sticky_cache_miss(?:_total)?'),
  };
}

const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!;

async function main() {
  log(
    `bench:open-tickets — ${N} tickets at ${CONCURRENCY} connections, samples of ${SAMPLE} at ${SAMPLE_CONCURRENCY}, on ` +
      `${os.cpus().length}× ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${os.loadavg().map(f1).join(' ')}`,
  );
  const metricsPort = await freePort();
  const stack = await startStack(log, { bare: false, workerEnv: { TEMPORAL_METRICS_BIND_ADDRESS: `127.0.0.1:${metricsPort}` } });
  try {
    const [api, worker] = stack.project.processes;
    const roots = () => ({ api: api!.pid, worker: worker!.pid, temporal: stack.temporal.pid, postgres: stack.postgresPid() });
    const memory = () => Object.fromEntries(Object.entries(roots()).map(([name, pid]) => [name, treeMemory(pid)])) as Record<string, TreeMemory>;
    const memoryBefore = memory();
    const supervisorKey = await createKey(stack, { name: 'bench supervisor', role: 'supervisor' });

    log(`opening ${N} tickets`);
    const opened = await openTickets(stack, roots);
    const open = opened.round;
    const cpuPerTicket = Object.fromEntries(Object.entries(open.cpu).map(([k, v]) => [k, v / Math.max(1, open.tickets)]));
    log(
      `opened ${open.tickets} in ${f0(open.seconds)} s: ${f1(open.perSecond)} tickets/s, create p50 ${f0(open.latency.create!.p50)} p99 ${f0(open.latency.create!.p99)} ms` +
        (Object.keys(open.failures).length ? `, non-2xx ${JSON.stringify(open.failures)}` : '') +
        (open.errors ? `, errors ${open.errors}` : ''),
    );
    log(`  CPU ms per ticket: ${Object.entries(cpuPerTicket).map(([k, v]) => `${k} ${f0(v)}`).join(', ')}, all ${f0(Object.values(cpuPerTicket).reduce((a, b) => a + b, 0))}`);
    log(`  => ${f0(TARGETS.tickets / open.perSecond / 60)} min for ${TARGETS.tickets} at this rate`);

    // the workflow's intake may still be writing when the answer is out: wait (bounded) until Postgres has them all dispatched
    const idleFrom = cpuMillis(roots());
    let state = await openState(stack);
    for (let i = 0; i < 30 && (state.byStatus.dispatched ?? 0) < open.tickets; i += 1) {
      await new Promise((r) => setTimeout(r, 2000));
      state = await openState(stack);
    }
    log(`Postgres: ${JSON.stringify(state.byStatus)}; running workflows on hotline-tickets: ${state.runningWorkflows}`);
    const history = historyOf(stack, opened.ids[0]!);
    log(`one intake's history: ${Object.entries(history).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    // settle: the memory is read once nothing is being opened any more
    await new Promise((r) => setTimeout(r, 10_000));
    const idle = cpuDelta(idleFrom, cpuMillis(roots()));
    const memoryOpen = memory();
    const cache = await workflowCache(`http://127.0.0.1:${metricsPort}/metrics`);

    const agent = { ...json, authorization: `Bearer ${stack.project.agentKey}` };
    const unit = { ...json, authorization: `Bearer ${stack.project.unitKey}` };
    const supervisor = { ...json, authorization: `Bearer ${supervisorKey}` };
    const ids = opened.ids;
    const read = (name: string, headers: Record<string, string>, p: () => string): Action => ({ name, method: 'GET', headers, path: p });
    const reads: Action[] = [
      read('GET /v1/tickets/{id}', agent, () => `/v1/tickets/${pick(ids)}`),
      read('GET /v1/tickets/{id} (unit)', unit, () => `/v1/tickets/${pick(ids)}`),
      read('GET /v1/tickets?status=dispatched', agent, () => '/v1/tickets?status=dispatched'),
      read('GET /v1/tickets?status=dispatched (unit)', unit, () => '/v1/tickets?status=dispatched'),
      read('GET /v1/tickets?nearDue=true', agent, () => '/v1/tickets?nearDue=true'),
      read('GET /v1/tickets?overdue=true', agent, () => '/v1/tickets?overdue=true'),
      read('GET /v1/tickets?category=C&limit=200', agent, () => '/v1/tickets?category=C&limit=200'),
      read('GET /v1/tickets?q=停水', agent, () => `/v1/tickets?q=${encodeURIComponent('停水')}`),
      read('GET /v1/supervision/queue', supervisor, () => '/v1/supervision/queue'),
    ];
    // each action on tickets of its own: signed ones are then given progress
    const shuffled = [...ids].sort(() => Math.random() - 0.5);
    const toSign = shuffled.slice(0, Math.min(SAMPLE, shuffled.length));
    const signed: string[] = [];
    const toProgress: string[] = [];
    const actions: Action[] = [
      {
        name: 'POST /v1/tickets/{id}/sign',
        method: 'POST',
        headers: unit,
        path: (context) => `/v1/tickets/${(context.id = toSign.pop())}/sign`,
        keep: (_body, context) => void signed.push(context.id as string),
      },
      {
        name: 'POST /v1/tickets/{id}/progress',
        method: 'POST',
        headers: unit,
        path: () => `/v1/tickets/${toProgress.pop()}/progress`,
        body: () => ({ note: '已安排维修人员到场，正在更换管道' }),
      },
    ];
    const samples: RoundResult[] = [];
    for (const action of [...reads, ...actions]) {
      if (action === actions[1]) toProgress.push(...signed);
      const amount = action === actions[0] ? toSign.length : action === actions[1] ? toProgress.length : SAMPLE;
      if (amount === 0) continue;
      const result = await runRound({ name: action.name, url: stack.project.url, processes: roots, actions: [action] }, { connections: SAMPLE_CONCURRENCY, amount });
      samples.push(result);
      const l = result.latency[action.name]!;
      log(
        `  ${action.name.padEnd(42)} n=${l.count} p50 ${f1(l.p50)} p99 ${f1(l.p99)} ms` +
          (Object.keys(result.failures).length ? `  non-2xx ${JSON.stringify(result.failures)}` : '') +
          (result.errors ? `  errors ${result.errors}` : ''),
      );
    }
    const memoryAfter = memory();

    const latency = Object.fromEntries(samples.map((s) => [s.scenario, { ...s.latency[s.scenario]!, failures: s.failures, errors: s.errors }]));
    const readNames = reads.map((r) => r.name);
    const worstRead = readNames.reduce((w, n) => (latency[n]!.p99 > latency[w]!.p99 ? n : w), readNames[0]!);
    const workerRss = Math.max(memoryOpen.worker!.treeRssMiB, memoryAfter.worker!.treeRssMiB);
    const readsOk = readNames.every((n) => latency[n]!.count === SAMPLE && latency[n]!.p99 < TARGETS.readP99Ms);
    const checks = [
      { target: `${TARGETS.tickets} open tickets`, value: `${state.runningWorkflows} running workflows`, pass: state.runningWorkflows >= TARGETS.tickets },
      { target: `worker RSS < ${TARGETS.workerRssMiB} MiB`, value: `${f0(workerRss)} MiB`, pass: workerRss < TARGETS.workerRssMiB },
      { target: `read p99 < ${TARGETS.readP99Ms} ms (every read)`, value: `worst ${worstRead}: ${f1(latency[worstRead]!.p99)} ms`, pass: readsOk },
    ];

    log('');
    log(`| ${open.tickets} open tickets | value |`);
    log('|---|---|');
    log(`| opened | ${open.tickets} in ${f0(open.seconds)} s, ${f1(open.perSecond)}/s at ${CONCURRENCY} connections |`);
    log(`| create p50 / p99 ms | ${f0(open.latency.create!.p50)} / ${f0(open.latency.create!.p99)} |`);
    log(`| CPU ms per opened ticket | ${Object.entries(cpuPerTicket).map(([k, v]) => `${k} ${f0(v)}`).join(', ')} |`);
    log(`| idle CPU while open (ms over the settle) | ${Object.entries(idle).map(([k, v]) => `${k} ${f0(v)}`).join(', ')} |`);
    for (const name of ['worker', 'temporal', 'postgres', 'api']) {
      const [b, o, a] = [memoryBefore[name]!, memoryOpen[name]!, memoryAfter[name]!];
      log(
        `| ${name} memory MiB: RSS empty → open → after samples (${o.processes} processes; main process RSS, peak; tree PSS, open) | ` +
          `${f0(b.treeRssMiB)} → ${f0(o.treeRssMiB)} → ${f0(a.treeRssMiB)} (${f0(o.rootRssMiB)}, peak ${f0(a.rootPeakRssMiB)}; PSS ${f0(o.treePssMiB)}) |`,
      );
    }
    log(`| one intake's history events | ${history.total} (${history.ACTIVITY_TASK_SCHEDULED ?? 0} activities, ${history.WORKFLOW_TASK_COMPLETED ?? 0} workflow tasks, ${history.WORKFLOW_EXECUTION_UPDATE_ACCEPTED ?? 0} updates, ${history.TIMER_STARTED ?? 0} timers) |`);
    log(`| worker workflow cache | maxCachedWorkflows ${cache.maxCachedWorkflows}; in cache ${cache.stickyCacheSize ?? '?'}, forced evictions ${cache.stickyCacheForcedEvictions ?? 'none reported'} |`);
    for (const s of samples) {
      const l = latency[s.scenario]!;
      log(`| ${s.scenario} p50 / p99 ms (n=${l.count}) | ${f1(l.p50)} / ${f1(l.p99)} |`);
    }
    log('');
    for (const c of checks) log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.target}: ${c.value}`);

    const result = {
      bench: 'open-tickets',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: os.totalmem() / 2 ** 30, loadavg: os.loadavg(), node: process.version },
      options: { tickets: N, concurrency: CONCURRENCY, sample: SAMPLE, sampleConcurrency: SAMPLE_CONCURRENCY },
      open: { tickets: open.tickets, seconds: open.seconds, perSecond: open.perSecond, latency: open.latency, failures: open.failures, errors: open.errors, cpuMs: open.cpu, cpuMsPerTicket: cpuPerTicket, statusesAnswered: opened.statuses },
      extrapolatedMinutesFor50000: TARGETS.tickets / open.perSecond / 60,
      state,
      intakeHistory: history,
      idleCpuMs: idle,
      memory: { empty: memoryBefore, open: memoryOpen, afterSamples: memoryAfter },
      workflowCache: cache,
      latency,
      checks,
    };
    const out = values.out ?? path.join(REPO, 'bench', 'results', `open-tickets-${N}-${result.at.replace(/[:.]/g, '-')}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    log(`\nresult written to ${path.relative(process.cwd(), out)}`);
  } finally {
    await stack.stop();
  }
}

runBench(main);
