/**
 * Open311 GeoReport v2 conformance over HTTP on real servers: every call in both formats
 * (discovery, services, a service definition, POST requests, tokens, requests, one request), the
 * spec's error list with its HTTP codes, no personal data in public reads; and the citizen's own
 * lookup by ticket number and phone digits, its privacy and its rate limit.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { create } from 'xmlbuilder2';
import { ticketEvents, tickets } from '../../db/schema';
import { tokenOf } from '../../api/open311/routes';
import { fromWgs84 } from '../../domain/geo';
import { startSystem, type TestSystem } from '../setup/system';

let sys: TestSystem;
let agent: string;
let supervisor: string;
let unitId: string;
let unitKey: string;
const BASE = '/open311/v2';
const JURISDICTION = 'xinxiang.12345';
const phoneRun = String(Date.now() % 10000).padStart(4, '0');
let phoneSeq = 0;
const freshPhone = () => `139${phoneRun}${String(phoneSeq++).padStart(4, '0')}`;

beforeAll(async () => {
  sys = await startSystem();
  [agent, supervisor] = await Promise.all([sys.key('agent'), sys.key('supervisor')]);
  unitId = await sys.unit('牧野区城管局');
  unitKey = await sys.key('unit', unitId);
});
afterAll(async () => {
  await sys?.stop();
});

interface Answer {
  status: number;
  type: string;
  text: string;
  /** JSON parsed, or XML as an object (xmlbuilder2) */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function open311(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<Answer> {
  const res = await fetch(sys.baseUrl + BASE + path, {
    method,
    headers: form ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('xml') ? create(text).end({ format: 'object' }) : JSON.parse(text);
  return { status: res.status, type, text, body };
}

/** XML lists of one item come back as an object: always a list here. */
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const report = (extra: Record<string, string> = {}) => ({
  jurisdiction_id: JURISDICTION,
  api_key: agent,
  service_code: '030102',
  lat: '35.3152',
  long: '113.9098',
  address_string: '牧野区荣校路口',
  description: '路口的路灯坏了三天了，晚上很黑，我的电话13912345678',
  first_name: '先生',
  last_name: '王',
  phone: freshPhone(),
  email: 'wang@example.com',
  device_id: 'device-1',
  account_id: 'acct-1',
  media_url: 'https://img.example.com/p/1.jpg',
  ...extra,
});

async function createRequest(format: 'json' | 'xml', extra: Record<string, string> = {}): Promise<string> {
  const res = await open311('POST', `/requests.${format}`, report(extra));
  expect(res.status).toBe(201);
  return format === 'json' ? res.body[0].service_request_id : res.body.service_requests.request.service_request_id;
}

describe('Open311 GeoReport v2', () => {
  it('discovery names the GeoReport v2 endpoint and both formats', async () => {
    const json = await open311('GET', '/discovery.json');
    expect(json.status).toBe(200);
    expect(json.body.endpoints[0]).toMatchObject({
      specification: 'http://wiki.open311.org/GeoReport_v2',
      url: `${sys.baseUrl}${BASE}`,
      type: 'production',
      formats: ['text/xml', 'application/json'],
    });
    const xml = await open311('GET', '/discovery.xml');
    expect(xml.type).toContain('text/xml');
    expect(xml.text.startsWith('<?xml version="1.0" encoding="UTF-8"?><discovery>')).toBe(true);
    expect(list(xml.body.discovery.endpoints.endpoint)[0].formats.format).toEqual(['text/xml', 'application/json']);
  });

  it('services are the minor topics of the taxonomy, with group, keywords and metadata, in JSON and XML', async () => {
    const json = await open311('GET', `/services.json?jurisdiction_id=${JURISDICTION}`);
    expect(json.status).toBe(200);
    const light = json.body.find((s: { service_code: string }) => s.service_code === '030102');
    expect(light).toEqual({
      service_code: '030102',
      service_name: '路灯',
      description: '城市管理 / 市政设施 / 路灯',
      metadata: false,
      type: 'realtime',
      keywords: expect.stringContaining('路灯'),
      group: '城市管理',
    });
    expect(json.body.find((s: { service_code: string }) => s.service_code === '040101')).toMatchObject({ metadata: true, group: '公用事业' });
    expect(json.body.every((s: { service_code: string }) => s.service_code.length === 6)).toBe(true);
    const xml = await open311('GET', '/services.xml');
    const services = list(xml.body.services.service);
    expect(services.length).toBe(json.body.length);
    expect(services.find((s: { service_code: string }) => s.service_code === '030102')).toMatchObject({ service_name: '路灯', metadata: 'false', group: '城市管理' });
  });

  it('a service definition lists its attributes; a topic without questions has none', async () => {
    const json = await open311('GET', '/services/040101.json');
    expect(json.body.service_code).toBe('040101');
    expect(json.body.attributes[0]).toMatchObject({
      variable: true,
      code: 'scope',
      datatype: 'singlevaluelist',
      required: true,
      order: 1,
      description: '影响范围',
      values: [{ key: 'household', name: '单户' }, { key: 'building', name: '整栋楼' }, { key: 'community', name: '整个小区或片区' }],
    });
    const xml = await open311('GET', '/services/040101.xml');
    const attrs = list(xml.body.service_definition.attributes.attribute);
    expect(attrs[0]).toMatchObject({ code: 'scope', required: 'true' });
    expect(list(attrs[0].values.value)).toHaveLength(3);
    expect((await open311('GET', '/services/030102.json')).body).toEqual({ service_code: '030102', attributes: [] });
  });

  it('POST requests creates a ticket with the point, address, contact and photo link, and answers its id', async () => {
    const res = await open311('POST', '/requests.json', report());
    expect(res.status).toBe(201);
    expect(res.body).toEqual([{ service_request_id: expect.stringMatching(/^12345-\d{8}-\d+$/), service_notice: null, account_id: 'acct-1' }]);
    const id = res.body[0].service_request_id;
    const [row] = await sys.database.db.select().from(tickets).where(eq(tickets.id, id));
    expect(row).toMatchObject({
      channel: 'app',
      callerName: '王先生',
      address: '牧野区荣校路口',
      lat: 35.3152,
      lng: 113.9098,
      mediaUrl: 'https://img.example.com/p/1.jpg',
      regionCode: '410711',
      topic: '030102',
    });
    // the service is the topic; type and urgency are the classifier's for the text, given in intake
    const proposed = await sys.call('POST', '/v1/classify', { key: agent, body: { content: row!.content, address: row!.address } });
    expect(proposed.status).toBe(200);
    expect(row).toMatchObject({ type: proposed.body.classification.type, category: proposed.body.classification.category });
    const events = await sys.database.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, id));
    expect(events.map((e) => e.type)).toEqual(['received', 'proposed']);
    const xml = await open311('POST', '/requests.xml', report());
    expect(xml.status).toBe(201);
    expect(xml.body.service_requests.request.service_request_id).toMatch(/^12345-/);
  });

  it('attribute answers are checked against the questions and added to the content', async () => {
    const ok = await open311('POST', '/requests.json', report({ service_code: '040101', description: '停水了', 'attribute[scope]': 'building' }));
    expect(ok.status).toBe(201);
    const [row] = await sys.database.db.select().from(tickets).where(eq(tickets.id, ok.body[0].service_request_id));
    expect(row!.content).toBe('停水了\n【影响范围】整栋楼');
    const missing = await open311('POST', '/requests.json', report({ service_code: '040101' }));
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual([{ code: 400, description: 'attribute[scope]: required (影响范围)' }]);
    const wrong = await open311('POST', '/requests.xml', report({ service_code: '040101', 'attribute[scope]': 'city', 'attribute[color]': 'red' }));
    expect(list(wrong.body.errors.error).map((e: { description: string }) => e.description)).toEqual([
      'attribute[color]: service 040101 asks no such question',
      'attribute[scope]: must be one of household, building, community',
    ]);
  });

  it('GET requests/{id} shows status, notes, agency, times and place, and no personal data, through open to closed', async () => {
    const id = await createRequest('json');
    const first = await open311('GET', `/requests/${id}.json`);
    expect(first.status).toBe(200);
    expect(first.body).toHaveLength(1);
    expect(first.body[0]).toMatchObject({
      service_request_id: id,
      status: 'open',
      service_code: '030102',
      service_name: '路灯',
      address: '牧野区荣校路口',
      lat: 35.3152,
      long: 113.9098,
      media_url: 'https://img.example.com/p/1.jpg',
      requested_datetime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
    });
    // the caller's name and phone nowhere, the number spoken in the description masked
    for (const secret of ['王先生', '13912345678', report().phone, 'wang@example.com']) expect(first.text).not.toContain(secret);
    expect(first.body[0].description).toContain('139****5678');

    expect((await sys.call('POST', `/v1/tickets/${id}/triage`, { key: agent, body: { disposition: { action: 'dispatch', unitId } } })).status).toBe(200);
    await sys.call('POST', `/v1/tickets/${id}/sign`, { key: unitKey });
    await sys.call('POST', `/v1/tickets/${id}/progress`, { key: unitKey, body: { note: '已派维修班组' } });
    const handling = (await open311('GET', `/requests/${id}.json`)).body[0];
    const [row] = await sys.database.db.select().from(tickets).where(eq(tickets.id, id));
    expect(handling).toMatchObject({
      status: 'open',
      agency_responsible: '牧野区城管局',
      status_notes: '牧野区城管局办理中：已派维修班组',
      expected_datetime: row!.dueBy!.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    await sys.call('POST', `/v1/tickets/${id}/reply`, { key: unitKey, body: { result: 'resolved', reply: '路灯已更换' } });
    await sys.call('POST', `/v1/tickets/${id}/callback`, { key: agent, body: { outcome: 'satisfied' } });
    const closed = await open311('GET', `/requests/${id}.xml`);
    expect(closed.body.service_requests.request).toMatchObject({ service_request_id: id, status: 'closed', status_notes: '已办结：路灯已更换', agency_responsible: '牧野区城管局' });
  });

  it('GET requests filters by ids (overriding the rest), service_code, status and dates, within the 90-day window', async () => {
    const a = await createRequest('json', { service_code: '030103', 'attribute[missing_cover]': 'missing' });
    const b = await createRequest('json', { service_code: '030103', 'attribute[missing_cover]': 'broken' });
    const byIds = await open311('GET', `/requests.json?service_request_id=${a},${b}&status=closed&service_code=010101`);
    expect(byIds.body.map((r: { service_request_id: string }) => r.service_request_id).sort()).toEqual([a, b].sort());
    const byCode = await open311('GET', '/requests.json?service_code=030103&status=open');
    expect(byCode.body.map((r: { service_request_id: string }) => r.service_request_id)).toEqual(expect.arrayContaining([a, b]));
    expect(byCode.body.every((r: { service_code: string; status: string }) => r.service_code === '030103' && r.status === 'open')).toBe(true);
    expect((await open311('GET', '/requests.json?service_code=030103&status=closed')).body).toEqual([]);
    // outside the window asked for, and the default 90 days reach back no further
    expect((await open311('GET', '/requests.json?service_code=030103&start_date=2025-01-01T00:00:00Z&end_date=2025-03-01T00:00:00Z')).body).toEqual([]);
    const xml = await open311('GET', `/requests.xml?service_code=030103&start_date=${new Date(Date.now() - 3600_000).toISOString()}`);
    expect(list(xml.body.service_requests.request).map((r: { service_request_id: string }) => r.service_request_id)).toEqual(expect.arrayContaining([a, b]));
  });

  it('a token resolves to its service_request_id', async () => {
    const id = await createRequest('json');
    expect((await open311('GET', `/tokens/${tokenOf(id)}.json`)).body).toEqual([{ service_request_id: id, token: tokenOf(id) }]);
    const xml = await open311('GET', `/tokens/${tokenOf(id)}.xml`);
    expect(xml.body.service_requests.request).toEqual({ service_request_id: id, token: tokenOf(id) });
    expect((await open311('GET', '/tokens/not-a-token.json')).status).toBe(404);
  });

  it('errors are the spec list with the right HTTP codes, in the format asked for', async () => {
    const cases: [string, 'GET' | 'POST', string, Record<string, string> | undefined, number, string][] = [
      ['no api_key', 'POST', '/requests.json', { ...report(), api_key: '' }, 403, 'api_key is missing'],
      ['an invalid api_key', 'POST', '/requests.json', report({ api_key: 'nope' }), 403, 'api_key is not valid'],
      ['a supervisor key', 'POST', '/requests.xml', report({ api_key: supervisor }), 403, "the key has 'supervisor'"],
      ['no service_code', 'POST', '/requests.json', report({ service_code: '' }), 400, 'service_code: required'],
      ['an unknown service_code', 'POST', '/requests.json', report({ service_code: '999999' }), 404, 'service_code 999999 was not found'],
      ['no location', 'POST', '/requests.json', { ...report(), lat: '', long: '', address_string: '' }, 400, 'a location is required'],
      ['a latitude out of range', 'POST', '/requests.xml', report({ lat: '95' }), 400, 'lat: must be a latitude from -90 to 90'],
      ['a longitude that is no number', 'POST', '/requests.json', report({ long: 'east' }), 400, 'long: must be a number'],
      ['a media_url that is not http(s)', 'POST', '/requests.json', report({ media_url: 'file:///etc/passwd' }), 400, 'media_url: must be an http(s) URL'],
      ['another jurisdiction', 'GET', '/services.json?jurisdiction_id=beijing', undefined, 404, "jurisdiction_id 'beijing' was not found"],
      ['an unknown service definition', 'GET', '/services/000000.xml', undefined, 404, 'service_code 000000 was not found'],
      ['an unknown request', 'GET', '/requests/12345-19990101-000001.json', undefined, 404, 'service_request_id 12345-19990101-000001 was not found'],
      ['a bad status filter', 'GET', '/requests.json?status=pending', undefined, 400, "status: 'pending' is not one of open, closed"],
      ['a window over 90 days', 'GET', '/requests.xml?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z', undefined, 400, 'may not span more than 90 days'],
      ['a date that is no w3 date', 'GET', '/requests.json?start_date=yesterday', undefined, 400, 'start_date: must be a w3 date-time'],
      ['a format that is not json or xml', 'GET', '/services.yaml', undefined, 400, 'must end in .json or .xml'],
    ];
    for (const [what, method, path, form, status, description] of cases) {
      const res = await open311(method, path, form);
      expect(res.status, what).toBe(status);
      const errors = path.includes('.xml') ? list(res.body.errors.error) : res.body;
      expect(errors[0], what).toMatchObject({ code: path.includes('.xml') ? String(status) : status, description: expect.stringContaining(description) });
    }
    // a JSON body is not the spec's form
    const json = await fetch(`${sys.baseUrl}${BASE}/requests.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(report()) });
    expect(json.status).toBe(400);
  });
});

describe('POST requests with an Idempotency-Key', () => {
  const post = (form: Record<string, string>, key: string, format: 'json' | 'xml' = 'json') =>
    fetch(`${sys.baseUrl}${BASE}/requests.${format}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': key },
      body: new URLSearchParams(form).toString(),
    });
  const ticketsOf = (phone: string) => sys.database.db.select({ id: tickets.id }).from(tickets).where(eq(tickets.callerPhone, phone));

  it('a retry answers the same service_request_id, in the format it asks for, and makes no second ticket', async () => {
    const form = report();
    const key = `open311-${crypto.randomUUID()}`;
    const first = await post(form, key);
    expect(first.status).toBe(201);
    const id = ((await first.json()) as { service_request_id: string }[])[0]!.service_request_id;
    expect(id).toMatch(/^12345-\d{8}-\d+$/);

    const again = await post(form, key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual([{ service_request_id: id, service_notice: null, account_id: 'acct-1' }]);
    const asXml = await post(form, key, 'xml');
    expect(asXml.status).toBe(201);
    expect(create(await asXml.text()).end({ format: 'object' })).toMatchObject({ service_requests: { request: { service_request_id: id } } });

    expect(await ticketsOf(form.phone)).toEqual([{ id }]);
    // without a key, the same form is another report
    expect((await open311('POST', '/requests.json', form)).status).toBe(201);
    expect(await ticketsOf(form.phone)).toHaveLength(2);
  });

  it('the same key with another body is refused 422 naming the header, and creates nothing', async () => {
    const form = report();
    const key = `open311-${crypto.randomUUID()}`;
    expect((await post(form, key)).status).toBe(201);
    const other = await post({ ...form, description: '另一件事：路口的井盖丢了' }, key);
    expect(other.status).toBe(422);
    expect(await other.json()).toEqual([{ code: 422, description: 'Idempotency-Key: already used for another request' }]);
    expect(await ticketsOf(form.phone)).toHaveLength(1);
    // the key is the app's own: another app's key with the same Idempotency-Key is its own request
    const otherApp = await sys.key('agent');
    const theirs = await post({ ...form, api_key: otherApp }, key);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(await ticketsOf(form.phone)).toHaveLength(2);
  });

  it('a refused request is replayed as refused, and a malformed key is a 400 naming the header', async () => {
    const key = `open311-${crypto.randomUUID()}`;
    const bad = report({ lat: '95' });
    const first = await post(bad, key);
    expect(first.status).toBe(400);
    const again = await post(bad, key, 'xml');
    expect(again.status).toBe(400);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const xml = create(await again.text()).end({ format: 'object' }) as { errors: { error: unknown } };
    expect(list(xml.errors.error)[0]).toMatchObject({ code: '400', description: expect.stringContaining('lat: must be a latitude') });
    const malformed = await post(report(), 'bad key with spaces');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual([{ code: 400, description: 'Idempotency-Key: invalid header value' }]);
  });
});

describe("the citizen's own lookup", () => {
  const lookup = (body: unknown, s = sys) => s.call('POST', '/public/v1/ticket-status', { body });

  it("answers status, notes, due time and the reply for the right ticket and phone digits, and nothing personal", async () => {
    const phone = freshPhone();
    const created = await sys.call('POST', '/v1/tickets', {
      key: agent,
      body: {
        channel: 'phone',
        caller: { name: '李女士', phone },
        content: '小区门口井盖丢了',
        classification: { type: 'help', topic: '030103', category: 'C' },
        disposition: { action: 'dispatch', unitId },
      },
    });
    const id = created.body.id;
    const res = await lookup({ ticketId: id, phoneLast4: phone.slice(-4) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: 'dispatched', open: true, unit: '牧野区城管局', dueBy: created.body.deadlines.dueBy, reply: null, notes: [] });
    await sys.call('POST', `/v1/tickets/${id}/sign`, { key: unitKey });
    await sys.call('POST', `/v1/tickets/${id}/reply`, { key: unitKey, body: { result: 'resolved', reply: '已补装井盖' } });
    const replied = await lookup({ ticketId: id, phoneLast4: phone.slice(-4) });
    expect(replied.body).toMatchObject({ status: 'replied', reply: { result: 'resolved', reply: '已补装井盖' } });
    const text = JSON.stringify(replied.body);
    expect(text).not.toContain('李女士');
    expect(text).not.toContain(phone);
    expect(Object.keys(replied.body)).not.toContain('caller');
  });

  it('a wrong phone answers exactly as an unknown ticket', async () => {
    const phone = freshPhone();
    const created = await sys.call('POST', '/v1/tickets', { key: agent, body: { channel: 'phone', caller: { phone }, content: '路灯不亮' } });
    const wrongDigits = String((Number(phone.slice(-4)) + 1) % 10000).padStart(4, '0');
    const wrong = await lookup({ ticketId: created.body.id, phoneLast4: wrongDigits });
    const unknown = await lookup({ ticketId: '12345-19990101-000009', phoneLast4: wrongDigits });
    expect(wrong.status).toBe(404);
    expect(wrong.body).toEqual(unknown.body);
    expect((await lookup({ ticketId: created.body.id, phoneLast4: '12a4' })).body.error.details[0].path).toBe('phoneLast4');
  });

  it('is rate-limited per client IP', async () => {
    const limited = await startSystem({ withoutWorker: true, citizenLookupPerMinute: 3 });
    try {
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push((await lookup({ ticketId: '12345-19990101-000009', phoneLast4: '0000' }, limited)).status);
      expect(answers).toEqual([404, 404, 404, 429]);
    } finally {
      await limited.stop();
    }
  });
});

describe("tickets from the provincial and national platforms, and points on the v1 API", () => {
  it("keep the platform's ticket number: stored, shown, filterable, unique per platform", async () => {
    const ref = { platform: 'provincial_platform', id: `HA-${phoneRun}-${Date.now()}` };
    const created = await sys.call('POST', '/v1/tickets', {
      key: agent,
      body: { channel: 'provincial_platform', caller: { phone: freshPhone() }, content: '省平台转来：小区路灯不亮', externalRef: ref },
    });
    expect(created.status).toBe(201);
    expect(created.body.externalRef).toEqual(ref);
    const [row] = await sys.database.db.select().from(tickets).where(eq(tickets.id, created.body.id));
    expect(row).toMatchObject({ externalPlatform: 'provincial_platform', externalId: ref.id });
    const listed = await sys.call('GET', `/v1/tickets?externalPlatform=provincial_platform&externalId=${encodeURIComponent(ref.id)}`, { key: supervisor });
    expect(listed.body.items.map((t: { id: string }) => t.id)).toEqual([created.body.id]);
    const again = await sys.call('POST', '/v1/tickets', {
      key: agent,
      body: { channel: 'provincial_platform', caller: { phone: freshPhone() }, content: '再次转来', externalRef: ref },
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'external_ref_exists', details: [{ path: 'externalRef.id', message: `already ticket ${created.body.id}` }] });
    // the same number from the other platform is another ticket
    const national = await sys.call('POST', '/v1/tickets', {
      key: agent,
      body: { channel: 'national_platform', caller: { phone: freshPhone() }, content: '国家平台转来', externalRef: { ...ref, platform: 'national_platform' } },
    });
    expect(national.status).toBe(201);
  });

  it('a point is validated naming the field, converted from BD-09, and gives the district when no address does', async () => {
    const bad = await sys.call('POST', '/v1/tickets', { key: agent, body: { channel: 'app', content: '路灯不亮', location: { lat: 35.3, lng: 200, crs: 'WGS84' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'location.lng', message: 'must be a longitude from -180 to 180' }]);
    // 辉县市's seat, as 百度 gives it
    const seat = fromWgs84({ lat: 35.462, lng: 113.806 }, 'BD09');
    const res = await sys.call('POST', '/v1/tickets', { key: agent, body: { channel: 'phone', caller: { phone: freshPhone() }, content: '这里的路灯不亮', location: { ...seat, crs: 'BD09' } } });
    expect(res.status).toBe(201);
    expect(res.body.location.lat).toBeCloseTo(35.462, 5);
    expect(res.body.regionCode).toBe('410782');
  });
});
