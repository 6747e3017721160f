/**
 * API keys: `Authorization: Bearer <key>`. A key belongs to one principal with one role; keys are
 * random, shown once, stored as sha256 hashes. ADMIN_API_KEY is accepted as the bootstrap admin.
 */
import crypto from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { preparedOn } from '../db/prepared';
import { apiKeys } from '../db/schema';
import type { AdminActor } from '../db/audit';
import type { Actor, Role } from '../domain/ticket';
import { forbidden, HttpError } from './errors';

export interface Principal {
  id: string;
  /** the key's name, as the admin who created it called it */
  name: string;
  role: Role;
  unitId?: string;
}

/** The principal named for ADMIN_API_KEY, which has no row in api_keys. */
export const BOOTSTRAP_ADMIN: Principal = { id: 'bootstrap-admin', name: 'ADMIN_API_KEY', role: 'admin' };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      principal: Principal;
      ticketId?: string;
      /** X-Request-Id as the client sent it, else generated; echoed in the response and the logs */
      requestId: string;
      idempotencyKey?: string;
      /** what an earlier attempt with the same Idempotency-Key created */
      idempotentResourceId?: string;
      /** what an Idempotency-Key replay answers instead of the response, when that holds what is shown once (a secret) */
      idempotentReplayBody?: unknown;
      /** set once a create has started the ticket's workflow (the ticket will exist) */
      workflowStarted?: boolean;
    }
  }
}

export const hashKey = (key: string) => crypto.createHash('sha256').update(key).digest('hex');
export const newApiKey = () => `hk_${crypto.randomBytes(32).toString('base64url')}`;

/** The principal of an API key (ADMIN_API_KEY as the bootstrap admin), or undefined for a key not valid. */
export function keyLookup(db: Db, adminApiKey: string | undefined): (key: string) => Promise<Principal | undefined> {
  const adminHash = adminApiKey ? Buffer.from(hashKey(adminApiKey), 'hex') : undefined;
  return async (key) => {
    const hash = hashKey(key);
    if (adminHash && crypto.timingSafeEqual(adminHash, Buffer.from(hash, 'hex'))) return BOOTSTRAP_ADMIN;
    return principalOfKeyId(db, { hash });
  };
}

/** An unrevoked key's principal, by its hash or its id. */
export async function principalOfKeyId(db: Db, by: { hash: string } | { id: string }): Promise<Principal | undefined> {
  const [key] = 'hash' in by ? await keyByHash(db).execute({ hash: by.hash }) : await keyById(db).execute({ id: by.id });
  return key ? { id: key.id, name: key.name, role: key.role, unitId: key.unitId ?? undefined } : undefined;
}

// looked up on every request: prepared once (db/prepared.ts)
const keyWhere = (db: Db, match: SQL) =>
  db.select({ id: apiKeys.id, name: apiKeys.name, role: apiKeys.role, unitId: apiKeys.unitId }).from(apiKeys).where(and(match, isNull(apiKeys.revokedAt)));
const keyByHash = preparedOn((db) => keyWhere(db, eq(apiKeys.keyHash, sql.placeholder('hash'))).prepare('api_key_by_hash'));
const keyById = preparedOn((db) => keyWhere(db, eq(apiKeys.id, sql.placeholder('id'))).prepare('api_key_by_id'));

/** The key of an `Authorization: Bearer <key>` header, if any. */
export function bearerKey(req: Request): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
}

export function authenticate(db: Db, adminApiKey: string | undefined): RequestHandler {
  const lookup = keyLookup(db, adminApiKey);
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = bearerKey(req);
    if (!key) throw new HttpError(401, 'unauthenticated', 'missing "Authorization: Bearer <api key>" header');
    const principal = await lookup(key);
    if (!principal) throw new HttpError(401, 'unauthenticated', 'the API key is not valid');
    res.locals.principal = principal;
    next();
  };
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    const { role } = res.locals.principal;
    if (!roles.includes(role)) throw forbidden(`this action needs the role ${roles.join(' or ')}; the key has '${role}'`);
    next();
  };
}

/** Who makes an admin change, for the audit trail: the principal and the request it came in. */
export function adminActorOf(res: Response): AdminActor {
  const { id, name, role } = res.locals.principal;
  return { id, name, role, requestId: res.locals.requestId, idempotencyKey: res.locals.idempotencyKey };
}

export function actorOf(p: Principal): Actor {
  return p.unitId ? { role: p.role, id: p.id, unitId: p.unitId } : { role: p.role, id: p.id };
}
