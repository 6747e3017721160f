/**
 * Training a classifier model (分类模型训练) from the labelled tickets in Postgres plus the starter
 * corpus, evaluating it against the model in force on the new model's test split, and promoting
 * it when it is not worse (domain/classifier/train.ts `shouldPromote`). Idempotent: the run's
 * row is keyed by the job id the workflow passes, and a finished run is not trained again.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { eq, sql } from 'drizzle-orm';
import { classifierModels, knowledgeBase } from '../db/schema';
import { shouldPromote } from '../domain/classifier/train';
import { promotedArtifact, trainingSet } from './classifier-model';
import type { TrainingJob, TrainingResult } from './classifier-training-thread';
import type { ActivityDeps } from './index';

/**
 * Runs the training in a worker thread (classifier-training-thread.ts). The thread loads the
 * TypeScript through tsx's CommonJS hook: Node 20 does not pass `--import tsx` hooks to workers.
 */
function inThread(job: TrainingJob): Promise<TrainingResult> {
  const file = join(__dirname, 'classifier-training-thread.ts');
  return new Promise((resolve, reject) => {
    const thread = new Worker(`require('tsx/cjs'); require(${JSON.stringify(file)});`, { eval: true, workerData: job });
    thread.once('message', resolve);
    thread.once('error', reject);
    thread.once('exit', (code) => code !== 0 && reject(new Error(`training thread exited with ${code}`)));
  });
}

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
      const [tickets, entries, inForce] = await Promise.all([trainingSet(db), db.select().from(knowledgeBase), promotedArtifact(db)]);
      const { artifact, metrics, trainingCases, baseline, baselineVersion } = await inThread({ id: args.id, tickets, knowledgeBase: entries, inForce });
      const status = shouldPromote(metrics, baseline) ? 'promoted' : 'rejected';
      await db
        .update(classifierModels)
        .set({
          status,
          finishedAt: sql`now()`,
          promotedAt: status === 'promoted' ? sql`now()` : null,
          trainingCases,
          metrics,
          baseline,
          baselineVersion,
          artifact,
        })
        .where(eq(classifierModels.id, args.id));
      logger.info({ model: args.id, status, score: metrics.score, baseline: baseline.score }, 'classifier model trained');
      return { id: args.id, status };
    },
  };
}
