/**
 * The codec server of the Temporal UI (and of `temporal … --codec-endpoint`), after Temporal's
 * codec server protocol: `POST …/decode` and `POST …/encode` take and give `{payloads: [...]}` in
 * protobuf JSON (bytes in base64); only the last part of the path counts, so `/codec/{namespace}/decode`
 * works too. Only an admin decodes: anyone else who reaches the UI sees ciphertext.
 *
 * Credentials, as a browser and the CLI can send them:
 * - a session cookie: the admin signs in once at `/codec/login` with an admin API key; the UI
 *   sends the HttpOnly cookie with its requests when "include cross-origin credentials" is on
 *   (UI setting, or TEMPORAL_CODEC_INCLUDE_CREDENTIALS=true for the temporalio/ui server)
 * - `Authorization: Bearer <admin api key>`: the CLI's `--codec-auth`, or a proxy in front of the UI
 *
 * CORS: the origins of CODEC_CORS_ORIGINS (the UI's), with credentials, and their preflight.
 */
import crypto from 'node:crypto';
import express, { type Request, type RequestHandler, type Router } from 'express';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Db } from '../db/client';
import { SealingCodec, type PayloadSealing } from '../platform/payload-codec';
import { BOOTSTRAP_ADMIN, bearerKey, keyLookup, principalOfKeyId, type Principal } from './auth';
import { jsonBody } from './body';
import { forbidden, HttpError } from './errors';

export interface CodecServerOptions {
  sealing: PayloadSealing;
  /** the Temporal UI's origins */
  corsOrigins: string[];
}

export const SESSION_COOKIE = 'hotline_codec_session';
/** a working day; then the admin signs in again */
const SESSION_MS = 8 * 3600_000;
/** histories of a long ticket life are decoded in one request */
const BODY_LIMIT = '16mb';

export function codecRoutes(db: Db, adminApiKey: string | undefined, options: CodecServerOptions): Router {
  const router = express.Router();
  const lookup = keyLookup(db, adminApiKey);
  const sessions = new Sessions(options.sealing, adminApiKey !== undefined);
  // the codec server keeps what it cannot open as it is: plain payloads of old tickets, other keys
  const codec = new SealingCodec(options.sealing, 'keep');
  const allowed = new Set(options.corsOrigins);

  router.use((req, res, next) => {
    const origin = req.get('origin');
    if (origin && allowed.has(origin)) {
      res.set({ 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' });
    }
    res.vary('origin');
    if (req.method !== 'OPTIONS') return next();
    if (!origin || !allowed.has(origin)) throw forbidden(`origin ${origin ?? '(none)'} is not one of CODEC_CORS_ORIGINS`);
    res.set({
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': 'content-type, x-namespace, authorization',
      'access-control-max-age': '600',
    });
    res.status(204).end();
  });

  /** An admin by API key or by session cookie; 401 without either, 403 for another role. */
  const requireAdmin: RequestHandler = async (req, res, next) => {
    const key = bearerKey(req);
    const principal = key ? await lookup(key) : await sessions.principal(req, db);
    if (!principal) {
      throw new HttpError(401, 'unauthenticated', `sign in at ${req.baseUrl}/login with an admin API key, or send "Authorization: Bearer <admin api key>"`);
    }
    if (principal.role !== 'admin') throw forbidden(`decoding payloads needs the role admin; the key has '${principal.role}'`);
    res.locals.principal = principal;
    next();
  };

  const convert = (operation: (payloads: Payload[]) => Promise<Payload[]>): RequestHandler[] => [
    jsonBody(BODY_LIMIT),
    requireAdmin,
    async (req, res) => {
      const payloads = readPayloads(req.body);
      const out = await operation(payloads);
      res.json({ payloads: out.map((p) => temporal.api.common.v1.Payload.toObject(temporal.api.common.v1.Payload.create(p), { bytes: String })) });
    },
  ];
  router.post(['/decode', '/:namespace/decode'], ...convert((p) => codec.decode(p)));
  router.post(['/encode', '/:namespace/encode'], ...convert((p) => codec.encode(p)));

  router.get('/login', (_req, res) => {
    res.type('html').send(LOGIN_PAGE);
  });
  router.post('/login', express.urlencoded({ extended: false, limit: '4kb' }), express.json({ limit: '4kb' }), async (req, res) => {
    const key = typeof req.body?.key === 'string' ? req.body.key.trim() : bearerKey(req);
    const principal = key ? await lookup(key) : undefined;
    if (!principal) throw new HttpError(401, 'unauthenticated', 'the API key is not valid');
    if (principal.role !== 'admin') throw forbidden(`decoding payloads needs the role admin; the key has '${principal.role}'`);
    res.cookie(SESSION_COOKIE, sessions.issue(principal), {
      httpOnly: true,
      // the UI and the API on one site (same host, other port) send it; across sites use HTTPS and SameSite=None (README)
      sameSite: req.secure ? 'none' : 'lax',
      secure: req.secure,
      path: req.baseUrl,
      maxAge: SESSION_MS,
    });
    if (req.is('application/json')) res.status(204).end();
    else res.type('html').send('<!doctype html><meta charset="utf-8"><p>Signed in: the Temporal UI now shows decoded payloads (for 8 hours).</p>');
  });
  router.post('/logout', (req, res) => {
    res.clearCookie(SESSION_COOKIE, { path: req.baseUrl });
    res.status(204).end();
  });
  return router;
}

function readPayloads(body: unknown): Payload[] {
  // protobuf JSON leaves an empty list out: `{}` is no payloads (the CLI sends it)
  const list = typeof body === 'object' && body !== null && !Array.isArray(body) ? ((body as { payloads?: unknown }).payloads ?? []) : undefined;
  if (!Array.isArray(list)) throw new HttpError(400, 'validation_failed', 'payloads: an array of payloads is required', [{ path: 'payloads', message: 'required array' }]);
  return list.map((p, i) => {
    try {
      return temporal.api.common.v1.Payload.fromObject(p) as Payload;
    } catch (err) {
      throw new HttpError(400, 'validation_failed', `payloads.${i}: not a payload (${(err as Error).message})`, [{ path: `payloads.${i}`, message: 'not a payload' }]);
    }
  });
}

/**
 * Stateless session tokens `expiry.principal.hmac`, keyed from the newest payload key (HKDF), so
 * every API process accepts the others' and rotating the key signs everyone out. A database key's
 * session ends with the key's revocation.
 */
class Sessions {
  private readonly secret: Buffer;

  constructor(
    sealing: PayloadSealing,
    /** ADMIN_API_KEY is set: its sessions count */
    private readonly bootstrapAdmin: boolean,
  ) {
    this.secret = Buffer.from(crypto.hkdfSync('sha256', sealing.keys[0]!.key, Buffer.alloc(0), 'hotline codec session', 32));
  }

  issue(p: Principal): string {
    const body = `${Date.now() + SESSION_MS}.${Buffer.from(p.id).toString('base64url')}`;
    return `${body}.${this.mac(body)}`;
  }

  async principal(req: Request, db: Db): Promise<Principal | undefined> {
    const token = cookie(req, SESSION_COOKIE);
    const [expiry, id, mac] = token?.split('.') ?? [];
    if (!expiry || !id || !mac) return undefined;
    const expected = Buffer.from(this.mac(`${expiry}.${id}`));
    if (expected.length !== mac.length || !crypto.timingSafeEqual(expected, Buffer.from(mac)) || Number(expiry) < Date.now()) return undefined;
    const principalId = Buffer.from(id, 'base64url').toString('utf8');
    if (principalId === BOOTSTRAP_ADMIN.id) return this.bootstrapAdmin ? BOOTSTRAP_ADMIN : undefined;
    return principalOfKeyId(db, { id: principalId });
  }

  private mac(body: string): string {
    return crypto.createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

const LOGIN_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>12345 hotline · decode payloads in the Temporal UI</title>
<h1>Decode ticket payloads in the Temporal UI</h1>
<p>Sign in with an admin API key. The Temporal UI then shows decoded payloads when its codec server
settings have "Include cross-origin credentials" on.</p>
<form method="post">
  <label>Admin API key <input type="password" name="key" autocomplete="off" required></label>
  <button type="submit">Sign in</button>
</form>
`;
