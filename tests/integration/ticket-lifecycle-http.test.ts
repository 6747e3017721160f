/**
 * The ticket lifecycle over HTTP alone, on real servers: Postgres, the Temporal dev server, a
 * real worker and the Express app. Assertions are what a user checks: HTTP status and body,
 * rows in Postgres, the event trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { idempotencyRecords, ticketEvents, tickets } from '../../db/schema';
import { purgeIdempotencyRecords } from '../../api/idempotency';
import { eventually } from '../setup/eventually';
import { startSystem, type TestSystem } from '../setup/system';

let sys: TestSystem;
let agent: string;
let supervisor: string;
let water: string;
let waterKey: string;
let gas: string;
let gasKey: string;
let otherKey: string;
const logLines: string[] = [];

beforeAll(async () => {
  sys = await startSystem({ logLines });
  [agent, supervisor] = await Promise.all([sys.key('agent'), sys.key('supervisor')]);
  [water, gas] = await Promise.all([sys.unit('市供水集团'), sys.unit('市燃气公司')]);
  const other = await sys.unit('市教育局');
  [waterKey, gasKey, otherKey] = await Promise.all([sys.key('unit', water), sys.key('unit', gas), sys.key('unit', other)]);
});
afterAll(() => sys?.stop());

const newTicket = (over: Record<string, unknown> = {}) => ({
  channel: 'phone',
  caller: { name: '张先生', phone: '13812345678' },
  content: '红旗区向阳小区3号楼停水两天了，请尽快处理',
  address: '红旗区向阳小区3号楼',
  regionCode: '410702',
  classification: { type: 'help', topic: '0301', category: 'C' },
  ...over,
});

async function dispatched(over: Record<string, unknown> = {}) {
  const res = await sys.call('POST', '/v1/tickets', {
    key: agent,
    body: newTicket({ disposition: { action: 'dispatch', unitId: water, coUnitIds: [gas] }, ...over }),
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function eventTypes(id: string): Promise<string[]> {
  const rows = await sys.database.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, id)).orderBy(asc(ticketEvents.seq));
  return rows.map((r) => r.type);
}

describe('a ticket through its whole life by HTTP', () => {
  it('is received, dispatched, signed, progressed, replied, called back dissatisfied, re-handled and closed', async () => {
    const created = await sys.call('POST', '/v1/tickets', {
      key: agent,
      body: newTicket({ disposition: { action: 'dispatch', unitId: water, coUnitIds: [gas] } }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/tickets/${created.body.id}`);
    expect(created.body).toMatchObject({ status: 'dispatched', unitId: water, coUnitIds: [gas], caller: { phone: '13812345678' } });
    expect(created.body.id).toMatch(/^12345-\d{8}-\d{6}$/);
    const id: string = created.body.id;

    const steps: [string, string, unknown, string][] = [
      [`/v1/tickets/${id}/sign`, waterKey, undefined, 'handling'],
      [`/v1/tickets/${id}/progress`, waterKey, { note: '已安排维修人员' }, 'handling'],
      [`/v1/tickets/${id}/progress`, gasKey, { note: '燃气管线正常' }, 'handling'],
      [`/v1/tickets/${id}/reply`, waterKey, { result: 'resolved', reply: '管道已抢修，恢复供水' }, 'replied'],
      [`/v1/tickets/${id}/callback`, agent, { outcome: 'dissatisfied', note: '水压仍然很小' }, 'replied'],
      [`/v1/tickets/${id}/rehandle`, supervisor, { note: '水压问题未解决' }, 'handling'],
      [`/v1/tickets/${id}/reply`, waterKey, { result: 'resolved', reply: '已更换加压泵' }, 'replied'],
      [`/v1/tickets/${id}/callback`, agent, { outcome: 'satisfied' }, 'closed'],
    ];
    for (const [path, key, body, status] of steps) {
      const res = await sys.call('POST', path, { key, body });
      expect(res.status, `${path} → ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body.status).toBe(status);
    }

    const [row] = await sys.database.db.select().from(tickets).where(eq(tickets.id, id));
    expect(row).toMatchObject({
      status: 'closed',
      unitId: water,
      rehandleCount: 1,
      satisfaction: 'satisfied',
      closeReason: 'satisfied',
      replyResult: 'resolved',
      replyText: '已更换加压泵',
      type: 'help',
      topic: '0301',
      category: 'C',
      regionCode: '410702',
      callerPhone: '13812345678',
    });
    expect(row!.closedAt).toBeInstanceOf(Date);
    expect(await eventTypes(id)).toEqual([
      'received',
      'proposed',
      'classified',
      'dispatched',
      'signed',
      'progress',
      'progress',
      'replied',
      'callback',
      'rehandled',
      'replied',
      'callback',
      'closed',
    ]);

    const got = await sys.call('GET', `/v1/tickets/${id}`, { key: supervisor });
    expect(got.status).toBe(200);
    expect(got.body.events.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(got.body.events[4]).toMatchObject({ type: 'signed', actor: { role: 'unit', unitId: water } });
    expect(got.body.events[9]).toMatchObject({ type: 'rehandled', actor: { role: 'supervisor' }, data: { note: '水压问题未解决' } });
  });

  it('waits in triage without a disposition, then is answered directly by the agent', async () => {
    const created = await sys.call('POST', '/v1/tickets', { key: agent, body: newTicket({ classification: undefined }) });
    expect(created.body).toMatchObject({ status: 'triage', classification: null });
    const answered = await sys.call('POST', `/v1/tickets/${created.body.id}/triage`, {
      key: agent,
      body: { classification: { type: 'consultation', topic: '0301', category: 'C' }, disposition: { action: 'answer', answer: '停水通知请关注供水集团公众号' } },
    });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ status: 'answered', answer: '停水通知请关注供水集团公众号', closeReason: 'answered' });
    expect(await eventTypes(created.body.id)).toEqual(['received', 'proposed', 'classified', 'answered']);
  });

  it('is rejected as out of scope with a referral', async () => {
    const created = await sys.call('POST', '/v1/tickets', {
      key: agent,
      body: newTicket({ disposition: { action: 'reject', reason: '案件已进入诉讼程序', referral: '请联系审理法院' } }),
    });
    expect(created.body).toMatchObject({ status: 'rejected', rejection: { reason: '案件已进入诉讼程序', referral: '请联系审理法院' } });
  });

  it('is finalized by the supervisor after a dissatisfied callback, or closed when the caller is unreachable', async () => {
    for (const [outcome, then, closeReason] of [
      ['dissatisfied', 'finalize', 'finalized'],
      ['unreachable', undefined, 'unreachable'],
    ] as const) {
      const id = await dispatched();
      await sys.call('POST', `/v1/tickets/${id}/sign`, { key: waterKey });
      await sys.call('POST', `/v1/tickets/${id}/reply`, { key: waterKey, body: { result: 'explained', reply: '按政策不能办理，已解释' } });
      const cb = await sys.call('POST', `/v1/tickets/${id}/callback`, { key: agent, body: { outcome } });
      expect(cb.status).toBe(200);
      if (then) {
        const fin = await sys.call('POST', `/v1/tickets/${id}/finalize`, { key: supervisor, body: { reason: '已依法解释，诉求不合理' } });
        expect(fin.status).toBe(200);
      }
      const [row] = await sys.database.db.select().from(tickets).where(eq(tickets.id, id));
      expect(row).toMatchObject({ status: 'closed', closeReason, satisfaction: outcome });
    }
  });
});

describe('idempotency', () => {
  it('the same reply sent twice with one Idempotency-Key gives one reply event and the same response', async () => {
    const id = await dispatched();
    await sys.call('POST', `/v1/tickets/${id}/sign`, { key: waterKey });
    const send = () =>
      sys.call('POST', `/v1/tickets/${id}/reply`, {
        key: waterKey,
        body: { result: 'resolved', reply: '已处理' },
        headers: { 'Idempotency-Key': `reply-${id}` },
      });
    const first = await send();
    const second = await send();
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect((await eventTypes(id)).filter((t) => t === 'replied')).toHaveLength(1);

    const reused = await sys.call('POST', `/v1/tickets/${id}/reply`, {
      key: waterKey,
      body: { result: 'unresolved', reply: '另一个答复' },
      headers: { 'Idempotency-Key': `reply-${id}` },
    });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
  });

  it('keys older than 72 hours are purged; newer ones stay', async () => {
    const principalId = `purge-test-${Date.now()}`;
    const record = (key: string, hoursAgo: number) => ({
      principalId,
      key,
      method: 'POST',
      path: '/v1/tickets',
      requestHash: 'x',
      createdAt: new Date(Date.now() - hoursAgo * 3600_000),
    });
    await sys.database.db.insert(idempotencyRecords).values([record('old', 73), record('recent', 71)]);
    await purgeIdempotencyRecords(sys.database.db);
    const left = await sys.database.db.select().from(idempotencyRecords).where(eq(idempotencyRecords.principalId, principalId));
    expect(left.map((r) => r.key)).toEqual(['recent']);
  });

  it('a ticket created twice with one Idempotency-Key exists once', async () => {
    const body = newTicket({ content: `重复提交测试 ${Date.now()}` });
    const headers = { 'Idempotency-Key': `create-${Date.now()}` };
    const a = await sys.call('POST', '/v1/tickets', { key: agent, body, headers });
    const b = await sys.call('POST', '/v1/tickets', { key: agent, body, headers });
    expect(a.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    const rows = await sys.database.db.select().from(tickets).where(eq(tickets.content, body.content));
    expect(rows).toHaveLength(1);
  });
});

describe('a unit sees and acts only on its own tickets', () => {
  it("another unit's key gets 404 on the ticket, cannot act on it, and does not see it in lists", async () => {
    const id = await dispatched();
    expect((await sys.call('GET', `/v1/tickets/${id}`, { key: otherKey })).status).toBe(404);
    const sign = await sys.call('POST', `/v1/tickets/${id}/sign`, { key: otherKey });
    expect(sign.status).toBe(404);
    const reply = await sys.call('POST', `/v1/tickets/${id}/reply`, { key: otherKey, body: { result: 'resolved', reply: 'x' } });
    expect(reply.status).toBe(404);
    expect(await eventTypes(id)).not.toContain('signed');
    const list = await sys.call('GET', '/v1/tickets?limit=500', { key: otherKey });
    expect(list.body.items.map((t: { id: string }) => t.id)).not.toContain(id);
  });

  it('a co-handling unit sees the ticket with the phone masked and reports progress, but only the primary unit signs', async () => {
    const id = await dispatched();
    const got = await sys.call('GET', `/v1/tickets/${id}`, { key: gasKey });
    expect(got.status).toBe(200);
    expect(got.body.caller.phone).toBe('138****5678');
    const sign = await sys.call('POST', `/v1/tickets/${id}/sign`, { key: gasKey });
    expect(sign.status).toBe(403);
    await sys.call('POST', `/v1/tickets/${id}/sign`, { key: waterKey });
    expect((await sys.call('POST', `/v1/tickets/${id}/progress`, { key: gasKey, body: { note: '协办意见' } })).status).toBe(200);
    const list = await sys.call('GET', `/v1/tickets?limit=500`, { key: gasKey });
    expect(list.body.items.map((t: { id: string }) => t.id)).toContain(id);
    expect(list.body.items.every((t: { unitId: string; coUnitIds: string[] }) => t.unitId === gas || t.coUnitIds.includes(gas))).toBe(true);
  });

  it('roles are enforced: no key 401, bad key 401, wrong role 403', async () => {
    expect((await sys.call('GET', '/v1/tickets')).status).toBe(401);
    expect((await sys.call('GET', '/v1/tickets', { key: 'hk_nope' })).status).toBe(401);
    const res = await sys.call('POST', '/v1/tickets', { key: waterKey, body: newTicket() });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect((await sys.call('POST', '/v1/admin/units', { key: agent, body: { name: 'x', level: 'city', regionCode: '410700' } })).status).toBe(403);
  });
});

describe('bad input gets a 4xx naming the field', () => {
  it('malformed JSON is a 400', async () => {
    const res = await sys.call('POST', '/v1/tickets', { key: agent, raw: '{"channel": "phone",' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('malformed_json');
  });

  it('invalid fields are a 400 naming each of them', async () => {
    const res = await sys.call('POST', '/v1/tickets', {
      key: agent,
      body: { channel: 'fax', caller: { phone: 'call me' }, content: '', classification: { type: 'help', topic: '03', category: 'E' } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['channel', 'caller.phone', 'content', 'classification.category']));
  });

  it('an unknown unit is a 422 naming the field; nothing is created', async () => {
    const content = `未知单位 ${Date.now()}`;
    const res = await sys.call('POST', '/v1/tickets', {
      key: agent,
      body: newTicket({ content, disposition: { action: 'dispatch', unitId: 'no-such-unit' } }),
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe('disposition.unitId');
    expect(await sys.database.db.select().from(tickets).where(eq(tickets.content, content))).toHaveLength(0);
  });

  it('a reply without a result is a 400; a bad query parameter is a 400', async () => {
    const id = await dispatched();
    await sys.call('POST', `/v1/tickets/${id}/sign`, { key: waterKey });
    const res = await sys.call('POST', `/v1/tickets/${id}/reply`, { key: waterKey, body: { reply: '已处理' } });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('result');
    const q = await sys.call('GET', '/v1/tickets?overdue=yes&limit=9999', { key: agent });
    expect(q.status).toBe(400);
    expect(q.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['limit', 'overdue']);
  });

  it('an oversized body is a 413', async () => {
    const res = await sys.call('POST', '/v1/tickets', { key: agent, body: newTicket({ content: '很'.repeat(600_000) }) });
    expect(res.status).toBe(413);
  });
});

describe('an action the status does not allow is a 409 naming the status', () => {
  it('signing twice, a callback before the reply, a re-handle without dissatisfaction', async () => {
    const id = await dispatched();
    await sys.call('POST', `/v1/tickets/${id}/sign`, { key: waterKey });
    const again = await sys.call('POST', `/v1/tickets/${id}/sign`, { key: waterKey });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain("'handling'");
    expect(again.body.error.details).toEqual([{ path: 'status', message: "the ticket is 'handling'" }]);
    expect((await sys.call('POST', `/v1/tickets/${id}/callback`, { key: agent, body: { outcome: 'satisfied' } })).status).toBe(409);
    expect((await sys.call('POST', `/v1/tickets/${id}/rehandle`, { key: supervisor, body: { note: 'x' } })).status).toBe(409);
    expect((await eventTypes(id)).filter((t) => t === 'signed')).toHaveLength(1);
  });

  it('any action on a closed ticket', async () => {
    const created = await sys.call('POST', '/v1/tickets', { key: agent, body: newTicket({ disposition: { action: 'answer', answer: '已答复' } }) });
    const res = await sys.call('POST', `/v1/tickets/${created.body.id}/triage`, { key: agent, body: { disposition: { action: 'answer', answer: '再次答复' } } });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain("'answered'");
  });
});

describe('lists', () => {
  it('filter by status, unit, text and business environment, and page with a cursor', async () => {
    const marker = `分页${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await dispatched({ content: `${marker} 第${i}件`, businessEnvironment: i === 0 }));
    const page1 = await sys.call('GET', `/v1/tickets?q=${encodeURIComponent(marker)}&limit=2`, { key: supervisor });
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((t: { id: string }) => t.id)).toEqual([ids[2], ids[1]]);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await sys.call('GET', `/v1/tickets?q=${encodeURIComponent(marker)}&limit=2&cursor=${page1.body.nextCursor}`, { key: supervisor });
    expect(page2.status, JSON.stringify(page2.body)).toBe(200);
    expect(page2.body.items.map((t: { id: string }) => t.id)).toEqual([ids[0]]);
    expect(page2.body.nextCursor).toBeNull();
    const be = await sys.call('GET', `/v1/tickets?q=${encodeURIComponent(marker)}&businessEnvironment=true&status=dispatched&unitId=${water}`, {
      key: agent,
    });
    expect(be.body.items.map((t: { id: string }) => t.id)).toEqual([ids[0]]);
    expect((await sys.call('GET', '/v1/tickets?cursor=garbage', { key: agent })).status).toBe(400);
  });
});

describe('admin: units and API keys', () => {
  it('creates a unit with an assigned id and a unit key that is shown once and works until revoked', async () => {
    const unit = await sys.call('POST', '/v1/admin/units', {
      key: sys.adminKey,
      body: { name: '卫滨区人民政府', level: 'county', regionCode: '410703' },
    });
    expect(unit.status).toBe(201);
    expect(unit.body.id).toMatch(/^u-/);
    const created = await sys.call('POST', '/v1/admin/api-keys', { key: sys.adminKey, body: { name: '卫滨区系统', role: 'unit', unitId: unit.body.id } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'unit', unitId: unit.body.id, key: expect.stringMatching(/^hk_/) });
    expect((await sys.call('GET', '/v1/tickets', { key: created.body.key })).status).toBe(200);
    const listed = await sys.call('GET', '/v1/admin/api-keys', { key: sys.adminKey });
    const mine = listed.body.items.find((k: { id: string }) => k.id === created.body.id);
    expect(mine).toBeDefined();
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    expect((await sys.call('DELETE', `/v1/admin/api-keys/${created.body.id}`, { key: sys.adminKey })).status).toBe(200);
    expect((await sys.call('GET', '/v1/tickets', { key: created.body.key })).status).toBe(401);
  });

  it('an Idempotency-Key replay of a key creation makes no second key and never shows or keeps the key', async () => {
    const create = () =>
      sys.call('POST', '/v1/admin/api-keys', { key: sys.adminKey, body: { name: '坐席 replay', role: 'agent' }, headers: { 'Idempotency-Key': 'api-key-replay-1' } });
    const first = await create();
    expect(first.status).toBe(201);
    expect(first.body.key).toMatch(/^hk_/);
    const replay = await create();
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual({ ...first.body, key: null });
    const stored = await sys.database.sql`select response::text as response from idempotency_records where key = 'api-key-replay-1'`;
    expect(stored).toHaveLength(1);
    expect(stored[0]!.response).not.toContain(first.body.key);
    expect((await sys.call('GET', '/v1/tickets', { key: first.body.key })).status).toBe(200);
  });

  it('refuses a unit key without a unit and a unit with an unknown parent', async () => {
    const key = await sys.call('POST', '/v1/admin/api-keys', { key: sys.adminKey, body: { name: 'x', role: 'unit' } });
    expect(key.status).toBe(400);
    expect(key.body.error.details[0].path).toBe('unitId');
    const unit = await sys.call('POST', '/v1/admin/units', {
      key: sys.adminKey,
      body: { name: 'x', level: 'township', regionCode: '410703', parentId: 'nobody' },
    });
    expect(unit.status).toBe(422);
  });
});

describe('operations', () => {
  it('health, readiness, metrics, the OpenAPI document and its docs page', async () => {
    expect((await sys.call('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await sys.call('GET', '/readyz')).body).toMatchObject({ status: 'ready', checks: { postgres: 'ok', temporal: 'ok' } });
    const metrics = await sys.call('GET', '/metrics');
    expect(metrics.body).toContain('hotline_http_request_duration_seconds');
    const doc = await sys.call('GET', '/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/tickets', '/v1/tickets/{id}', '/v1/tickets/{id}/reply']));
    const create = doc.body.paths['/v1/tickets'].post.requestBody.content['application/json'].schema;
    expect(create).toEqual({ $ref: '#/components/schemas/NewTicket' });
    expect(JSON.stringify(doc.body.components.schemas.NewTicket)).toContain('mayor_mailbox');
    const docs = await sys.call('GET', '/docs');
    expect(docs.body).toContain('/openapi.json');
  });

  it("logs are JSON lines with the ticket id and never a caller's full phone number", async () => {
    const id = await dispatched();
    const lines = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.ticketId === id && l.msg === 'request')).toBe(true);
    expect(lines.some((l) => l.ticketId === id && l.step === 'dispatched')).toBe(true);
    expect(logLines.join('\n')).not.toContain('13812345678');
  });

  it('the Temporal visibility store filters ticket workflows by status and unit', async () => {
    const id = await dispatched();
    await sys.call('POST', `/v1/tickets/${id}/sign`, { key: waterKey });
    const query = `TicketStatus = 'handling' AND UnitId = '${water}' AND WorkflowId = '${id}'`;
    // the visibility store is updated asynchronously: wait until it answers the query
    const found = await eventually(
      'the workflow in the visibility store',
      async () => {
        const ids: string[] = [];
        for await (const wf of sys.temporal.workflow.list({ query })) ids.push(wf.workflowId);
        return ids;
      },
      (ids) => ids.length > 0,
    );
    expect(found).toEqual([id]);
  });
});
