/**
 * Short-lived signed links to a stored report, for a browser (which sends no Bearer header) and
 * for a PDF: `POST /v1/reports/{id}/link` by a reader answers a URL whose token is
 * `<expiry, unix seconds>.<HMAC-SHA256 of "<report id>.<expiry>" with REPORT_LINK_SECRET>`;
 * `GET /v1/reports/{id}/view?token=…` checks it and needs no key.
 */
import crypto from 'node:crypto';

export interface ReportLinkOptions {
  secret: string;
  ttlSeconds: number;
}

const mac = (secret: string, id: string, expires: number) => crypto.createHmac('sha256', secret).update(`${id}.${expires}`).digest('base64url');

export function signReportLink(o: ReportLinkOptions, id: string, now: Date): { token: string; expiresAt: string } {
  const expires = Math.floor(now.getTime() / 1000) + o.ttlSeconds;
  return { token: `${expires}.${mac(o.secret, id, expires)}`, expiresAt: new Date(expires * 1000).toISOString() };
}

/** Why a token does not open the report, or undefined when it does. */
export function reportLinkRefusal(o: ReportLinkOptions, id: string, token: string, now: Date): string | undefined {
  const [expiresText, given] = token.split('.');
  const expires = Number(expiresText);
  if (!Number.isInteger(expires) || !given) return 'the token is malformed';
  const expected = Buffer.from(mac(o.secret, id, expires));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !crypto.timingSafeEqual(actual, expected)) return 'the token is not valid for this report';
  if (expires * 1000 <= now.getTime()) return 'the link has expired; ask for a new one';
  return undefined;
}
