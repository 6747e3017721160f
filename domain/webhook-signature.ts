/**
 * The signature on every notification the hotline POSTs to a webhook, and the check a receiver
 * runs (README → Notifications to units). Units mirror `verifyWebhookSignature` in their own
 * language; it is the reference.
 *
 *   X-Hotline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">[,v1=<…>]
 *
 * The timestamp is signed with the body, so a captured request cannot be replayed once it is
 * older than the tolerance. During a secret rotation's overlap there is one `v1` per valid
 * secret (as Stripe does), so a receiver holding either secret accepts the delivery.
 * Node's crypto only, no I/O: the workflows never import this module.
 */
import crypto from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hotline-signature';
export const NOTIFICATION_ID_HEADER = 'x-hotline-notification-id';
/** How far a signature's timestamp may lie from the receiver's clock, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const hmac = (secret: string, timestamp: number, body: string) => crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/** The header value for a body sent at `timestamp` (unix seconds), one `v1` per secret. */
export function signWebhook(body: string, secrets: readonly string[], timestamp: number): string {
  if (secrets.length === 0) throw new Error('a webhook is never sent unsigned');
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${hmac(s, timestamp, body)}`)].join(',');
}

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'malformed' | 'outside_tolerance' | 'no_matching_signature' };

/**
 * The receiver's check: parse `t` and every `v1`, refuse a timestamp more than `toleranceSeconds`
 * from now, recompute the HMAC over "<t>.<raw body>" with the receiver's secret and compare it with
 * each `v1` in constant time. Verify the raw bytes received, before any JSON parsing. Then drop a
 * notification whose `X-Hotline-Notification-Id` was already processed: retries and redeliveries
 * carry the same id (with a new timestamp and signature).
 */
export function verifyWebhookSignature(opts: {
  header: string | undefined;
  body: string;
  secret: string;
  toleranceSeconds?: number;
  /** the receiver's clock, unix seconds */
  now?: number;
}): SignatureCheck {
  const { header, body, secret, toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS, now = Math.floor(Date.now() / 1000) } = opts;
  if (!header) return { ok: false, reason: 'malformed' };
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || signatures.length === 0) return { ok: false, reason: 'malformed' };
  if (Math.abs(now - timestamp) > toleranceSeconds) return { ok: false, reason: 'outside_tolerance' };
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  // every candidate is compared, so the time taken does not tell which one matched
  const matches = signatures.map((s) => crypto.timingSafeEqual(s, expected)).includes(true);
  return matches ? { ok: true, timestamp } : { ok: false, reason: 'no_matching_signature' };
}
