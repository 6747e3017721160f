/** 承办单位: the government units tickets are dispatched to, in four levels. */
import { pgTable, text, timestamp, index } from 'drizzle-orm/pg-core';

export const units = pgTable(
  'units',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    level: text('level', { enum: ['city', 'county', 'township', 'village'] }).notNull(),
    parentId: text('parent_id'),
    regionCode: text('region_code').notNull(),
    webhookUrl: text('webhook_url'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('units_region_idx').on(t.regionCode)],
);
