/**
 * Bad input never gets a 500: over HTTP on real servers, each kind of bad input is a 4xx whose
 * body names the field, and nothing is written. Unreadable text, out-of-range days, instants and
 * limits, unknown query parameters, bodies that are not JSON, too deep or not UTF-8, unknown
 * topics and regions, forged cursors, and a value Postgres itself refuses.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { policies, tickets, units } from '../../db/schema';
import { errorHandler } from '../../api/errors';
import { DEFAULT_POLICY } from '../../domain/policy';
import { createLogger } from '../../platform/logger';
import { startSystem, type TestSystem } from '../setup/system';

let sys: TestSystem;
let agent: string;
let supervisor: string;

beforeAll(async () => {
  sys = await startSystem();
  [agent, supervisor] = await Promise.all([sys.key('agent'), sys.key('supervisor')]);
});
afterAll(() => sys?.stop());

const get = (path: string, key = supervisor) => sys.call('GET', path, { key });
const paths = (res: { body: { error: { details: { path: string }[] } } }) => res.body.error.details.map((d) => d.path);
const cursorOf = (position: unknown) => Buffer.from(JSON.stringify(position)).toString('base64url');
const newTicket = (over: Record<string, unknown> = {}) => ({
  channel: 'phone',
  content: '红旗区向阳小区3号楼停水两天了',
  regionCode: '410702',
  classification: { type: 'help', topic: '040101', category: 'C' },
  ...over,
});
const ticketsWith = (content: string) => sys.database.db.select().from(tickets).where(eq(tickets.content, content));

describe('days, instants and limits out of range are a 400 naming the parameter', () => {
  it.each([
    ['/v1/analytics/overview?from=abc&to=2025-01-31', 'from'],
    ['/v1/analytics/overview?from=0000-01-01&to=0000-01-02', 'from'],
    ['/v1/analytics/hotspots?from=2025-01-01&to=2025-13-01', 'to'],
    ['/v1/analytics/rankings?month=0000-01', 'month'],
    ['/v1/calendar/due?from=2025-09-30T15:00:00%2B08:00&amount=0.5&unit=workingDays', 'amount'],
    ['/v1/calendar/due?from=2025-09-30T15:00:00%2B08:00&amount=1e12&unit=seconds', 'amount'],
    ['/v1/calendar/due?from=2025-09-30T15:00:00%2B08:00&amount=400&unit=workingDays', 'amount'],
    ['/v1/calendar/due?from=9999-12-31T00:00:00Z&amount=1&unit=workingDays', 'from'],
    ['/v1/tickets?from=0000-01-01T00:00:00Z', 'from'],
  ])('GET %s', async (path, field) => {
    const res = await get(path);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(paths(res)).toContain(field);
  });

  it('the report of a year out of range is refused, and no report is generated', async () => {
    const res = await sys.call('POST', '/v1/reports', { key: supervisor, body: { period: 'year', start: '9999-01-01' } });
    expect(res.status).toBe(400);
    expect(paths(res)).toEqual(['start']);
  });

  it('a forged list cursor (NUL in the id, the year 0000) is a 400 naming the cursor', async () => {
    for (const position of [
      { receivedAt: '2025-01-01T00:00:00Z', id: 'x\u0000y' },
      { receivedAt: '0000-01-01T00:00:00Z', id: '12345-20250101-000001' },
    ]) {
      const res = await get(`/v1/tickets?cursor=${cursorOf(position)}`);
      expect(res.status).toBe(400);
      expect(paths(res)).toEqual(['cursor']);
    }
    const reports = await get(`/v1/reports?cursor=${cursorOf({ start: '2025-01-01', id: 'day-\u0000' })}`);
    expect(reports.status).toBe(400);
    expect(paths(reports)).toEqual(['cursor']);
  });
});

describe('unreadable text is refused wherever it comes', () => {
  it('NUL in a query parameter and in a path parameter', async () => {
    const q = await get('/v1/tickets?q=%00');
    expect(q.status).toBe(400);
    expect(paths(q)).toEqual(['q']);
    const id = await get('/v1/tickets/abc%00def');
    expect(id.status).toBe(400);
    expect(paths(id)).toEqual(['id']);
  });

  it('a path that does not decode is a 400, not a 500', async () => {
    const res = await get('/v1/tickets/abc%FFdef');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
  });

  it('NUL, other control characters and lone surrogates in body fields, each named; nothing is created', async () => {
    const content = `控制字符 ${Date.now()}`;
    const res = await sys.call('POST', '/v1/tickets', {
      key: agent,
      raw: JSON.stringify(newTicket({ content, address: 'a\u0000b', caller: { name: '\u001b[31m' } })).replace('"caller"', '"note\\ud800":"x","caller"'),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(paths(res).sort()).toEqual(['address', 'caller.name', 'note\ud800'].sort());
    expect(await ticketsWith(content)).toHaveLength(0);
  });

  it('a lone surrogate escaped in JSON, in an admin write', async () => {
    const res = await sys.call('POST', '/v1/admin/units', { key: sys.adminKey, raw: '{"name":"\\udc00水务","level":"city","regionCode":"410700"}' });
    expect(res.status).toBe(400);
    expect(paths(res)).toEqual(['name']);
  });

  it('tab and line breaks are text', async () => {
    const content = `第一行\n第二行\t${Date.now()}\r\n`;
    const res = await sys.call('POST', '/v1/tickets', { key: agent, body: newTicket({ content, disposition: { action: 'answer', answer: '已答复' } }) });
    expect(res.status).toBe(201);
  });
});

describe('bodies the JSON parser refuses', () => {
  it('invalid UTF-8 bytes are a 400 naming the body', async () => {
    const raw = Buffer.concat([Buffer.from('{"period":"day","start":"2020-01-0'), Buffer.from([0xff]), Buffer.from('"}')]);
    const res = await sys.call('POST', '/v1/reports', { key: supervisor, raw });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'malformed_json', details: [{ path: 'body' }] });
  });

  it('a body nested 200,000 deep with an Idempotency-Key is a 400, not a stack overflow', async () => {
    const raw = '['.repeat(200_000) + ']'.repeat(200_000);
    const res = await sys.call('POST', '/v1/admin/units', { key: sys.adminKey, raw, headers: { 'idempotency-key': `deep-${Date.now()}` } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'malformed_json', details: [{ path: 'body' }] });
    const objects = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    const ticket = await sys.call('POST', '/v1/tickets', { key: agent, raw: objects, headers: { 'idempotency-key': `deep-${Date.now()}` } });
    expect(ticket.status).toBe(400);
  });

  it('a body of another media type is a 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await sys.call('POST', '/v1/tickets', { key: agent, raw: JSON.stringify(newTicket()), headers: { 'content-type': type } });
      expect(res.status, type).toBe(415);
      expect(res.body.error).toMatchObject({ code: 'unsupported_media_type', details: [{ path: 'Content-Type' }] });
    }
  });
});

describe('unknown query parameters are a 400 naming each', () => {
  it('on a list, and on an endpoint that reads none', async () => {
    const list = await get('/v1/tickets?staus=triage&limit=5&foo=1');
    expect(list.status).toBe(400);
    expect(paths(list).sort()).toEqual(['foo', 'staus']);
    const one = await get('/v1/supervision/queue?verbose=true');
    expect(one.status).toBe(400);
    expect(paths(one)).toEqual(['verbose']);
  });
});

describe('what a ticket names must exist', () => {
  it('an unknown topic or region at receipt is a 422 naming the field; nothing is created', async () => {
    const content = `未知主题 ${Date.now()}`;
    const topic = await sys.call('POST', '/v1/tickets', { key: agent, body: newTicket({ content, classification: { type: 'help', topic: '999999', category: 'C' } }) });
    expect(topic.status).toBe(422);
    expect(paths(topic)).toEqual(['classification.topic']);
    const region = await sys.call('POST', '/v1/tickets', { key: agent, body: newTicket({ content, regionCode: '999998' }) });
    expect(region.status).toBe(422);
    expect(paths(region)).toEqual(['regionCode']);
    expect(await ticketsWith(content)).toHaveLength(0);
  });

  it('an unknown topic at triage is a 422, and the ticket stays in triage', async () => {
    const created = await sys.call('POST', '/v1/tickets', { key: agent, body: newTicket({ classification: undefined }) });
    expect(created.body.status).toBe('triage');
    const res = await sys.call('POST', `/v1/tickets/${created.body.id}/triage`, {
      key: agent,
      body: { classification: { type: 'help', topic: '9899', category: 'C' }, disposition: { action: 'answer', answer: '已答复' } },
    });
    expect(res.status).toBe(422);
    expect(paths(res)).toEqual(['classification.topic']);
    const [row] = await sys.database.db.select().from(tickets).where(eq(tickets.id, created.body.id));
    expect(row!.status).toBe('triage');
  });

  it('a region where an admin has placed a unit is known', async () => {
    const unit = await sys.unit('新设县测试单位', '419902');
    const res = await sys.call('POST', '/v1/tickets', { key: agent, body: newTicket({ regionCode: '419902', disposition: { action: 'dispatch', unitId: unit } }) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.regionCode).toBe('419902');
  });
});

describe('admin writes', () => {
  it('an empty unit change is a 400, and the unit is unchanged', async () => {
    const id = await sys.unit('空修改测试单位');
    const res = await sys.call('PATCH', `/v1/admin/units/${id}`, { key: sys.adminKey, body: {} });
    expect(res.status).toBe(400);
    expect(paths(res)).toEqual(['body']);
    const [row] = await sys.database.db.select().from(units).where(eq(units.id, id));
    expect(row!.name).toBe('空修改测试单位');
  });

  it('a policy whose near-due span is longer than the handling limit is a 400 naming it', async () => {
    const before = await get('/v1/admin/policy');
    for (const nearDue of [{ amount: 3, unit: 'hours' }, { amount: 1, unit: 'workingDays' }]) {
      const res = await sys.call('PUT', '/v1/admin/policy', {
        key: sys.adminKey,
        body: { ...DEFAULT_POLICY, categories: { ...DEFAULT_POLICY.categories, A: { ...DEFAULT_POLICY.categories.A, nearDue } } },
      });
      expect(res.status, JSON.stringify(nearDue)).toBe(400);
      expect(paths(res)).toEqual(['categories.A.nearDue']);
    }
    expect((await get('/v1/admin/policy')).body.version).toBe(before.body.version);
  });

  it('a policy version stored before a rule was tightened still serves the tickets dispatched under it', async () => {
    // accepted when it was written; today its near-due span longer than the handling limit is refused
    const old = { ...DEFAULT_POLICY, categories: { ...DEFAULT_POLICY.categories, A: { ...DEFAULT_POLICY.categories.A, nearDue: { amount: 3, unit: 'hours' } } } };
    await sys.database.db.insert(policies).values({ policy: old, createdBy: 'before-the-rule' });
    try {
      expect((await get('/v1/admin/policy')).body.policy.categories.A.nearDue).toEqual({ amount: 3, unit: 'hours' });
      const content = `旧策略下派单 ${Date.now()}`;
      const res = await sys.call('POST', '/v1/tickets', {
        key: agent,
        body: newTicket({ content, classification: { type: 'help', topic: '040101', category: 'A' }, disposition: { action: 'dispatch', unitId: 'xx-water' } }),
      });
      expect(res.status).toBe(201);
      expect(res.body.status).toBe('dispatched');
    } finally {
      expect((await sys.call('PUT', '/v1/admin/policy', { key: sys.adminKey, body: DEFAULT_POLICY })).status).toBe(200);
    }
  });

  it('a routing rule id beyond a Postgres integer is a 400 naming it', async () => {
    const res = await sys.call('DELETE', '/v1/admin/routing-rules/99999999999', { key: sys.adminKey });
    expect(res.status).toBe(400);
    expect(paths(res)).toEqual(['ruleId']);
  });

  it('a knowledge-base entry with NUL in a pattern is a 400 naming it', async () => {
    const res = await sys.call('POST', '/v1/admin/knowledge-base', {
      key: sys.adminKey,
      body: { topic: '040101', question: '停水怎么办', patterns: ['停水', '\u0000'], answer: '请拨打供水热线' },
    });
    expect(res.status).toBe(400);
    expect(paths(res)).toEqual(['patterns.1']);
  });
});

describe('a value Postgres refuses as data', () => {
  it('is a 400 naming the field, never a 500', async () => {
    // what no schema should let through, straight to the error mapping every endpoint shares
    const app = express();
    app.get('/day', async () => sys.database.sql`select ${'2025-02-30'}::date`);
    app.use(errorHandler(createLogger('silent')));
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/day`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'validation_failed', details: [{ path: 'query' }] } });
    } finally {
      server.close();
    }
  });
});
