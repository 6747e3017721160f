/**
 * The servers of the platform benchmarks (bench/intake.ts, bench/lifecycle.ts), each a real OS
 * process so its CPU can be read apart: a private Postgres cluster, one Temporal dev server, and
 * on it two stacks side by side — the project (bin/api.ts and bin/worker.ts, as in production) and
 * the bare-Temporal baseline (bench/bare/), each with its own task queue and API process.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { migrateDatabase } from '../../db/migrate';
import { connectDatabase } from '../../db/client';
import { loadDemoData } from '../../db/seed';
import { formatPayloadKeys, generatePayloadKey } from '../../platform/payload-codec';
import { withDatabase } from '../../platform/postgres';
import {
  PostgresCluster,
  Proc,
  REPO,
  freePort,
  hotlineProcess,
  logMessage,
  temporalDevServer,
  temporalReady,
  tempDir,
  waitFor,
} from '../../tests/fault/servers';
import { createBareTable } from '../bare/activities';

export interface StackSide {
  url: string;
  /** the processes of this side only (API and worker) */
  processes: Proc[];
}

export interface Stack {
  dir: string;
  project: StackSide & { adminKey: string; agentKey: string; unitKey: string; unitId: string };
  /** absent when started with `bare: false` */
  bare: StackSide;
  /** shared by both sides */
  temporal: Proc;
  temporalAddress: string;
  /** the project's database (bench/open-tickets.ts reads it to check what the API answered) */
  databaseUrl: string;
  postgresPid(): number;
  stop(): Promise<void>;
}

const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const UNIT_ID = 'xx-water';

export interface StackOptions {
  /** start the bare-Temporal side too (default true); bench/open-tickets.ts needs only the project */
  bare?: boolean;
  /** more environment for the project's API and worker, e.g. NODE_OPTIONS=--cpu-prof, a metrics address */
  apiEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
  /** node options before the entrypoint, e.g. --cpu-prof (which NODE_OPTIONS may not carry) */
  apiNodeArgs?: string[];
  workerNodeArgs?: string[];
}

/** Starts everything and waits until the APIs answer; `log` says what it is doing. */
export async function startStack(log: (line: string) => void, opts: StackOptions = {}): Promise<Stack> {
  const withBare = opts.bare ?? true;
  const dir = tempDir('hotline-bench-');
  const cluster = new PostgresCluster(dir, await freePort());
  const started: Proc[] = [];
  const stop = async () => {
    for (const p of [...started].reverse()) await p.stop('SIGTERM', 10_000).catch(() => undefined);
    await cluster.stopAsync('fast').catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', () => {
    for (const p of started) p.killNow();
    cluster.stopQuietly();
  });
  try {
    log(`Postgres cluster in ${dir}`);
    await cluster.init();
    await cluster.start();
    const admin = cluster.url;
    const server = connectDatabase(admin, { max: 1 });
    await server.sql`create database hotline`;
    await server.close();
    const databaseUrl = withDatabase(admin, 'hotline');
    await migrateDatabase(databaseUrl);
    const seeding = connectDatabase(databaseUrl, { max: 1 });
    await loadDemoData(seeding.db);
    await seeding.close();
    await createBareTable(databaseUrl);

    const temporalPort = await freePort();
    const temporal = temporalDevServer(dir, temporalPort);
    temporal.start();
    started.push(temporal);
    const temporalAddress = `127.0.0.1:${temporalPort}`;
    await waitFor('the Temporal dev server', () => temporalReady(temporalAddress), 60_000, 500);
    log(`Temporal dev server on ${temporalAddress}`);

    const projectPort = await freePort();
    const env = {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      ADMIN_API_KEY: ADMIN_KEY,
      // sealed as in production: the codec's cost is part of what is measured
      PAYLOAD_ENCRYPTION_KEYS: formatPayloadKeys([generatePayloadKey('bench')]),
      WEBHOOK_SECRETS_KEY: crypto.randomBytes(32).toString('hex'),
      TEMPORAL_TASK_QUEUE: 'hotline-tickets',
      // the load is the point: nothing of the API's own protection may cut it short
      RATE_LIMIT_PER_MINUTE: '10000000',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    };
    const projectWorker = hotlineProcess('worker', dir, { ...env, ...opts.workerEnv }, opts.workerNodeArgs);
    const projectApi = hotlineProcess('api', dir, { ...env, ...opts.apiEnv, PORT: String(projectPort) }, opts.apiNodeArgs);
    const barePort = await freePort();
    const bareEnv = { PATH: process.env.PATH, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_TASK_QUEUE: 'bare-tickets' };
    const bareWorker = new Proc('bare-worker', process.execPath, ['--import', 'tsx', 'bench/bare/worker.ts'], {
      cwd: REPO,
      env: bareEnv,
      logFile: path.join(dir, 'bare-worker.log'),
    });
    const bareApi = new Proc('bare-api', process.execPath, ['--import', 'tsx', 'bench/bare/api.ts'], {
      cwd: REPO,
      env: { ...bareEnv, PORT: String(barePort) },
      logFile: path.join(dir, 'bare-api.log'),
    });
    for (const p of withBare ? [projectWorker, projectApi, bareWorker, bareApi] : [projectWorker, projectApi]) {
      p.start();
      started.push(p);
    }
    await Promise.all([
      projectWorker.waitForLine(logMessage('worker running'), 120_000),
      projectApi.waitForLine(logMessage('API listening'), 120_000),
      ...(withBare
        ? [bareWorker.waitForLine(logMessage('worker running'), 120_000), bareApi.waitForLine(logMessage('API listening'), 120_000)]
        : []),
    ]);
    const projectUrl = `http://127.0.0.1:${projectPort}`;
    const key = async (body: object) => {
      const res = await fetch(`${projectUrl}/v1/admin/api-keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 201) throw new Error(`creating an API key answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { key: string }).key;
    };
    const agentKey = await key({ name: 'bench agent', role: 'agent' });
    const unitKey = await key({ name: 'bench unit', role: 'unit', unitId: UNIT_ID });
    log(`project API ${projectUrl}` + (withBare ? `, baseline API http://127.0.0.1:${barePort}` : ''));
    const postmasterPid = () => Number(fs.readFileSync(path.join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    return {
      dir,
      project: { url: projectUrl, processes: [projectApi, projectWorker], adminKey: ADMIN_KEY, agentKey, unitKey, unitId: UNIT_ID },
      bare: { url: `http://127.0.0.1:${barePort}`, processes: [bareApi, bareWorker] },
      temporal,
      temporalAddress,
      databaseUrl,
      postgresPid: postmasterPid,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
