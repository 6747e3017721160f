/** Classification data admins edit: the topic taxonomy, routing rules and the knowledge base. */
import { sql } from 'drizzle-orm';
import { pgTable, text, timestamp, serial, index } from 'drizzle-orm/pg-core';

/** GB/T 39666-2020 style topic codes: 2 digits each for major, middle and minor category. */
export const topics = pgTable('topics', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  parentCode: text('parent_code'),
});

/** topic × region → primary unit and co-handling units (主办/协办). A null region is any region. */
export const routingRules = pgTable(
  'routing_rules',
  {
    id: serial('id').primaryKey(),
    topic: text('topic').notNull(),
    regionCode: text('region_code'),
    unitId: text('unit_id').notNull(),
    coUnitIds: text('co_unit_ids').array().notNull().default(sql`'{}'::text[]`),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('routing_rules_topic_idx').on(t.topic, t.regionCode)],
);

/** 知识库: answers the center gives directly. */
export const knowledgeBase = pgTable('knowledge_base', {
  id: text('id').primaryKey(),
  topic: text('topic').notNull(),
  question: text('question').notNull(),
  patterns: text('patterns').array().notNull(),
  answer: text('answer').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
