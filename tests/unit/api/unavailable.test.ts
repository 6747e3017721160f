/**
 * A dependency that is down or overloaded is a 503 with Retry-After, never a 500: Postgres
 * connection errors (class 08), insufficient resources (class 53, e.g. too many connections),
 * shutdowns (57P0x), and Temporal's RESOURCE_EXHAUSTED, UNAVAILABLE and DEADLINE_EXCEEDED, and an
 * update cancelled at the action deadline. An
 * unreachable Postgres answers quickly, and /readyz within 2 s.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Client, Connection, ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../api/app';
import { errorHandler } from '../../../api/errors';
import { connectDatabase, type Database } from '../../../db/client';
import { createLogger } from '../../../platform/logger';
import { createMetrics } from '../../../platform/metrics';
import { SecretBox } from '../../../platform/secret-box';
import { localBlobStore } from '../../../platform/storage';

const servers: http.Server[] = [];
afterAll(async () => {
  for (const s of servers) await new Promise((resolve) => s.close(resolve));
});

async function serve(app: express.Express): Promise<string> {
  const server = http.createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const postgresError = (code: string) => Object.assign(new Error(`postgres error ${code}`), { code, severity: 'FATAL' });
const grpcError = (code: number) => Object.assign(new Error(`grpc error ${code}`), { code, details: 'from the server', metadata: {} });

describe('errors of a dependency', () => {
  let base: string;
  const errors: Record<string, Error> = {
    'connection-failure': postgresError('08006'),
    'cannot-connect': postgresError('08001'),
    'too-many-connections': postgresError('53300'),
    'out-of-memory': postgresError('53200'),
    'admin-shutdown': postgresError('57P01'),
    'cannot-connect-now': postgresError('57P03'),
    'connect-timeout': Object.assign(new Error('write CONNECT_TIMEOUT'), { code: 'CONNECT_TIMEOUT' }),
    'temporal-exhausted': new ServiceError('start failed', { cause: grpcError(8) }),
    'temporal-unavailable': grpcError(14),
    'temporal-deadline': new ServiceError('update failed', { cause: grpcError(4) }),
    // how an update cut off by the action deadline ends (seen under load and around worker kills)
    'update-cancelled': new WorkflowUpdateRPCTimeoutOrCancelledError('Call cancelled', { cause: grpcError(1) }),
  };

  beforeAll(async () => {
    const app = express();
    app.get('/fail/:kind', (req) => {
      throw errors[req.params.kind] ?? new Error('a bug');
    });
    app.use(errorHandler(createLogger('silent')));
    base = await serve(app);
  });

  it.each(Object.keys(errors))('%s is a 503 with Retry-After', async (kind) => {
    const res = await fetch(`${base}/fail/${kind}`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(((await res.json()) as any).error.code).toBe('unavailable');
  });

  it('a bug is still a 500', async () => {
    const res = await fetch(`${base}/fail/bug`);
    expect(res.status).toBe(500);
  });
});

describe('a Postgres that accepts connections but never answers', () => {
  let base: string;
  let silent: net.Server;
  const sockets: net.Socket[] = [];
  let database: Database;
  let temporal: Client;
  const adminKey = 'unit-test-admin-key';

  beforeAll(async () => {
    silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    database = connectDatabase(`postgres://postgres@127.0.0.1:${(silent.address() as AddressInfo).port}/hotline`, { max: 2 });
    // never contacted by these requests but /readyz, where it may or may not answer
    temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    base = await serve(
      createApp({
        database,
        temporal,
        taskQueue: 'unused',
        adminApiKey: adminKey,
        logger: createLogger('silent'),
        metrics: createMetrics(),
        secretBox: new SecretBox(crypto.randomBytes(32)),
        photoStore: localBlobStore(os.tmpdir()),
      }),
    );
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    await database.close().catch(() => undefined);
  });

  it('a request that reads it answers 503 quickly', async () => {
    const started = Date.now();
    const res = await fetch(`${base}/v1/tickets`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('/readyz answers within 2 s', async () => {
    const started = Date.now();
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as any).checks.postgres).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
