/**
 * The project against bare Temporal on the same dev server in the same run: rounds interleaved
 * (project, baseline, baseline, project, …) after a warm-up, so a machine that gets busier or
 * quieter during the run weighs on both alike; the medians and their ratios are the result.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO } from '../../tests/fault/servers';
import { nowMicros, printProfiles, profilingArgs, summarizeProfiles, type Window } from './profile';
import type { Stack } from './stack';
import { startStack } from './stack';
import { runRound, type Action, type RoundResult, type Scenario } from './load';

export type Kind = 'intake' | 'lifecycle';

const json = { 'content-type': 'application/json' };

/** A ticket as an agent takes it on the phone and dispatches it at once (the measured intake). */
export function newTicket(context: Record<string, unknown>) {
  const n = ((context.n as number | undefined) ?? 0) + 1;
  context.n = n;
  // a different caller each time: the same phone would make every ticket a repeat of the last
  const phone = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  return {
    channel: 'phone',
    caller: { name: '张先生', phone },
    content: `红旗区向阳小区${n % 30}号楼停水两天了，请尽快处理`,
    regionCode: '410702',
    classification: { type: 'help', topic: '040101', category: 'C' },
    disposition: { action: 'dispatch', unitId: 'xx-water' },
  };
}

function projectActions(stack: Stack, kind: Kind): Action[] {
  const agent = { ...json, authorization: `Bearer ${stack.project.agentKey}` };
  const unit = { ...json, authorization: `Bearer ${stack.project.unitKey}` };
  const create: Action = {
    name: 'create',
    method: 'POST',
    path: () => '/v1/tickets',
    headers: agent,
    body: newTicket,
    keep: (body, context) => (context.id = body.id),
  };
  if (kind === 'intake') return [create];
  const on = (action: string) => (context: Record<string, unknown>) => `/v1/tickets/${context.id}/${action}`;
  return [
    create,
    { name: 'sign', method: 'POST', path: on('sign'), headers: unit },
    { name: 'reply', method: 'POST', path: on('reply'), headers: unit, body: () => ({ result: 'resolved', reply: '管道已修复，恢复供水' }) },
    { name: 'callback', method: 'POST', path: on('callback'), headers: agent, body: () => ({ outcome: 'satisfied' }) },
  ];
}

function bareActions(kind: Kind): Action[] {
  const create: Action = {
    name: 'create',
    method: 'POST',
    path: () => '/tickets',
    headers: json,
    body: (context) => ({ content: newTicket(context).content }),
    keep: (body, context) => (context.id = body.id),
  };
  if (kind === 'intake') return [create];
  const step = (name: string): Action => ({ name, method: 'POST', path: (context) => `/tickets/${context.id}/${name}`, headers: json, body: () => ({}) });
  return [create, step('sign'), step('reply'), step('callback')];
}

function scenarios(stack: Stack, kind: Kind): { project: Scenario; bare: Scenario } {
  const shared = () => ({ temporal: stack.temporal.pid, postgres: stack.postgresPid() });
  const [projectApi, projectWorker] = stack.project.processes;
  const [bareApi, bareWorker] = stack.bare.processes;
  return {
    project: {
      name: 'project',
      url: stack.project.url,
      actions: projectActions(stack, kind),
      processes: () => ({ api: projectApi!.pid, worker: projectWorker!.pid, ...shared() }),
    },
    bare: {
      name: 'bare Temporal',
      url: stack.bare.url,
      actions: bareActions(kind),
      processes: () => ({ api: bareApi!.pid, worker: bareWorker!.pid, ...shared() }),
    },
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');

function summarize(results: RoundResult[]) {
  const perSecond = median(results.map((r) => r.perSecond));
  const actions = Object.keys(results[0]!.latency);
  const latency = Object.fromEntries(
    actions.map((a) => [a, { p50: median(results.map((r) => r.latency[a]!.p50)), p99: median(results.map((r) => r.latency[a]!.p99)) }]),
  );
  const processes = Object.keys(results[0]!.cpu);
  const cpuPerTicket = Object.fromEntries(processes.map((p) => [p, median(results.map((r) => r.cpu[p]! / Math.max(1, r.tickets)))]));
  const cpuTotal = median(results.map((r) => Object.values(r.cpu).reduce((a, b) => a + b, 0) / Math.max(1, r.tickets)));
  return { perSecond, latency, cpuPerTicket, cpuTotal };
}

export async function compare(kind: Kind): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      // a life takes four round trips: longer rounds, so each holds enough whole lives
      seconds: { type: 'string', default: kind === 'intake' ? '20' : '40' },
      connections: { type: 'string', default: '8' },
      warmup: { type: 'string', default: '5' },
      // the project's API and worker under --cpu-prof; the summary counts the project's measured rounds only
      profile: { type: 'boolean', default: false },
    },
  });
  const rounds = Number(values.rounds);
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`bench:${kind} — ${rounds} rounds of ${seconds} s per side, ${connections} connections, on ${os.cpus().length}× ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${os.loadavg().map(f1).join(' ')}`);
  const profileDir = values.profile ? fs.mkdtempSync(path.join(os.tmpdir(), `hotline-profile-${kind}-`)) : undefined;
  const stack = await startStack(
    log,
    profileDir ? { apiNodeArgs: profilingArgs(path.join(profileDir, 'api')), workerNodeArgs: profilingArgs(path.join(profileDir, 'worker')) } : {},
  );
  const windows: Window[] = [];
  try {
    const { project, bare } = scenarios(stack, kind);
    log(`warm-up ${values.warmup} s each`);
    for (const s of [project, bare]) await runRound(s, { connections, seconds: Number(values.warmup) });
    const results: Record<string, RoundResult[]> = { project: [], bare: [] };
    for (let r = 0; r < rounds; r += 1) {
      // ABBA: neither side always runs first
      const order = r % 2 === 0 ? [project, bare] : [bare, project];
      for (const s of order) {
        const from = nowMicros();
        const result = await runRound(s, { connections, seconds });
        if (s === project) windows.push({ from, to: nowMicros() });
        results[s === project ? 'project' : 'bare']!.push(result);
        const failed = Object.entries(result.failures).map(([k, n]) => `${k}×${n}`).join(', ');
        const cpuAll = Object.values(result.cpu).reduce((a, b) => a + b, 0) / Math.max(1, result.tickets);
        log(
          `round ${r + 1} ${s.name.padEnd(13)} ${f1(result.perSecond)} tickets/s  CPU ${f0(cpuAll)} ms/ticket  ` +
            Object.entries(result.latency).map(([a, l]) => `${a} p50 ${f0(l.p50)} p99 ${f0(l.p99)} ms`).join(' · ') +
            (failed ? `  non-2xx: ${failed}` : '') +
            (result.errors ? `  errors: ${result.errors}` : ''),
        );
      }
    }
    const p = summarize(results.project!);
    const b = summarize(results.bare!);
    log('');
    log(`| ${kind} (medians of ${rounds} rounds) | project | bare Temporal | ratio |`);
    log('|---|---|---|---|');
    log(`| tickets/s | ${f1(p.perSecond)} | ${f1(b.perSecond)} | ${(p.perSecond / b.perSecond).toFixed(2)} |`);
    for (const a of Object.keys(p.latency)) {
      log(`| ${a} p50 / p99 ms | ${f0(p.latency[a]!.p50)} / ${f0(p.latency[a]!.p99)} | ${f0(b.latency[a]!.p50)} / ${f0(b.latency[a]!.p99)} | ${(p.latency[a]!.p99 / b.latency[a]!.p99).toFixed(2)} (p99) |`);
    }
    for (const proc of Object.keys(p.cpuPerTicket)) {
      log(`| CPU ms per ticket, ${proc} | ${f0(p.cpuPerTicket[proc]!)} | ${f0(b.cpuPerTicket[proc]!)} | |`);
    }
    log(`| CPU ms per ticket, all | ${f0(p.cpuTotal)} | ${f0(b.cpuTotal)} | ${(p.cpuTotal / b.cpuTotal).toFixed(2)} |`);
    const spread = (rs: RoundResult[]) => `${f1(Math.min(...rs.map((r) => r.perSecond)))}–${f1(Math.max(...rs.map((r) => r.perSecond)))}`;
    log(`| tickets/s, range over rounds | ${spread(results.project!)} | ${spread(results.bare!)} | |`);

    // the targets, measured this way
    const ratio = p.perSecond / b.perSecond;
    const checks = [
      { target: `${kind} ≥ 0.8 of bare (tickets/s)`, value: ratio.toFixed(2), pass: ratio >= 0.8 },
      ...(kind === 'intake'
        ? [
            { target: 'CPU per intake ≤ 120 ms, all processes', value: `${f0(p.cpuTotal)} ms`, pass: p.cpuTotal <= 120 },
            {
              target: 'create p99 ≤ 2× the bare start',
              value: `${f0(p.latency.create!.p99)} / ${f0(b.latency.create!.p99)} ms = ${(p.latency.create!.p99 / b.latency.create!.p99).toFixed(2)}×`,
              pass: p.latency.create!.p99 <= 2 * b.latency.create!.p99,
            },
          ]
        : []),
    ];
    log('');
    for (const c of checks) log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.target}: ${c.value}`);

    let profiles: ReturnType<typeof summarizeProfiles> | undefined;
    if (profileDir) {
      // a profile is written when its process exits: stop the project's processes gently first
      const [api, worker] = stack.project.processes;
      const names = { [api!.pid!]: 'api', [worker!.pid!]: 'worker' };
      for (const proc of stack.project.processes) await proc.stop('SIGTERM', 120_000);
      const tickets = results.project!.reduce((n, r) => n + r.tickets, 0);
      profiles = [...summarizeProfiles(path.join(profileDir, 'api'), windows, names), ...summarizeProfiles(path.join(profileDir, 'worker'), windows, names)];
      log('');
      log(`CPU profiles (node --cpu-prof; the profiler slows the processes, so this run's rates are not the benchmark's) of ${tickets} project tickets, in ${profileDir}:`);
      printProfiles(profiles, tickets, log);
    }

    const at = new Date().toISOString();
    const out = path.join(REPO, 'bench', 'results', `${kind}-${at.replace(/[:.]/g, '-')}${profileDir ? '-profile' : ''}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(
      out,
      `${JSON.stringify(
        {
          bench: kind,
          at,
          machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: os.totalmem() / 2 ** 30, loadavg: os.loadavg(), node: process.version },
          options: { rounds, seconds, connections, warmup: Number(values.warmup), profile: values.profile },
          project: { ...p, rounds: results.project },
          bare: { ...b, rounds: results.bare },
          ratio,
          checks,
          profiles,
        },
        null,
        2,
      )}\n`,
    );
    log(`\nresult written to ${path.relative(process.cwd(), out)}`);
  } finally {
    await stack.stop();
  }
}
