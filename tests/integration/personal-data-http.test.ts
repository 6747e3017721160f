/**
 * Personal data on the way out, over HTTP, for each role and each output, by the one rule of
 * domain/privacy.ts (README → Personal data): ticket views, lists and action results (a merged
 * repeat included), the supervision queue, hot spots' repeat callers, stored reports as JSON, CSV
 * and HTML, and an import's rejected rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../domain/ticket';
import { startSystem, type TestSystem } from '../setup/system';

let sys: TestSystem;
const keys = {} as Record<Role, string>;
let unit: string;
beforeAll(async () => {
  // its own database: it imports history and generates a report
  sys = await startSystem({ isolated: true });
  unit = await sys.unit('测试供水公司');
  [keys.agent, keys.supervisor, keys.unit] = await Promise.all([sys.key('agent'), sys.key('supervisor'), sys.key('unit', unit)]);
  keys.admin = sys.adminKey;
});
afterAll(() => sys?.stop());

const phone = `136${String(Date.now()).slice(-8)}`;
const masked = `${phone.slice(0, 3)}****${phone.slice(-4)}`;
const idNumber = '41070219851231002X';
const maskedId = '410*************2X';
const name = '司马测试';
const content = `身份证${idNumber}，备用电话${phone}，楼道积水`;
const maskedContent = `身份证${maskedId}，备用电话${masked}，楼道积水`;
const full = { name, phone, content };

/** Everything a body shows, as one text. */
const shown = (body: unknown) => (typeof body === 'string' ? body : JSON.stringify(body));
function expectMasked(body: unknown, what: string) {
  const text = shown(body);
  expect(text, what).not.toContain(phone);
  expect(text, what).not.toContain(idNumber);
}

async function newTicket(disposition: unknown) {
  const res = await sys.call('POST', '/v1/tickets', {
    key: keys.agent,
    body: { channel: 'phone', caller: { name, phone }, content, regionCode: '410702', classification: { type: 'help', topic: '040101', category: 'C' }, disposition },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe('personal data in tickets', () => {
  it('the center sees a ticket, its trail and lists as given; a unit sees the name, but the phone and numbers in the text masked', async () => {
    const created = await newTicket({ action: 'dispatch', unitId: unit });
    expect(created.caller).toEqual({ name, phone });
    const id = created.id;
    expect((await sys.call('POST', `/v1/tickets/${id}/sign`, { key: keys.unit })).status).toBe(200);
    const progress = await sys.call('POST', `/v1/tickets/${id}/progress`, { key: keys.unit, body: { note: `已电话联系 ${phone}` } });
    // the unit's own action result follows the rule too
    expect(progress.status).toBe(200);
    expect(progress.body.caller).toEqual({ name, phone: masked });
    expect(progress.body.content).toBe(maskedContent);
    expect(progress.body.events.at(-1).data.note).toBe(`已电话联系 ${masked}`);
    expectMasked(progress.body, 'unit action result');

    for (const role of ['agent', 'supervisor', 'admin', 'unit'] as const) {
      const view = await sys.call('GET', `/v1/tickets/${id}`, { key: keys[role] });
      const list = await sys.call('GET', `/v1/tickets?q=${encodeURIComponent('楼道积水')}&limit=500`, { key: keys[role] });
      expect(view.status).toBe(200);
      const listed = list.body.items.find((t: { id: string }) => t.id === id);
      if (role === 'unit') {
        for (const t of [view.body, listed]) {
          expect(t.caller).toEqual({ name, phone: masked });
          expect(t.content).toBe(maskedContent);
        }
        expect(view.body.events[0].data.content).toBe(maskedContent);
        expectMasked([view.body, list.body], role);
      } else {
        for (const t of [view.body, listed]) expect({ name: t.caller.name, phone: t.caller.phone, content: t.content }).toEqual(full);
        expect(view.body.events.find((e: { type: string }) => e.type === 'progress').data.note).toBe(`已电话联系 ${phone}`);
      }
    }
  });

  it('a merged repeat report follows the same rule, and the supervision queue shows every caller masked', async () => {
    const first = await newTicket({ action: 'dispatch', unitId: unit });
    const repeat = await newTicket({ action: 'dispatch', unitId: unit });
    const queue = await sys.call('GET', '/v1/supervision/queue', { key: keys.supervisor });
    expect(queue.status).toBe(200);
    const inQueue = queue.body.repeats.find((t: { id: string }) => t.id === repeat.id);
    expect(inQueue).toMatchObject({ caller: { name: '司***', phone: masked }, content: maskedContent });
    expectMasked(queue.body, 'supervision queue');
    expect(shown(queue.body)).not.toContain(name);

    const merged = await sys.call('POST', `/v1/tickets/${repeat.id}/merge`, { key: keys.supervisor, body: { intoTicketId: first.id } });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body).toMatchObject({ status: 'merged', caller: { name, phone }, content });
    const asUnit = await sys.call('GET', `/v1/tickets/${repeat.id}`, { key: keys.unit });
    expect(asUnit.body).toMatchObject({ status: 'merged', caller: { name, phone: masked }, content: maskedContent });
    expectMasked(asUnit.body, 'merged ticket, unit');
  });
});

describe('personal data in figures and imports', () => {
  it("hot spots' repeat callers and a stored report as JSON, CSV and HTML show phones and ID numbers masked, for every role that reads them", async () => {
    const day = '2019-07-10';
    const rows = [1, 2, 3].map((i) =>
      JSON.stringify({ id: `pd-${Date.now()}-${i}`, channel: 'phone', receivedAt: `${day}T0${i}:00:00+08:00`, status: 'answered', type: 'help', topic: '040101', regionCode: '410702', callerPhone: phone, content, address: `红旗区${phone}号` }),
    );
    // an invalid row holding the caller's phone: its rejection does not quote it
    rows.push(`call ${phone} back`);
    const imported = await sys.call('POST', '/v1/admin/import/tickets', { key: keys.admin, raw: rows.join('\n'), headers: { 'content-type': 'application/x-ndjson' } });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toMatchObject({ imported: 3, rejected: 1 });
    expect(imported.body.rejections[0]).toEqual({ line: 4, field: '(row)', message: "not valid JSON: Unexpected token 'c', the row is not valid JSON" });
    expectMasked(imported.body, 'import answer');
    const job = await sys.call('GET', `/v1/admin/import/jobs/${imported.body.jobId}`, { key: keys.admin });
    expect(job.body.rejections).toEqual(imported.body.rejections);
    expectMasked(job.body, 'import job');

    for (const role of ['supervisor', 'admin'] as const) {
      const hot = await sys.call('GET', `/v1/analytics/hotspots?from=${day}&to=${day}&repeatCalls=2&placeReports=2`, { key: keys[role] });
      expect(hot.status, JSON.stringify(hot.body)).toBe(200);
      expect(hot.body.repeatCallers).toEqual([expect.objectContaining({ phone: masked, tickets: 3 })]);
      expectMasked(hot.body, `hotspots, ${role}`);
    }
    const report = await sys.call('POST', '/v1/reports', { key: keys.supervisor, body: { period: 'day', start: day } });
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    for (const role of ['supervisor', 'admin'] as const) {
      for (const path of [`/v1/reports/${report.body.id}`, `/v1/reports/${report.body.id}?format=csv`, `/v1/reports/${report.body.id}.csv`, `/v1/reports/${report.body.id}?format=html`]) {
        const res = await sys.call('GET', path, { key: keys[role] });
        expect(res.status).toBe(200);
        expect(shown(res.body), `${path} as ${role}`).toContain(masked);
        expectMasked(res.body, `${path} as ${role}`);
      }
    }
  });
});
