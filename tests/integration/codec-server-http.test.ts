/**
 * The Temporal UI's codec server (api/codec.ts) on a running system: it opens a ticket's sealed
 * payloads for an admin (by API key or by the session cookie of /codec/login), refuses anyone
 * else, answers the UI's CORS preflight, and opens what a key before the rotation sealed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA, SealingCodec } from '../../platform/payload-codec';
import { OLD_TEST_KEY, OLD_TEST_SEALING } from '../setup/keys';
import { startSystem, TEST_UI_ORIGIN, type TestSystem } from '../setup/system';

let sys: TestSystem;
let agent: string;
let unitKey: string;
let ticketId: string;
/** the sealed workflow input of the ticket, as the UI sends it */
let sealedInput: unknown;

const caller = { name: '李建国', phone: '13698765432' };

beforeAll(async () => {
  sys = await startSystem();
  agent = await sys.key('agent');
  const unit = await sys.unit('市市政工程处');
  unitKey = await sys.key('unit', unit);
  const created = await sys.call('POST', '/v1/tickets', {
    key: agent,
    body: { channel: 'phone', caller, content: '建设路路灯不亮一周了', classification: { type: 'help', topic: '0301', category: 'C' }, disposition: { action: 'dispatch', unitId: unit } },
  });
  expect(created.status).toBe(201);
  ticketId = created.body.id;
  const history = await sys.temporal.workflow.getHandle(ticketId).fetchHistory();
  const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
  sealedInput = asJson(input as Payload);
});
afterAll(() => sys?.stop());

const asJson = (p: Payload) => proto.api.common.v1.Payload.toObject(proto.api.common.v1.Payload.create(p), { bytes: String });
const fromJson = (o: unknown) => proto.api.common.v1.Payload.fromObject(o as object) as Payload;
const metaText = (o: unknown, key: string) => Buffer.from((o as { metadata: Record<string, string> }).metadata[key]!, 'base64').toString('utf8');

async function decode(opts: { key?: string; headers?: Record<string, string>; payloads?: unknown[]; path?: string } = {}) {
  return sys.call('POST', opts.path ?? '/codec/decode', { key: opts.key, headers: { 'x-namespace': 'default', ...opts.headers }, body: { payloads: opts.payloads ?? [sealedInput] } });
}

describe('the codec server of the Temporal UI', () => {
  it("opens a ticket's sealed workflow input for an admin key", async () => {
    expect(metaText(sealedInput, 'encoding')).toBe(ENCRYPTED_ENCODING);
    const res = await decode({ key: sys.adminKey });
    expect(res.status).toBe(200);
    const [opened] = res.body.payloads;
    expect(metaText(opened, 'encoding')).toBe('json/plain');
    const input = defaultPayloadConverter.fromPayload<{ ticket: { caller: typeof caller } }>(fromJson(opened));
    expect(input.ticket.caller).toEqual(caller);
  });

  it('refuses without credentials (401) and for a key of another role (403)', async () => {
    const none = await decode();
    expect(none.status).toBe(401);
    expect(none.body.error.message).toContain('/codec/login');
    for (const key of [agent, unitKey]) {
      const res = await decode({ key });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('needs the role admin');
      expect(JSON.stringify(res.body)).not.toContain(caller.phone);
    }
    expect((await decode({ key: 'not-a-key' })).status).toBe(401);
  });

  it('answers the CORS preflight of the UI origin, and not of another', async () => {
    const preflight = await fetch(`${sys.baseUrl}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: TEST_UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(TEST_UI_ORIGIN);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/content-type.*x-namespace/);

    const stranger = await fetch(`${sys.baseUrl}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' } });
    expect(stranger.status).toBe(403);
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();

    const decoded = await decode({ key: sys.adminKey, headers: { origin: TEST_UI_ORIGIN } });
    expect(decoded.headers.get('access-control-allow-origin')).toBe(TEST_UI_ORIGIN);
  });

  it('opens payloads for an admin signed in at /codec/login, by the HttpOnly session cookie the UI sends', async () => {
    expect((await fetch(`${sys.baseUrl}/codec/login`)).headers.get('content-type')).toContain('text/html');
    const refused = await fetch(`${sys.baseUrl}/codec/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `key=${encodeURIComponent(unitKey)}` });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('set-cookie')).toBeNull();

    const login = await fetch(`${sys.baseUrl}/codec/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `key=${encodeURIComponent(sys.adminKey)}` });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/Path=\/codec/);
    const session = setCookie.split(';')[0]!;
    const res = await decode({ headers: { cookie: session, origin: TEST_UI_ORIGIN } });
    expect(res.status).toBe(200);
    expect(JSON.stringify(defaultPayloadConverter.fromPayload(fromJson(res.body.payloads[0])))).toContain(caller.phone);

    // a forged or altered cookie is no session
    const [name, value] = session.split('=');
    expect((await decode({ headers: { cookie: `${name}=${value!.slice(0, -2)}xx` } })).status).toBe(401);
  });

  it('serves the namespace path form of the protocol, and encodes for an admin what it then decodes', async () => {
    const plain = asJson(defaultPayloadConverter.toPayload({ note: '路灯已修复' }));
    const encoded = await sys.call('POST', '/codec/default/encode', { key: sys.adminKey, body: { payloads: [plain] } });
    expect(encoded.status).toBe(200);
    expect(metaText(encoded.body.payloads[0], 'encoding')).toBe(ENCRYPTED_ENCODING);
    const decoded = await decode({ key: sys.adminKey, path: '/codec/default/decode', payloads: encoded.body.payloads });
    expect(defaultPayloadConverter.fromPayload(fromJson(decoded.body.payloads[0]))).toEqual({ note: '路灯已修复' });
  });

  it('opens what the key before the rotation sealed, and keeps a payload no key opens as it is', async () => {
    const [old] = await new SealingCodec(OLD_TEST_SEALING, 'throw').encode([defaultPayloadConverter.toPayload({ caller })]);
    expect(Buffer.from(old!.metadata![KEY_ID_METADATA]!).toString()).toBe(OLD_TEST_KEY.id);
    const unknown = { ...asJson(old!), metadata: { ...(asJson(old!) as { metadata: object }).metadata, [KEY_ID_METADATA]: Buffer.from('retired-long-ago').toString('base64') } };
    const res = await decode({ key: sys.adminKey, payloads: [asJson(old!), unknown] });
    expect(res.status).toBe(200);
    expect(defaultPayloadConverter.fromPayload(fromJson(res.body.payloads[0]))).toEqual({ caller });
    expect(res.body.payloads[1]).toEqual(unknown);
  });

  it('takes `{}` as no payloads, as protobuf JSON writes an empty list, and names a body that is not a list of payloads (400)', async () => {
    const empty = await sys.call('POST', '/codec/decode', { key: sys.adminKey, body: {} });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ payloads: [] });
    const res = await sys.call('POST', '/codec/decode', { key: sys.adminKey, body: { payloads: 'nope' } });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('payloads');
  });
});
