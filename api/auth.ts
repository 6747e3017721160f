/**
 * API keys: `Authorization: Bearer <key>`. A key belongs to one principal with one role; keys are
 * random, shown once, stored as sha256 hashes. ADMIN_API_KEY is accepted as the bootstrap admin.
 */
import crypto from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { apiKeys } from '../db/schema';
import type { Actor, Role } from '../domain/ticket';
import { forbidden, HttpError } from './errors';

export interface Principal {
  id: string;
  role: Role;
  unitId?: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      principal: Principal;
      ticketId?: string;
      idempotencyKey?: string;
      /** what an earlier attempt with the same Idempotency-Key created */
      idempotentResourceId?: string;
      /** set once a create has started the ticket's workflow (the ticket will exist) */
      workflowStarted?: boolean;
    }
  }
}

export const hashKey = (key: string) => crypto.createHash('sha256').update(key).digest('hex');
export const newApiKey = () => `hk_${crypto.randomBytes(32).toString('base64url')}`;

export function authenticate(db: Db, adminApiKey: string | undefined): RequestHandler {
  const adminHash = adminApiKey ? Buffer.from(hashKey(adminApiKey), 'hex') : undefined;
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new HttpError(401, 'unauthenticated', 'missing "Authorization: Bearer <api key>" header');
    const hash = hashKey(match[1]!);
    if (adminHash && crypto.timingSafeEqual(adminHash, Buffer.from(hash, 'hex'))) {
      res.locals.principal = { id: 'bootstrap-admin', role: 'admin' };
      return next();
    }
    const [key] = await db
      .select({ id: apiKeys.id, role: apiKeys.role, unitId: apiKeys.unitId })
      .from(apiKeys)
      .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)));
    if (!key) throw new HttpError(401, 'unauthenticated', 'the API key is not valid');
    res.locals.principal = { id: key.id, role: key.role, unitId: key.unitId ?? undefined };
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

export function actorOf(p: Principal): Actor {
  return p.unitId ? { role: p.role, id: p.id, unitId: p.unitId } : { role: p.role, id: p.id };
}
