/**
 * Photos of a ticket (照片): the agent's at intake, the unit's before and after (整改前/整改后).
 * Uploaded as the raw image body; the type is decided by the content (sharp reads the image),
 * never by the header or a name; the size is bounded (413); the image is re-encoded by sharp,
 * which keeps no metadata — EXIF location and camera data are gone — after turning it upright.
 * Served only to those who may see the ticket (a unit only its own tickets).
 */
import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import sharp from 'sharp';
import { and, asc, eq } from 'drizzle-orm';
import { z } from '../domain/zod';
import type { Db } from '../db/client';
import { ticketPhotos } from '../db/schema';
import { findTicket, visibleToUnit } from '../db/tickets';
import { DISPATCHED_STATUSES, OPEN_STATUSES } from '../domain/lifecycle';
import { ticketIdSchema, type Role, type TicketStatus } from '../domain/ticket';
import type { BlobStore } from '../platform/storage';
import { FetchRefused, fetchPublic } from '../platform/safe-fetch';
import { HttpError, conflict, forbidden, notFound } from './errors';
import { idempotentResource } from './idempotency';
import type { Principal } from './auth';
import type { Api } from './route';
import { errorBody } from './views';

export const PHOTO_STAGES = ['intake', 'before', 'after'] as const;
type Stage = (typeof PHOTO_STAGES)[number];
/** An image as the body: bytes, which client generators read as a file or blob. */
const imageBytes = z.string().describe('the image bytes').openapi({ format: 'binary' });

const FORMATS = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' } as const;
const FETCH_TIMEOUT_MS = 10_000;
/** What an added photo may be refused for, besides the API's common answers. */
const PHOTO_REFUSALS = {
  413: { description: 'larger than PHOTO_MAX_BYTES', schema: errorBody },
  415: { description: 'not a JPEG, PNG or WebP image', schema: errorBody },
};
/** A decompression bomb is refused before it is decoded: 40 megapixels is more than any phone takes. */
const MAX_PIXELS = 40_000_000;

/** Who adds photos at which stage: the agent with the report, the ticket's primary unit before and after its work. */
const STAGE_ROLES: Record<Stage, Role> = { intake: 'agent', before: 'unit', after: 'unit' };
/** A unit adds its photos while the ticket is with it or awaiting the callback of its reply. */
const UNIT_STAGE_STATUSES: readonly TicketStatus[] = DISPATCHED_STATUSES.filter((s) => OPEN_STATUSES.includes(s));

const photoView = z.object({
  id: z.string(),
  stage: z.enum(PHOTO_STAGES),
  contentType: z.enum(Object.values(FORMATS) as [string, ...string[]]),
  bytes: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  createdAt: z.string(),
  url: z.string().describe('GET it with the same key'),
});

/** Reads the raw body up to `max` bytes; beyond it, a 413 without reading the rest. */
async function readBounded(req: Request, max: number): Promise<Buffer> {
  const declared = Number(req.get('content-length'));
  if (declared > max) throw tooLarge(max);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw tooLarge(max);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const tooLarge = (max: number) => new HttpError(413, 'body_too_large', `a photo may be at most ${max} bytes`, [{ path: 'body', message: `exceeds ${max} bytes` }]);
const notAnImage = (why: string) =>
  new HttpError(415, 'unsupported_media_type', `the body is not a JPEG, PNG or WebP image: ${why}`, [{ path: 'body', message: 'must be a JPEG, PNG or WebP image' }]);

/** The image as stored: its type from its content, upright, re-encoded without any metadata. */
export async function cleanPhoto(input: Buffer): Promise<{ body: Buffer; contentType: string; width: number; height: number }> {
  let format: string | undefined;
  try {
    format = (await sharp(input, { limitInputPixels: MAX_PIXELS }).metadata()).format;
  } catch (err) {
    throw notAnImage((err as Error).message);
  }
  if (!format || !(format in FORMATS)) throw notAnImage(`it is ${format ?? 'of no known format'}`);
  try {
    // rotate() applies the EXIF orientation; sharp writes no metadata unless asked (withMetadata)
    const { data, info } = await sharp(input, { limitInputPixels: MAX_PIXELS })
      .rotate()
      .toFormat(format as keyof typeof FORMATS)
      .toBuffer({ resolveWithObject: true });
    return { body: data, contentType: FORMATS[format as keyof typeof FORMATS], width: info.width, height: info.height };
  } catch (err) {
    throw notAnImage((err as Error).message);
  }
}

export function photoRoutes(api: Api, deps: { db: Db; store: BlobStore; maxBytes: number; fetchAllowHosts: readonly string[] }): void {
  const { db, store } = deps;

  async function visibleTicket(id: string, principal: Principal) {
    const row = await findTicket(db, id);
    if (!row || (principal.role === 'unit' && !visibleToUnit(row, principal.unitId!))) throw notFound(`ticket ${id}`);
    return row;
  }

  /** The ticket, when this principal may add a photo of this stage to it now. */
  async function mayAddPhoto(id: string, principal: Principal, stage: Stage) {
    const row = await visibleTicket(id, principal);
    if (STAGE_ROLES[stage] !== principal.role) throw forbidden(`a photo of stage '${stage}' is added by the ${STAGE_ROLES[stage]} role`);
    if (principal.role === 'unit') {
      if (row.unitId !== principal.unitId) throw forbidden(`only the primary unit (${row.unitId}) adds photos before and after`);
      if (!UNIT_STAGE_STATUSES.includes(row.status as TicketStatus)) throw conflict(`cannot add a photo to a ticket in status '${row.status}'`, row.status);
    } else if (!OPEN_STATUSES.includes(row.status as TicketStatus)) {
      throw conflict(`cannot add a photo to a ticket in status '${row.status}': it is closed`, row.status);
    }
    return row;
  }

  async function storePhoto(ticketId: string, res: Response, stage: Stage, input: Buffer) {
    const photo = await cleanPhoto(input);
    // a retry with the Idempotency-Key of an attempt that failed on our side gets the same photo
    const photoId = await idempotentResource(db, res, async () => crypto.randomUUID());
    const storageKey = `photos/${ticketId.toLowerCase()}/${photoId}`;
    await store.put(storageKey, photo.body, photo.contentType);
    await db
      .insert(ticketPhotos)
      .values({ id: photoId, ticketId, stage, contentType: photo.contentType, bytes: photo.body.length, width: photo.width, height: photo.height, storageKey, uploadedBy: res.locals.principal.id })
      .onConflictDoNothing();
    const [saved] = await db.select().from(ticketPhotos).where(eq(ticketPhotos.id, photoId));
    res.setHeader('Location', `/v1/tickets/${ticketId}/photos/${photoId}`);
    return view(saved!);
  }

  api.endpoint({
    method: 'post',
    path: '/v1/tickets/:id/photos',
    operationId: 'uploadPhoto',
    tag: 'photos',
    summary: 'Add a photo to a ticket: the raw image as the body',
    description:
      'JPEG, PNG or WebP, recognized by its content; at most PHOTO_MAX_BYTES. Stored re-encoded, upright and without metadata (no EXIF location or camera data). `stage=intake` by an agent; `before`/`after` by the primary unit while it handles the ticket.',
    roles: ['agent', 'unit'],
    params: { id: ticketIdSchema },
    query: z.object({ stage: z.enum(PHOTO_STAGES).default('intake') }),
    streamedBody: { 'image/jpeg': imageBytes, 'image/png': imageBytes, 'image/webp': imageBytes },
    // read first: the Idempotency-Key tells a retry from another photo by the bytes
    readBody: (req) => readBounded(req, deps.maxBytes),
    response: photoView,
    status: 201,
    alsoResponds: PHOTO_REFUSALS,
    idempotent: true,
    handler: async ({ req, res, params, query }) => {
      const row = await mayAddPhoto(params.id!, res.locals.principal, query.stage);
      res.locals.ticketId = row.id;
      return storePhoto(row.id, res, query.stage, req.body as Buffer);
    },
  });

  api.endpoint({
    method: 'post',
    path: '/v1/tickets/:id/photos/by-url',
    operationId: 'addPhotoByUrl',
    tag: 'photos',
    summary: 'Add a photo to a ticket from a link: the server fetches it',
    description:
      'As the upload, from an http(s) URL the server fetches: only public addresses (no loopback, private or link-local targets, checked when connecting), no redirects, at most PHOTO_MAX_BYTES, within 10 s. Hosts in PHOTO_FETCH_ALLOW_HOSTS skip the address check.',
    roles: ['agent', 'unit'],
    params: { id: ticketIdSchema },
    body: z.object({ url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000), stage: z.enum(PHOTO_STAGES).default('intake') }),
    response: photoView,
    status: 201,
    alsoResponds: PHOTO_REFUSALS,
    idempotent: true,
    handler: async ({ res, params, body }) => {
      const row = await mayAddPhoto(params.id!, res.locals.principal, body.stage);
      res.locals.ticketId = row.id;
      const bytes = await fetchPublic(body.url, { allowHosts: deps.fetchAllowHosts, maxBytes: deps.maxBytes, timeoutMs: FETCH_TIMEOUT_MS }).catch((err: unknown) => {
        if (!(err instanceof FetchRefused)) throw err;
        if (err.tooLarge) throw tooLarge(deps.maxBytes);
        throw new HttpError(422, 'url_refused', `url: ${err.message}`, [{ path: 'url', message: err.message }]);
      });
      return storePhoto(row.id, res, body.stage, bytes);
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/tickets/:id/photos',
    operationId: 'listPhotos',
    tag: 'photos',
    summary: "A ticket's photos, oldest first",
    roles: ['agent', 'supervisor', 'admin', 'unit'],
    params: { id: ticketIdSchema },
    response: z.object({ items: z.array(photoView) }),
    handler: async ({ res, params }) => {
      await visibleTicket(params.id!, res.locals.principal);
      const rows = await db.select().from(ticketPhotos).where(eq(ticketPhotos.ticketId, params.id!)).orderBy(asc(ticketPhotos.createdAt));
      return { items: rows.map(view) };
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/tickets/:id/photos/:photoId',
    operationId: 'getPhoto',
    tag: 'photos',
    summary: 'One photo of a ticket, as an image',
    roles: ['agent', 'supervisor', 'admin', 'unit'],
    params: { id: ticketIdSchema, photoId: z.uuid() },
    response: imageBytes,
    mediaType: 'image/jpeg',
    alsoProduces: { 'image/png': imageBytes, 'image/webp': imageBytes },
    handler: async ({ res, params }) => {
      await visibleTicket(params.id!, res.locals.principal);
      const [row] = await db.select().from(ticketPhotos).where(and(eq(ticketPhotos.ticketId, params.id!), eq(ticketPhotos.id, params.photoId!)));
      const body = row ? await store.get(row.storageKey) : undefined;
      if (!row || !body) throw notFound(`photo ${params.photoId}`);
      res.status(200).type(row.contentType).setHeader('Cache-Control', 'private, no-store');
      res.send(body);
    },
  });
}

function view(row: typeof ticketPhotos.$inferSelect): z.infer<typeof photoView> {
  return {
    id: row.id,
    stage: row.stage,
    contentType: row.contentType,
    bytes: row.bytes,
    width: row.width,
    height: row.height,
    createdAt: row.createdAt.toISOString(),
    url: `/v1/tickets/${row.ticketId}/photos/${row.id}`,
  };
}
