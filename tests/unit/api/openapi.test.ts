/**
 * The OpenAPI document as client generators read it: a unique operationId on every operation,
 * named component schemas, every error status the server can answer listed on every operation,
 * and examples that the endpoint's own schemas accept.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import os from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../../api/app';
import { NEW_TICKET_EXAMPLE, TRIAGE_EXAMPLE } from '../../../api/tickets';
import { connectDatabase, type Database } from '../../../db/client';
import { SecretBox } from '../../../platform/secret-box';
import { localBlobStore } from '../../../platform/storage';
import { TOPICS } from '../../../domain/classifier';
import { newTicketSchema, triageSchema } from '../../../domain/ticket';
import { createLogger } from '../../../platform/logger';
import { createMetrics } from '../../../platform/metrics';

type Operation = { operationId?: string; responses: Record<string, unknown>; requestBody?: { content: Record<string, { schema: unknown; example?: unknown }> } };
let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
let server: http.Server;
let database: Database;

const operations = () => Object.entries(doc.paths).flatMap(([p, methods]) => Object.entries(methods).map(([method, op]) => ({ at: `${method.toUpperCase()} ${p}`, op })));

beforeAll(async () => {
  // the document is built from the declarations alone: nothing is asked of Postgres or Temporal
  database = connectDatabase('postgres://postgres@127.0.0.1:1/none', { max: 1 });
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const app = createApp({ database, temporal, taskQueue: 'unused', logger: createLogger('silent'), metrics: createMetrics(), secretBox: new SecretBox(crypto.randomBytes(32)), photoStore: localBlobStore(os.tmpdir()) });
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  doc = (await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.json`)).json()) as typeof doc;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await database.close();
});

describe('the OpenAPI document', () => {
  it('names every operation with an operationId, each unique', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.length).toBeGreaterThan(40);
    expect(ids.filter((id) => !id)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lists on every operation each error status the API code can answer', () => {
    // every status a handler, guard or the error handler throws: `new HttpError(4xx` and the helpers
    const dir = path.resolve(__dirname, '../../../api');
    const source = (fs.readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    const thrown = new Set([...source.matchAll(/new HttpError\((\d{3})/g)].map((m) => m[1]!));
    expect([...thrown]).toEqual(expect.arrayContaining(['400', '401', '403', '404', '409', '413', '415', '422', '429', '500', '503']));
    // the public lookup asks for no key and acts on nothing: no 401, 403, 409 or 422 can come from it
    const notPublic = new Set(['401', '403', '409', '422']);
    const missing = operations().flatMap(({ at, op }) =>
      [...thrown].filter((s) => !(s in op.responses) && !(at.includes(' /public/') && notPublic.has(s))).map((s) => `${at}: ${s}`),
    );
    expect(missing).toEqual([]);
  });

  it('refers to named component schemas for request and response bodies', () => {
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Ticket', 'TicketSummary', 'TicketPage', 'NewTicket', 'Error']));
    const create = doc.paths['/v1/tickets']!.post!;
    expect(create.requestBody!.content['application/json']!.schema).toEqual({ $ref: '#/components/schemas/NewTicket' });
    expect((create.responses['201'] as any).content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Ticket' });
    // a body or response of object type without a name of its own is named after its operation
    const inline = operations().flatMap(({ at, op }) =>
      Object.values(op.requestBody?.content ?? {})
        .filter((c) => (c.schema as { type?: string }).type === 'object')
        .map(() => at),
    );
    expect(inline).toEqual([]);
  });

  it('gives examples that the endpoints accept: a real Chinese ticket with a topic of the taxonomy', () => {
    const create = doc.paths['/v1/tickets']!.post!.requestBody!.content['application/json']!;
    expect(create.example).toEqual(NEW_TICKET_EXAMPLE);
    expect(newTicketSchema.safeParse(create.example).success).toBe(true);
    const topic = NEW_TICKET_EXAMPLE.classification.topic;
    expect(TOPICS.some((t) => t.code === topic)).toBe(true);
    const triage = doc.paths['/v1/tickets/{id}/triage']!.post!.requestBody!.content['application/json']!;
    expect(triageSchema.safeParse(triage.example).success).toBe(true);
    expect(triage.example).toEqual(TRIAGE_EXAMPLE);
  });
});
