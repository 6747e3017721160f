/**
 * CPU profiles of the project's API and worker during the measured rounds of a platform bench
 * (`--profile`): both run with `node --cpu-prof` (every thread: the worker's workflow thread too),
 * write their profiles when they stop, and only the samples taken inside the measured windows
 * count. V8 stamps samples with the same monotonic clock as `process.hrtime`, so a window is two
 * readings of this process's clock. The summary is self time grouped by where the code comes from
 * (Temporal SDK, our code, drizzle/postgres, Express, classifier/jieba, GC, …), then the top
 * functions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from '../../tests/fault/servers';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Microseconds of the monotonic clock V8's profiler uses. */
export const nowMicros = (): number => Number(process.hrtime.bigint() / 1000n);

export interface Window {
  from: number;
  to: number;
}

/** Node options that make a process profile itself into `dir` (not allowed in NODE_OPTIONS). */
export function profilingArgs(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

const PACKAGE_GROUPS: [RegExp, string][] = [
  [/^@temporalio\//, 'temporal sdk'],
  // the SDK's own dependencies
  [/^(rxjs|heap-js|ms|nexus-rpc|proto3-json-serializer|abort-controller)$/, 'temporal sdk'],
  [/^(drizzle-orm|postgres)$/, 'drizzle/postgres'],
  [/^(express|router|body-parser|raw-body|qs|finalhandler|send|serve-static|path-to-regexp|on-finished|type-is|content-type|accepts|negotiator|mime-types|mime-db|cookie|etag|fresh|depd|http-errors|statuses|media-typer|express-rate-limit|forwarded|proxy-addr|debug|vary|encodeurl|escape-html|parseurl|merge-descriptors|content-disposition)$/, 'express'],
  [/^(@node-rs\/jieba|wink-.*)$/, 'classifier/jieba'],
  [/^zod$|^@asteasolutions\//, 'zod'],
  [/^(pino|pino-.*|sonic-boom|thread-stream|fast-redact|quick-format-unescaped|safe-stable-stringify|on-exit-leak-free|atomic-sleep)$/, 'logging (pino)'],
  [/^@opentelemetry\//, 'tracing (otel)'],
  [/^prom-client$/, 'metrics'],
  [/^(tsx|esbuild|get-tsconfig)$/, 'tsx loader'],
  [/^(protobufjs|@protobufjs\/.*|long)$/, 'protobuf'],
  [/^(@grpc\/.*)$/, 'grpc'],
];

/** The group and a short file name of a frame. */
function classify(frame: CallFrame): { group: string; file: string } {
  const { functionName: fn, url } = frame;
  if (fn === '(garbage collector)') return { group: 'GC', file: '' };
  if (fn === '(program)') return { group: 'V8/native (program)', file: '' };
  if (fn === '(idle)') return { group: '(idle)', file: '' };
  if (fn === '(root)') return { group: '(root)', file: '' };
  if (url === '') return { group: 'V8/native (program)', file: '' };
  if (url.startsWith('node:')) return { group: 'node core', file: url };
  const file = url.replace(/^file:\/\//, '');
  // the worker's workflow bundle runs in a vm context as one file: workflows/ and what it imports
  // (domain/, zod, …) with the SDK's workflow library; the top functions name the modules
  if (/^workflow-bundle-/.test(path.basename(file))) return { group: 'workflow bundle (ours + imports + SDK lib)', file: 'workflow-bundle' };
  if (/^evalmachine\./.test(file)) return { group: 'temporal sdk', file };
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + '/node_modules/'.length);
    const parts = rest.split('/');
    const pkg = parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
    const group = PACKAGE_GROUPS.find(([re]) => re.test(pkg))?.[1] ?? `other: ${pkg}`;
    return { group, file: rest };
  }
  if (file.startsWith(REPO)) {
    const rel = path.relative(REPO, file);
    if (/^domain\/classifier|^activities\/classif/.test(rel)) return { group: 'classifier/jieba', file: rel };
    return { group: `our code (${rel.split('/')[0]})`, file: rel };
  }
  return { group: 'other', file };
}

export interface ProfileSummary {
  process: string;
  /** profiled milliseconds inside the windows, idle excluded */
  busyMs: number;
  groups: { group: string; ms: number; share: number }[];
  top: { fn: string; where: string; group: string; ms: number }[];
}

/** Self time inside the windows of one profile file. */
function summarizeFile(file: string, windows: Window[], label: string): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const groups = new Map<string, number>();
  const fns = new Map<string, { fn: string; where: string; group: string; us: number }>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    t += profile.timeDeltas[i]!;
    // a sample stands for the time until the next one
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (!windows.some((w) => t >= w.from && t <= w.to)) continue;
    const frame = byId.get(profile.samples[i]!)!;
    const { group, file: where } = classify(frame);
    if (group === '(idle)' || group === '(root)') continue;
    groups.set(group, (groups.get(group) ?? 0) + us);
    const key = `${frame.functionName}@${frame.url}:${frame.lineNumber}`;
    const entry = fns.get(key) ?? { fn: frame.functionName || '(anonymous)', where: where ? `${where}:${frame.lineNumber + 1}` : '', group, us: 0 };
    entry.us += us;
    fns.set(key, entry);
  }
  const busyUs = [...groups.values()].reduce((a, b) => a + b, 0);
  return {
    process: label,
    busyMs: busyUs / 1000,
    groups: [...groups.entries()].sort((a, b) => b[1] - a[1]).map(([group, us]) => ({ group, ms: us / 1000, share: us / Math.max(1, busyUs) })),
    top: [...fns.values()].sort((a, b) => b.us - a.us).slice(0, 15).map(({ us, ...f }) => ({ ...f, ms: us / 1000 })),
  };
}

/**
 * The profiles in `dir`, one summary per process and thread; `names` maps a pid to a process name.
 * Node names a profile CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile.
 */
export function summarizeProfiles(dir: string, windows: Window[], names: Record<number, string>): ProfileSummary[] {
  const out: ProfileSummary[] = [];
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort()) {
    const m = /^CPU\.\d+\.\d+\.(\d+)\.(\d+)\.\d+\.cpuprofile$/.exec(name);
    const pid = m ? Number(m[1]) : NaN;
    const thread = m ? Number(m[2]) : NaN;
    const label = `${names[pid] ?? `pid ${pid}`}${thread === 0 ? '' : ` (thread ${thread})`}`;
    const summary = summarizeFile(path.join(dir, name), windows, label);
    if (summary.busyMs > 0) out.push(summary);
  }
  return out;
}

export function printProfiles(summaries: ProfileSummary[], tickets: number, log: (line: string) => void): void {
  for (const s of summaries) {
    log('');
    log(`CPU profile, ${s.process}: ${s.busyMs.toFixed(0)} ms busy in the measured rounds (${(s.busyMs / Math.max(1, tickets)).toFixed(1)} ms per ticket)`);
    log('| group | ms | share | ms per ticket |');
    log('|---|---|---|---|');
    for (const g of s.groups.slice(0, 14)) log(`| ${g.group} | ${g.ms.toFixed(0)} | ${(g.share * 100).toFixed(1)}% | ${(g.ms / Math.max(1, tickets)).toFixed(1)} |`);
    log('top self time:');
    for (const f of s.top) log(`  ${f.ms.toFixed(0).padStart(6)} ms  ${f.group.padEnd(24)} ${f.fn}  ${f.where}`);
  }
}
