/**
 * Deadlines and supervision over HTTP on the real dev server, with a policy of seconds: tickets
 * turn near-due and overdue on their own, returns and extensions are decided. Notifications to
 * units' webhooks are in webhooks-http.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { supervisionNotices, tickets } from '../../db/schema';
import { loadCalendar } from '../../db/policy';
import { addDuration } from '../../domain/deadlines';
import { DEFAULT_POLICY, type Policy } from '../../domain/policy';
import { eventually } from '../setup/eventually';
import { startSystem, type TestSystem } from '../setup/system';

let sys: TestSystem;
let agent: string;
let supervisor: string;
let water: string;
let waterKey: string;
let gas: string;
let gasKey: string;

/**
 * Category A in seconds. The test that signs must do so (a create, a read, a sign, each through the
 * worker) before the sign-off limit and the near-due point, and must see the near-due state
 * before the due date: on a loaded machine each of those steps can take seconds, so each window
 * is 8 seconds.
 */
const SECONDS_POLICY: Policy = {
  ...DEFAULT_POLICY,
  categories: {
    ...DEFAULT_POLICY.categories,
    A: { signOff: { amount: 8, unit: 'seconds' }, handling: { amount: 16, unit: 'seconds' }, nearDue: { amount: 8, unit: 'seconds' } },
  },
};

beforeAll(async () => {
  sys = await startSystem();
  [agent, supervisor] = await Promise.all([sys.key('agent'), sys.key('supervisor')]);
  [water, gas] = await Promise.all([sys.unit('市供水集团'), sys.unit('市燃气公司')]);
  [waterKey, gasKey] = await Promise.all([sys.key('unit', water), sys.key('unit', gas)]);
  const put = await sys.call('PUT', '/v1/admin/policy', { key: sys.adminKey, body: SECONDS_POLICY });
  expect(put.status).toBe(200);
});
afterAll(async () => {
  await sys?.call('PUT', '/v1/admin/policy', { key: sys.adminKey, body: DEFAULT_POLICY });
  await sys?.stop();
});

async function dispatchedTicket(category: 'A' | 'C', unitId = water): Promise<string> {
  const res = await sys.call('POST', '/v1/tickets', {
    key: agent,
    body: {
      channel: 'wechat',
      caller: { phone: '13700000000' },
      content: '小区水管爆裂，大量漏水',
      classification: { type: 'help', topic: '0301', category },
      disposition: { action: 'dispatch', unitId },
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

const getTicket = (id: string) => sys.call('GET', `/v1/tickets/${id}`, { key: supervisor }).then((r) => r.body);
const queue = () => sys.call('GET', '/v1/supervision/queue', { key: supervisor }).then((r) => r.body);
const ids = (list: { id: string }[]) => list.map((t) => t.id);

describe('a category A ticket under a policy of seconds', () => {
  it('turns near-due and then overdue on its own, shows in the supervision queue, and stays open until the reply', async () => {
    const id = await dispatchedTicket('A');
    const t0 = await getTicket(id);
    expect(t0.policyVersion).toBeGreaterThan(0);
    expect(Date.parse(t0.deadlines.dueBy) - Date.parse(t0.dispatchedAt)).toBe(16_000);
    expect(Date.parse(t0.deadlines.nearDueAt) - Date.parse(t0.dispatchedAt)).toBe(8_000);
    expect((await sys.call('POST', `/v1/tickets/${id}/sign`, { key: waterKey })).status).toBe(200);

    await eventually('near-due', () => getTicket(id), (t) => t.nearDue);
    expect(ids((await queue()).nearDue)).toContain(id);
    const late = await eventually('overdue', () => getTicket(id), (t) => t.overdue);
    expect(late.status).toBe('handling');
    const q = await queue();
    expect(ids(q.overdue)).toContain(id);
    expect(ids(q.nearDue)).not.toContain(id);
    // the notice is issued after the overdue step is recorded: wait for it, then check it is the only one
    const notices = await eventually(
      'a supervision notice',
      () => sys.database.db.select().from(supervisionNotices).where(eq(supervisionNotices.ticketId, id)),
      (rows) => rows.length > 0,
    );
    expect(notices.map((n) => n.kind)).toEqual(['overdue']);
    expect(late.events.map((e: { type: string }) => e.type)).toEqual(['received', 'proposed', 'classified', 'dispatched', 'signed', 'near_due', 'overdue']);
    // each carries the point it stands for; its `at` is when the worker got to it
    expect(late.events.slice(-2).map((e: { data: { deadline: string } }) => e.data.deadline)).toEqual([t0.deadlines.nearDueAt, t0.deadlines.dueBy]);

    const reply = await sys.call('POST', `/v1/tickets/${id}/reply`, { key: waterKey, body: { result: 'resolved', reply: '已抢修' } });
    expect(reply.body).toMatchObject({ status: 'replied', reply: { onTime: false } });
    const [row] = await sys.database.db.select().from(tickets).where(eq(tickets.id, id));
    expect(row).toMatchObject({ replyOnTime: false, overdue: true });
    expect(row!.callbackBy).toBeInstanceOf(Date);

    const overdueInTemporal = async () => {
      const found: string[] = [];
      for await (const wf of sys.temporal.workflow.list({ query: `Overdue = true AND WorkflowId = '${id}'` })) found.push(wf.workflowId);
      return found;
    };
    await eventually('Overdue search attribute', overdueInTemporal, (f) => f.length === 1);
  });

  it('not signed in time, it is marked sign-overdue and the unit is urged', async () => {
    const id = await dispatchedTicket('A');
    const t = await eventually('sign overdue', () => getTicket(id), (x) => x.signOverdue && x.urgeCount === 1);
    expect(t.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['sign_overdue', 'urged']));
  });
});

describe('returns and extensions', () => {
  it('a return approved moves the ticket to the new unit, which alone can act on it now', async () => {
    const id = await dispatchedTicket('C');
    await sys.call('POST', `/v1/tickets/${id}/sign`, { key: waterKey });
    const asked = await sys.call('POST', `/v1/tickets/${id}/return-request`, {
      key: waterKey,
      body: { reason: '燃气管道问题，不属于供水', suggestedUnitId: gas },
    });
    expect(asked.body).toMatchObject({ status: 'return_requested', returnRequest: { suggestedUnitId: gas, unitId: water } });
    expect(ids((await queue()).returnRequests)).toContain(id);

    const unknown = await sys.call('POST', `/v1/tickets/${id}/return-decision`, { key: supervisor, body: { approve: true, unitId: 'no-such-unit' } });
    expect(unknown.status).toBe(422);
    const missing = await sys.call('POST', `/v1/tickets/${id}/return-decision`, { key: supervisor, body: { approve: true } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0].path).toBe('unitId');

    const approved = await sys.call('POST', `/v1/tickets/${id}/return-decision`, { key: supervisor, body: { approve: true, unitId: gas, note: '转燃气公司' } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'dispatched', unitId: gas, returnCount: 1, returnRequest: null, signedAt: null });
    expect((await sys.call('GET', `/v1/tickets/${id}`, { key: waterKey })).status).toBe(404);
    expect((await sys.call('POST', `/v1/tickets/${id}/sign`, { key: gasKey })).status).toBe(200);
  });

  it('an extension approved moves dueBy by the working days asked; asking twice is a 409, asking too much a 422', async () => {
    const id = await dispatchedTicket('C');
    await sys.call('POST', `/v1/tickets/${id}/sign`, { key: waterKey });
    const tooMuch = await sys.call('POST', `/v1/tickets/${id}/extension-request`, { key: waterKey, body: { workingDays: 11, reason: '工程量大' } });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.message).toContain('workingDays');
    const before = await getTicket(id);
    const asked = await sys.call('POST', `/v1/tickets/${id}/extension-request`, { key: waterKey, body: { workingDays: 3, reason: '需更换主管道' } });
    expect(asked.body.extension).toMatchObject({ workingDays: 3, status: 'requested' });
    expect(ids((await queue()).extensionRequests)).toContain(id);
    expect((await sys.call('POST', `/v1/tickets/${id}/extension-request`, { key: waterKey, body: { workingDays: 1, reason: '再延' } })).status).toBe(409);

    const approved = await sys.call('POST', `/v1/tickets/${id}/extension-decision`, { key: supervisor, body: { approve: true } });
    expect(approved.status).toBe(200);
    const expected = addDuration(await loadCalendar(sys.database.db), new Date(before.deadlines.dueBy), { amount: 3, unit: 'workingDays' });
    expect(approved.body.deadlines.dueBy).toBe(expected.toISOString());
    expect(approved.body.extension.status).toBe('approved');
    expect(approved.body.events.at(-1)).toMatchObject({ type: 'extension_approved', data: { workingDays: 3 } });
  });

  it('the supervisor urges; an agent may not', async () => {
    const id = await dispatchedTicket('C');
    expect((await sys.call('POST', `/v1/tickets/${id}/urge`, { key: agent, body: { note: '快' } })).status).toBe(403);
    const urged = await sys.call('POST', `/v1/tickets/${id}/urge`, { key: supervisor, body: { note: '请于今日内签收' } });
    expect(urged.body.urgeCount).toBe(1);
  });

  it('a repeat report is merged into an open ticket', async () => {
    const open = await dispatchedTicket('C');
    const repeat = await sys.call('POST', '/v1/tickets', { key: agent, body: { channel: 'phone', content: '同一小区漏水，再次反映' } });
    expect((await sys.call('POST', `/v1/tickets/${repeat.body.id}/merge`, { key: agent, body: { intoTicketId: repeat.body.id } })).status).toBe(422);
    const merged = await sys.call('POST', `/v1/tickets/${repeat.body.id}/merge`, { key: agent, body: { intoTicketId: open } });
    expect(merged.body).toMatchObject({ status: 'merged', mergedInto: open });
    await eventually('repeat recorded on the open ticket', () => getTicket(open), (t) => t.events.some((e: { type: string }) => e.type === 'repeat_merged'));
  });
});

describe('calendar and policy', () => {
  it('tells an agent when a limit ends, across Golden Week and under an override', async () => {
    const due = (from: string) =>
      sys.call('GET', `/v1/calendar/due?from=${encodeURIComponent(from)}&amount=5&unit=workingDays`, { key: agent }).then((r) => r.body.due);
    expect(await due('2025-09-30T15:00:00+08:00')).toBe('2025-10-14T15:59:59.999Z');
    const load = await sys.call('POST', '/v1/admin/calendar', {
      key: sys.adminKey,
      body: { overrides: [{ date: '2025-10-13', kind: 'holiday', name: '台风停工' }] },
    });
    expect(load.status).toBe(200);
    expect(load.body.packageYears).toContain(2025);
    try {
      expect(await due('2025-09-30T15:00:00+08:00')).toBe('2025-10-15T15:59:59.999Z');
    } finally {
      expect((await sys.call('DELETE', '/v1/admin/calendar/2025-10-13', { key: sys.adminKey })).status).toBe(200);
    }
    expect(await due('2025-09-30T15:00:00+08:00')).toBe('2025-10-14T15:59:59.999Z');
    const bad = await sys.call('GET', '/v1/calendar/due?from=yesterday&amount=5&unit=weeks', { key: agent });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['from', 'unit']);
  });

  it('refuses an invalid policy naming the field, and keeps versions', async () => {
    const bad = await sys.call('PUT', '/v1/admin/policy', {
      key: sys.adminKey,
      body: { ...SECONDS_POLICY, categories: { ...SECONDS_POLICY.categories, C: { ...SECONDS_POLICY.categories.C, handling: { amount: 2.5, unit: 'workingDays' } } } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('categories.C.handling.amount');
    const current = await sys.call('GET', '/v1/admin/policy', { key: supervisor });
    expect(current.body.policy.categories.A.handling).toEqual({ amount: 16, unit: 'seconds' });
  });
});
