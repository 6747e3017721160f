/**
 * Training a classifier model (分类模型训练) from the labelled tickets in Postgres plus the starter
 * corpus, evaluating it against the model in force on the new model's test split, and promoting
 * it when it is not worse (domain/classifier/train.ts `shouldPromote`). Idempotent: the run's
 * row is keyed by the job id the workflow passes, and a finished run is not trained again.
 */
import { eq, sql } from 'drizzle-orm';
import { knowledgeBase } from '../db/schema';
import { classifierModels } from '../db/schema';
import { DEFAULT_CLASSIFIER_BASE } from '../domain/classifier';
import { splitOf } from '../domain/classifier/model';
import { measure, shouldPromote, trainClassifier } from '../domain/classifier/train';
import { currentModel, trainingSet } from './classifier-model';
import type { ActivityDeps } from './index';

export interface TrainingOutcome {
  id: string;
  status: 'promoted' | 'rejected';
}

export function createClassifierTrainingActivities({ database, logger }: ActivityDeps) {
  const { db } = database;
  return {
    async trainClassifierModel(args: { id: string; requestedBy: string }): Promise<TrainingOutcome> {
      await db.insert(classifierModels).values({ id: args.id, status: 'training', requestedBy: args.requestedBy }).onConflictDoNothing();
      const [existing] = await db.select({ status: classifierModels.status }).from(classifierModels).where(eq(classifierModels.id, args.id));
      if (existing?.status === 'promoted' || existing?.status === 'rejected') return { id: args.id, status: existing.status };
      const [tickets, entries, inForce] = await Promise.all([trainingSet(db), db.select().from(knowledgeBase), currentModel(db)]);
      const base = { ...DEFAULT_CLASSIFIER_BASE, knowledgeBase: entries };
      const trained = trainClassifier(tickets, args.id, base);
      const test = tickets.filter((ticket) => splitOf(ticket.content) === 'test');
      const baseline = measure(test, { ...base, model: inForce });
      const status = shouldPromote(trained.metrics, baseline) ? 'promoted' : 'rejected';
      await db
        .update(classifierModels)
        .set({
          status,
          finishedAt: sql`now()`,
          promotedAt: status === 'promoted' ? sql`now()` : null,
          trainingCases: trained.trainingCases,
          metrics: trained.metrics,
          baseline,
          baselineVersion: inForce.version,
          artifact: trained.artifact,
        })
        .where(eq(classifierModels.id, args.id));
      logger.info({ model: args.id, status, score: trained.metrics.score, baseline: baseline.score }, 'classifier model trained');
      return { id: args.id, status };
    },
  };
}
