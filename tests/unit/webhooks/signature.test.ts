/** The webhook signature and the receiver's check units mirror (domain/webhook-signature.ts). */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SIGNATURE_TOLERANCE_SECONDS, signWebhook, verifyWebhookSignature } from '../../../domain/webhook-signature';

const body = JSON.stringify({ id: '12345-20261202-000001:4:dispatched:xx-water', kind: 'dispatched', note: '停水' });
const secret = 'whsec_current';
const t = 1_796_000_000;

describe('the webhook signature', () => {
  it('is the HMAC-SHA256 of "<t>.<body>", in hex, after the timestamp', () => {
    const expected = crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signWebhook(body, [secret], t)).toBe(`t=${t},v1=${expected}`);
  });

  it('verifies within the tolerance on either side of the receiver clock', () => {
    const header = signWebhook(body, [secret], t);
    expect(verifyWebhookSignature({ header, body, secret, now: t })).toEqual({ ok: true, timestamp: t });
    expect(verifyWebhookSignature({ header, body, secret, now: t + SIGNATURE_TOLERANCE_SECONDS }).ok).toBe(true);
    expect(verifyWebhookSignature({ header, body, secret, now: t - SIGNATURE_TOLERANCE_SECONDS }).ok).toBe(true);
  });

  it('refuses a replay older than the tolerance, a tampered body, a wrong secret, and a malformed header', () => {
    const header = signWebhook(body, [secret], t);
    expect(verifyWebhookSignature({ header, body, secret, now: t + SIGNATURE_TOLERANCE_SECONDS + 1 })).toEqual({ ok: false, reason: 'outside_tolerance' });
    expect(verifyWebhookSignature({ header, body: body.replace('停水', '停电'), secret, now: t })).toEqual({ ok: false, reason: 'no_matching_signature' });
    expect(verifyWebhookSignature({ header, body, secret: 'whsec_other', now: t })).toEqual({ ok: false, reason: 'no_matching_signature' });
    // a timestamp moved forward to pass the tolerance breaks the signature
    expect(verifyWebhookSignature({ header: header.replace(`t=${t}`, `t=${t + 1000}`), body, secret, now: t + 1000 }).ok).toBe(false);
    for (const bad of [undefined, '', `t=${t}`, `v1=${'0'.repeat(64)}`, `t=abc,v1=${'0'.repeat(64)}`, `t=${t},v1=xyz`, `sha256=${'0'.repeat(64)}`]) {
      expect(verifyWebhookSignature({ header: bad, body, secret, now: t })).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('carries one v1 per secret during a rotation, and either secret verifies it', () => {
    const header = signWebhook(body, ['whsec_new', 'whsec_old'], t);
    expect(header.split(',')).toHaveLength(3);
    expect(verifyWebhookSignature({ header, body, secret: 'whsec_new', now: t }).ok).toBe(true);
    expect(verifyWebhookSignature({ header, body, secret: 'whsec_old', now: t }).ok).toBe(true);
    expect(verifyWebhookSignature({ header, body, secret: 'whsec_gone', now: t }).ok).toBe(false);
  });

  it('is never made without a secret', () => {
    expect(() => signWebhook(body, [], t)).toThrow(/unsigned/);
  });
});
