/**
 * `POST /v1/admin/import/tickets`: historical tickets for analytics, streamed as NDJSON or CSV
 * (domain/ticket-import.ts). The body is read as it arrives and written in batches, so a file
 * of any size passes through without being held in memory; each row is validated on its own
 * and a bad row is reported, not fatal. Importing the same file again changes nothing.
 */
import type { Request } from 'express';
import { z } from '../domain/zod';
import type { Db } from '../db/client';
import { MAX_LISTED_REJECTIONS, importTickets } from '../db/import';
import { IMPORT_COLUMNS, ImportHeaderInvalid, ImportLineTooLong, csvRecords, importRowSchema, ndjsonRecords, type ImportRecord } from '../domain/ticket-import';
import { HttpError } from './errors';
import type { Api } from './route';

const NDJSON = 'application/x-ndjson';
const CSV = 'text/csv';

const summaryView = z.object({
  rows: z.number().int().describe('data rows read (blank lines aside)'),
  imported: z.number().int(),
  alreadyPresent: z.number().int().describe('ids already present (imported before, a live ticket, or repeated in the file): left unchanged'),
  rejected: z.number().int().describe('rows refused'),
  rejections: z
    .array(z.object({ line: z.number().int().describe('where the row starts; the CSV header is line 1'), field: z.string(), message: z.string() }))
    .describe(`what is wrong with each refused row, field by field (the first ${MAX_LISTED_REJECTIONS})`),
  rejectionsTruncated: z.boolean(),
});

/** The rows of the request body in the format its Content-Type names (UTF-8 only). */
function recordsOf(req: Request): AsyncIterable<ImportRecord> {
  const format = req.is([NDJSON, CSV]);
  if (!format) {
    throw new HttpError(415, 'unsupported_media_type', `send the tickets as ${NDJSON} or ${CSV}`, [
      { path: 'Content-Type', message: `must be ${NDJSON} or ${CSV}` },
    ]);
  }
  const charset = /charset=([^;]+)/i.exec(req.get('content-type') ?? '')?.[1]?.trim().toLowerCase();
  if ((charset && charset !== 'utf-8' && charset !== 'utf8') || (req.get('content-encoding') ?? 'identity') !== 'identity') {
    throw new HttpError(415, 'unsupported_encoding', 'the body must be UTF-8 text without content encoding', [{ path: 'Content-Type', message: 'charset must be utf-8' }]);
  }
  req.setEncoding('utf8');
  return format === CSV ? csvRecords(req) : ndjsonRecords(req);
}

export function importRoutes(api: Api, db: Db): void {
  api.endpoint({
    method: 'post',
    path: '/v1/admin/import/tickets',
    tag: 'admin',
    summary: 'Import historical tickets (analytics only, no workflow), streamed as NDJSON or CSV',
    description:
      `One ticket a row; CSV starts with a header naming the columns (any order, empty cell = absent). Columns: ${IMPORT_COLUMNS.join(', ')}. ` +
      'Rows are validated one by one: refused rows are listed with their line, field and reason while the others are imported. ' +
      'A ticket id already present is left unchanged, so an import can be repeated safely. See docs/analytics.md.',
    roles: ['admin'],
    streamedBody: {
      [NDJSON]: importRowSchema.describe('one JSON object a line'),
      [CSV]: z.string().describe(`a header line, then one ticket a line; the columns as in ${NDJSON}`),
    },
    response: summaryView,
    handler: async ({ req }) => {
      try {
        return await importTickets(db, recordsOf(req));
      } catch (err) {
        if (err instanceof ImportHeaderInvalid) throw new HttpError(400, 'validation_failed', err.message, err.issues.map((i) => ({ path: i.field, message: i.message })));
        if (err instanceof ImportLineTooLong) throw new HttpError(413, 'line_too_long', `${err.message}; the rows before it were imported`);
        throw err;
      }
    },
  });
}
