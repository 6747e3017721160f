/**
 * The citizen's own view (市民查询): the ticket number they were given plus the last four digits
 * of the phone they called from answer where the ticket stands — status, the unit's public notes,
 * the due time and the unit's reply once given; no names, no phone. A wrong pair answers exactly
 * as an unknown ticket (404), so the lookup is no oracle for ticket numbers; it is rate-limited
 * per client IP so the four digits cannot be guessed through it.
 */
import crypto from 'node:crypto';
import express, { type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Db } from '../db/client';
import { z } from '../domain/zod';
import { STATUSES, ticketIdSchema } from '../domain/ticket';
import { jsonBody } from './body';
import { HttpError, parse } from './errors';
import { errorBody } from './views';
import { callerPhoneOf, publicTickets, statusNote } from './public-status';

export const CITIZEN_LOOKUP_PATH = '/public/v1/ticket-status';

const lookupSchema = z.object({
  ticketId: ticketIdSchema,
  phoneLast4: z.string().regex(/^\d{4}$/, 'must be the last 4 digits of the phone the ticket was reported from'),
}).openapi('CitizenLookup');

const iso = z.string().describe('ISO 8601 time');
export const citizenStatusView = z.object({
  id: z.string(),
  status: z.enum(STATUSES),
  open: z.boolean(),
  statusNote: z.string().describe('where the ticket stands, in one sentence'),
  topic: z.string().nullable().describe('the topic name'),
  receivedAt: iso,
  updatedAt: iso,
  dueBy: iso.nullable().describe('when the unit must have replied (办理时限)'),
  unit: z.string().nullable().describe('the responsible unit'),
  notes: z.array(z.object({ at: iso, note: z.string() })).describe("the unit's progress notes, oldest first"),
  reply: z.object({ result: z.string(), reply: z.string(), at: iso }).nullable().describe("the unit's reply (办结回复), once given"),
}).openapi('CitizenTicketStatus');

/** The same answer for an unknown ticket and a wrong phone. */
const noSuchTicket = () => new HttpError(404, 'not_found', 'no ticket with this number and phone');

function sameDigits(a: string, b: string): boolean {
  return crypto.timingSafeEqual(Buffer.from(a.slice(-4)), Buffer.from(b));
}

export function citizenRoutes(db: Db, registry: OpenAPIRegistry, opts: { perMinute: number; bodyLimit: string }): Router {
  const router = express.Router();
  router.use(
    rateLimit({
      windowMs: 60_000,
      limit: opts.perMinute,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      handler: (_req, _res, next, options) =>
        next(new HttpError(429, 'rate_limited', `more than ${options.limit} lookups a minute from this address; retry later`)),
    }),
  );
  router.use(jsonBody(opts.bodyLimit));
  router.post(CITIZEN_LOOKUP_PATH, async (req, res) => {
    if (req.is('application/json') === false) {
      throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json', [{ path: 'Content-Type', message: 'must be application/json' }]);
    }
    const { ticketId, phoneLast4 } = parse(lookupSchema, req.body);
    const phone = await callerPhoneOf(db, ticketId);
    const digits = phone?.replace(/\D/g, '');
    if (!digits || digits.length < 4 || !sameDigits(digits, phoneLast4)) throw noSuchTicket();
    const [t] = await publicTickets(db, { ids: [ticketId] }, 1);
    if (!t) throw noSuchTicket();
    const body: z.infer<typeof citizenStatusView> = {
      id: t.id,
      status: t.status,
      open: t.open,
      statusNote: statusNote(t),
      topic: t.topicName,
      receivedAt: t.receivedAt.toISOString(),
      updatedAt: t.updatedAt.toISOString(),
      dueBy: t.dueBy?.toISOString() ?? null,
      unit: t.unitName,
      notes: t.notes.map((n) => ({ at: n.at.toISOString(), note: n.note })),
      reply: t.reply ? { result: t.reply.result, reply: t.reply.reply, at: t.reply.at.toISOString() } : null,
    };
    res.json(body);
  });

  registry.registerPath({
    method: 'post',
    path: CITIZEN_LOOKUP_PATH,
    operationId: 'lookupTicketStatus',
    tags: ['public'],
    summary: "The citizen's own view of a ticket (市民查询)",
    description: `No API key. The ticket number and the last 4 digits of the caller's phone; a wrong pair is the same 404 as an unknown ticket. At most CITIZEN_LOOKUP_PER_MINUTE lookups a minute per client IP (429 beyond).`,
    request: { body: { required: true, content: { 'application/json': { schema: lookupSchema } } } },
    responses: {
      200: { description: 'the ticket as the public may see it', content: { 'application/json': { schema: citizenStatusView } } },
      ...Object.fromEntries(
        [
          [400, 'malformed JSON or validation failed'],
          [404, 'no ticket with this number and phone'],
          [413, 'the body is larger than the limit'],
          [415, 'the body is not JSON'],
          [429, 'too many lookups from this address'],
          [500, 'a fault of the server (never for bad input)'],
          [503, 'Postgres is unavailable'],
        ].map(([code, description]) => [code, { description: String(description), content: { 'application/json': { schema: errorBody } } }]),
      ),
    },
  });
  return router;
}
