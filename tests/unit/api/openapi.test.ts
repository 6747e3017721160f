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
import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { addExamples } from '../../../api/openapi-examples';

type Media = { schema: Record<string, unknown>; example?: unknown };
type Operation = {
  operationId?: string;
  parameters?: { in: string; name: string; schema: Record<string, unknown>; example?: unknown }[];
  responses: Record<string, { content?: Record<string, Media> }>;
  requestBody?: { content: Record<string, Media> };
};
let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
let server: http.Server;
let endpointSchemas: Map<string, { body?: { safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } }; params: { safeParse(v: unknown): { success: boolean } }; response: { safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } }; mediaType: string }>;
let database: Database;

const operations = () => Object.entries(doc.paths).flatMap(([p, methods]) => Object.entries(methods).map(([method, op]) => ({ at: `${method.toUpperCase()} ${p}`, op })));

beforeAll(async () => {
  // the document is built from the declarations alone: nothing is asked of Postgres or Temporal
  database = connectDatabase('postgres://postgres@127.0.0.1:1/none', { max: 1 });
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const app = createApp({ database, temporal, taskQueue: 'unused', logger: createLogger('silent'), metrics: createMetrics(), secretBox: new SecretBox(crypto.randomBytes(32)), photoStore: localBlobStore(os.tmpdir()) });
  endpointSchemas = app.locals.endpointSchemas;
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

  it('gives every operation examples of its request body, path parameters and success response, each valid by its own schema', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    // the document's schemas refer to #/components/schemas/<name>: the same, as $defs of each schema checked
    const defs = JSON.parse(JSON.stringify(doc.components.schemas).replaceAll('#/components/schemas/', '#/$defs/')) as Record<string, unknown>;
    const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
    const invalid = (schema: Record<string, unknown>, value: unknown): string | undefined => {
      const text = JSON.stringify(schema).replaceAll('#/components/schemas/', '#/$defs/');
      let validate = compiled.get(text);
      if (!validate) compiled.set(text, (validate = ajv.compile({ ...(JSON.parse(text) as object), $defs: defs })));
      return validate(value) ? undefined : ajv.errorsText(validate.errors);
    };
    /** bytes (an image, a PDF) have no example a document can hold */
    const binary = (m: Media) => m.schema.format === 'binary';
    /** an NDJSON body's schema is its records': each line is checked */
    const check = (at: string, type: string, m: Media): string[] => {
      if (type === 'application/x-ndjson' && typeof m.example === 'string') {
        return m.example
          .split('\n')
          .filter(Boolean)
          .flatMap((line, i) => invalid(m.schema, JSON.parse(line)) ?? []).map((e) => `${at} ${type} line: ${e}`);
      }
      const error = invalid(m.schema, m.example);
      return error ? [`${at} ${type}: ${error}`] : [];
    };
    const missing: string[] = [];
    const wrong: string[] = [];
    for (const { at, op } of operations()) {
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
        if (binary(media)) continue;
        if (media.example === undefined) missing.push(`${at}: request ${type}`);
        else wrong.push(...check(`${at} request`, type, media));
      }
      for (const p of (op.parameters ?? []).filter((p) => p.in === 'path')) {
        if (p.example === undefined) missing.push(`${at}: path parameter ${p.name}`);
        else if (invalid(p.schema, p.example)) wrong.push(`${at} path parameter ${p.name}: ${invalid(p.schema, p.example)}`);
      }
      const success = Object.keys(op.responses).filter((s) => /^2\d\d$/.test(s));
      expect(success.length, `${at} has a success response`).toBeGreaterThan(0);
      for (const status of success) {
        const content = Object.entries(op.responses[status]!.content ?? {});
        const [main] = content;
        if (main && !binary(main[1]) && main[1].example === undefined) missing.push(`${at}: ${status} ${main[0]}`);
        for (const [type, media] of content) if (media.example !== undefined) wrong.push(...check(`${at} ${status}`, type, media));
      }
    }
    expect(missing).toEqual([]);
    expect(wrong).toEqual([]);
  });

  it('gives examples the endpoints themselves accept and answer: each parsed by the zod schemas that validate the request, refinements included', () => {
    expect(endpointSchemas.size).toBe(operations().length - 1); // all but the citizen's lookup, declared on its own
    const refused: string[] = [];
    const issues = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
      r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') ?? '';
    for (const { at, op } of operations()) {
      const schemas = endpointSchemas.get(op.operationId!);
      if (!schemas) continue;
      const body = op.requestBody?.content['application/json']?.example;
      if (schemas.body && body !== undefined) {
        const r = schemas.body.safeParse(body);
        if (!r.success) refused.push(`${at} request: ${issues(r)}`);
      }
      const params = Object.fromEntries((op.parameters ?? []).filter((p) => p.in === 'path').map((p) => [p.name, String(p.example)]));
      if (!schemas.params.safeParse(params).success) refused.push(`${at} path: ${JSON.stringify(params)}`);
      const status = Object.keys(op.responses).filter((s) => /^2\d\d$/.test(s)).sort()[0]!;
      const response = op.responses[status]!.content?.[schemas.mediaType]?.example;
      if (response !== undefined) {
        const r = schemas.response.safeParse(response);
        if (!r.success) refused.push(`${at} ${status}: ${issues(r)}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it('uses real topic codes of the taxonomy in its examples, and Chinese text where a citizen or a unit writes', () => {
    const codes = new Set(TOPICS.map((t) => t.code));
    const used: string[] = [];
    const walk = (value: unknown, at: string): void => {
      if (Array.isArray(value)) value.forEach((v) => walk(v, at));
      else if (value && typeof value === 'object')
        for (const [k, v] of Object.entries(value)) {
          // a topic by its code (the citizen's lookup names it instead)
          if ((k === 'topic' || k === 'parentCode') && typeof v === 'string' && /^\d+$/.test(v)) used.push(`${at}: ${v}`);
          walk(v, at);
        }
    };
    for (const { at, op } of operations()) {
      // a new topic is by definition not in the taxonomy yet
      if (op.operationId === 'createTopic') continue;
      for (const m of Object.values(op.requestBody?.content ?? {})) walk(m.example, `${at} request`);
      for (const r of Object.values(op.responses)) for (const m of Object.values(r.content ?? {})) walk(m.example, at);
    }
    expect(used.length).toBeGreaterThan(20);
    expect(used.filter((u) => !codes.has(u.split(': ')[1]!))).toEqual([]);
    const chinese = /[\u4e00-\u9fff]/;
    const texts = ['reportProgress', 'replyToTicket', 'requestReturn', 'classifyText', 'createKnowledgeBaseEntry'].map(
      (id) => operations().find(({ op }) => op.operationId === id)!.op.requestBody!.content['application/json']!.example as Record<string, string>,
    );
    for (const t of texts) expect(Object.values(t).some((v) => typeof v === 'string' && chinese.test(v)), JSON.stringify(t)).toBe(true);
  });

  it('refuses examples for an operation the API does not have', () => {
    expect(() => addExamples(JSON.parse(JSON.stringify(doc)), { renamedOperation: { response: {} } })).toThrow('renamedOperation');
  });
});
