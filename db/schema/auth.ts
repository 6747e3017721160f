/** API keys (stored only as hashes) and the Idempotency-Key records of state-changing POSTs. */
import { pgTable, text, timestamp, integer, jsonb, primaryKey } from 'drizzle-orm/pg-core';

export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role', { enum: ['agent', 'supervisor', 'unit', 'admin'] }).notNull(),
  unitId: text('unit_id'),
  /** sha256 of the key, hex */
  keyHash: text('key_hash').notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

export const idempotencyRecords = pgTable(
  'idempotency_records',
  {
    principalId: text('principal_id').notNull(),
    key: text('key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    /** sha256 of the request body, to refuse a key reused for a different request */
    requestHash: text('request_hash').notNull(),
    /** null while the first request is still being processed */
    statusCode: integer('status_code'),
    response: jsonb('response'),
    /** what the first attempt created (a ticket id), so a retry reuses it instead of creating another */
    resourceId: text('resource_id'),
    /** set when an attempt failed on our side (5xx, 409, 429): a retry with the key may take over */
    releasedAt: timestamp('released_at', { withTimezone: true }),
    /**
     * The attempt in progress holds the key until then (its action deadline and a margin); past it,
     * a retry takes the key over, e.g. after the API process died mid-request or the final write failed.
     */
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.principalId, t.key] })],
);
