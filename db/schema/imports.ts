/** Historical imports as jobs: their progress while they run and their outcome afterwards. */
import { pgTable, text, timestamp, integer, jsonb, index } from 'drizzle-orm/pg-core';

export const importJobs = pgTable(
  'import_jobs',
  {
    id: text('id').primaryKey(),
    principalId: text('principal_id').notNull(),
    /** running, done, failed, or interrupted (the process stopped before the end) */
    status: text('status', { enum: ['running', 'done', 'failed', 'interrupted'] }).notNull(),
    /** ndjson or csv */
    format: text('format').notNull(),
    /** the character set the upload was decoded from, declared or detected */
    charset: text('charset'),
    rowsDone: integer('rows_done').notNull().default(0),
    imported: integer('imported').notNull().default(0),
    alreadyPresent: integer('already_present').notNull().default(0),
    rejected: integer('rejected').notNull().default(0),
    /** the first rejected rows with line, field and message */
    rejections: jsonb('rejections').notNull().default([]),
    /** why a failed job stopped */
    failure: text('failure'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('import_jobs_created_idx').on(t.createdAt)],
);
