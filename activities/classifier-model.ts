/**
 * The classifier model in force: the starter model trained from the shipped corpus
 * (data/classifier/corpus.jsonl) until the city's own has been trained and promoted, then the
 * newest promoted model in Postgres. Training from Postgres and promotion live in
 * classifier-training.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, desc, eq, isNotNull, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { preparedOn } from '../db/prepared';
import { classifierModels, ticketEvents, tickets } from '../db/schema';
import { type ClassifierData, DEFAULT_CLASSIFIER_BASE, parseCorpus } from '../domain/classifier';
import { labelledTicketSchema } from '../domain/classifier/corpus';
import { type CompiledModel, compile, type LabelledTicket, type ModelArtifact } from '../domain/classifier/model';
import { trainClassifier, type TrainedModel } from '../domain/classifier/train';

export const CORPUS_DIR = join(__dirname, '..', 'data', 'classifier');
export const STARTER_VERSION = 'starter';

export function readCorpus(name: 'corpus' | 'evaluation') {
  return parseCorpus(readFileSync(join(CORPUS_DIR, `${name}.jsonl`), 'utf8'));
}

let starter: TrainedModel | undefined;
/** Trained once per process (a few seconds) from the shipped corpus. */
export function starterModel(): TrainedModel {
  starter ??= trainClassifier(readCorpus('corpus'), STARTER_VERSION, DEFAULT_CLASSIFIER_BASE);
  return starter;
}

/** The sample city's data with the starter model, for the bench and the tests. */
export function starterClassifierData(): ClassifierData {
  return { ...DEFAULT_CLASSIFIER_BASE, model: starterModel().model };
}

/**
 * The tickets a person classified: imported history, and every ticket whose classification an
 * agent set or corrected (a `classified` event with source agent; one the classifier set by
 * auto-dispatch would only teach the model its own mistakes). The latest agent decision wins.
 * A ticket closed with a referral is out of scope, of the kind proposed for it.
 */
export async function labelledTicketsIn(db: Db): Promise<LabelledTicket[]> {
  const rows = await db
    .select({
      content: tickets.content,
      type: tickets.type,
      topic: tickets.topic,
      category: tickets.category,
      referral: tickets.referral,
      kind: sql<string | null>`${tickets.proposal}->'outOfScope'->>'kind'`,
    })
    .from(tickets)
    .where(
      and(
        isNotNull(tickets.type),
        isNotNull(tickets.topic),
        isNotNull(tickets.category),
        or(
          eq(tickets.imported, true),
          sql`exists (select 1 from ${ticketEvents} e where e.ticket_id = ${tickets.id} and e.type = 'classified' and e.data->>'source' = 'agent')`,
        ),
      ),
    );
  return rows.flatMap((row) => {
    const ticket = { content: row.content, type: row.type, topic: row.topic, category: row.category, scope: row.referral ? (row.kind ?? 'other') : 'in' };
    const parsed = labelledTicketSchema.safeParse(ticket);
    return parsed.success ? [parsed.data] : [];
  });
}

/** The starter corpus and the city's own tickets; a ticket in both counts as the city labelled it. */
export async function trainingSet(db: Db): Promise<LabelledTicket[]> {
  const city = await labelledTicketsIn(db);
  const known = new Set(city.map((ticket) => ticket.content));
  return [...readCorpus('corpus').filter((ticket) => !known.has(ticket.content)), ...city];
}

/** The newest promoted model's stored artifact, or null while the starter model is in force. */
export async function promotedArtifact(db: Db): Promise<{ version: string; artifact: ModelArtifact } | null> {
  const [row] = await db
    .select({ id: classifierModels.id, artifact: classifierModels.artifact })
    .from(classifierModels)
    .where(eq(classifierModels.status, 'promoted'))
    .orderBy(desc(classifierModels.promotedAt))
    .limit(1);
  return row ? { version: row.id, artifact: row.artifact as ModelArtifact } : null;
}

const compiled = new Map<string, CompiledModel>();

// looked up by every classification: prepared once (db/prepared.ts)
const promotedModelId = preparedOn((db) =>
  db
    .select({ id: classifierModels.id })
    .from(classifierModels)
    .where(eq(classifierModels.status, 'promoted'))
    .orderBy(desc(classifierModels.promotedAt))
    .limit(1)
    .prepare('promoted_model_id'),
);

/**
 * The model in force: the newest promoted one in Postgres, else the starter model. The lookup of
 * the version is one indexed row; the artifact is read and compiled only when the version
 * changes, so a worker picks up a newly promoted model on its next classification.
 */
export async function currentModel(db: Db): Promise<CompiledModel> {
  const [row] = await promotedModelId(db).execute();
  if (!row) return starterModel().model;
  const cached = compiled.get(row.id);
  if (cached) return cached;
  const [stored] = await db.select({ artifact: classifierModels.artifact }).from(classifierModels).where(eq(classifierModels.id, row.id));
  const model = compile(row.id, stored?.artifact as ModelArtifact);
  compiled.clear();
  compiled.set(row.id, model);
  return model;
}
