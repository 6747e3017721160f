/**
 * The audit trail of administration: every change an admin makes to the data the hotline runs
 * by (units, API keys, topics, routing, knowledge base, policy, calendar), written in the same
 * transaction as the change. Append-only: a trigger (migration 0005) refuses UPDATE, DELETE and
 * TRUNCATE, so not even the application can rewrite it.
 */
import { bigint, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const adminAudit = pgTable(
  'admin_audit',
  {
    /** also the order of the trail: newest first is id descending */
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    /** the API key id of the principal ('bootstrap-admin' for ADMIN_API_KEY), its name and role then */
    actorKeyId: text('actor_key_id').notNull(),
    actorName: text('actor_name').notNull(),
    actorRole: text('actor_role').notNull(),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    /** the entity before and after the change, secrets redacted (db/audit.ts); null where it did not exist */
    before: jsonb('before'),
    after: jsonb('after'),
    requestId: text('request_id'),
    idempotencyKey: text('idempotency_key'),
  },
  (t) => [
    index('admin_audit_entity_idx').on(t.entityType, t.entityId, t.id),
    index('admin_audit_actor_idx').on(t.actorKeyId, t.id),
    index('admin_audit_at_idx').on(t.at),
  ],
);
