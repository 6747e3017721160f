/** Administration: units (承办单位) and API keys. */
import crypto from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { z } from '../domain/zod';
import type { Db } from '../db/client';
import { apiKeys, units } from '../db/schema';
import { ROLES, UNIT_LEVELS, regionCodeSchema, text, unitIdSchema } from '../domain/ticket';
import { hashKey, newApiKey } from './auth';
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
    handler: async ({ body }) => {
      if (body.parentId) await assertReferencesExist(db, [{ kind: 'unit', path: 'parentId', id: body.parentId }]);
      const id = body.id ?? `u-${crypto.randomBytes(5).toString('hex')}`;
      const [row] = await db
        .insert(units)
        .values({ ...body, id })
        .onConflictDoNothing()
        .returning();
      if (!row) throw new HttpError(409, 'already_exists', `unit '${id}' already exists`, [{ path: 'id', message: 'already exists' }]);
      return toUnit(row);
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
    handler: async ({ params, body }) => {
      if (body.parentId) await assertReferencesExist(db, [{ kind: 'unit', path: 'parentId', id: body.parentId }]);
      const [row] = await db.update(units).set(body).where(eq(units.id, params.unitId!)).returning();
      if (!row) throw notFound(`unit ${params.unitId}`);
      return toUnit(row);
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
    response: z.object({ id: z.string(), key: z.string(), role: z.enum(ROLES), unitId: z.string().nullable() }),
    status: 201,
    idempotent: true,
    handler: async ({ body }) => {
      await assertReferencesExist(db, unitRefs('', body.unitId));
      const key = newApiKey();
      const id = `key-${crypto.randomBytes(6).toString('hex')}`;
      await db.insert(apiKeys).values({ id, name: body.name, role: body.role, unitId: body.unitId, keyHash: hashKey(key) });
      return { id, key, role: body.role, unitId: body.unitId ?? null };
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
    handler: async ({ params }) => {
      const [row] = await db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, params.keyId!)).returning();
      if (!row) throw notFound(`API key ${params.keyId}`);
      return toKey(row);
    },
  });
}
