/**
 * Notifications to units' webhooks and hand-backs to the provincial and national platforms: the
 * outbox as admins and the supervision center see it, an
 * admin's redelivery of a failed one, and the units' signing secrets, issued and rotated by an
 * admin and shown once.
 */
import type { Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { z } from '../domain/zod';
import type { Db } from '../db/client';
import { units } from '../db/schema';
import { findNotification, listNotifications, NOTIFICATION_STATUSES, reopenForRedelivery, restoreStatus } from '../db/notifications';
import { rotateWebhookSecret, validWebhookSecrets } from '../db/webhook-secrets';
import { ticketIdSchema, unitIdSchema } from '../domain/ticket';
import { SIGNATURE_TOLERANCE_SECONDS } from '../domain/webhook-signature';
import type { SecretBox } from '../platform/secret-box';
import { NOTIFICATION_DELIVERY_WORKFLOW } from '../workflows/messages';
import { HttpError, notFound } from './errors';
import { adminActorOf } from './auth';
import type { Api } from './route';
import type { TemporalCalls } from './temporal-calls';
import { notificationView, toNotificationView } from './views';

export interface NotificationDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  temporalCalls: TemporalCalls;
  secretBox: SecretBox;
  /** how long a replaced secret still signs when the admin does not say */
  defaultOverlapSeconds: number;
}

/** The longest overlap an admin may give a rotation: a week. */
const MAX_OVERLAP_SECONDS = 7 * 86_400;

const iso = z.string().describe('ISO 8601 time with offset');
const secretIssuedView = z.object({
  unitId: z.string(),
  secretId: z.string(),
  secret: z
    .string()
    .nullable()
    .describe('shown only in this response; store it in the unit system to verify X-Hotline-Signature. Null in an Idempotency-Key replay: the secret is never kept in clear, so a lost answer means issuing another'),
  createdAt: iso,
  previousValidUntil: iso.nullable().describe('until when the replaced secret still signs (a second v1 in the header); null when there was none'),
  signatureToleranceSeconds: z.number().int().describe('how old a signature a receiver accepts'),
});
const secretStatusView = z.object({
  unitId: z.string(),
  secrets: z
    .array(z.object({ secretId: z.string(), createdAt: iso, validUntil: iso.nullable().describe('null: the current secret') }))
    .describe('the secrets that sign now, newest first; never the secrets themselves'),
});

export function notificationRoutes(api: Api, deps: NotificationDeps): void {
  const { db, temporal, temporalCalls } = deps;

  api.endpoint({
    method: 'get',
    path: '/v1/admin/notifications',
    operationId: 'listNotifications',
    tag: 'admin',
    summary: "Notifications to units' webhooks and hand-backs to the platforms (the outbox), newest first; `status=failed` lists the undelivered",
    roles: ['admin', 'supervisor'],
    query: z.object({
      status: z.enum(NOTIFICATION_STATUSES).optional(),
      ticketId: ticketIdSchema.optional(),
      unitId: unitIdSchema.optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    }),
    response: z.object({ items: z.array(notificationView) }),
    handler: async ({ query }) => ({ items: (await listNotifications(db, query)).map(toNotificationView) }),
  });

  api.endpoint({
    method: 'post',
    path: '/v1/admin/notifications/:notificationId/redeliver',
    operationId: 'redeliverNotification',
    tag: 'admin',
    summary: 'Deliver a failed (or webhook-less) notification or hand-back again, with the same id, retried as the first delivery was',
    description:
      'Answers at once with the notification `pending`; its delivery runs in the background (watch `status`). 409 when it is delivered already or still being delivered.',
    roles: ['admin'],
    response: notificationView,
    idempotent: true,
    handler: async ({ params, res }) => {
      const id = params.notificationId!;
      const reopened = await reopenForRedelivery(db, id, adminActorOf(res));
      if (!reopened) {
        const row = await findNotification(db, id);
        if (!row) throw notFound(`notification ${id}`);
        throw new HttpError(409, 'action_not_allowed', `notification ${id} is '${row.status}': only a failed or webhook-less notification is redelivered`, [
          { path: 'status', message: `the notification is '${row.status}'` },
        ]);
      }
      try {
        await temporalCalls.run(() =>
          temporal.workflow.start(NOTIFICATION_DELIVERY_WORKFLOW, {
            workflowId: id,
            taskQueue: deps.taskQueue,
            args: [{ notificationId: id }],
            // a delivery workflow still closing after marking it failed is done with it
            workflowIdConflictPolicy: 'TERMINATE_EXISTING',
          }),
        );
      } catch (err) {
        await restoreStatus(db, id, reopened.previousStatus);
        throw err;
      }
      return toNotificationView(reopened.row);
    },
  });

  api.endpoint({
    method: 'post',
    path: '/v1/admin/units/:unitId/webhook-secret',
    operationId: 'issueWebhookSecret',
    tag: 'admin',
    summary: "Issue or rotate the unit's webhook signing secret; the secret is shown only in this response",
    description: `The new secret signs every notification from now on. The one it replaces keeps signing, as a second \`v1\` in \`X-Hotline-Signature\`, for \`overlapSeconds\` (default WEBHOOK_SECRET_OVERLAP_SECONDS), so the unit can switch without losing a delivery; 0 ends it at once (a leaked secret).`,
    roles: ['admin'],
    body: z.object({ overlapSeconds: z.number().int().min(0).max(MAX_OVERLAP_SECONDS).optional() }),
    response: secretIssuedView,
    status: 201,
    idempotent: true,
    handler: async ({ params, body, res }) => {
      const issued = await rotateWebhookSecret(db, deps.secretBox, {
        unitId: params.unitId!,
        overlapSeconds: body.overlapSeconds ?? deps.defaultOverlapSeconds,
        actor: adminActorOf(res),
      });
      if (!issued) throw notFound(`unit ${params.unitId}`);
      const answer = {
        ...issued,
        createdAt: issued.createdAt.toISOString(),
        previousValidUntil: issued.previousValidUntil?.toISOString() ?? null,
        signatureToleranceSeconds: SIGNATURE_TOLERANCE_SECONDS,
      };
      res.locals.idempotentReplayBody = { ...answer, secret: null };
      return answer;
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/admin/units/:unitId/webhook-secret',
    operationId: 'getWebhookSecretStatus',
    tag: 'admin',
    summary: "Which secrets sign the unit's notifications now (never the secrets)",
    roles: ['admin'],
    response: secretStatusView,
    handler: async ({ params }) => {
      const unitId = params.unitId!;
      const secrets = await validWebhookSecrets(db, unitId, new Date());
      if (secrets.length === 0 && !(await unitExists(db, unitId))) throw notFound(`unit ${unitId}`);
      return {
        unitId,
        secrets: secrets.map((s) => ({ secretId: s.id, createdAt: s.createdAt.toISOString(), validUntil: s.validUntil?.toISOString() ?? null })),
      };
    },
  });
}

async function unitExists(db: Db, unitId: string): Promise<boolean> {
  const [row] = await db.select({ id: units.id }).from(units).where(eq(units.id, unitId));
  return row !== undefined;
}
