/**
 * Units' webhook secrets: issued and rotated by an admin (the API), read to sign by the worker.
 * Stored sealed (platform/secret-box.ts), the unit id bound in, so a sealed secret copied to
 * another unit's row does not open.
 */
import crypto from 'node:crypto';
import { and, desc, eq, gt, isNull, or } from 'drizzle-orm';
import type { Db } from './client';
import { units, webhookSecrets } from './schema';
import { recordAdminChange, type AdminActor } from './audit';
import type { SecretBox } from '../platform/secret-box';

export interface SecretIssued {
  unitId: string;
  secretId: string;
  /** shown once, in the answer to the admin who issued it */
  secret: string;
  createdAt: Date;
  /** until when the secret it replaced still signs (null: there was none) */
  previousValidUntil: Date | null;
}

/**
 * A new current secret for the unit; the one it replaces keeps signing for `overlapSeconds` (0:
 * it stops at once, for a secret that leaked). Undefined when the unit does not exist.
 */
export async function rotateWebhookSecret(
  db: Db,
  box: SecretBox,
  args: { unitId: string; overlapSeconds: number; actor: AdminActor },
): Promise<SecretIssued | undefined> {
  return db.transaction(async (tx) => {
    // one rotation of a unit at a time, so two never both leave a current secret
    const [unit] = await tx.select({ id: units.id }).from(units).where(eq(units.id, args.unitId)).for('update');
    if (!unit) return undefined;
    const now = new Date();
    const previousValidUntil = new Date(now.getTime() + args.overlapSeconds * 1000);
    const replaced = await tx
      .update(webhookSecrets)
      .set({ validUntil: previousValidUntil })
      .where(and(eq(webhookSecrets.unitId, args.unitId), isNull(webhookSecrets.validUntil)))
      .returning({ id: webhookSecrets.id });
    const secret = `whsec_${crypto.randomBytes(32).toString('base64url')}`;
    const secretId = `whs-${crypto.randomBytes(6).toString('hex')}`;
    await tx.insert(webhookSecrets).values({ id: secretId, unitId: args.unitId, sealed: box.seal(secret, args.unitId), createdAt: now, createdBy: args.actor.id });
    // which secrets sign, by their ids, never the secrets themselves (a field named *secret* would be redacted)
    await recordAdminChange(tx, args.actor, {
      action: 'rotate',
      entityType: 'unit',
      entityId: args.unitId,
      before: { signingKeyIds: replaced.map((r) => r.id) },
      after: { signingKeyId: secretId, previousValidUntil: replaced.length > 0 ? previousValidUntil.toISOString() : null },
    });
    return { unitId: args.unitId, secretId, secret, createdAt: now, previousValidUntil: replaced.length > 0 ? previousValidUntil : null };
  });
}

/** The unit's secrets that sign at `now`, newest first, as stored (still sealed). */
export function validWebhookSecrets(db: Db, unitId: string, now: Date) {
  return db
    .select()
    .from(webhookSecrets)
    .where(and(eq(webhookSecrets.unitId, unitId), or(isNull(webhookSecrets.validUntil), gt(webhookSecrets.validUntil, now))))
    .orderBy(desc(webhookSecrets.createdAt));
}

/** The plaintext secrets a notification to the unit is signed with now, newest first. */
export async function signingSecrets(db: Db, box: SecretBox, unitId: string, now = new Date()): Promise<string[]> {
  return (await validWebhookSecrets(db, unitId, now)).map((s) => box.open(s.sealed, unitId));
}
