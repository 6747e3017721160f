/** Reads of the notification outbox, and an admin's redelivery of one. */
import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';
import { preparedOn } from './prepared';
import { notifications } from './schema';
import { recordAdminChange, type AdminActor } from './audit';

export type NotificationRow = typeof notifications.$inferSelect;

export const NOTIFICATION_STATUSES = ['pending', 'delivered', 'failed', 'no_webhook'] as const;
/** What an admin may deliver again: given up, or sent nowhere for want of a webhook. */
export const REDELIVERABLE = ['failed', 'no_webhook'] as const;

/** A ticket's notifications, oldest first; `unitId` keeps them to the ones about that unit. */
export function notificationsOfTicket(db: Db, ticketId: string, unitId?: string): Promise<NotificationRow[]> {
  return unitId ? ofTicketToUnit(db).execute({ ticketId, unitId }) : ofTicket(db).execute({ ticketId });
}

// read for every ticket the API answers with: prepared once (db/prepared.ts)
const notificationsWhere = (db: Db, unit?: SQL) =>
  db
    .select()
    .from(notifications)
    .where(and(eq(notifications.ticketId, sql.placeholder('ticketId')), unit))
    .orderBy(asc(notifications.createdAt), asc(notifications.id));
const ofTicket = preparedOn((db) => notificationsWhere(db).prepare('notifications_of_ticket'));
const ofTicketToUnit = preparedOn((db) => notificationsWhere(db, eq(notifications.unitId, sql.placeholder('unitId'))).prepare('notifications_of_ticket_to_unit'));

export function listNotifications(
  db: Db,
  filter: { status?: string; ticketId?: string; unitId?: string; limit: number },
): Promise<NotificationRow[]> {
  return db
    .select()
    .from(notifications)
    .where(
      and(
        filter.status ? eq(notifications.status, filter.status) : undefined,
        filter.ticketId ? eq(notifications.ticketId, filter.ticketId) : undefined,
        filter.unitId ? eq(notifications.unitId, filter.unitId) : undefined,
      ),
    )
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(filter.limit);
}

export async function findNotification(db: Db, id: string): Promise<NotificationRow | undefined> {
  const [row] = await db.select().from(notifications).where(eq(notifications.id, id));
  return row;
}

/**
 * Sets a failed (or webhook-less) notification pending again, for a new delivery; undefined when
 * it is not in such a status (in flight, delivered or unknown). One redelivery at a time wins.
 */
export async function reopenForRedelivery(db: Db, id: string, actor: AdminActor): Promise<{ row: NotificationRow; previousStatus: string } | undefined> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(notifications).where(eq(notifications.id, id)).for('update');
    if (!before || !(REDELIVERABLE as readonly string[]).includes(before.status)) return undefined;
    const [row] = await tx
      .update(notifications)
      .set({ status: 'pending', failedAt: null, redeliveries: sql`${notifications.redeliveries} + 1` })
      .where(eq(notifications.id, id))
      .returning();
    await recordAdminChange(tx, actor, {
      action: 'redeliver',
      entityType: 'notification',
      entityId: id,
      before: { status: before.status, attempts: before.attempts, lastError: before.lastError },
      after: { status: row!.status, redeliveries: row!.redeliveries },
    });
    return { row: row!, previousStatus: before.status };
  });
}

/** Undoes `reopenForRedelivery` when its delivery could not be started. */
export async function restoreStatus(db: Db, id: string, status: string): Promise<void> {
  await db
    .update(notifications)
    .set({ status, ...(status === 'failed' ? { failedAt: new Date() } : {}) })
    .where(and(eq(notifications.id, id), eq(notifications.status, 'pending')));
}

/** The failed notifications, oldest first, for the supervision queue. */
export function failedNotifications(db: Db, limit: number): Promise<NotificationRow[]> {
  return db
    .select()
    .from(notifications)
    .where(inArray(notifications.status, ['failed']))
    .orderBy(asc(notifications.failedAt))
    .limit(limit);
}
