/**
 * `Idempotency-Key` on state-changing POSTs: the same key from the same principal replays the
 * first response and changes nothing. A key reused with a different body is refused (422); a
 * repeat while the first request is still running gets a 409.
 */
import crypto from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { idempotencyRecords } from '../db/schema';
import { HttpError } from './errors';

export function idempotency(db: Db): RequestHandler {
  return async (req, res, next) => {
    const key = req.get('idempotency-key');
    if (req.method !== 'POST' || key === undefined) return next();
    if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
      throw new HttpError(400, 'validation_failed', 'Idempotency-Key must be 1–200 visible ASCII characters', [
        { path: 'Idempotency-Key', message: 'invalid header value' },
      ]);
    }
    const principalId = res.locals.principal.id;
    const requestHash = crypto
      .createHash('sha256')
      .update(`${req.method} ${req.originalUrl}\n${JSON.stringify(req.body ?? null)}`)
      .digest('hex');
    const inserted = await db
      .insert(idempotencyRecords)
      .values({ principalId, key, method: req.method, path: req.originalUrl, requestHash })
      .onConflictDoNothing()
      .returning({ key: idempotencyRecords.key });
    const where = and(eq(idempotencyRecords.principalId, principalId), eq(idempotencyRecords.key, key));
    const inProgress = () => new HttpError(409, 'idempotency_in_progress', 'a request with this Idempotency-Key is being processed; retry');

    if (inserted.length === 0) {
      const [previous] = await db.select().from(idempotencyRecords).where(where);
      if (!previous) throw inProgress();
      if (previous.requestHash !== requestHash) {
        throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request', [
          { path: 'Idempotency-Key', message: 'already used for another request' },
        ]);
      }
      if (previous.statusCode !== null) {
        res.setHeader('Idempotent-Replayed', 'true');
        res.status(previous.statusCode).json(previous.response);
        return;
      }
      // an earlier attempt failed on our side: this retry takes over, one at a time, and reuses
      // whatever that attempt had already created
      const [taken] = await db
        .update(idempotencyRecords)
        .set({ releasedAt: null })
        .where(and(where, isNull(idempotencyRecords.statusCode), isNotNull(idempotencyRecords.releasedAt)))
        .returning({ resourceId: idempotencyRecords.resourceId });
      if (!taken) throw inProgress();
      res.locals.idempotentResourceId = taken.resourceId ?? undefined;
    }

    // keep the final response; after a failure on our side, release the key for a retry
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const status = res.statusCode;
      const save =
        status >= 500 || status === 409 || status === 429
          ? db.update(idempotencyRecords).set({ releasedAt: new Date() }).where(where)
          : db.update(idempotencyRecords).set({ statusCode: status, response: body as object }).where(where);
      // the action has happened: answer it even if the record could not be kept
      save.catch(() => undefined).then(() => json(body));
      return res;
    };
    res.locals.idempotencyKey = key;
    next();
  };
}

/**
 * The resource a create request makes, made once per Idempotency-Key: a retry after a failure
 * gets the id the first attempt reserved (its workflow may already run) instead of a new one.
 */
export async function idempotentResource(db: Db, res: Response, create: () => Promise<string>): Promise<string> {
  const key = res.locals.idempotencyKey;
  if (key === undefined) return create();
  if (res.locals.idempotentResourceId) return res.locals.idempotentResourceId;
  const id = await create();
  await db
    .update(idempotencyRecords)
    .set({ resourceId: id })
    .where(and(eq(idempotencyRecords.principalId, res.locals.principal.id), eq(idempotencyRecords.key, key)));
  return id;
}

/** Records older than this are removed; a client retrying later than that starts over. */
export async function purgeIdempotencyRecords(db: Db, olderThanHours = 72): Promise<void> {
  await db.delete(idempotencyRecords).where(sql`${idempotencyRecords.createdAt} < now() - make_interval(hours => ${olderThanHours})`);
}
