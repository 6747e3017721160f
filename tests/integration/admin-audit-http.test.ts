/**
 * The audit trail of administration over HTTP: every admin change (units, API keys, topics,
 * routing rules, knowledge base, policy, calendar) shows in GET /v1/admin/audit with who, when,
 * before and after, and never a secret; the trail pages and filters; Postgres refuses to rewrite
 * it; and a change whose audit row cannot be written does not happen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { hashKey } from '../../api/auth';
import { adminAudit, units } from '../../db/schema';
import { DEFAULT_POLICY } from '../../domain/policy';
import { startSystem, type TestSystem } from '../setup/system';

let sys: TestSystem;
/** an admin key made through the API, so the trail names it */
let admin: { id: string; key: string };
let createdAt: number;

beforeAll(async () => {
  // its own database: the test changes policy, calendar, routing and the knowledge base
  sys = await startSystem({ isolated: true, withoutWorker: true });
  createdAt = Date.now();
  const made = await sys.call('POST', '/v1/admin/api-keys', { key: sys.adminKey, body: { name: '系统管理员 王', role: 'admin' } });
  expect(made.status).toBe(201);
  admin = { id: made.body.id, key: made.body.key };
});
afterAll(() => sys?.stop());

/** Every entry of the trail matching `query`, following the cursors. */
async function trail(query: string, pageSize = 500): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const res = await sys.call('GET', `/v1/admin/audit?limit=${pageSize}${query ? '&' + query : ''}${cursor ? '&cursor=' + cursor : ''}`, { key: admin.key });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

describe('the audit trail of administration', () => {
  it('records every admin change with its actor, request, before and after, newest first, and never a key or its hash', async () => {
    const as = (body: unknown, headers: Record<string, string> = {}) => ({ key: admin.key, body, headers });
    const calls: { status: number; body: any; headers: Headers }[] = [];
    const call = async (method: string, path: string, opts: ReturnType<typeof as>, status: number) => {
      const res = await sys.call(method, path, opts);
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
      calls.push(res);
      return res;
    };
    const unitId = `u-audit-${Date.now()}`;
    await call('POST', '/v1/admin/units', as({ id: unitId, name: '审计测试水务', level: 'city', regionCode: '410702' }, { 'Idempotency-Key': `unit-${unitId}`, 'X-Request-Id': `req-${unitId}` }), 201);
    await call('PATCH', `/v1/admin/units/${unitId}`, as({ name: '审计测试水务公司' }), 200);
    const unitKey = await call('POST', '/v1/admin/api-keys', as({ name: '水务系统', role: 'unit', unitId }), 201);
    await call('DELETE', `/v1/admin/api-keys/${unitKey.body.id}`, as(undefined), 200);
    await call('POST', '/v1/admin/topics', as({ code: '040199', name: '审计测试诉求' }), 201);
    const rule = await call('POST', '/v1/admin/routing-rules', as({ topic: '040199', unitId }), 201);
    await call('PUT', `/v1/admin/routing-rules/${rule.body.id}`, as({ topic: '040199', regionCode: '410702', unitId }), 200);
    await call('DELETE', `/v1/admin/routing-rules/${rule.body.id}`, as(undefined), 200);
    await call('POST', '/v1/admin/knowledge-base', as({ id: 'kb-audit', topic: '040199', question: '停水怎么办？', patterns: ['停水'], answer: '请拨打供水热线' }), 201);
    await call('PUT', '/v1/admin/knowledge-base/kb-audit', as({ topic: '040199', question: '停水怎么办？', patterns: ['停水'], answer: '请拨打供水公司热线' }), 200);
    await call('DELETE', '/v1/admin/knowledge-base/kb-audit', as(undefined), 200);
    const policy = await call('PUT', '/v1/admin/policy', as({ ...DEFAULT_POLICY, triage: { amount: 45, unit: 'minutes' } }), 200);
    await call('POST', '/v1/admin/calendar', as({ overrides: [{ date: '2027-01-01', kind: 'holiday', name: '元旦' }] }), 200);
    await call('POST', '/v1/admin/calendar', as({ overrides: [{ date: '2027-01-01', kind: 'holiday', name: '元旦节' }] }), 200);
    await call('DELETE', '/v1/admin/calendar/2027-01-01', as(undefined), 200);
    // a replay changes nothing, so it records nothing
    const replay = await sys.call('POST', '/v1/admin/units', as({ id: unitId, name: '审计测试水务', level: 'city', regionCode: '410702' }, { 'Idempotency-Key': `unit-${unitId}` }));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');

    const items = await trail(`actorKeyId=${admin.id}`);
    expect(items.map((i) => [i.entityType, i.action, i.entityId])).toEqual(
      [
        ['unit', 'create', unitId],
        ['unit', 'update', unitId],
        ['api_key', 'create', unitKey.body.id],
        ['api_key', 'revoke', unitKey.body.id],
        ['topic', 'create', '040199'],
        ['routing_rule', 'create', String(rule.body.id)],
        ['routing_rule', 'update', String(rule.body.id)],
        ['routing_rule', 'delete', String(rule.body.id)],
        ['knowledge_base_entry', 'create', 'kb-audit'],
        ['knowledge_base_entry', 'update', 'kb-audit'],
        ['knowledge_base_entry', 'delete', 'kb-audit'],
        ['policy', 'update', String(policy.body.version)],
        ['calendar_override', 'create', '2027-01-01'],
        ['calendar_override', 'update', '2027-01-01'],
        ['calendar_override', 'delete', '2027-01-01'],
      ].reverse(),
    );
    for (const item of items) {
      expect(item.actor).toEqual({ keyId: admin.id, name: '系统管理员 王', role: 'admin' });
      expect(Date.parse(item.at)).toBeGreaterThanOrEqual(createdAt - 1000);
    }
    // each entry names the request that made it
    expect(items.map((i) => i.requestId)).toEqual(calls.map((c) => c.headers.get('x-request-id')).reverse());
    const byAction = (type: string, action: string) => items.find((i) => i.entityType === type && i.action === action);
    expect(byAction('unit', 'create')).toMatchObject({ requestId: `req-${unitId}`, idempotencyKey: `unit-${unitId}`, before: null, after: { id: unitId, name: '审计测试水务' } });
    expect(byAction('unit', 'update')).toMatchObject({ before: { name: '审计测试水务' }, after: { name: '审计测试水务公司' } });
    expect(byAction('api_key', 'create')!.after).toEqual({ id: unitKey.body.id, name: '水务系统', role: 'unit', unitId, createdAt: expect.any(String), revokedAt: null });
    expect(byAction('api_key', 'revoke')).toMatchObject({ before: { revokedAt: null }, after: { revokedAt: expect.any(String) } });
    expect(byAction('routing_rule', 'update')).toMatchObject({ before: { regionCode: null }, after: { regionCode: '410702' } });
    expect(byAction('routing_rule', 'delete')).toMatchObject({ before: { id: rule.body.id }, after: null });
    expect(byAction('knowledge_base_entry', 'update')).toMatchObject({ before: { answer: '请拨打供水热线' }, after: { answer: '请拨打供水公司热线' } });
    expect(byAction('policy', 'update')).toMatchObject({
      before: { policy: { triage: DEFAULT_POLICY.triage } },
      after: { version: policy.body.version, policy: { triage: { amount: 45, unit: 'minutes' } } },
    });
    expect(byAction('calendar_override', 'update')).toMatchObject({ before: { name: '元旦' }, after: { name: '元旦节' } });
    // neither the key shown once nor its hash is anywhere in the trail, in the API or in Postgres
    const stored = JSON.stringify(await sys.database.db.select().from(adminAudit));
    for (const secret of [unitKey.body.key, hashKey(unitKey.body.key)]) {
      expect(JSON.stringify(items)).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
  });

  it('filters by entity, actor, action and time, and pages newest first without gaps or repeats', async () => {
    const unitId = `u-audit-page-${Date.now()}`;
    await sys.call('POST', '/v1/admin/units', { key: sys.adminKey, body: { id: unitId, name: '分页测试', level: 'city', regionCode: '410702' } });
    for (const name of ['分页一', '分页二', '分页三', '分页四']) {
      expect((await sys.call('PATCH', `/v1/admin/units/${unitId}`, { key: sys.adminKey, body: { name } })).status).toBe(200);
    }
    const all = await trail(`entityType=unit&entityId=${unitId}`, 2);
    expect(all.map((i) => i.after.name)).toEqual(['分页四', '分页三', '分页二', '分页一', '分页测试']);
    expect(all.map((i) => i.id)).toEqual([...all.map((i) => i.id)].sort((a, b) => b - a));
    expect(all.every((i) => i.actor.keyId === 'bootstrap-admin' && i.actor.name === 'ADMIN_API_KEY')).toBe(true);
    expect((await trail(`entityType=unit&entityId=${unitId}&action=create`)).map((i) => i.after.name)).toEqual(['分页测试']);
    expect((await trail(`entityId=${unitId}&actorKeyId=${admin.id}`))).toEqual([]);
    // from is inclusive and to exclusive, as ISO instants with an offset
    const at = all[2].at as string;
    const enc = encodeURIComponent;
    expect((await trail(`entityId=${unitId}&from=${enc(at)}`)).length).toBeGreaterThanOrEqual(3);
    expect(await trail(`entityId=${unitId}&to=${enc(all.at(-1).at)}`)).toEqual([]);
    expect((await trail(`entityId=${unitId}&from=${enc(new Date(Date.parse(all[0].at) + 1).toISOString().replace('Z', '+00:00'))}`))).toEqual([]);
  });

  it('is for admins only, and refuses bad filters naming them', async () => {
    for (const role of ['agent', 'supervisor'] as const) {
      expect((await sys.call('GET', '/v1/admin/audit', { key: await sys.key(role) })).status).toBe(403);
    }
    expect((await sys.call('GET', '/v1/admin/audit')).status).toBe(401);
    const bad = await sys.call('GET', '/v1/admin/audit?from=yesterday&limit=501&entityType=ticket', { key: admin.key });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['entityType', 'from', 'limit']);
    const cursor = await sys.call('GET', '/v1/admin/audit?cursor=bm90LWEtY3Vyc29y', { key: admin.key });
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.details).toEqual([{ path: 'cursor', message: 'not a cursor returned by this API' }]);
  });

  it('cannot be rewritten, not even by the application: Postgres refuses UPDATE, DELETE and TRUNCATE', async () => {
    const { db } = sys.database;
    const [row] = await db.select().from(adminAudit).limit(1);
    expect(row).toBeDefined();
    for (const statement of [
      sql`update admin_audit set actor_name = 'someone else' where id = ${row!.id}`,
      sql`delete from admin_audit where id = ${row!.id}`,
      sql`truncate admin_audit`,
    ]) {
      await expect(db.execute(statement)).rejects.toMatchObject({ cause: expect.objectContaining({ message: expect.stringContaining('admin_audit is append-only') }) });
    }
    const [still] = await db.select().from(adminAudit).where(eq(adminAudit.id, row!.id));
    expect(still).toEqual(row);
  });

  it('a change whose audit row cannot be written does not happen', async () => {
    const { db } = sys.database;
    // the trail refuses rows for this one unit, as a full disk or a broken audit write would
    const unitId = `u-audit-refused-${Date.now()}`;
    await db.execute(sql.raw(`alter table admin_audit add constraint refuse_test_unit check (entity_id <> '${unitId}')`));
    try {
      const res = await sys.call('POST', '/v1/admin/units', { key: admin.key, body: { id: unitId, name: '不应存在', level: 'city', regionCode: '410702' } });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(await db.select().from(units).where(eq(units.id, unitId))).toEqual([]);
      expect(await db.select().from(adminAudit).where(eq(adminAudit.entityId, unitId))).toEqual([]);
    } finally {
      await db.execute(sql`alter table admin_audit drop constraint refuse_test_unit`);
    }
  });
});
