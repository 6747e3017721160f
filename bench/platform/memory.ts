/**
 * Memory of a process tree, from /proc (Linux). RSS counts a shared page in every process that
 * maps it (Postgres' shared buffers in each backend), so a tree's total is given as PSS (each
 * shared page split between its sharers) next to the RSS of its root and the tree's RSS sum.
 */
import fs from 'node:fs';
import { processTree } from './cpu';

export interface TreeMemory {
  /** processes in the tree */
  processes: number;
  /** RSS of the root process alone, MiB */
  rootRssMiB: number;
  /** peak RSS of the root process (VmHWM), MiB */
  rootPeakRssMiB: number;
  /** sum of the RSS of the tree's processes, MiB (shared pages counted once per process) */
  treeRssMiB: number;
  /** sum of the PSS of the tree's processes, MiB: what the tree costs the machine */
  treePssMiB: number;
}

function kib(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

function read(path: string): string | undefined {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function treeMemory(root: number | undefined): TreeMemory {
  const pids = processTree(root);
  let rss = 0;
  let pss = 0;
  let rootRss = 0;
  let rootPeak = 0;
  for (const pid of pids) {
    const status = read(`/proc/${pid}/status`);
    if (!status) continue;
    const r = kib(status, 'VmRSS');
    rss += r;
    // smaps_rollup (Linux ≥ 4.14); without it the RSS stands in
    const rollup = read(`/proc/${pid}/smaps_rollup`);
    pss += rollup ? kib(rollup, 'Pss') : r;
    if (pid === root) {
      rootRss = r;
      rootPeak = kib(status, 'VmHWM');
    }
  }
  const mib = (k: number) => k / 1024;
  return { processes: pids.length, rootRssMiB: mib(rootRss), rootPeakRssMiB: mib(rootPeak), treeRssMiB: mib(rss), treePssMiB: mib(pss) };
}
