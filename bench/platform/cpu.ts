/**
 * CPU time of a process and everything below it, from /proc (Linux): user + system time of the
 * live processes of the tree, plus what its processes have reaped from children that ended (a
 * Postgres backend that exits between two readings still counts).
 */
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in ticks */
  ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces: the fields that follow start after its ')'
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const num = (i: number) => Number(fields[i - 3]);
    return { pid, ppid: num(4), ticks: num(14) + num(15) + num(16) + num(17) };
  } catch {
    return undefined;
  }
}

function allStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) stats.push(stat);
  }
  return stats;
}

/** CPU milliseconds so far of each named process tree, read at one instant. */
export function cpuMillis(roots: Record<string, number | undefined>): Record<string, number> {
  const stats = allStats();
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const byPid = new Map(stats.map((s) => [s.pid, s]));
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(roots)) {
    let ticks = 0;
    const todo = pid !== undefined && byPid.has(pid) ? [byPid.get(pid)!] : [];
    while (todo.length > 0) {
      const s = todo.pop()!;
      ticks += s.ticks;
      todo.push(...(children.get(s.pid) ?? []));
    }
    out[name] = (ticks * 1000) / TICKS_PER_SECOND;
  }
  return out;
}

/** The pids of a process and everything below it, read at one instant. */
export function processTree(root: number | undefined): number[] {
  if (root === undefined) return [];
  const stats = allStats();
  const children = new Map<number, number[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  if (!stats.some((s) => s.pid === root)) return [];
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

export function cpuDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? 0)]));
}
