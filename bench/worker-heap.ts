/**
 * The worker's workflow thread with many open tickets cached: opens `--tickets` N dispatched
 * tickets through the API (4 at a time), reads the worker's CPU per intake once the cache is warm,
 * then attaches to the worker's workflow thread through the inspector, collects garbage and reads
 * its live heap, the heap per cached workflow, and how many AsyncLocalStorage stores a promise made
 * there carries (one per enabled storage of the isolate: it must not grow with the cache).
 *
 *   npm run bench:worker-heap                       700 tickets (more than the 500 cached by default)
 *   npm run bench:worker-heap -- --tickets 1500 --cache 1000
 *
 * `--cache` is the worker's WORKER_MAX_CACHED_WORKFLOWS; unset, the worker's own default.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startStack } from './platform/stack';
import { newTicket } from './platform/compare';
import { cpuMillis } from './platform/cpu';
import { freePort } from '../tests/fault/servers';
import { runBench } from './platform/run';
import { loadConfig } from '../platform/config';

const { values } = parseArgs({ options: { tickets: { type: 'string', default: '700' }, warm: { type: 'string', default: '200' }, cache: { type: 'string' } } });
const N = Number(values.tickets);
const WARM = Number(values.warm);
if (!Number.isInteger(N) || !Number.isInteger(WARM) || WARM >= N) throw new Error('--tickets and --warm take integers, --warm below --tickets');
const WORKER_ENV: Record<string, string> = values.cache === undefined ? {} : { WORKER_MAX_CACHED_WORKFLOWS: values.cache };
/** the worker's cache size, read as the worker reads it from the same environment */
const CACHE_SIZE = loadConfig(WORKER_ENV).workerMaxCachedWorkflows;
if (!Number.isInteger(CACHE_SIZE) || CACHE_SIZE <= 0) throw new Error('--cache takes a positive integer');
const log = (line: string) => process.stdout.write(`${line}\n`);

/** A minimal client of the inspector protocol, speaking to the worker's workflow thread. */
async function workflowThread(port: number) {
  const [target] = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(target!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
  let id = 0;
  const replies = new Map<number, (m: { result?: { result?: { value?: unknown } } }) => void>();
  const workers: { sessionId: string; workerInfo: { url: string } }[] = [];
  ws.onmessage = (e) => {
    const m = JSON.parse(String(e.data));
    if (m.method === 'NodeWorker.attachedToWorker') workers.push(m.params);
    const reply = m.method === 'NodeWorker.receivedMessageFromWorker' ? JSON.parse(m.params.message) : m;
    replies.get(reply.id)?.(reply);
    replies.delete(reply.id);
  };
  const send = (method: string, params: object = {}, sessionId?: string) =>
    new Promise<{ result?: { result?: { value?: unknown } } }>((resolve) => {
      const i = ++id;
      replies.set(i, resolve);
      const message = JSON.stringify({ id: i, method, params });
      ws.send(sessionId ? JSON.stringify({ id: ++id, method: 'NodeWorker.sendMessageToWorker', params: { sessionId, message } }) : message);
    });
  await send('NodeWorker.enable', { waitForDebuggerOnStart: false });
  for (let i = 0; i < 50 && !workers.some((w) => w.workerInfo.url.includes('workflow-worker-thread')); i++) await new Promise((r) => setTimeout(r, 100));
  const thread = workers.find((w) => w.workerInfo.url.includes('workflow-worker-thread'));
  if (!thread) throw new Error('no workflow thread in the worker');
  const evaluate = async (expression: string) => (await send('Runtime.evaluate', { expression, returnByValue: true }, thread.sessionId)).result?.result?.value;
  return {
    async collectGarbage() {
      await send('HeapProfiler.enable', {}, thread.sessionId);
      await send('HeapProfiler.collectGarbage', {}, thread.sessionId);
    },
    evaluate,
    close: () => ws.close(),
  };
}

async function main() {
  const inspectPort = await freePort();
  const stack = await startStack(log, { bare: false, workerEnv: WORKER_ENV, workerNodeArgs: [`--inspect=127.0.0.1:${inspectPort}`] });
  try {
    const roots = () => ({ worker: stack.project.processes[1]?.pid, api: stack.project.processes[0]?.pid, temporal: stack.temporal.pid });
    const context: Record<string, unknown> = {};
    let warm: Record<string, number> | undefined;
    for (let i = 0; i < N; i += 4) {
      if (i >= WARM && !warm) warm = cpuMillis(roots());
      await Promise.all(
        [0, 1, 2, 3].map(async () => {
          const res = await fetch(`${stack.project.url}/v1/tickets`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.project.agentKey}` },
            body: JSON.stringify(newTicket(context)),
          });
          if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
        }),
      );
    }
    const end = cpuMillis(roots());
    const opened = Math.ceil(N / 4) * 4;
    const perIntake = Object.fromEntries(Object.keys(end).map((k) => [k, (end[k]! - warm![k]!) / (opened - Math.ceil(WARM / 4) * 4)]));
    const thread = await workflowThread(inspectPort);
    await thread.collectGarbage();
    const heapUsed = Number(await thread.evaluate('process.memoryUsage().heapUsed'));
    const stores = Number(await thread.evaluate(`Object.getOwnPropertySymbols(new Promise(() => {})).filter((s) => s.description === 'kResourceStore').length`));
    thread.close();
    const cached = Math.min(opened, CACHE_SIZE);
    const result = {
      bench: 'worker-heap',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg(), node: process.version },
      tickets: opened,
      maxCachedWorkflows: CACHE_SIZE,
      cpuMsPerIntakeAfterWarmUp: perIntake,
      workflowThreadHeapMiB: heapUsed / 1048576,
      heapPerCachedWorkflowKiB: heapUsed / 1024 / cached,
      storesOnANewPromise: stores,
    };
    log(`| tickets | worker CPU / intake | workflow thread heap after GC | per cached workflow (${cached}) | stores on a new promise |`);
    log(`|---|---|---|---|---|`);
    log(`| ${opened} | ${perIntake.worker!.toFixed(1)} ms (API ${perIntake.api!.toFixed(1)}, Temporal ${perIntake.temporal!.toFixed(1)}) | ${result.workflowThreadHeapMiB.toFixed(0)} MiB | ${result.heapPerCachedWorkflowKiB.toFixed(0)} KiB | ${stores} |`);
    log(`load average ${result.machine.loadavg.map((l) => l.toFixed(1)).join(' ')}`);
    fs.writeFileSync(path.join(__dirname, 'results', `worker-heap-${result.at.replace(/[:.]/g, '-')}.json`), JSON.stringify(result, null, 2));
  } finally {
    await stack.stop();
  }
}

runBench(main);
