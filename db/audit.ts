/**
 * The audit trail of administration (admin_audit): who changed what, when, and how it looked
 * before and after. Every admin change calls `recordAdminChange` inside the transaction of the
 * change itself, so a change without its audit row cannot be committed, nor an audit row without
 * its change. Secrets never reach the trail: fields named in REDACTED_FIELDS are replaced by a
 * marker, which also says whether the secret changed (a rotation is recorded without its value).
 */
import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { Db } from './client';
import { adminAudit } from './schema';

/** A transaction of `db.transaction`, or the database itself for a single-statement change. */
export type Tx = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

/** What the trail records of entities; other branches add theirs here. */
export const AUDIT_ENTITY_TYPES = ['unit', 'api_key', 'topic', 'routing_rule', 'knowledge_base_entry', 'policy', 'calendar_override', 'notification'] as const;
export type AuditEntityType = (typeof AUDIT_ENTITY_TYPES)[number];
/** `rotate`: a secret replaced, recorded with the secret redacted; `redeliver`: a failed notification sent again. */
export const AUDIT_ACTIONS = ['create', 'update', 'delete', 'revoke', 'rotate', 'redeliver'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who made the change, as the API authenticated them, and the request it came in. */
export interface AdminActor {
  /** the API key id ('bootstrap-admin' for ADMIN_API_KEY) */
  id: string;
  name: string;
  role: string;
  requestId?: string;
  idempotencyKey?: string;
}

export interface AdminChange {
  action: AuditAction;
  entityType: AuditEntityType;
  entityId: string | number;
  /** the entity before the change; undefined/null when it did not exist */
  before?: unknown;
  /** the entity after the change; undefined/null when it no longer exists */
  after?: unknown;
}

/**
 * Field names (at any depth, case-insensitive, `_` and `-` ignored) whose values never enter the
 * trail: API keys and their hashes, webhook and other secrets, passwords, tokens.
 */
export const REDACTED_FIELDS = ['key', 'keyHash', 'secret', 'webhookSecret', 'password', 'token', 'apiKey'];
export const REDACTED = '[redacted]';
/** in `after`, a redacted field whose value differs from `before`'s: the secret was set or rotated */
export const REDACTED_CHANGED = '[redacted: changed]';

const normalized = (name: string) => name.replace(/[_-]/g, '').toLowerCase();
const redactedNames = new Set(REDACTED_FIELDS.map(normalized));
const isRedacted = (name: string) => redactedNames.has(normalized(name)) || /secret/i.test(name);

/** `value` as JSON with every secret replaced; `compareTo` (the before) tells a changed secret. */
export function redactSecrets(value: unknown, compareTo?: unknown): unknown {
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v, i) => redactSecrets(v, Array.isArray(compareTo) ? compareTo[i] : undefined));
  const other = compareTo !== null && typeof compareTo === 'object' ? (compareTo as Record<string, unknown>) : undefined;
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (isRedacted(name)) out[name] = v === null ? null : other && other[name] !== v ? REDACTED_CHANGED : REDACTED;
    else out[name] = redactSecrets(v, other?.[name]);
  }
  return out;
}

/** Appends one change to the trail, in the caller's transaction. */
export async function recordAdminChange(tx: Tx, actor: AdminActor, change: AdminChange): Promise<void> {
  await tx.insert(adminAudit).values({
    actorKeyId: actor.id,
    actorName: actor.name,
    actorRole: actor.role,
    action: change.action,
    entityType: change.entityType,
    entityId: String(change.entityId),
    before: change.before == null ? null : redactSecrets(change.before),
    after: change.after == null ? null : redactSecrets(change.after, change.before ?? {}),
    requestId: actor.requestId ?? null,
    idempotencyKey: actor.idempotencyKey ?? null,
  });
}

export type AuditRow = typeof adminAudit.$inferSelect;

export interface AuditFilter {
  entityType?: string;
  entityId?: string;
  actorKeyId?: string;
  action?: string;
  /** at or after */
  from?: Date;
  /** before */
  to?: Date;
}

/** The trail newest first, after the keyset position `beforeId` when paging. */
export function listAdminChanges(db: Db, f: AuditFilter, limit: number, beforeId?: number): Promise<AuditRow[]> {
  const where: (SQL | undefined)[] = [
    f.entityType ? eq(adminAudit.entityType, f.entityType) : undefined,
    f.entityId ? eq(adminAudit.entityId, f.entityId) : undefined,
    f.actorKeyId ? eq(adminAudit.actorKeyId, f.actorKeyId) : undefined,
    f.action ? eq(adminAudit.action, f.action) : undefined,
    f.from ? gte(adminAudit.at, f.from) : undefined,
    f.to ? lt(adminAudit.at, f.to) : undefined,
    beforeId !== undefined ? lt(adminAudit.id, beforeId) : undefined,
  ];
  return db.select().from(adminAudit).where(and(...where)).orderBy(desc(adminAudit.id)).limit(limit);
}
