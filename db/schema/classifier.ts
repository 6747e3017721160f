/**
 * Classifier models (分类模型): one row per training run. A run is `training` until it ends as
 * `promoted` (the model in force is the newest promoted one) or `rejected` (worse than the model
 * in force on its test split). The artifact is the model itself (domain/classifier/model.ts).
 */
import { index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const classifierModels = pgTable(
  'classifier_models',
  {
    id: text('id').primaryKey(),
    status: text('status').notNull(),
    /** 'schedule' or 'admin:<user>' */
    requestedBy: text('requested_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    promotedAt: timestamp('promoted_at', { withTimezone: true }),
    trainingCases: integer('training_cases'),
    /** the candidate's metrics on its test split (domain/classifier/train.ts ModelMetrics) */
    metrics: jsonb('metrics'),
    /** the model in force at the time, on the same split: what promotion compared against */
    baseline: jsonb('baseline'),
    baselineVersion: text('baseline_version'),
    artifact: jsonb('artifact'),
  },
  (t) => [index('classifier_models_promoted_idx').on(t.status, t.promotedAt)],
);
