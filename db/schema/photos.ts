/** Photos of a ticket (照片): at intake, and the unit's before and after (整改前/整改后). The bytes live in the blob store. */
import { pgTable, text, timestamp, integer, index } from 'drizzle-orm/pg-core';
import { tickets } from './tickets';

export const ticketPhotos = pgTable(
  'ticket_photos',
  {
    id: text('id').primaryKey(),
    ticketId: text('ticket_id')
      .notNull()
      .references(() => tickets.id),
    /** intake (with the report), before or after (the unit's reply) */
    stage: text('stage', { enum: ['intake', 'before', 'after'] }).notNull(),
    contentType: text('content_type').notNull(),
    bytes: integer('bytes').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    /** the key in the blob store (platform/storage.ts) */
    storageKey: text('storage_key').notNull(),
    /** the API key that uploaded it */
    uploadedBy: text('uploaded_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('ticket_photos_ticket_idx').on(t.ticketId, t.createdAt)],
);
