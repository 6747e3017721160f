/**
 * What each workflow in the worker's cache costs before it runs a line of its own: with the
 * SDK's reusable V8 context, every workflow evaluates the bundle's modules afresh (its own module
 * scope), unless the bundle preloads them once for all (BundleOptions.preloadModules,
 * platform/worker.ts WORKFLOW_PRELOAD). Builds the bundle both ways, creates `--workflows` N
 * workflows in one reusable context for each (as the worker's workflow thread does), and prints
 * the heap each one holds after a full GC and the CPU time of creating one.
 *
 *   npm run bench:workflow-footprint                 1,000 workflows per bundle
 *   npm run bench:workflow-footprint -- --workflows 3000
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { parseWorkflowCode } from '@temporalio/worker/lib/worker';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import { WORKFLOW_BUNDLE, WORKFLOW_PRELOAD } from '../platform/worker';
import { runBench } from './platform/run';

const { values } = parseArgs({ options: { workflows: { type: 'string', default: '1000' }, out: { type: 'string' } } });
const N = Number(values.workflows);
if (!Number.isInteger(N) || N <= 0) throw new Error('--workflows takes a positive integer');

const gc = vm.runInNewContext('gc') as (() => void) | undefined;
if (typeof gc !== 'function') throw new Error('run with --expose-gc (npm run bench:workflow-footprint does)');
const { preloadModules: _preloaded, ...PLAIN_BUNDLE } = WORKFLOW_BUNDLE;
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

function heapUsed(): number {
  gc!();
  gc!();
  return v8.getHeapStatistics().used_heap_size;
}

async function measure(name: string, preloadModules: string[] | undefined) {
  const { code } = await bundleWorkflowCode({ ...PLAIN_BUNDLE, ...(preloadModules ? { preloadModules } : {}), logger: quiet as never });
  const bundle = parseWorkflowCode(code, path.join(os.tmpdir(), `footprint-${name}.js`));
  const creator = await ReusableVMWorkflowCreator.create(bundle as never, 5_000, new Set(), undefined);
  const before = heapUsed();
  const workflows = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    workflows.push(
      await creator.createWorkflow({
        info: {
          workflowId: `footprint-${i}`,
          runId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          workflowType: 'ticketWorkflow',
          taskQueue: 'footprint',
          namespace: 'default',
          firstExecutionRunId: `run-${i}`,
          attempt: 1,
          historyLength: 3,
          historySize: 1000,
          continueAsNewSuggested: false,
          startTime: new Date(0),
          runStartTime: new Date(0),
          searchAttributes: {},
          typedSearchAttributes: [],
          memo: {},
          unsafe: { isReplaying: false, now: () => 0 },
          priority: {},
        } as never,
        randomnessSeed: [1, 2, 3, 4, 5, 6, 7, 8],
        now: 0,
        showStackTraceSources: false,
      }),
    );
  }
  const cpu = process.cpuUsage(cpu0);
  const after = heapUsed();
  for (const w of workflows) await w.dispose();
  await creator.destroy();
  return {
    bundle: name,
    bundleBytes: code.length,
    preloaded: preloadModules?.length ?? 0,
    workflows: N,
    heapPerWorkflowKiB: (after - before) / N / 1024,
    createCpuMsPerWorkflow: (cpu.user + cpu.system) / 1000 / N,
  };
}

async function main() {
  const results = [await measure('per-workflow modules', undefined), await measure('preloaded modules', WORKFLOW_PRELOAD)];
  const [plain, preloaded] = results as [Awaited<ReturnType<typeof measure>>, Awaited<ReturnType<typeof measure>>];
  const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg(), node: process.version };
  console.log(`| bundle | modules preloaded | heap per workflow | CPU to create one |`);
  console.log(`|---|---|---|---|`);
  for (const r of results) console.log(`| ${r.bundle} | ${r.preloaded} | ${r.heapPerWorkflowKiB.toFixed(0)} KiB | ${r.createCpuMsPerWorkflow.toFixed(2)} ms |`);
  console.log(`ratio preloaded / per-workflow: heap ${(preloaded.heapPerWorkflowKiB / plain.heapPerWorkflowKiB).toFixed(2)}, CPU ${(preloaded.createCpuMsPerWorkflow / plain.createCpuMsPerWorkflow).toFixed(2)}; load ${machine.loadavg.map((l) => l.toFixed(1)).join(' ')}`);
  const out = values.out ?? path.join(__dirname, 'results', `workflow-footprint-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(out, JSON.stringify({ bench: 'workflow-footprint', at: new Date().toISOString(), machine, results }, null, 2));
}

runBench(main);
