/**
 * `POST /v1/admin/import/tickets`: historical tickets for analytics, streamed as NDJSON or CSV
 * (domain/ticket-import.ts) in the charset declared or recognized (domain/text-encoding.ts). The
 * body is read as it arrives and written in batches, so a file of any size passes through
 * without being held in memory; each row is validated on its own and a bad row is reported, not
 * fatal. Importing the same file again changes nothing.
 *
 * Every import is a job whose progress `GET /v1/admin/import/jobs/{id}` shows. With
 * `Prefer: respond-async` (RFC 7240) the upload is spooled to a temporary file and answered 202
 * at once; the import then runs in the background of this process.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { z } from '../domain/zod';
import type { Db } from '../db/client';
import { MAX_LISTED_REJECTIONS, findImportJob, listImportJobs, runImportJob, startImportJob, type ImportJob } from '../db/import';
import { DECLARABLE_CHARSETS, DeclaredCharsetMismatch, InvalidBytes, UndetectedCharset, UnsupportedCharset, decodeText, type DecodedText } from '../domain/text-encoding';
import { IMPORT_COLUMNS, ImportHeaderInvalid, ImportLineTooLong, csvRecords, importRowSchema, ndjsonRecords, type ImportRecord } from '../domain/ticket-import';
import type { Logger } from '../platform/logger';
import { cursorCodec } from './cursor';
import { disclose } from '../domain/privacy';
import { HttpError, notFound } from './errors';
import type { Api } from './route';
import { errorBody } from './views';

const NDJSON = 'application/x-ndjson';
const CSV = 'text/csv';
const JOBS_PATH = '/v1/admin/import/jobs';

const rejectionView = z.object({ line: z.number().int().describe('where the row starts; the CSV header is line 1'), field: z.string(), message: z.string() });
const charsetView = z.string().describe(`the charset the file was decoded from: declared (${DECLARABLE_CHARSETS.join(', ')}) or recognized`);

const summaryView = z.object({
  jobId: z.string().describe(`the import's job, at ${JOBS_PATH}/{id}`),
  charset: charsetView,
  charsetDetected: z.boolean().describe('true when no charset was declared and the file was recognized as `charset` (not UTF-8)'),
  rows: z.number().int().describe('data rows read (blank lines aside)'),
  imported: z.number().int(),
  alreadyPresent: z.number().int().describe('ids already present (imported before, a live ticket, or repeated in the file): left unchanged'),
  rejected: z.number().int().describe('rows refused'),
  rejections: z.array(rejectionView).describe(`what is wrong with each refused row, field by field (the first ${MAX_LISTED_REJECTIONS})`),
  rejectionsTruncated: z.boolean(),
});

const jobView = z.object({
  id: z.string(),
  status: z.enum(['running', 'done', 'failed', 'interrupted']).describe('interrupted: the process running it stopped before the end'),
  format: z.enum(['ndjson', 'csv']),
  charset: charsetView.nullable(),
  rowsDone: z.number().int().describe('data rows read and written so far (counted after each batch of 1,000)'),
  imported: z.number().int(),
  alreadyPresent: z.number().int(),
  rejected: z.number().int(),
  rejections: z.array(rejectionView).describe(`the first ${MAX_LISTED_REJECTIONS} issues of the refused rows`),
  failure: z.string().nullable().describe('why a failed or interrupted job stopped'),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});

/** A job as an admin sees it: a rejected row's message may quote the row, so its numbers are masked (domain/privacy.ts). */
function toJobView(job: ImportJob): z.infer<typeof jobView> {
  return disclose('importJob', 'admin', {
    id: job.id,
    status: job.status,
    format: job.format as 'ndjson' | 'csv',
    charset: job.charset,
    rowsDone: job.rowsDone,
    imported: job.imported,
    alreadyPresent: job.alreadyPresent,
    rejected: job.rejected,
    rejections: job.rejections as z.infer<typeof rejectionView>[],
    failure: job.failure,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  });
}

const jobCursor = cursorCodec(z.object({ createdAt: z.iso.datetime({ offset: true }), id: z.string() }));

/** What the headers say: the format, and the charset if one is declared. Checked before the body is read. */
function uploadOf(req: Request): { format: 'ndjson' | 'csv'; charset?: string } {
  const type = req.is([NDJSON, CSV]);
  if (!type) {
    throw new HttpError(415, 'unsupported_media_type', `send the tickets as ${NDJSON} or ${CSV}`, [
      { path: 'Content-Type', message: `must be ${NDJSON} or ${CSV}` },
    ]);
  }
  if ((req.get('content-encoding') ?? 'identity') !== 'identity') {
    throw new HttpError(415, 'unsupported_encoding', 'the body must be sent without content encoding', [{ path: 'Content-Encoding', message: 'must be identity' }]);
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.get('content-type') ?? '')?.[1]?.toLowerCase();
  return { format: type === CSV ? 'csv' : 'ndjson', charset };
}

/** The body as text, or the 4xx that says why it cannot be read. */
async function decodeBody(body: AsyncIterable<Uint8Array>, charset: string | undefined): Promise<DecodedText> {
  try {
    return await decodeText(body, charset);
  } catch (err) {
    if (err instanceof UnsupportedCharset) throw new HttpError(415, 'unsupported_encoding', err.message, [{ path: 'Content-Type', message: `charset '${err.charset}' is not supported` }]);
    if (err instanceof UndetectedCharset) throw new HttpError(415, 'unsupported_encoding', err.message, [{ path: 'Content-Type', message: 'declare the charset' }]);
    if (err instanceof InvalidBytes) throw new HttpError(400, 'invalid_encoding', err.message, [{ path: `line ${err.line}`, message: `not valid ${err.charset}` }]);
    if (err instanceof DeclaredCharsetMismatch) throw new HttpError(400, 'invalid_encoding', err.message, [{ path: `line ${err.line}`, message: `UTF-8, not ${err.charset}` }]);
    throw err;
  }
}

/**
 * The records of the upload, after the first has been read: a CSV header that is not valid is
 * refused (400) before a job starts or an asynchronous import is accepted.
 */
async function recordsOf(format: 'ndjson' | 'csv', text: AsyncIterable<string>): Promise<AsyncIterable<ImportRecord>> {
  const records = (format === 'csv' ? csvRecords(text) : ndjsonRecords(text))[Symbol.asyncIterator]();
  const first = await records.next().catch((err: unknown) => {
    throw importError(err);
  });
  return (async function* () {
    if (first.done) return;
    yield first.value;
    yield* { [Symbol.asyncIterator]: () => records };
  })();
}

/** The 4xx a refused file gets, or the error as it is. */
function importError(err: unknown): unknown {
  if (err instanceof ImportHeaderInvalid) return new HttpError(400, 'validation_failed', err.message, err.issues.map((i) => ({ path: i.field, message: i.message })));
  if (err instanceof ImportLineTooLong) return new HttpError(413, 'line_too_long', `${err.message}; the rows before it were imported`);
  return err;
}

/** The most an asynchronous import stores on disk by default; a larger history goes in several files. */
export const MAX_SPOOLED_BYTES = 1 << 30;

/** Copies the upload to a temporary file (at most `maxBytes`, else 413); the caller removes its folder. */
async function spool(req: Request, maxBytes: number): Promise<{ dir: string; file: string }> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'hotline-import-'));
  const file = path.join(dir, 'upload');
  let bytes = 0;
  const bounded = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) done(new HttpError(413, 'body_too_large', `an asynchronous import takes at most ${maxBytes} bytes; split the file`));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(req, bounded, fs.createWriteStream(file));
  } catch (err) {
    await fs.promises.rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { dir, file };
}

const wantsAsync = (req: Request) => (req.get('prefer') ?? '').split(',').some((p) => p.trim().toLowerCase() === 'respond-async');

export function importRoutes(api: Api, deps: { db: Db; logger: Logger; maxSpooledBytes?: number }): void {
  const { db, logger, maxSpooledBytes = MAX_SPOOLED_BYTES } = deps;

  api.endpoint({
    method: 'post',
    path: '/v1/admin/import/tickets',
    operationId: 'importTickets',
    tag: 'admin',
    summary: 'Import historical tickets (analytics only, no workflow), streamed as NDJSON or CSV',
    description:
      `One ticket a row; CSV starts with a header naming the columns (any order, empty cell = absent). Columns: ${IMPORT_COLUMNS.join(', ')}. ` +
      'Rows are validated one by one: refused rows are listed with their line, field and reason while the others are imported. ' +
      'A ticket id already present is left unchanged, so an import can be repeated safely. ' +
      `Charset: the one declared in Content-Type (${DECLARABLE_CHARSETS.join(', ')}; else 415); without one, UTF-8 when the start of the file is valid UTF-8, ` +
      'else GB18030 (GBK) or Big5 when recognized with confidence (else 415). Bytes at the start not valid in that charset, or UTF-8 declared as GBK or Big5: 400 naming the line; later invalid bytes: that row is refused. ' +
      `\`Prefer: respond-async\`: the upload is stored, answered 202 with the job (Location: ${JOBS_PATH}/{id}) and imported in the background. See docs/analytics.md.`,
    roles: ['admin'],
    streamedBody: {
      [NDJSON]: importRowSchema.describe('one JSON object a line'),
      [CSV]: z.string().describe(`a header line, then one ticket a line; the columns as in ${NDJSON}`),
    },
    headers: z.object({ Prefer: z.literal('respond-async').optional().describe('answer 202 with the job once the upload is stored, and import in the background') }),
    response: summaryView,
    alsoResponds: {
      202: { description: 'accepted (Prefer: respond-async): the job, its progress at the Location header', schema: jobView },
      413: { description: 'a line longer than 2^20 characters (the rows before it were imported)', schema: errorBody },
      415: { description: 'not NDJSON or CSV, a charset not supported, or not UTF-8 and not recognized', schema: errorBody },
    },
    handler: ({ req, res }) =>
      importUpload(req, res).catch((err: unknown) => {
        // a refusal before the whole upload was read: the connection cannot carry another request
        if (!req.complete) res.set('Connection', 'close');
        throw err;
      }),
  });

  async function importUpload(req: Request, res: Response) {
    const upload = uploadOf(req);
    const principalId = res.locals.principal.id as string;
    if (wantsAsync(req)) {
      const { dir, file } = await spool(req, maxSpooledBytes);
      const spooled = fs.createReadStream(file);
      // also when the import stops early (a refused header): the file is closed and removed
      const release = () => {
        spooled.destroy();
        return fs.promises.rm(dir, { recursive: true, force: true }).catch((err) => logger.warn({ err, dir }, 'could not remove a spooled import'));
      };
      let job: ImportJob;
      let records: AsyncIterable<ImportRecord>;
      try {
        const decoded = await decodeBody(spooled, upload.charset);
        records = await recordsOf(upload.format, decoded.text);
        job = await startImportJob(db, { principalId, format: upload.format, charset: decoded.charset });
      } catch (err) {
        await release();
        throw err;
      }
      runImportJob(db, job.id, records)
        .then(
          (summary) => logger.info({ jobId: job.id, rows: summary.rows }, 'import done'),
          (err) => logger.warn({ err, jobId: job.id }, 'import failed'),
        )
        .finally(release);
      res.status(202).location(`${JOBS_PATH}/${job.id}`).set('Preference-Applied', 'respond-async').json(toJobView(job));
      return;
    }
    const decoded = await decodeBody(req, upload.charset);
    const records = await recordsOf(upload.format, decoded.text);
    const job = await startImportJob(db, { principalId, format: upload.format, charset: decoded.charset });
    try {
      const summary = await runImportJob(db, job.id, records);
      return disclose('importJob', 'admin', { jobId: job.id, charset: decoded.charset, charsetDetected: decoded.detected, ...summary });
    } catch (err) {
      throw importError(err);
    }
  }

  api.endpoint({
    method: 'get',
    path: JOBS_PATH,
    operationId: 'listImportJobs',
    tag: 'admin',
    summary: 'Import jobs, newest first: status and progress',
    roles: ['admin'],
    query: z.object({
      limit: z.coerce.number().int().min(1).max(500).default(50),
      cursor: z.string().max(500).optional(),
    }),
    response: z.object({ items: z.array(jobView), nextCursor: z.string().nullable() }),
    handler: async ({ query }) => {
      const rows = await listImportJobs(db, query.limit + 1, query.cursor ? jobCursor.decode(query.cursor) : undefined);
      const items = rows.slice(0, query.limit);
      const last = items.at(-1);
      return { items: items.map(toJobView), nextCursor: rows.length > query.limit && last ? jobCursor.encode({ createdAt: last.createdAt.toISOString(), id: last.id }) : null };
    },
  });

  api.endpoint({
    method: 'get',
    path: `${JOBS_PATH}/:id`,
    operationId: 'getImportJob',
    tag: 'admin',
    summary: 'One import job: status, rows done, counts, the first rejections',
    roles: ['admin'],
    response: jobView,
    handler: async ({ params }) => {
      const job = await findImportJob(db, params.id!);
      if (!job) throw notFound(`import job ${params.id}`);
      return toJobView(job);
    },
  });
}
