/**
 * Notifications to units' webhooks over HTTP on the real dev server and worker, received by a
 * real HTTP server on 127.0.0.1 that checks them as README → Notifications to units tells a unit
 * to: a secret per unit shown once, a signature over the timestamp and the body, the same
 * notification id on every attempt, an outbox whose failed notifications show in the supervision
 * queue and on the ticket and are redelivered, rotation with an overlap.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { notifications, webhookSecrets } from '../../db/schema';
import { createLogger } from '../../platform/logger';
import { NOTIFICATION_ID_HEADER, SIGNATURE_HEADER, SIGNATURE_TOLERANCE_SECONDS, verifyWebhookSignature } from '../../domain/webhook-signature';
import { eventually } from '../setup/eventually';
import { startSystem, testWorkerDeps, TEST_WEBHOOK_DELIVERY, type TestSystem } from '../setup/system';

interface Delivery {
  unitId: string;
  body: string;
  signature: string | undefined;
  notificationId: string | undefined;
  /** what the receiver answered */
  status: number;
}

/**
 * The units' systems, and the provincial platform's: one path per unit (and /platform/provincial_platform),
 * answering the status the test sets for it (200 by default), or 503 for its next `failNext` requests.
 */
const received: Delivery[] = [];
const answer = new Map<string, number>();
const failNext = new Map<string, number>();
const receiver = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    const unitId = req.url!.split('/').pop()!;
    const failing = failNext.get(unitId) ?? 0;
    if (failing > 0) failNext.set(unitId, failing - 1);
    const status = failing > 0 ? 503 : (answer.get(unitId) ?? 200);
    received.push({
      unitId,
      body,
      signature: req.headers[SIGNATURE_HEADER] as string | undefined,
      notificationId: req.headers[NOTIFICATION_ID_HEADER] as string | undefined,
      status,
    });
    res.statusCode = status;
    res.end();
  });
});

let sys: TestSystem;
let agent: string;
let supervisor: string;

/** The secret the hotline and the provincial platform agreed on (PROVINCIAL_PLATFORM_SECRETS); the national platform has no endpoint. */
const PROVINCIAL_SECRET = `whsec_provincial-${crypto.randomUUID()}`;
const PROVINCIAL = 'provincial_platform';

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/platform/${PROVINCIAL}`;
  sys = await startSystem({ platforms: { provincial_platform: { url, secrets: [PROVINCIAL_SECRET] } } });
  [agent, supervisor] = await Promise.all([sys.key('agent'), sys.key('supervisor')]);
});
afterAll(async () => {
  await sys?.stop();
  receiver.close();
});

/** A unit whose system listens on the receiver; with a secret issued unless `secret: false`. */
async function unitWithWebhook(opts: { secret?: boolean } = {}): Promise<{ id: string; secret?: string }> {
  const id = await sys.unit('测试承办单位');
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hotline/${id}`;
  const patched = await sys.call('PATCH', `/v1/admin/units/${id}`, { key: sys.adminKey, body: { webhookUrl: url } });
  expect(patched.status).toBe(200);
  if (opts.secret === false) return { id };
  const issued = await sys.call('POST', `/v1/admin/units/${id}/webhook-secret`, { key: sys.adminKey, body: {} });
  expect(issued.status, JSON.stringify(issued.body)).toBe(201);
  return { id, secret: issued.body.secret };
}

async function dispatchTo(unitId: string, coUnitIds: string[] = []): Promise<string> {
  const res = await sys.call('POST', '/v1/tickets', {
    key: agent,
    body: {
      channel: 'phone',
      // text and caller of their own: tickets left open here must not be repeats of other files' tickets
      caller: { phone: '13600000009' },
      content: '人民路与胜利路口的井盖丢失，夜间有人踩空',
      classification: { type: 'help', topic: '0301', category: 'C' },
      disposition: { action: 'dispatch', unitId, coUnitIds },
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

const deliveriesOf = (ticketId: string, unitId: string) => received.filter((d) => d.unitId === unitId && JSON.parse(d.body).ticketId === ticketId);
const firstDelivery = (ticketId: string, unitId: string) =>
  eventually('a delivery to the unit', () => deliveriesOf(ticketId, unitId), (ds) => ds.length > 0).then((ds) => ds[0]!);
const notificationsOnTicket = (ticketId: string, key = supervisor) =>
  sys.call('GET', `/v1/tickets/${ticketId}`, { key }).then((r) => r.body.notifications as { id: string; unitId: string; status: string; attempts: number; lastError: string | null }[]);
const check = (d: Delivery, secret: string, now?: number) => verifyWebhookSignature({ header: d.signature, body: d.body, secret, now });

describe("a unit's webhook secret", () => {
  it('is shown once, when issued, and never by later reads; it is stored sealed', async () => {
    const { id, secret } = await unitWithWebhook();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const unit = await sys.call('GET', `/v1/admin/units/${id}`, { key: sys.adminKey });
    const status = await sys.call('GET', `/v1/admin/units/${id}/webhook-secret`, { key: sys.adminKey });
    const list = await sys.call('GET', '/v1/admin/units', { key: sys.adminKey });
    expect(status.body).toMatchObject({ unitId: id, secrets: [{ secretId: expect.any(String), validUntil: null }] });
    for (const read of [unit, status, list]) {
      expect(read.status).toBe(200);
      expect(JSON.stringify(read.body)).not.toContain(secret!.slice(6));
    }
    const [row] = await sys.database.db.select().from(webhookSecrets).where(eq(webhookSecrets.unitId, id));
    expect(row!.sealed).not.toContain(secret!.slice(6));
    // the rotation is in the administration's audit, naming the secret's id and never the secret
    const audit = await sys.call('GET', `/v1/admin/audit?entityType=unit&entityId=${id}&action=rotate`, { key: sys.adminKey });
    expect(audit.status).toBe(200);
    expect(audit.body.items).toEqual([expect.objectContaining({ action: 'rotate', entityId: id, after: expect.objectContaining({ signingKeyId: row!.id }) })]);
    expect(JSON.stringify(audit.body)).not.toContain(secret!.slice(6));
  });

  it('is not kept for an Idempotency-Key replay: the replay changes nothing and shows no secret', async () => {
    const { id } = await unitWithWebhook({ secret: false });
    const issue = () => sys.call('POST', `/v1/admin/units/${id}/webhook-secret`, { key: sys.adminKey, body: {}, headers: { 'Idempotency-Key': `secret-${id}` } });
    const first = await issue();
    expect(first.status).toBe(201);
    const replay = await issue();
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toMatchObject({ secretId: first.body.secretId, secret: null });
    const status = await sys.call('GET', `/v1/admin/units/${id}/webhook-secret`, { key: sys.adminKey });
    expect(status.body.secrets).toHaveLength(1);
    const stored = await sys.database.sql`select response::text as response from idempotency_records where key = ${`secret-${id}`}`;
    expect(stored[0]!.response).not.toContain(first.body.secret.slice(6));
  });

  it('is issued by an admin only, for a unit that exists', async () => {
    const { id } = await unitWithWebhook({ secret: false });
    expect((await sys.call('POST', `/v1/admin/units/${id}/webhook-secret`, { key: supervisor, body: {} })).status).toBe(403);
    expect((await sys.call('POST', `/v1/admin/units/${id}/webhook-secret`, { key: await sys.key('unit', id), body: {} })).status).toBe(403);
    expect((await sys.call('POST', '/v1/admin/units/u-nonesuch/webhook-secret', { key: sys.adminKey, body: {} })).status).toBe(404);
    const bad = await sys.call('POST', `/v1/admin/units/${id}/webhook-secret`, { key: sys.adminKey, body: { overlapSeconds: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('overlapSeconds');
  });
});

describe('a delivered notification', () => {
  it('verifies with the documented check, and a tampered body or a replay outside the tolerance is refused', async () => {
    const { id: unitId, secret } = await unitWithWebhook();
    const ticketId = await dispatchTo(unitId);
    const d = await firstDelivery(ticketId, unitId);
    const body = JSON.parse(d.body);
    expect(body).toMatchObject({ kind: 'dispatched', ticketId, unitId, role: 'primary' });
    expect(d.notificationId).toBe(body.id);
    expect(d.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

    const verified = check(d, secret!);
    expect(verified).toEqual({ ok: true, timestamp: expect.any(Number) });
    const t = (verified as { timestamp: number }).timestamp;
    expect(check({ ...d, body: d.body.replace('"primary"', '"co-handling"') }, secret!)).toEqual({ ok: false, reason: 'no_matching_signature' });
    // the same request captured and sent again later: its timestamp is too old
    expect(check(d, secret!, t + SIGNATURE_TOLERANCE_SECONDS + 1)).toEqual({ ok: false, reason: 'outside_tolerance' });
    expect(check(d, 'whsec_another-units-secret')).toEqual({ ok: false, reason: 'no_matching_signature' });

    const [n] = await eventually('the delivery recorded', () => notificationsOnTicket(ticketId), (ns) => ns.length === 1 && ns[0]!.status === 'delivered');
    expect(n).toMatchObject({ id: body.id, unitId, status: 'delivered', attempts: 1, lastError: null });
  });
});

describe('a notification whose webhook keeps failing', () => {
  it('keeps its id across retries, ends failed in the queue and on the ticket, and is redelivered once the receiver is fixed', async () => {
    const { id: unitId, secret } = await unitWithWebhook();
    answer.set(unitId, 503);
    const ticketId = await dispatchTo(unitId);
    const failed = await eventually('the notification failed', () => notificationsOnTicket(ticketId), (ns) => ns[0]?.status === 'failed');
    const notificationId = failed[0]!.id;
    expect(failed[0]).toMatchObject({ attempts: TEST_WEBHOOK_DELIVERY.maxAttempts, lastError: expect.stringContaining('HTTP 503') });

    const attempts = deliveriesOf(ticketId, unitId);
    expect(attempts).toHaveLength(TEST_WEBHOOK_DELIVERY.maxAttempts);
    for (const a of attempts) {
      expect(a.notificationId).toBe(notificationId);
      expect(JSON.parse(a.body).id).toBe(notificationId);
      expect(check(a, secret!).ok).toBe(true);
    }

    const queue = await sys.call('GET', '/v1/supervision/queue', { key: supervisor });
    expect(queue.status).toBe(200);
    expect(queue.body.failedNotifications).toContainEqual(expect.objectContaining({ id: notificationId, ticketId, unitId, status: 'failed' }));

    // a redelivery needs an admin, and a notification that exists
    const redeliver = (key: string, id = notificationId) => sys.call('POST', `/v1/admin/notifications/${encodeURIComponent(id)}/redeliver`, { key });
    expect((await redeliver(supervisor)).status).toBe(403);
    expect((await redeliver(sys.adminKey, `${ticketId}:999:dispatched:${unitId}`)).status).toBe(404);

    answer.set(unitId, 200);
    const again = await redeliver(sys.adminKey);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ id: notificationId, status: 'pending', redeliveries: 1 });
    const audited = await sys.call('GET', `/v1/admin/audit?entityType=notification&action=redeliver&entityId=${encodeURIComponent(notificationId)}`, { key: sys.adminKey });
    expect(audited.body.items).toEqual([expect.objectContaining({ before: expect.objectContaining({ status: 'failed' }), after: expect.objectContaining({ status: 'pending' }) })]);
    // in flight (or delivered already): not a second time
    expect((await redeliver(sys.adminKey)).status).toBe(409);
    const delivered = await eventually('redelivered', () => notificationsOnTicket(ticketId), (ns) => ns[0]?.status === 'delivered');
    expect(delivered[0]!.attempts).toBe(TEST_WEBHOOK_DELIVERY.maxAttempts + 1);
    const last = deliveriesOf(ticketId, unitId).at(-1)!;
    expect(last).toMatchObject({ notificationId, status: 200 });
    expect(check(last, secret!).ok).toBe(true);

    // delivered now: not again
    const twice = await redeliver(sys.adminKey);
    expect(twice.status).toBe(409);
    expect(twice.body.error.details).toEqual([{ path: 'status', message: "the notification is 'delivered'" }]);
    const queueAfter = await sys.call('GET', '/v1/supervision/queue', { key: supervisor });
    expect(queueAfter.body.failedNotifications.map((n: { id: string }) => n.id)).not.toContain(notificationId);
  });

  it('is recorded failed, visibly, when the unit has a webhook but no secret yet; no_webhook when it has no webhook', async () => {
    const { id: unsigned } = await unitWithWebhook({ secret: false });
    const noWebhook = await sys.unit('没有系统的单位');
    const ticketId = await dispatchTo(unsigned, [noWebhook]);
    const ns = await eventually(
      'both notifications settled',
      () => notificationsOnTicket(ticketId),
      (ns) => ns.length === 2 && ns.every((n) => n.status !== 'pending'),
    );
    expect(ns.find((n) => n.unitId === unsigned)).toMatchObject({ status: 'failed', attempts: 0, lastError: expect.stringContaining('no webhook secret') });
    expect(ns.find((n) => n.unitId === noWebhook)).toMatchObject({ status: 'no_webhook' });
    expect(deliveriesOf(ticketId, unsigned)).toHaveLength(0);
    const queue = await sys.call('GET', '/v1/supervision/queue', { key: supervisor });
    expect(queue.body.failedNotifications.map((n: { unitId: string }) => n.unitId)).toContain(unsigned);
  });
});

describe('rotating a secret', () => {
  it('signs with both secrets during the overlap, and with the new one only after it', async () => {
    const { id: unitId, secret: oldSecret } = await unitWithWebhook();
    const rotated = await sys.call('POST', `/v1/admin/units/${unitId}/webhook-secret`, { key: sys.adminKey, body: { overlapSeconds: 8 } });
    expect(rotated.status).toBe(201);
    const newSecret: string = rotated.body.secret;
    expect(newSecret).not.toBe(oldSecret);
    const overlapEnds = Date.parse(rotated.body.previousValidUntil);

    const during = await dispatchTo(unitId);
    const d1 = await firstDelivery(during, unitId);
    // delivered before the overlap ended (else this test cannot tell): both secrets signed it
    expect(d1.signature!.split(',').filter((p) => p.startsWith('v1='))).toHaveLength(2);
    expect(check(d1, oldSecret!).ok).toBe(true);
    expect(check(d1, newSecret).ok).toBe(true);

    await eventually('the overlap over', () => Date.now(), (now) => now > overlapEnds + 500);
    const status = await sys.call('GET', `/v1/admin/units/${unitId}/webhook-secret`, { key: sys.adminKey });
    expect(status.body.secrets).toEqual([expect.objectContaining({ secretId: rotated.body.secretId, validUntil: null })]);
    const after = await dispatchTo(unitId);
    const d2 = await firstDelivery(after, unitId);
    expect(d2.signature!.split(',').filter((p) => p.startsWith('v1='))).toHaveLength(1);
    expect(check(d2, newSecret).ok).toBe(true);
    expect(check(d2, oldSecret!)).toEqual({ ok: false, reason: 'no_matching_signature' });
  });
});

describe("units and each other's notifications", () => {
  it('a unit key sees on a ticket only the notifications to its own unit, and not the outbox', async () => {
    const [primary, co] = await Promise.all([unitWithWebhook(), unitWithWebhook()]);
    const ticketId = await dispatchTo(primary.id, [co.id]);
    await eventually('both delivered', () => notificationsOnTicket(ticketId), (ns) => ns.length === 2 && ns.every((n) => n.status === 'delivered'));
    const coKey = await sys.key('unit', co.id);
    const seen = await notificationsOnTicket(ticketId, coKey);
    expect(seen.map((n) => n.unitId)).toEqual([co.id]);
    expect((await sys.call('GET', `/v1/admin/notifications?ticketId=${ticketId}`, { key: coKey })).status).toBe(403);
    const all = await sys.call('GET', `/v1/admin/notifications?ticketId=${ticketId}`, { key: supervisor });
    expect(all.body.items.map((n: { unitId: string }) => n.unitId).sort()).toEqual([primary.id, co.id].sort());
  });
});

describe('tickets started before the outbox', () => {
  it("their notification activity signs as the outbox does, and its last attempt leaves the notification failed", async () => {
    const { id: unitId, secret } = await unitWithWebhook();
    const { notifyUnit } = createActivities(testWorkerDeps(sys.database, createLogger('silent')));
    const ticketId = `12345-20261101-${String(Date.now()).slice(-6)}`;
    const n = { id: `${ticketId}:4:dispatched:${unitId}`, ticketId, unitId, kind: 'dispatched' as const, payload: { role: 'primary' } };
    expect(await new MockActivityEnvironment({ attempt: 1 }).run(notifyUnit, n)).toBe('delivered');
    expect(check(await firstDelivery(ticketId, unitId), secret!).ok).toBe(true);

    answer.set(unitId, 500);
    const later = { ...n, id: `${ticketId}:9:urged:${unitId}`, kind: 'urged' as const };
    await expect(new MockActivityEnvironment({ attempt: 1 }).run(notifyUnit, later)).rejects.toThrow(/HTTP 500/);
    const [retrying] = await sys.database.db.select().from(notifications).where(eq(notifications.id, later.id));
    expect(retrying).toMatchObject({ status: 'pending', attempts: 1 });
    // the tenth attempt was the old code's last
    await expect(new MockActivityEnvironment({ attempt: 10 }).run(notifyUnit, later)).rejects.toThrow(/HTTP 500/);
    const [given] = await sys.database.db.select().from(notifications).where(eq(notifications.id, later.id));
    expect(given).toMatchObject({ status: 'failed', attempts: 2, targetKind: 'unit', targetId: unitId });
  });
});

describe('tickets handed back to the platform they came from', () => {
  const platformTicket = async (platform: 'provincial_platform' | 'national_platform', unitId: string) => {
    const ref = { platform, id: `HA-2026-${crypto.randomUUID().slice(0, 8)}` };
    const res = await sys.call('POST', '/v1/tickets', {
      key: agent,
      body: {
        channel: platform,
        caller: { phone: '13600000019' },
        content: '省平台转办：卫滨区平原路积水严重，车辆无法通行',
        externalRef: ref,
        classification: { type: 'help', topic: '0301', category: 'C' },
        disposition: { action: 'dispatch', unitId },
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { ticketId: res.body.id as string, ref };
  };
  const act = async (ticketId: string, action: string, key: string, body?: unknown) => {
    const res = await sys.call('POST', `/v1/tickets/${ticketId}/${action}`, { key, body });
    expect(res.status, `${action} → ${JSON.stringify(res.body)}`).toBe(200);
  };
  const handBacksOf = (ticketId: string) => received.filter((d) => d.unitId === PROVINCIAL && JSON.parse(d.body).ticketId === ticketId);
  const outboxOf = async (ticketId: string) =>
    (await sys.call('GET', `/v1/admin/notifications?ticketId=${ticketId}`, { key: supervisor })).body.items as {
      id: string;
      kind: string;
      status: string;
      attempts: number;
      lastError: string | null;
      unitId: string | null;
      target: { kind: string; id: string };
    }[];
  const platformRows = async (ticketId: string) => (await outboxOf(ticketId)).filter((n) => n.target.kind === 'platform');

  it("hands signed, replied and closed back under the platform's ticket number, signed with the platform's secret", async () => {
    const unitId = await sys.unit('卫滨区住建局');
    const unitKey = await sys.key('unit', unitId);
    const { ticketId, ref } = await platformTicket('provincial_platform', unitId);
    await act(ticketId, 'sign', unitKey);
    await act(ticketId, 'reply', unitKey, { result: 'resolved', reply: '已清淤疏通排水口，积水已排除' });
    await act(ticketId, 'callback', agent, { outcome: 'satisfied', note: '市民表示满意' });

    const got = await eventually('three hand-backs', () => handBacksOf(ticketId), (ds) => new Set(ds.map((d) => JSON.parse(d.body).kind)).size === 3);
    const byKind = Object.fromEntries(got.map((d) => [JSON.parse(d.body).kind, d]));
    for (const d of got) {
      // the receiver's check, with the secret agreed with the platform
      expect(check(d, PROVINCIAL_SECRET).ok).toBe(true);
      expect(check(d, 'whsec_some-units-secret').ok).toBe(false);
      const body = JSON.parse(d.body);
      expect(d.notificationId).toBe(body.id);
      expect(body).toMatchObject({ ticketId, platform: 'provincial_platform', platformTicketId: ref.id, unitId, seq: expect.any(Number) });
      // nothing about the caller goes back
      expect(d.body).not.toContain('13600000019');
    }
    expect(JSON.parse(byKind.signed!.body)).toMatchObject({ kind: 'signed', status: 'handling', signedAt: expect.any(String) });
    expect(JSON.parse(byKind.replied!.body)).toMatchObject({ kind: 'replied', status: 'replied', result: 'resolved', reply: '已清淤疏通排水口，积水已排除', onTime: true });
    expect(JSON.parse(byKind.closed!.body)).toMatchObject({ kind: 'closed', status: 'closed', closeReason: 'satisfied', satisfaction: 'satisfied', closedAt: expect.any(String) });
    const seqs = ['signed', 'replied', 'closed'].map((k) => JSON.parse(byKind[k]!.body).seq as number);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);

    // in the outbox beside the unit's notification: target platform, delivered once each, seen by no unit
    const rows = await eventually('recorded delivered', () => platformRows(ticketId), (ns) => ns.length === 3 && ns.every((n) => n.status === 'delivered'));
    expect(rows.map((n) => n.kind).sort()).toEqual(['closed', 'replied', 'signed']);
    for (const n of rows) expect(n).toMatchObject({ target: { kind: 'platform', id: 'provincial_platform' }, unitId: null, attempts: 1, lastError: null });
    const seenByUnit = await notificationsOnTicket(ticketId, unitKey);
    expect(seenByUnit.every((n) => n.unitId === unitId)).toBe(true);
    const [row] = await sys.database.db.select().from(notifications).where(eq(notifications.id, rows[0]!.id));
    expect(row).toMatchObject({ targetKind: 'platform', targetId: 'provincial_platform' });
  });

  it('a failing platform is retried and then delivered; one failing every attempt is failed, in the queue, and an admin redelivers it', async () => {
    const unitId = await sys.unit('卫滨区市政所');
    const unitKey = await sys.key('unit', unitId);
    const { ticketId, ref } = await platformTicket('provincial_platform', unitId);

    failNext.set(PROVINCIAL, 2);
    await act(ticketId, 'sign', unitKey);
    const [signed] = await eventually('the sign-off delivered on its third attempt', () => platformRows(ticketId), (ns) => ns[0]?.status === 'delivered');
    expect(signed).toMatchObject({ kind: 'signed', attempts: 3, lastError: null });
    const attempts = handBacksOf(ticketId);
    expect(attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    for (const a of attempts) {
      expect(a.notificationId).toBe(signed!.id);
      expect(check(a, PROVINCIAL_SECRET).ok).toBe(true);
      expect(JSON.parse(a.body).platformTicketId).toBe(ref.id);
    }

    failNext.set(PROVINCIAL, TEST_WEBHOOK_DELIVERY.maxAttempts);
    await act(ticketId, 'reply', unitKey, { result: 'resolved', reply: '井盖已更换' });
    const failed = await eventually('the reply failed', () => platformRows(ticketId), (ns) => ns.find((n) => n.kind === 'replied')?.status === 'failed');
    const replied = failed.find((n) => n.kind === 'replied')!;
    expect(replied).toMatchObject({ attempts: TEST_WEBHOOK_DELIVERY.maxAttempts, lastError: expect.stringContaining('HTTP 503') });
    const queue = await sys.call('GET', '/v1/supervision/queue', { key: supervisor });
    expect(queue.body.failedNotifications).toContainEqual(expect.objectContaining({ id: replied.id, ticketId, target: { kind: 'platform', id: 'provincial_platform' } }));

    const again = await sys.call('POST', `/v1/admin/notifications/${encodeURIComponent(replied.id)}/redeliver`, { key: sys.adminKey });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    const delivered = await eventually('redelivered', () => platformRows(ticketId), (ns) => ns.find((n) => n.kind === 'replied')?.status === 'delivered');
    expect(delivered.find((n) => n.kind === 'replied')!.attempts).toBe(TEST_WEBHOOK_DELIVERY.maxAttempts + 1);
    const last = handBacksOf(ticketId).at(-1)!;
    expect(last).toMatchObject({ notificationId: replied.id, status: 200 });
    expect(JSON.parse(last.body)).toMatchObject({ kind: 'replied', platformTicketId: ref.id, reply: '井盖已更换' });
  });

  it('a platform without an endpoint configured is recorded no_webhook, as a unit without a webhook', async () => {
    const unitId = await sys.unit('卫滨区水务局');
    const unitKey = await sys.key('unit', unitId);
    const { ticketId } = await platformTicket('national_platform', unitId);
    await act(ticketId, 'sign', unitKey);
    const rows = await eventually('the hand-back recorded', () => platformRows(ticketId), (ns) => ns.length === 1);
    expect(rows[0]).toMatchObject({ kind: 'signed', status: 'no_webhook', attempts: 0, target: { kind: 'platform', id: 'national_platform' } });
    expect(received.filter((d) => JSON.parse(d.body).ticketId === ticketId && d.unitId !== unitId)).toEqual([]);
  });

  it('a ticket no platform handed over is handed back to none', async () => {
    const { id: unitId } = await unitWithWebhook();
    const unitKey = await sys.key('unit', unitId);
    const ticketId = await dispatchTo(unitId);
    await act(ticketId, 'sign', unitKey);
    await act(ticketId, 'reply', unitKey, { result: 'resolved', reply: '已修复' });
    await act(ticketId, 'callback', agent, { outcome: 'satisfied' });
    // the workflow ends once every notification is recorded and handed to its delivery
    await sys.temporal.workflow.getHandle(ticketId).result();
    expect((await outboxOf(ticketId)).map((n) => n.kind)).toEqual(['dispatched']);
    expect(await platformRows(ticketId)).toEqual([]);
    expect(handBacksOf(ticketId)).toEqual([]);
  });
});
