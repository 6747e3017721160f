/** Administration: units (承办单位) and API keys. */
import crypto from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { z } from '../domain/zod';
import type { Db } from '../db/client';
import { apiKeys, units } from '../db/schema';
import { ROLES, UNIT_LEVELS, regionCodeSchema, text, unitIdSchema } from '../domain/ticket';
import { adminActorOf, hashKey, newApiKey } from './auth';
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES, listAdminChanges, recordAdminChange, type AuditRow } from '../db/audit';
import { instantSchema } from '../domain/calendar';
import { cursorCodec } from './cursor';
import { HttpError, notFound } from './errors';
import { assertReferencesExist, unitRefs } from './references';
import type { Api } from './route';
import { apiKeyView, unitView } from './views';

const unitInput = z.object({
  id: unitIdSchema.optional().describe('assigned when absent'),
  name: text(200),
  level: z.enum(UNIT_LEVELS),
  parentId: unitIdSchema.optional(),
  regionCode: regionCodeSchema,
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
});
const unitPatch = unitInput
  .omit({ id: true })
  .partial()
  .refine((p) => Object.keys(p).length > 0, `name at least one field to change: ${Object.keys(unitInput.shape).filter((f) => f !== 'id').join(', ')}`);

const apiKeyInput = z
  .object({
    name: text(200),
    role: z.enum(ROLES),
    unitId: unitIdSchema.optional(),
  })
  .refine((k) => (k.role === 'unit') === (k.unitId !== undefined), {
    path: ['unitId'],
    message: 'a unit key needs unitId; other roles must not have one',
  });

type UnitRow = typeof units.$inferSelect;
const toUnit = (u: UnitRow) => ({
  id: u.id,
  name: u.name,
  level: u.level,
  parentId: u.parentId,
  regionCode: u.regionCode,
  webhookUrl: u.webhookUrl,
});
const toKey = (k: typeof apiKeys.$inferSelect) => ({
  id: k.id,
  name: k.name,
  role: k.role,
  unitId: k.unitId,
  createdAt: k.createdAt.toISOString(),
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

export function adminRoutes(api: Api, db: Db): void {
  api.endpoint({
    method: 'post',
    path: '/v1/admin/units',
    operationId: 'createUnit',
    tag: 'admin',
    summary: 'Create a unit',
    roles: ['admin'],
    body: unitInput,
    response: unitView,
    status: 201,
    idempotent: true,
    handler: async ({ body, res }) => {
      if (body.parentId) await assertReferencesExist(db, [{ kind: 'unit', path: 'parentId', id: body.parentId }]);
      const id = body.id ?? `u-${crypto.randomBytes(5).toString('hex')}`;
      return db.transaction(async (tx) => {
        const [row] = await tx
          .insert(units)
          .values({ ...body, id })
          .onConflictDoNothing()
          .returning();
        if (!row) throw new HttpError(409, 'already_exists', `unit '${id}' already exists`, [{ path: 'id', message: 'already exists' }]);
        await recordAdminChange(tx, adminActorOf(res), { action: 'create', entityType: 'unit', entityId: id, after: toUnit(row) });
        return toUnit(row);
      });
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/admin/units',
    operationId: 'listUnits',
    tag: 'admin',
    summary: 'All units',
    roles: ['admin', 'supervisor', 'agent'],
    response: z.object({ items: z.array(unitView) }),
    handler: async () => ({ items: (await db.select().from(units).orderBy(asc(units.id))).map(toUnit) }),
  });

  api.endpoint({
    method: 'get',
    path: '/v1/admin/units/:unitId',
    operationId: 'getUnit',
    tag: 'admin',
    summary: 'One unit',
    roles: ['admin', 'supervisor', 'agent'],
    response: unitView,
    handler: async ({ params }) => {
      const [row] = await db.select().from(units).where(eq(units.id, params.unitId!));
      if (!row) throw notFound(`unit ${params.unitId}`);
      return toUnit(row);
    },
  });

  api.endpoint({
    method: 'patch',
    path: '/v1/admin/units/:unitId',
    operationId: 'updateUnit',
    tag: 'admin',
    summary: 'Change a unit',
    roles: ['admin'],
    body: unitPatch,
    response: unitView,
    handler: async ({ params, body, res }) => {
      if (body.parentId) await assertReferencesExist(db, [{ kind: 'unit', path: 'parentId', id: body.parentId }]);
      return db.transaction(async (tx) => {
        // the row as it was, locked, so the before in the trail is what this change replaced
        const [before] = await tx.select().from(units).where(eq(units.id, params.unitId!)).for('update');
        if (!before) throw notFound(`unit ${params.unitId}`);
        const [row] = await tx.update(units).set(body).where(eq(units.id, params.unitId!)).returning();
        await recordAdminChange(tx, adminActorOf(res), { action: 'update', entityType: 'unit', entityId: row!.id, before: toUnit(before), after: toUnit(row!) });
        return toUnit(row!);
      });
    },
  });

  api.endpoint({
    method: 'post',
    path: '/v1/admin/api-keys',
    operationId: 'createApiKey',
    tag: 'admin',
    summary: 'Create an API key; the key is shown only in this response',
    roles: ['admin'],
    body: apiKeyInput,
    response: z.object({
      id: z.string(),
      key: z
        .string()
        .nullable()
        .describe('shown only in this response. Null in an Idempotency-Key replay: the key is never kept in clear, so a lost answer means revoking this key and creating another'),
      role: z.enum(ROLES),
      unitId: z.string().nullable(),
    }),
    status: 201,
    idempotent: true,
    handler: async ({ body, res }) => {
      await assertReferencesExist(db, unitRefs('', body.unitId));
      const key = newApiKey();
      const id = `key-${crypto.randomBytes(6).toString('hex')}`;
      await db.transaction(async (tx) => {
        const [row] = await tx.insert(apiKeys).values({ id, name: body.name, role: body.role, unitId: body.unitId, keyHash: hashKey(key) }).returning();
        // the key's view: never the key nor its hash
        await recordAdminChange(tx, adminActorOf(res), { action: 'create', entityType: 'api_key', entityId: id, after: toKey(row!) });
      });
      const answer = { id, key, role: body.role, unitId: body.unitId ?? null };
      res.locals.idempotentReplayBody = { ...answer, key: null };
      return answer;
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/admin/api-keys',
    operationId: 'listApiKeys',
    tag: 'admin',
    summary: 'All API keys (never the keys themselves)',
    roles: ['admin'],
    response: z.object({ items: z.array(apiKeyView) }),
    handler: async () => ({ items: (await db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt))).map(toKey) }),
  });

  api.endpoint({
    method: 'delete',
    path: '/v1/admin/api-keys/:keyId',
    operationId: 'revokeApiKey',
    tag: 'admin',
    summary: 'Revoke an API key',
    roles: ['admin'],
    response: apiKeyView,
    handler: async ({ params, res }) =>
      db.transaction(async (tx) => {
        const [before] = await tx.select().from(apiKeys).where(eq(apiKeys.id, params.keyId!)).for('update');
        if (!before) throw notFound(`API key ${params.keyId}`);
        const [row] = await tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, params.keyId!)).returning();
        await recordAdminChange(tx, adminActorOf(res), { action: 'revoke', entityType: 'api_key', entityId: row!.id, before: toKey(before), after: toKey(row!) });
        return toKey(row!);
      }),
  });

  api.endpoint({
    method: 'get',
    path: '/v1/admin/audit',
    operationId: 'listAdminAudit',
    tag: 'admin',
    summary: 'The audit trail of administration, newest first: who changed which unit (its webhook secret included), key, topic, routing rule, knowledge-base entry, policy or calendar day, or redelivered which notification, when, and how it looked before and after',
    description: 'Append-only; written in the same transaction as each change. Secrets (API keys, their hashes, webhook secrets) never appear: they read `[redacted]`, or `[redacted: changed]` where the change set or rotated one.',
    roles: ['admin'],
    query: z.object({
      entityType: z.enum(AUDIT_ENTITY_TYPES).optional(),
      entityId: text(200).optional(),
      actorKeyId: text(200).optional().describe("the API key id of who made the change ('bootstrap-admin' for ADMIN_API_KEY)"),
      action: z.enum(AUDIT_ACTIONS).optional(),
      from: instantSchema.optional().describe('changes at or after, e.g. 2026-12-01T00:00:00+08:00'),
      to: instantSchema.optional().describe('changes before'),
      limit: z.coerce.number().int().min(1).max(500).default(50),
      cursor: z.string().max(500).optional(),
    }),
    response: z.object({ items: z.array(auditView), nextCursor: z.string().nullable() }),
    handler: async ({ query }) => {
      const { limit, cursor, from, to, ...filter } = query;
      const rows = await listAdminChanges(
        db,
        { ...filter, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined },
        limit + 1,
        cursor ? auditCursor.decode(cursor).id : undefined,
      );
      const page = rows.slice(0, limit);
      return { items: page.map(toAuditView), nextCursor: rows.length > limit ? auditCursor.encode({ id: page.at(-1)!.id }) : null };
    },
  });
}

const auditCursor = cursorCodec(z.object({ id: z.number().int().positive() }));
const auditView = z.object({
  id: z.number().int(),
  at: z.string().describe('ISO 8601 time with offset'),
  actor: z.object({ keyId: z.string(), name: z.string(), role: z.enum(ROLES) }),
  action: z.enum(AUDIT_ACTIONS),
  entityType: z.enum(AUDIT_ENTITY_TYPES),
  entityId: z.string(),
  before: z.unknown().describe('the entity before the change; null when it did not exist'),
  after: z.unknown().describe('the entity after the change; null when it no longer exists'),
  requestId: z.string().nullable().describe('X-Request-Id of the request that made it'),
  idempotencyKey: z.string().nullable(),
});
const toAuditView = (r: AuditRow): z.infer<typeof auditView> => ({
  id: r.id,
  at: r.at.toISOString(),
  actor: { keyId: r.actorKeyId, name: r.actorName, role: r.actorRole as z.infer<typeof auditView>['actor']['role'] },
  action: r.action as z.infer<typeof auditView>['action'],
  entityType: r.entityType as z.infer<typeof auditView>['entityType'],
  entityId: r.entityId,
  before: r.before,
  after: r.after,
  requestId: r.requestId,
  idempotencyKey: r.idempotencyKey,
});
