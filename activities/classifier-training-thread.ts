/**
 * The CPU-heavy half of a training run, in a worker thread so that the worker's (and, in a
 * single-process deployment, the API's) event loop keeps serving while a model trains: fit the
 * candidate, and measure it and the model in force on the candidate's test split.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DEFAULT_CLASSIFIER_BASE } from '../domain/classifier';
import type { KnowledgeBaseEntry } from '../domain/classifier/knowledge-base';
import { compile, type LabelledTicket, type ModelArtifact, splitOf } from '../domain/classifier/model';
import { measure, trainClassifier } from '../domain/classifier/train';
import { readCorpus, STARTER_VERSION } from './classifier-model';

export interface TrainingJob {
  id: string;
  tickets: LabelledTicket[];
  knowledgeBase: KnowledgeBaseEntry[];
  /** the promoted model in force, or null for the starter model (retrained here from the corpus) */
  inForce: { version: string; artifact: ModelArtifact } | null;
}

function run(job: TrainingJob) {
  const base = { ...DEFAULT_CLASSIFIER_BASE, knowledgeBase: job.knowledgeBase };
  const trained = trainClassifier(job.tickets, job.id, base);
  const current = job.inForce
    ? compile(job.inForce.version, job.inForce.artifact)
    : trainClassifier(readCorpus('corpus'), STARTER_VERSION, base).model;
  const test = job.tickets.filter((ticket) => splitOf(ticket.content) === 'test');
  return {
    artifact: trained.artifact,
    metrics: trained.metrics,
    trainingCases: trained.trainingCases,
    baseline: measure(test, { ...base, model: current }),
    baselineVersion: current.version,
  };
}

export type TrainingResult = ReturnType<typeof run>;

parentPort?.postMessage(run(workerData as TrainingJob));
