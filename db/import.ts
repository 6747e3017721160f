/**
 * Writes historical tickets (domain/ticket-import.ts) into the read model in batches, as they
 * are read. A ticket id already present — imported before, a live ticket, or repeated in the
 * file — is left as it is, so importing a file again changes nothing. The rollup triggers count
 * each batch once.
 *
 * Every import is a job (`import_jobs`): its counts are saved after each batch, so a long import
 * shows its progress, and its outcome stays readable afterwards.
 */
import { importRows } from '../platform/metrics';
import crypto from 'node:crypto';
import { and, desc, eq, getTableColumns, lt, sql } from 'drizzle-orm';
import type { Db } from './client';
import { importJobs, tickets } from './schema';
import type { ImportIssue, ImportRecord, ImportRow } from '../domain/ticket-import';

const BATCH_ROWS = 1000;
/** Rejections listed in the summary; beyond them only counted. */
export const MAX_LISTED_REJECTIONS = 1000;

export interface ImportSummary {
  /** data rows read (blank lines aside) */
  rows: number;
  imported: number;
  /** ids already present, left unchanged */
  alreadyPresent: number;
  rejected: number;
  /** the first MAX_LISTED_REJECTIONS issues of the rejected rows */
  rejections: ImportIssue[];
  rejectionsTruncated: boolean;
}

type TicketInsert = typeof tickets.$inferInsert;
const COLUMNS = getTableColumns(tickets);

const date = (iso: string | undefined) => (iso === undefined ? null : new Date(iso));

function ticketRow(r: ImportRow): TicketInsert {
  return {
    id: r.id,
    channel: r.channel,
    callerPhone: r.callerPhone ?? null,
    content: r.content ?? '',
    address: r.address ?? null,
    regionCode: r.regionCode ?? null,
    businessEnvironment: r.businessEnvironment ?? false,
    type: r.type ?? null,
    topic: r.topic ?? null,
    category: r.category ?? null,
    status: r.status,
    unitId: r.unitId ?? null,
    receivedAt: new Date(r.receivedAt),
    dispatchedAt: date(r.dispatchedAt),
    signBy: date(r.signBy),
    signedAt: date(r.signedAt),
    dueBy: date(r.dueBy),
    repliedAt: date(r.repliedAt),
    replyOnTime: r.replyOnTime ?? null,
    replyResult: r.replyResult ?? null,
    callbackBy: date(r.callbackBy),
    satisfaction: r.satisfaction ?? null,
    closedAt: date(r.closedAt),
    rehandleCount: r.rehandleCount ?? 0,
    escalated: r.escalated ?? false,
    imported: true,
  };
}

/**
 * Inserts a batch as one JSON parameter, unpacked by Postgres: an order of magnitude faster than
 * binding every value of hundreds of rows. Columns not written keep their defaults.
 */
async function insertNew(db: Db, rows: TicketInsert[]): Promise<number> {
  const keys = Object.keys(rows[0]!) as (keyof TicketInsert)[];
  const names = sql.join(keys.map((k) => sql.identifier(COLUMNS[k].name)), sql`, `);
  const json = JSON.stringify(rows.map((r) => Object.fromEntries(keys.map((k) => [COLUMNS[k].name, r[k]]))));
  const inserted = await db.execute(sql`
    insert into tickets (${names})
    select ${names} from json_populate_recordset(null::tickets, ${json}::json)
    on conflict (id) do nothing
    returning id`);
  return inserted.length;
}

/** Writes the rows; `progress` is told the counts after each batch written. */
export async function importTickets(db: Db, records: AsyncIterable<ImportRecord>, progress?: (summary: ImportSummary) => Promise<void>): Promise<ImportSummary> {
  const summary: ImportSummary = { rows: 0, imported: 0, alreadyPresent: 0, rejected: 0, rejections: [], rejectionsTruncated: false };
  let batch: ImportRow[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const imported = await insertNew(db, batch.map(ticketRow));
    summary.imported += imported;
    summary.alreadyPresent += batch.length - imported;
    importRows.inc({ result: 'imported' }, imported);
    importRows.inc({ result: 'already_present' }, batch.length - imported);
    batch = [];
    await progress?.(summary);
  };
  for await (const record of records) {
    summary.rows += 1;
    if ('issues' in record) {
      summary.rejected += 1;
      importRows.inc({ result: 'rejected' });
      const room = MAX_LISTED_REJECTIONS - summary.rejections.length;
      summary.rejections.push(...record.issues.slice(0, room));
      summary.rejectionsTruncated ||= record.issues.length > room;
      continue;
    }
    batch.push(record.row);
    // reading waits while a batch is written: the upload is never held in memory
    if (batch.length === BATCH_ROWS) await flush();
  }
  await flush();
  return summary;
}

// ---------------------------------------------------------------------------------------------
// Jobs

export type ImportJob = typeof importJobs.$inferSelect;

/** How often a running job refreshes `updated_at`, also while it waits for a slow upload. */
const HEARTBEAT_MS = 10_000;
/** A running job not refreshed for this long was left by a process that stopped. */
const STALE_AFTER = '60 seconds';

export async function startImportJob(db: Db, job: { principalId: string; format: 'ndjson' | 'csv'; charset: string }): Promise<ImportJob> {
  // created_at in milliseconds, as list cursors carry it
  const [row] = await db
    .insert(importJobs)
    .values({ id: `import-${crypto.randomUUID()}`, status: 'running', ...job, createdAt: new Date() })
    .returning();
  return row!;
}

const counts = (s: ImportSummary) => ({ rowsDone: s.rows, imported: s.imported, alreadyPresent: s.alreadyPresent, rejected: s.rejected, rejections: s.rejections });

/** Runs the import as job `jobId`: progress after each batch, then done, or failed with the reason (and rethrown). */
export async function runImportJob(db: Db, jobId: string, records: AsyncIterable<ImportRecord>): Promise<ImportSummary> {
  const job = eq(importJobs.id, jobId);
  // a missed heartbeat only risks the job being read as interrupted; the import's own writes report real failures
  const heartbeat = setInterval(() => db.update(importJobs).set({ updatedAt: sql`now()` }).where(job).catch(() => undefined), HEARTBEAT_MS);
  heartbeat.unref();
  try {
    const summary = await importTickets(db, records, (s) => db.update(importJobs).set({ ...counts(s), updatedAt: sql`now()` }).where(job).then(() => undefined));
    await db.update(importJobs).set({ ...counts(summary), status: 'done', updatedAt: sql`now()`, finishedAt: sql`now()` }).where(job);
    return summary;
  } catch (err) {
    const failure = err instanceof Error ? err.message : String(err);
    // with Postgres gone as well, the job stays running until it is read as interrupted
    await db.update(importJobs).set({ status: 'failed', failure, updatedAt: sql`now()`, finishedAt: sql`now()` }).where(job).catch(() => undefined);
    throw err;
  } finally {
    clearInterval(heartbeat);
  }
}

/** Jobs still running but no longer refreshed: their process stopped. Run at API start and before jobs are read. */
export async function markInterruptedImports(db: Db): Promise<void> {
  await db
    .update(importJobs)
    .set({ status: 'interrupted', failure: 'the process running the import stopped before the end; import the file again (rows already imported are left as they are)', finishedAt: sql`now()` })
    .where(and(eq(importJobs.status, 'running'), lt(importJobs.updatedAt, sql`now() - ${STALE_AFTER}::interval`)));
}

export async function findImportJob(db: Db, id: string): Promise<ImportJob | undefined> {
  await markInterruptedImports(db);
  const [row] = await db.select().from(importJobs).where(eq(importJobs.id, id));
  return row;
}

/** Newest first; keyset paging on (created_at, id). */
export async function listImportJobs(db: Db, limit: number, after?: { createdAt: string; id: string }): Promise<ImportJob[]> {
  await markInterruptedImports(db);
  return db
    .select()
    .from(importJobs)
    .where(after ? sql`(${importJobs.createdAt}, ${importJobs.id}) < (${after.createdAt}::timestamptz, ${after.id})` : undefined)
    .orderBy(desc(importJobs.createdAt), desc(importJobs.id))
    .limit(limit);
}
