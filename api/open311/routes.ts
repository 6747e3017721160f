/**
 * Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) under /open311/v2: discovery,
 * services, a service's definition, creating a request, tokens, requests and one request, each
 * as `.json` or `.xml`. Reads are public and show no personal data; creating needs the `api_key`
 * of an agent-role key (an app's). Errors are the spec's list `[{code, description}]` with that
 * HTTP status. Unknown query parameters are ignored (clients send their own extensions).
 */
import express, { type Request, type Response, type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Db } from '../../db/client';
import { findTicket } from '../../db/tickets';
import { newTicketSchema, ticketIdSchema, type NewTicket } from '../../domain/ticket';
import { BOOTSTRAP_ADMIN, keyLookup, type Principal } from '../auth';
import { HttpError, isUnavailable, parse } from '../errors';
import type { TicketReception } from '../tickets';
import { claimIdempotencyKey, idempotencyKeyOf, type IdempotencyOptions, type KeyHeld } from '../idempotency';
import { publicTickets, statusNote, type PublicTicket } from '../public-status';
import { FORMATS, Open311Error, send, sendError, w3Time, type Format, type Open311Value } from './format';
import { Open311Errors, attributeLines, attributesOf, findService, serviceList } from './services';

export const OPEN311_BASE = '/open311/v2';

export interface Open311Deps {
  db: Db;
  reception: TicketReception;
  jurisdictionId: string;
  adminApiKey?: string;
  bodyLimit: string;
  rateLimitPerMinute: number;
  /** the JSON API's Idempotency-Key mechanism, for POST requests */
  idempotency: IdempotencyOptions;
}

/** The spec's defaults for GET requests: the last 90 days, at most 1000 requests. */
export const REQUESTS_WINDOW_DAYS = 90;
export const REQUESTS_LIMIT = 1000;
const DAY_MS = 86_400_000;

const formatOfPath = (req: Request): Format => (req.path.endsWith('.xml') ? 'xml' : 'json');

/** `requests.json` → name `requests`, format `json`; anything else is the spec's 400. */
function splitFormat(file: string): { name: string; format: Format } {
  const dot = file.lastIndexOf('.');
  const format = dot > 0 ? file.slice(dot + 1) : '';
  if (!FORMATS.includes(format as Format)) throw new Open311Error(400, `the path must end in .json or .xml (the response format), not '${file}'`);
  return { name: file.slice(0, dot), format: format as Format };
}

/** The form body's and query's fields, first value of each (the simple query parser gives strings or arrays); an empty field is absent. */
function fields(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const source of [req.query, req.body ?? {}]) {
    for (const [k, v] of Object.entries(source as Record<string, unknown>)) {
      const value = Array.isArray(v) ? v[0] : v;
      if (typeof value === 'string' && value.trim() !== '') out[k] = value;
    }
  }
  return out;
}

/** The v1 names of a ticket's fields, as Open311 calls them, so a 400 names what the client sent. */
const OPEN311_FIELD: Record<string, string> = {
  'location.lat': 'lat',
  'location.lng': 'long',
  'location.crs': 'crs',
  content: 'description',
  address: 'address_string',
  'caller.name': 'last_name',
  'caller.phone': 'phone',
  mediaUrl: 'media_url',
};

function toOpen311Errors(err: unknown): Open311Error[] {
  if (err instanceof Open311Error) return [err];
  if (err instanceof Open311Errors) return err.errors;
  if (err instanceof HttpError) {
    if (err.details.length) return err.details.map((d) => new Open311Error(err.status, `${OPEN311_FIELD[d.path] ?? d.path}: ${d.message}`));
    return [new Open311Error(err.status, err.message)];
  }
  if (isUnavailable(err)) return [new Open311Error(503, 'the service is unavailable; retry later')];
  throw err;
}

/** A spec handler: its errors in the spec's format and the format of the path. */
function handle(fn: (req: Request, res: Response, format: Format, name: string) => Promise<void>) {
  return async (req: Request, res: Response) => {
    let format: Format = 'json';
    try {
      const split = splitFormat(String(req.params.file));
      format = split.format;
      await fn(req, res, format, split.name);
    } catch (err) {
      if (err instanceof HttpError && err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      sendError(res, format, toOpen311Errors(err));
    }
  };
}

/** One Open311 request (a ticket) as the spec's fields; nothing about the caller. */
export function toOpen311Request(t: PublicTicket) {
  return {
    service_request_id: t.id,
    status: t.open ? 'open' : 'closed',
    status_notes: statusNote(t),
    service_name: t.topicName,
    service_code: t.topic,
    description: t.content,
    agency_responsible: t.unitName,
    service_notice: t.status === 'rejected' ? (t.referral ?? null) : null,
    requested_datetime: w3Time(t.receivedAt),
    updated_datetime: w3Time(t.updatedAt),
    expected_datetime: w3Time(t.dueBy),
    address: t.address,
    address_id: null,
    zipcode: null,
    lat: t.lat,
    long: t.lng,
    media_url: t.mediaUrl,
  };
}

function parseW3(value: string, field: string): Date {
  // the w3 note's date-time with an offset (or a bare date, read as UTC midnight)
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new Open311Error(400, `${field}: must be a w3 date-time with an offset, e.g. 2026-12-01T00:00:00Z`);
  }
  return new Date(value);
}

/** The spec's 90-day window: both ends, one end (the other 90 days from it), or the last 90 days. */
export function requestsWindow(start: string | undefined, end: string | undefined, now: Date): { from: Date; to: Date } {
  const from = start ? parseW3(start, 'start_date') : undefined;
  const to = end ? parseW3(end, 'end_date') : undefined;
  const window = REQUESTS_WINDOW_DAYS * DAY_MS;
  const range = from && to ? { from, to } : from ? { from, to: new Date(from.getTime() + window) } : to ? { from: new Date(to.getTime() - window), to } : { from: new Date(now.getTime() - window), to: now };
  if (range.to < range.from) throw new Open311Error(400, 'end_date: must not be before start_date');
  if (range.to.getTime() - range.from.getTime() > window) throw new Open311Error(400, `start_date, end_date: may not span more than ${REQUESTS_WINDOW_DAYS} days`);
  return range;
}

const csv = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

export function open311Routes(deps: Open311Deps): Router {
  const { db } = deps;
  const router = express.Router();
  router.use(
    rateLimit({
      windowMs: 60_000,
      limit: deps.rateLimitPerMinute,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      handler: (req, res) => sendError(res, formatOfPath(req), [new Open311Error(429, 'too many requests from this client; retry later')]),
    }),
  );
  router.use(express.urlencoded({ extended: false, limit: deps.bodyLimit }));
  // jurisdiction_id is optional (one jurisdiction is served) but must be this one when given
  router.use((req, res, next) => {
    const given = fields(req).jurisdiction_id;
    if (given !== undefined && given !== deps.jurisdictionId) {
      return sendError(res, formatOfPath(req), [new Open311Error(404, `jurisdiction_id '${given}' was not found; this server serves '${deps.jurisdictionId}'`)]);
    }
    next();
  });

  const lookupKey = keyLookup(db, deps.adminApiKey);

  /** The principal of an agent-role `api_key`; the spec answers 403 for a missing or invalid key. */
  async function appPrincipal(key: string | undefined): Promise<Principal> {
    if (!key) throw new Open311Error(403, 'api_key is missing: creating a request needs an API key of the agent role');
    const principal = await lookupKey(key);
    if (!principal) throw new Open311Error(403, 'api_key is not valid');
    if (principal === BOOTSTRAP_ADMIN) throw new Open311Error(403, 'api_key: an admin key may not create requests; use an agent key');
    if (principal.role !== 'agent') throw new Open311Error(403, `api_key: creating a request needs the agent role; the key has '${principal.role}'`);
    return { id: principal.id, name: principal.name, role: principal.role };
  }

  /**
   * The ticket a POST requests makes, and its topic: the chosen service. The classifier gives its
   * type and urgency in the workflow's intake, where it runs once for every ticket.
   */
  async function ticketOf(f: Record<string, string>): Promise<{ ticket: NewTicket; topic: string }> {
    if (!f.service_code) throw new Open311Error(400, 'service_code: required');
    const service = await findService(db, f.service_code);
    const answers = Object.fromEntries(
      Object.entries(f)
        .map(([k, v]) => [/^attribute\[(.+)\]$/.exec(k)?.[1], v] as const)
        .filter((e): e is [string, string] => e[0] !== undefined),
    );
    const hasPoint = f.lat !== undefined || f.long !== undefined;
    if (!hasPoint && !f.address_string && f.address_id === undefined) {
      throw new Open311Error(400, 'lat, long, address_string: a location is required (lat and long, or address_string)');
    }
    if (f.address_id !== undefined && !hasPoint && !f.address_string) {
      throw new Open311Error(400, 'address_id: this jurisdiction keeps no address repository; send lat and long or address_string');
    }
    const lines = attributeLines(service.service_code, answers);
    const content = [f.description?.trim() ?? service.service_name, ...lines].join('\n');
    const name = [f.last_name, f.first_name].map((s) => s?.trim()).filter(Boolean).join('');
    const number = (v: string | undefined, field: string) => {
      if (v === undefined || !Number.isFinite(Number(v))) throw new Open311Error(400, `${field}: must be a number (both lat and long)`);
      return Number(v);
    };
    const candidate = {
      channel: 'app',
      caller: { ...(name ? { name } : {}), ...(f.phone ? { phone: f.phone } : {}) },
      content,
      ...(f.address_string ? { address: f.address_string } : {}),
      ...(hasPoint ? { location: { lat: number(f.lat, 'lat'), lng: number(f.long, 'long'), crs: f.crs ?? 'WGS84' } } : {}),
      ...(f.media_url ? { mediaUrl: f.media_url } : {}),
    };
    return { ticket: parse(newTicketSchema, candidate, 'body'), topic: service.service_code };
  }

  router.get('/discovery.:ext', (req, res) => {
    const format = req.params.ext === 'xml' ? 'xml' : req.params.ext === 'json' ? 'json' : undefined;
    if (!format) return sendError(res, 'json', [new Open311Error(400, 'the path must end in .json or .xml')]);
    const url = `${req.protocol}://${req.get('host')}${OPEN311_BASE}`;
    send(res, format, 200, 'discovery', {
      changeset: '2026-12-02T00:00:00Z',
      contact: '新乡市12345政务服务便民热线, tel 12345',
      key_service: 'API keys of the agent role are issued by the hotline center (POST /v1/admin/api-keys)',
      endpoints: [
        {
          specification: 'http://wiki.open311.org/GeoReport_v2',
          url,
          changeset: '2026-12-02T00:00:00Z',
          type: 'production',
          formats: ['text/xml', 'application/json'],
        },
      ],
    });
  });

  router.get(
    '/:file',
    handle(async (_req, res, format, name) => {
      if (name === 'services') return send(res, format, 200, 'services', await serviceList(db));
      if (name === 'requests') return listRequests(_req, res, format);
      throw new Open311Error(404, `no resource ${name}`);
    }),
  );

  async function listRequests(req: Request, res: Response, format: Format): Promise<void> {
    const f = fields(req);
    const ids = csv(f.service_request_id);
    if (ids) {
      // the spec: a list of ids overrides every other filter
      for (const id of ids) if (!ticketIdSchema.safeParse(id).success) throw new Open311Error(400, `service_request_id: '${id}' is not a ticket number`);
      const found = await publicTickets(db, { ids: ids.slice(0, REQUESTS_LIMIT) }, REQUESTS_LIMIT);
      return send(res, format, 200, 'service_requests', found.map(toOpen311Request));
    }
    const statuses = csv(f.status);
    for (const s of statuses ?? []) if (s !== 'open' && s !== 'closed') throw new Open311Error(400, `status: '${s}' is not one of open, closed`);
    const open = statuses && new Set(statuses).size === 1 ? statuses[0] === 'open' : undefined;
    const codes = csv(f.service_code);
    for (const c of codes ?? []) if (!/^\d{2,6}$/.test(c)) throw new Open311Error(400, `service_code: '${c}' is not a service code`);
    const window = requestsWindow(f.start_date, f.end_date, new Date());
    const found = await publicTickets(db, { topics: codes, open, from: window.from, to: window.to }, REQUESTS_LIMIT);
    send(res, format, 200, 'service_requests', found.map(toOpen311Request));
  }

  router.get(
    '/services/:file',
    handle(async (_req, res, format, code) => {
      const service = await findService(db, code);
      send(res, format, 200, 'service_definition', { service_code: service.service_code, attributes: attributesOf(service.service_code) });
    }),
  );

  router.get(
    '/requests/:file',
    handle(async (_req, res, format, id) => {
      const [ticket] = ticketIdSchema.safeParse(id).success ? await publicTickets(db, { ids: [id] }, 1) : [];
      if (!ticket) throw new Open311Error(404, `service_request_id ${id} was not found`);
      send(res, format, 200, 'service_requests', [toOpen311Request(ticket)]);
    }),
  );

  router.get(
    '/tokens/:file',
    handle(async (_req, res, format, token) => {
      const id = ticketOfToken(token);
      if (!id) throw new Open311Error(404, `token ${token} was not found`);
      // the ticket exists once its workflow has recorded the receipt; until then only the token
      const row = await findTicket(db, id);
      send(res, format, 200, 'service_requests', [row ? { service_request_id: id, token } : { service_request_id: null, token }]);
    }),
  );

  router.post(
    '/:file',
    handle(async (req, res, format, name) => {
      if (name !== 'requests') throw new Open311Error(404, `no resource ${name}`);
      if (!req.is('application/x-www-form-urlencoded')) {
        throw new Open311Error(400, 'the body must be application/x-www-form-urlencoded, as the spec says');
      }
      const f = fields(req);
      const principal = (res.locals.principal = await appPrincipal(f.api_key));
      const key = idempotencyKeyOf(req.get('idempotency-key'));
      let held: KeyHeld | undefined;
      if (key !== undefined) {
        // the same mechanism and rule as the JSON API's POSTs: the request is its fields (the key
        // aside, which the principal stands for), whichever format the answer is asked in
        const { api_key: _key, ...request } = f;
        const fingerprint = JSON.stringify(Object.entries(request).sort(([a], [b]) => (a < b ? -1 : 1)));
        const claim = await claimIdempotencyKey(db, deps.idempotency, { principalId: principal.id, key, method: 'POST', path: `${OPEN311_BASE}/requests`, fingerprint }, res);
        if ('replay' in claim) {
          const kept = claim.replay.response as { root: string; value: Open311Value };
          res.setHeader('Idempotent-Replayed', 'true');
          return send(res, format, claim.replay.status, kept.root, kept.value);
        }
        held = claim;
      }
      const answer = async (status: number, root: string, value: Open311Value) => {
        await held?.settle(status, { root, value });
        send(res, format, status, root, value);
      };
      try {
        const { ticket, topic } = await ticketOf(f);
        let id: string;
        try {
          id = await deps.reception.receiveTicket(ticket, res, topic);
        } catch (err) {
          // the workflow has started but did not confirm in time: the ticket will exist, so answer a
          // token; a retry with the key is not answered the token but runs again, to the same ticket
          if (res.locals.workflowStarted && res.locals.ticketId && isUnavailable(err)) {
            await held?.release();
            return send(res, format, 201, 'service_requests', [{ token: tokenOf(res.locals.ticketId), service_notice: null, account_id: f.account_id ?? null }]);
          }
          throw err;
        }
        await answer(201, 'service_requests', [{ service_request_id: id, service_notice: null, account_id: f.account_id ?? null }]);
      } catch (err) {
        if (!held) throw err;
        // kept or released by the JSON API's rule, then answered in the spec's format
        let errors: Open311Error[];
        try {
          errors = toOpen311Errors(err);
        } catch {
          // not one of ours (a 500): released, for a retry to run again
          await held.release();
          throw err;
        }
        if (err instanceof HttpError && err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds));
        await answer(errors[0]!.status, 'errors', errors.map((e) => ({ code: e.status, description: e.description })));
      }
    }),
  );

  router.use((req, res) => sendError(res, formatOfPath(req), [new Open311Error(404, `no endpoint ${req.method} ${req.path}`)]));
  // the form parser's own refusals (too large, not decodable), in the spec's format too
  router.use((err: unknown, req: Request, res: Response, next: express.NextFunction) => {
    const status = (err as { status?: unknown }).status;
    if (typeof status !== 'number' || status < 400 || status >= 500) return next(err);
    sendError(res, formatOfPath(req), [new Open311Error(status === 413 ? 413 : 400, `the body was refused: ${(err as Error).message}`)]);
  });
  return router;
}

/**
 * A token stands for a ticket number taken whose workflow has not yet confirmed its receipt. It is
 * the number itself behind a prefix: the number says nothing about the caller, and a made-up one
 * finds no ticket (404 when malformed, no id while none exists).
 */
const TOKEN_PREFIX = 'tk-';
export const tokenOf = (ticketId: string) => `${TOKEN_PREFIX}${ticketId}`;
function ticketOfToken(token: string): string | undefined {
  const id = token.startsWith(TOKEN_PREFIX) ? token.slice(TOKEN_PREFIX.length) : undefined;
  return id && ticketIdSchema.safeParse(id).success ? id : undefined;
}

