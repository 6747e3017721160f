/**
 * `Idempotency-Key` on state-changing POSTs: the same key from the same principal replays the
 * first response and changes nothing. A key reused with a different body is refused (422).
 *
 * An attempt holds its key with a lease (`locked_until`: the action deadline and a margin). A
 * repeat while the lease runs gets 409 `idempotency_in_progress`; once the attempt released the
 * key (it failed on our side) or its lease passed (the process died, or the final write failed),
 * a retry takes the key over and runs the request again. That is safe: a create reuses the ticket
 * id the first attempt reserved (`resource_id`), and an action's update id derives from the key,
 * so Temporal applies it once. A retry after any failure thus gets the true outcome.
 */
import crypto from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { and, eq, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { idempotencyRecords } from '../db/schema';
import type { Logger } from '../platform/logger';
import { beforeDeadline } from '../platform/deadline';
import { HttpError } from './errors';

export interface IdempotencyOptions {
  /** how long an attempt holds its key before a retry may take it over */
  leaseMs: number;
  logger: Logger;
}

/** How long the final write of a record is tried, a blip of Postgres included; then the lease covers it. */
const FINAL_WRITE_BUDGET_MS = 3000;

/** Who sends which key for what: the request a key stands for. */
export interface KeyedRequest {
  principalId: string;
  key: string;
  method: string;
  /** the endpoint as the record keeps it */
  path: string;
  /** what makes two requests the same: the JSON body, or the raw bytes of an upload */
  fingerprint: string | Buffer;
}

/** What a claimed key does with the outcome of its attempt. */
export interface KeyHeld {
  /** Keeps a final outcome for the replays, or releases the key after a failure on our side (5xx, 409, 429). */
  settle(status: number, response: unknown): Promise<void>;
  /** Releases the key: a retry runs the request again (the reserved resource id is kept). */
  release(): Promise<void>;
}

export type KeyClaim = { replay: { status: number; response: unknown } } | KeyHeld;

/** The header's value, or a 400 naming it. */
export function idempotencyKeyOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,200}$/.test(value)) {
    throw new HttpError(400, 'validation_failed', 'Idempotency-Key must be 1–200 visible ASCII characters', [
      { path: 'Idempotency-Key', message: 'invalid header value' },
    ]);
  }
  return value;
}

/**
 * The one mechanism behind every Idempotency-Key: takes the key for this attempt, or answers the
 * response to replay; 422 for the key reused with another request, 409 while another attempt holds
 * it. A taken key sets `res.locals.idempotencyKey` (and the resource id an earlier attempt reserved)
 * for `idempotentResource`. Used by the JSON API's middleware, Open311's POST requests and the
 * photo upload, whose bodies are not JSON.
 */
export async function claimIdempotencyKey(db: Db, { leaseMs, logger }: IdempotencyOptions, r: KeyedRequest, res: Response): Promise<KeyClaim> {
  // the database's clock, so API processes with skewed clocks agree; milliseconds, so the value
  // read back compares equal and serves as this attempt's token
  const newLease = () => sql<Date>`date_trunc('milliseconds', clock_timestamp() + make_interval(secs => ${leaseMs / 1000}))`;
  const { principalId, key } = r;
  const requestHash = crypto.createHash('sha256').update(`${r.method} ${r.path}\n`).update(r.fingerprint).digest('hex');
  const where = and(eq(idempotencyRecords.principalId, principalId), eq(idempotencyRecords.key, key));

  const [inserted] = await db
    .insert(idempotencyRecords)
    .values({ principalId, key, method: r.method, path: r.path, requestHash, lockedUntil: newLease() })
    .onConflictDoNothing()
    .returning({ lockedUntil: idempotencyRecords.lockedUntil });
  // this attempt's hold on the key, also its token: a release applies only while it holds
  let lease = inserted?.lockedUntil ?? undefined;

  if (!inserted) {
    const [previous] = await db.select().from(idempotencyRecords).where(where);
    if (!previous) throw inProgress(null);
    if (previous.requestHash !== requestHash) {
      throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request', [
        { path: 'Idempotency-Key', message: 'already used for another request' },
      ]);
    }
    if (previous.statusCode !== null) return { replay: { status: previous.statusCode, response: previous.response } };
    // the earlier attempt released the key or its lease passed: take it over, one retry at a time
    const [taken] = await db
      .update(idempotencyRecords)
      .set({ releasedAt: null, lockedUntil: newLease() })
      .where(
        and(
          where,
          isNull(idempotencyRecords.statusCode),
          or(
            isNotNull(idempotencyRecords.releasedAt),
            isNull(idempotencyRecords.lockedUntil),
            lt(idempotencyRecords.lockedUntil, sql`clock_timestamp()`),
          ),
        ),
      )
      .returning({ resourceId: idempotencyRecords.resourceId, lockedUntil: idempotencyRecords.lockedUntil });
    if (!taken) throw inProgress(previous.lockedUntil);
    lease = taken.lockedUntil ?? undefined;
    res.locals.idempotentResourceId = taken.resourceId ?? undefined;
  }
  res.locals.idempotencyKey = key;

  const release = () =>
    db
      .update(idempotencyRecords)
      .set({ releasedAt: sql`now()`, lockedUntil: null })
      .where(and(where, isNull(idempotencyRecords.statusCode), eq(idempotencyRecords.lockedUntil, lease!)))
      .execute();
  const keep = (status: number, response: unknown) => () =>
    db
      .update(idempotencyRecords)
      .set({ statusCode: status, response: response as object, lockedUntil: null })
      .where(and(where, isNull(idempotencyRecords.statusCode)))
      .execute();
  const logged = (status: number) => (err: unknown) => {
    // the outcome is answered anyway; the key stays held until its lease passes, then a
    // retry runs the request again and gets the same outcome
    logger.error({ err, principal: principalId, idempotencyKey: key, status, lockedUntil: lease }, 'could not record the outcome of an Idempotency-Key');
  };
  return {
    settle: (status, response) => {
      const failed = status >= 500 || status === 409 || status === 429;
      // a release that fails is covered by the lease: not worth delaying the answer for
      return (failed ? writeOnce(release) : writeWithRetries(keep(status, response))).catch(logged(status));
    },
    release: () => writeOnce(release).catch(logged(0)),
  };
}

export function idempotency(db: Db, options: IdempotencyOptions): RequestHandler {
  return async (req, res, next) => {
    if (req.method !== 'POST' || req.get('idempotency-key') === undefined) return next();
    const key = idempotencyKeyOf(req.get('idempotency-key'))!;
    const claim = await claimIdempotencyKey(
      db,
      options,
      {
        principalId: res.locals.principal.id,
        key,
        method: req.method,
        path: req.originalUrl,
        // an upload read before (Api's readBody) is told apart by its bytes
        fingerprint: Buffer.isBuffer(req.body) ? req.body : JSON.stringify(req.body ?? null),
      },
      res,
    );
    if ('replay' in claim) {
      res.setHeader('Idempotent-Replayed', 'true');
      res.status(claim.replay.status).json(claim.replay.response);
      return;
    }
    // keep the final response; after a failure on our side, release the key for a retry
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      void claim.settle(res.statusCode, res.locals.idempotentReplayBody ?? body).then(() => json(body));
      return res;
    };
    next();
  };
}

/** Retry-After of a 409 in progress: the attempt usually ends soon, at the latest when its lease does. */
function inProgress(lockedUntil: Date | null): HttpError {
  const seconds = lockedUntil ? Math.ceil((lockedUntil.getTime() - Date.now()) / 1000) : 1;
  return new HttpError(
    409,
    'idempotency_in_progress',
    'a request with this Idempotency-Key is being processed; retry with the same key after Retry-After seconds',
    [],
    Math.min(Math.max(seconds, 1), 5),
  );
}

/** Tries `write` until it succeeds or the budget is spent (each try bounded: Postgres may hang). */
async function writeWithRetries(write: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + FINAL_WRITE_BUDGET_MS;
  for (let pause = 100; ; pause *= 2) {
    try {
      return await writeOnce(write, deadline);
    } catch (err) {
      if (Date.now() + pause >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

async function writeOnce(write: () => Promise<unknown>, deadline = Date.now() + FINAL_WRITE_BUDGET_MS): Promise<void> {
  await beforeDeadline(write(), deadline, new Error(`the write did not finish within ${FINAL_WRITE_BUDGET_MS} ms`));
}

/**
 * The resource a create request makes, made once per Idempotency-Key: a retry after a failure
 * gets the id the first attempt reserved (its workflow may already run) instead of a new one.
 * The id is kept before anything is started with it; if a concurrent attempt (one that took over
 * after this one's lease passed) kept another first, both use that one.
 */
export async function idempotentResource(db: Db, res: Response, create: () => Promise<string>): Promise<string> {
  const key = res.locals.idempotencyKey;
  if (key === undefined) return create();
  if (res.locals.idempotentResourceId) return res.locals.idempotentResourceId;
  const id = await create();
  const where = and(eq(idempotencyRecords.principalId, res.locals.principal.id), eq(idempotencyRecords.key, key));
  const [kept] = await db
    .update(idempotencyRecords)
    .set({ resourceId: id })
    .where(and(where, isNull(idempotencyRecords.resourceId)))
    .returning({ resourceId: idempotencyRecords.resourceId });
  if (kept) return id;
  const [record] = await db.select({ resourceId: idempotencyRecords.resourceId }).from(idempotencyRecords).where(where);
  return record?.resourceId ?? id;
}

/** Records older than this are removed; a client retrying later than that starts over. */
export async function purgeIdempotencyRecords(db: Db, olderThanHours = 72): Promise<void> {
  await db.delete(idempotencyRecords).where(sql`${idempotencyRecords.createdAt} < now() - make_interval(hours => ${olderThanHours})`);
}
