/**
 * The classifier for agents (POST /v1/classify) and the data admins keep for it: the topic
 * taxonomy, the routing table (派单规则) and the knowledge base (知识库).
 */
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import { and, asc, desc, eq, getTableColumns, gt, sql } from 'drizzle-orm';
import { z } from '../domain/zod';
import type { Db } from '../db/client';
import { classifierModels, knowledgeBase, routingRules, topics } from '../db/schema';
import { STARTER_VERSION } from '../activities/classifier-model';
import { CLASSIFIER_TRAINING_WORKFLOW } from '../platform/schedules';
import type { TemporalCalls } from './temporal-calls';
import { modelVersionView, outOfScopeView } from './views';
import { proposeFor, summarize } from '../activities/intake';
import { regionCodeSchema, text, topicSchema, unitIdSchema } from '../domain/ticket';
import { conflict, HttpError, notFound } from './errors';
import { assertReferencesExist, unitRefs } from './references';
import type { Api } from './route';
import { adminActorOf } from './auth';
import { recordAdminChange } from '../db/audit';

const proposalView = z.object({
  classification: z.object({ type: z.string(), topic: z.string(), category: z.string() }),
  confidence: z.object({
    type: z.number(),
    topic: z.number(),
    category: z.number(),
    region: z.number(),
    route: z.number().nullable(),
    dispatch: z.number().optional().describe('that the ticket is in scope and right in unit and category: what the auto-dispatch gate reads'),
  }),
  regionCode: z.string().nullable(),
  outOfScope: outOfScopeView,
  modelVersion: modelVersionView,
  knowledgeBase: z.object({ entryId: z.string(), answer: z.string(), score: z.number() }).optional(),
  route: z.object({ unitId: z.string(), coUnitIds: z.array(z.string()) }).nullable(),
  topicName: z.string().nullable(),
  evidence: z.record(z.string(), z.array(z.string())).describe('the words each decision rests on'),
});

const topicView = z.object({ code: z.string(), name: z.string(), parentCode: z.string().nullable() });
const ruleInput = z.object({
  topic: topicSchema,
  regionCode: regionCodeSchema.nullable().default(null).describe('null: any region'),
  unitId: unitIdSchema,
  coUnitIds: z.array(unitIdSchema).max(20).default([]),
});
const ruleView = ruleInput.extend({ id: z.number().int() });
/** A routing rule's id as a path parameter: a positive Postgres integer. */
const ruleIdParam = { ruleId: z.coerce.number().int().positive().max(2_147_483_647) };
const kbInput = z.object({
  id: z.string().regex(/^[\w-]{1,64}$/, 'must be 1–64 characters of A-Z, a-z, 0-9, "_" or "-"').optional(),
  topic: topicSchema,
  question: text(500),
  patterns: z.array(text(100)).min(1).max(50).describe('key phrases; "a|b" means either'),
  answer: text(5000),
});
const kbView = kbInput.required({ id: true });
/** A row as the API shows it and the audit records it: the bookkeeping column left out. */
const withoutUpdatedAt = <T extends { updatedAt: Date }>({ updatedAt: _, ...row }: T): Omit<T, 'updatedAt'> => row;

const modelView = z.object({
  id: z.string(),
  status: z.enum(['training', 'promoted', 'rejected']).describe('the model in force is the newest promoted one'),
  requestedBy: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  promotedAt: z.string().nullable(),
  trainingCases: z.number().int().nullable(),
  metrics: z.record(z.string(), z.number()).nullable().describe('on the test split: accuracy per field, urgent recall, out-of-scope recall, false rejections, score'),
  baseline: z.record(z.string(), z.number()).nullable().describe('the model in force then, on the same split'),
  baselineVersion: z.string().nullable(),
  inForce: z.boolean(),
});
type ModelRow = Omit<typeof classifierModels.$inferSelect, 'artifact'>;

function toModelView(row: ModelRow, inForce: string | undefined): z.infer<typeof modelView> {
  return {
    ...row,
    status: row.status as z.infer<typeof modelView>['status'],
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    promotedAt: row.promotedAt?.toISOString() ?? null,
    metrics: row.metrics as Record<string, number> | null,
    baseline: row.baseline as Record<string, number> | null,
    inForce: row.id === inForce,
  };
}

export interface ClassificationDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  temporalCalls: TemporalCalls;
}

export function classificationRoutes(api: Api, deps: ClassificationDeps): void {
  const { db, temporal, temporalCalls } = deps;
  const { artifact, ...listed } = getTableColumns(classifierModels);

  api.endpoint({
    method: 'post',
    path: '/v1/admin/classifier/train',
    operationId: 'trainClassifier',
    tag: 'admin',
    summary: 'Train a classifier model from the labelled tickets now (as the nightly schedule does)',
    description:
      'Answers 202 at once with the run (409 while another run is training); the model is promoted when it is not worse than the model in force on its test split ' +
      '(see GET /v1/admin/classifier/models).',
    roles: ['admin'],
    status: 202,
    response: modelView,
    handler: async ({ res }) => {
      // one run at a time: each takes a core for a while; a run left behind by a crash counts for an hour
      const [running] = await db
        .select({ id: classifierModels.id })
        .from(classifierModels)
        .where(and(eq(classifierModels.status, 'training'), gt(classifierModels.createdAt, sql`now() - interval '1 hour'`)))
        .limit(1);
      if (running) throw conflict(`classifier model ${running.id} is still training`);
      const id = `model-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${crypto.randomUUID().slice(0, 8)}`;
      const requestedBy = `admin:${res.locals.principal.id}`;
      await db.insert(classifierModels).values({ id, status: 'training', requestedBy });
      await temporalCalls.run(() =>
        temporal.workflow.start(CLASSIFIER_TRAINING_WORKFLOW, { taskQueue: deps.taskQueue, workflowId: `${deps.taskQueue}-${id}`, args: [{ id, requestedBy }] }),
      );
      const [row] = await db.select(listed).from(classifierModels).where(eq(classifierModels.id, id));
      return toModelView(row!, undefined);
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/admin/classifier/models',
    operationId: 'listClassifierModels',
    tag: 'admin',
    summary: 'Classifier models, newest first, with their test metrics and which one is in force',
    roles: ['admin', 'supervisor'],
    response: z.object({ items: z.array(modelView), inForce: z.string().describe('the model proposing now ("starter": trained from the shipped corpus)') }),
    handler: async () => {
      const rows = await db.select(listed).from(classifierModels).orderBy(desc(classifierModels.createdAt)).limit(100);
      const inForce = rows.filter((row) => row.status === 'promoted' && row.promotedAt).sort((a, b) => b.promotedAt!.getTime() - a.promotedAt!.getTime())[0]?.id;
      return { items: rows.map((row) => toModelView(row, inForce)), inForce: inForce ?? STARTER_VERSION };
    },
  });

  api.endpoint({
    method: 'post',
    path: '/v1/classify',
    operationId: 'classifyText',
    tag: 'classification',
    summary: "The classifier's proposal for a text, without creating a ticket",
    description: 'Type, topic, urgency category, region, out-of-scope, confidences, a knowledge-base answer when one fits, and the route.',
    roles: ['agent'],
    body: z.object({ content: text(10000), address: text(500).optional(), regionCode: regionCodeSchema.optional() }),
    response: proposalView,
    handler: async ({ body }) => {
      const { proposal, route } = await proposeFor(db, body);
      const [topic] = await db.select({ name: topics.name }).from(topics).where(eq(topics.code, proposal.topic.value));
      return { ...summarize(proposal, route), topicName: topic?.name ?? null, evidence: proposal.evidence };
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/admin/topics',
    operationId: 'listTopics',
    tag: 'admin',
    summary: 'The topic taxonomy (major / middle / minor codes)',
    roles: ['admin', 'supervisor', 'agent'],
    response: z.object({ items: z.array(topicView) }),
    handler: async () => ({ items: await db.select().from(topics).orderBy(asc(topics.code)) }),
  });
  api.endpoint({
    method: 'post',
    path: '/v1/admin/topics',
    operationId: 'createTopic',
    tag: 'admin',
    summary: 'Add a topic under an existing parent (a 4-digit middle under its 2-digit major, a 6-digit minor under its middle)',
    roles: ['admin'],
    body: z.object({ code: topicSchema, name: text(100) }),
    response: topicView,
    status: 201,
    idempotent: true,
    handler: async ({ body, res }) => {
      const parentCode = body.code.length > 2 ? body.code.slice(0, body.code.length - 2) : null;
      if (parentCode) await assertReferencesExist(db, [{ kind: 'topic', path: 'code', id: parentCode }]);
      return db.transaction(async (tx) => {
        const [row] = await tx.insert(topics).values({ ...body, parentCode }).onConflictDoNothing().returning();
        if (!row) throw new HttpError(409, 'already_exists', `topic ${body.code} already exists`, [{ path: 'code', message: 'already exists' }]);
        await recordAdminChange(tx, adminActorOf(res), { action: 'create', entityType: 'topic', entityId: row.code, after: row });
        return row;
      });
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/admin/routing-rules',
    operationId: 'listRoutingRules',
    tag: 'admin',
    summary: 'The routing table: topic × region → primary unit and co-handling units',
    description: 'Routing falls back from minor to middle to major topic, and from township to county to city to any region.',
    roles: ['admin', 'supervisor'],
    response: z.object({ items: z.array(ruleView) }),
    handler: async () => ({
      items: (await db.select().from(routingRules).orderBy(asc(routingRules.topic), asc(routingRules.id))).map(withoutUpdatedAt),
    }),
  });
  async function checkRule(body: z.infer<typeof ruleInput>) {
    await assertReferencesExist(db, [{ kind: 'topic', path: 'topic', id: body.topic }, ...unitRefs('', body.unitId, body.coUnitIds)]);
  }
  api.endpoint({
    method: 'post',
    path: '/v1/admin/routing-rules',
    operationId: 'createRoutingRule',
    tag: 'admin',
    summary: 'Add a routing rule',
    roles: ['admin'],
    body: ruleInput,
    response: ruleView,
    status: 201,
    idempotent: true,
    handler: async ({ body, res }) => {
      await checkRule(body);
      return db.transaction(async (tx) => {
        const [row] = await tx.insert(routingRules).values(body).returning();
        const rule = withoutUpdatedAt(row!);
        await recordAdminChange(tx, adminActorOf(res), { action: 'create', entityType: 'routing_rule', entityId: rule.id, after: rule });
        return rule;
      });
    },
  });
  api.endpoint({
    method: 'put',
    path: '/v1/admin/routing-rules/:ruleId',
    operationId: 'replaceRoutingRule',
    params: ruleIdParam,
    tag: 'admin',
    summary: 'Replace a routing rule',
    roles: ['admin'],
    body: ruleInput,
    response: ruleView,
    handler: async ({ params, body, res }) => {
      await checkRule(body);
      const id = Number(params.ruleId);
      return db.transaction(async (tx) => {
        const [before] = await tx.select().from(routingRules).where(eq(routingRules.id, id)).for('update');
        if (!before) throw notFound(`routing rule ${params.ruleId}`);
        const [row] = await tx
          .update(routingRules)
          .set({ ...body, updatedAt: new Date() })
          .where(eq(routingRules.id, id))
          .returning();
        const rule = withoutUpdatedAt(row!);
        await recordAdminChange(tx, adminActorOf(res), { action: 'update', entityType: 'routing_rule', entityId: id, before: withoutUpdatedAt(before), after: rule });
        return rule;
      });
    },
  });
  api.endpoint({
    method: 'delete',
    path: '/v1/admin/routing-rules/:ruleId',
    operationId: 'deleteRoutingRule',
    params: ruleIdParam,
    tag: 'admin',
    summary: 'Remove a routing rule',
    roles: ['admin'],
    response: ruleView,
    handler: async ({ params, res }) =>
      db.transaction(async (tx) => {
        const [row] = await tx.delete(routingRules).where(eq(routingRules.id, Number(params.ruleId))).returning();
        if (!row) throw notFound(`routing rule ${params.ruleId}`);
        const rule = withoutUpdatedAt(row);
        await recordAdminChange(tx, adminActorOf(res), { action: 'delete', entityType: 'routing_rule', entityId: rule.id, before: rule });
        return rule;
      }),
  });

  api.endpoint({
    method: 'get',
    path: '/v1/admin/knowledge-base',
    operationId: 'listKnowledgeBaseEntries',
    tag: 'admin',
    summary: 'Knowledge-base entries the center answers from directly',
    roles: ['admin', 'supervisor', 'agent'],
    response: z.object({ items: z.array(kbView) }),
    handler: async () => ({ items: (await db.select().from(knowledgeBase).orderBy(asc(knowledgeBase.id))).map(withoutUpdatedAt) }),
  });
  api.endpoint({
    method: 'post',
    path: '/v1/admin/knowledge-base',
    operationId: 'createKnowledgeBaseEntry',
    tag: 'admin',
    summary: 'Add a knowledge-base entry',
    roles: ['admin'],
    body: kbInput,
    response: kbView,
    status: 201,
    idempotent: true,
    handler: async ({ body, res }) => {
      await assertReferencesExist(db, [{ kind: 'topic', path: 'topic', id: body.topic }]);
      const id = body.id ?? `kb-${crypto.randomBytes(5).toString('hex')}`;
      return db.transaction(async (tx) => {
        const [row] = await tx.insert(knowledgeBase).values({ ...body, id }).onConflictDoNothing().returning();
        if (!row) throw new HttpError(409, 'already_exists', `entry ${id} already exists`, [{ path: 'id', message: 'already exists' }]);
        const entry = withoutUpdatedAt(row);
        await recordAdminChange(tx, adminActorOf(res), { action: 'create', entityType: 'knowledge_base_entry', entityId: id, after: entry });
        return entry;
      });
    },
  });
  api.endpoint({
    method: 'put',
    path: '/v1/admin/knowledge-base/:entryId',
    operationId: 'replaceKnowledgeBaseEntry',
    tag: 'admin',
    summary: 'Replace a knowledge-base entry',
    roles: ['admin'],
    body: kbInput.omit({ id: true }),
    response: kbView,
    handler: async ({ params, body, res }) => {
      await assertReferencesExist(db, [{ kind: 'topic', path: 'topic', id: body.topic }]);
      return db.transaction(async (tx) => {
        const [before] = await tx.select().from(knowledgeBase).where(eq(knowledgeBase.id, params.entryId!)).for('update');
        if (!before) throw notFound(`knowledge-base entry ${params.entryId}`);
        const [row] = await tx
          .update(knowledgeBase)
          .set({ ...body, updatedAt: new Date() })
          .where(eq(knowledgeBase.id, params.entryId!))
          .returning();
        const entry = withoutUpdatedAt(row!);
        await recordAdminChange(tx, adminActorOf(res), { action: 'update', entityType: 'knowledge_base_entry', entityId: entry.id, before: withoutUpdatedAt(before), after: entry });
        return entry;
      });
    },
  });
  api.endpoint({
    method: 'delete',
    path: '/v1/admin/knowledge-base/:entryId',
    operationId: 'deleteKnowledgeBaseEntry',
    tag: 'admin',
    summary: 'Remove a knowledge-base entry',
    roles: ['admin'],
    response: kbView,
    handler: async ({ params, res }) =>
      db.transaction(async (tx) => {
        const [row] = await tx.delete(knowledgeBase).where(eq(knowledgeBase.id, params.entryId!)).returning();
        if (!row) throw notFound(`knowledge-base entry ${params.entryId}`);
        const entry = withoutUpdatedAt(row);
        await recordAdminChange(tx, adminActorOf(res), { action: 'delete', entityType: 'knowledge_base_entry', entityId: entry.id, before: entry });
        return entry;
      }),
  });
}
