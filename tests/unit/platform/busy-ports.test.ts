/**
 * A second `npm start` whose ports are taken (e.g. by a first installation) fails at once, naming
 * each port and the variable to change, and starts nothing: its worker must never join another
 * installation's Temporal server.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer } from '../../../platform/temporal';

const root = path.resolve(__dirname, '../../..');
let busy: net.Server;
let busyPort: number;

async function listen(server: net.Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as net.AddressInfo).port;
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** The ids of this process's child processes (Linux /proc). */
function childPids(): string[] {
  const tasks = fs.readdirSync(`/proc/${process.pid}/task`);
  return tasks.flatMap((t) => fs.readFileSync(`/proc/${process.pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean)).sort();
}

/** Runs `npm start`'s entrypoint with these variables; it must end by itself. */
function start(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(root, 'node_modules/.bin/tsx'),
      ['bin/start.ts'],
      { cwd: root, env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  // a first installation's Temporal, say
  busy = net.createServer((socket) => socket.end());
  busyPort = await listen(busy);
});
afterAll(() => new Promise((resolve) => busy.close(resolve)));

// each runs the entrypoint in a process of its own: a few seconds on a busy machine
describe('npm start with a taken port', { timeout: 60_000 }, () => {
  it.each([
    ['TEMPORAL_PORT', 'the embedded Temporal server'],
    ['TEMPORAL_UI_PORT', 'the Temporal UI'],
    ['PORT', 'the API'],
  ])('exits with a message naming the port and %s, having started nothing', async (variable, what) => {
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-ports-')), 'data');
    const env: Record<string, string> = {
      PORT: String(await freePort()),
      TEMPORAL_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      DATA_DIR: dataDir,
      // never reached: the ports are checked before Postgres is touched
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      TEMPORAL_ADDRESS: '',
      [variable]: String(busyPort),
    };
    const run = await start(env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`port ${busyPort} (${what}) is already in use: set ${variable} to a free port`);
    expect(run.stdout).not.toContain('is up');
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});

describe('the embedded Temporal dev server', () => {
  it('refuses a taken port or UI port before starting anything, rather than attach to the server there', async () => {
    const before = childPids();
    await expect(startDevServer({ port: busyPort, uiPort: await freePort() })).rejects.toThrow(
      `port ${busyPort} (the embedded Temporal server) is already in use: set TEMPORAL_PORT to a free port`,
    );
    await expect(startDevServer({ port: await freePort(), uiPort: busyPort })).rejects.toThrow(
      `port ${busyPort} (the Temporal UI) is already in use: set TEMPORAL_UI_PORT to a free port`,
    );
    expect(childPids()).toEqual(before);
  });
});
