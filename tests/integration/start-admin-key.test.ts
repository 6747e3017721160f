/**
 * `npm start` never prints the admin API key in full: a configured ADMIN_API_KEY is shown
 * masked, and a generated one is shown masked with the file that holds it. Runs the real
 * entrypoint (bin/start.ts) against this run's Postgres and Temporal, in a database and
 * namespace of its own, and reads everything it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskSecret } from '../../domain/privacy';
import { eventually } from '../setup/eventually';
import { isolatedInfra } from '../setup/system';
import { freePort } from '../fault/servers';

const root = path.resolve(__dirname, '../..');
let infra: Awaited<ReturnType<typeof isolatedInfra>>;
const started: ChildProcess[] = [];
const dataDirs: string[] = [];

beforeAll(async () => {
  infra = await isolatedInfra(inject('temporalAddress'));
});
afterAll(async () => {
  for (const child of started) {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
  await infra?.drop();
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts `npm start`'s entrypoint; returns everything it printed once it says it is up, and its API. */
async function start(env: Record<string, string>): Promise<{ output: string; api: string }> {
  const port = await freePort();
  const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['bin/start.ts'], {
    cwd: root,
    env: {
      ...process.env,
      ADMIN_API_KEY: '',
      LOG_LEVEL: 'info',
      PORT: String(port),
      DATABASE_URL: infra.databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: infra.namespace,
      TEMPORAL_TASK_QUEUE: `test-start-${crypto.randomUUID()}`,
      ...env,
    },
  });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await eventually('npm start up', () => ({ output, exited: child.exitCode }), (s) => s.output.includes('12345 hotline is up.') || s.exited !== null, {
    timeoutMs: 100_000,
    intervalMs: 250,
  });
  expect(output).toContain('12345 hotline is up.');
  return { output, api: `http://127.0.0.1:${port}` };
}

const keyWorks = async (api: string, key: string) => (await fetch(`${api}/v1/admin/api-keys`, { headers: { authorization: `Bearer ${key}` } })).status;

describe('npm start', { timeout: 120_000 }, () => {
  it('shows a configured ADMIN_API_KEY masked, and a generated one masked with the file that holds it', async () => {
    const configured = `configured-${crypto.randomBytes(24).toString('base64url')}`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-start-'));
    dataDirs.push(dataDir, dataDir + '-unused');
    const [withKey, generated] = await Promise.all([start({ ADMIN_API_KEY: configured, DATA_DIR: dataDir + '-unused' }), start({ DATA_DIR: dataDir })]);

    expect(withKey.output).toContain(`Admin API key  ${maskSecret(configured)} (from ADMIN_API_KEY)`);
    expect(withKey.output).not.toContain(configured);
    expect(withKey.output).not.toContain(configured.slice(6, -4));
    expect(await keyWorks(withKey.api, configured)).toBe(200);

    const file = path.join(dataDir, 'admin-api-key');
    const key = fs.readFileSync(file, 'utf8').trim();
    expect(generated.output).toContain(`Admin API key  ${maskSecret(key)} (in full in ${file})`);
    expect(generated.output).not.toContain(key);
    expect(generated.output).not.toContain(key.slice(6, -4));
    expect(await keyWorks(generated.api, key)).toBe(200);
  });
});
