/**
 * The historical import (历史工单导入): tickets from an earlier system, for analytics only — no
 * workflow runs for them. One row per ticket, as NDJSON (one JSON object a line) or CSV (a header
 * line naming the columns, RFC 4180 quoting, an empty cell is an absent value), as text decoded by
 * domain/text-encoding.ts. The columns are the fields of `importRowSchema` below, the same names
 * in both formats.
 *
 * Pure: the parsers read a stream of text chunks lazily, row by row, so a file of any size is
 * validated and imported without being held in memory.
 */
import { z } from './zod';
import { REPLACEMENT_CHARACTER } from './text-encoding';
import { instantSchema } from './calendar';
import {
  CALLBACK_OUTCOMES,
  CATEGORIES,
  CHANNELS,
  REPLY_RESULTS,
  STATUSES,
  TICKET_TYPES,
  plainString,
  regionCodeSchema,
  ticketIdSchema,
  topicSchema,
  unitIdSchema,
} from './ticket';
import { DISPATCHED_STATUSES, REPLIED_STATUSES } from './lifecycle';


/** Absent, empty or null: all mean "no value". */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);
const instant = instantSchema;

export const importRowSchema = z
  .strictObject({
    id: ticketIdSchema.describe('the ticket number; a ticket already present is left as it is'),
    channel: z.enum(CHANNELS),
    receivedAt: instant.describe('受理时间'),
    content: optional(plainString().max(10000)),
    address: optional(plainString().max(500)),
    regionCode: optional(regionCodeSchema).describe('事发地 district'),
    businessEnvironment: optional(z.boolean()).describe('营商环境 lane; default false'),
    callerPhone: optional(z.string().regex(/^\+?[0-9][0-9 -]{4,19}$/, 'must be a phone number')).describe('personal data: only used, masked, for repeat callers'),
    type: optional(z.enum(TICKET_TYPES)),
    topic: optional(topicSchema),
    category: optional(z.enum(CATEGORIES)),
    status: z.enum(STATUSES).describe('the final (or last known) status'),
    unitId: optional(unitIdSchema).describe('the primary unit; required once dispatched; need not be in the units table'),
    dispatchedAt: optional(instant).describe('转办时间; required once dispatched'),
    signBy: optional(instant).describe('签收时限'),
    signedAt: optional(instant),
    dueBy: optional(instant).describe('办理时限, an approved extension included; without it the ticket is due on the day received'),
    repliedAt: optional(instant).describe('办结回复时间; required when replied or closed'),
    replyOnTime: optional(z.boolean()).describe('按期; when absent, repliedAt ≤ dueBy'),
    replyResult: optional(z.enum(REPLY_RESULTS)),
    callbackBy: optional(instant),
    satisfaction: optional(z.enum(CALLBACK_OUTCOMES)).describe('the latest callback outcome (回访结果)'),
    closedAt: optional(instant),
    rehandleCount: optional(z.number().int().min(0).max(100)).describe('重办 count; default 0'),
    escalated: optional(z.boolean()).describe('default false'),
  })
  .superRefine((r, ctx) => {
    const need = (field: keyof typeof r, why: string) => {
      if (r[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `is required ${why}` });
    };
    // the lifecycle's sets: a ticket in such a status has been dispatched to a unit (转办), or replied (办结)
    if (DISPATCHED_STATUSES.includes(r.status)) {
      need('unitId', `for a ticket in status '${r.status}'`);
      need('dispatchedAt', `for a ticket in status '${r.status}'`);
    }
    if (REPLIED_STATUSES.includes(r.status)) need('repliedAt', `for a ticket in status '${r.status}'`);
    if (r.satisfaction !== undefined) need('repliedAt', 'with a callback outcome');
    const notBefore = (later: keyof typeof r, earlier: keyof typeof r) => {
      const [a, b] = [r[later], r[earlier]];
      if (typeof a === 'string' && typeof b === 'string' && Date.parse(a) < Date.parse(b)) {
        ctx.addIssue({ code: 'custom', path: [later], message: `must not be before ${earlier}` });
      }
    };
    notBefore('dispatchedAt', 'receivedAt');
    notBefore('signedAt', 'dispatchedAt');
    notBefore('repliedAt', 'dispatchedAt');
    notBefore('closedAt', 'receivedAt');
  });
export type ImportRow = z.infer<typeof importRowSchema>;

export const IMPORT_COLUMNS = Object.keys(importRowSchema.shape) as (keyof ImportRow)[];
const BOOLEAN_COLUMNS = new Set<string>(['businessEnvironment', 'replyOnTime', 'escalated']);
const INTEGER_COLUMNS = new Set<string>(['rehandleCount']);

export interface ImportIssue {
  /** the line in the file where the row starts (the CSV header is line 1) */
  line: number;
  /** the column, or "(row)" for what concerns the row as a whole */
  field: string;
  message: string;
}

/** One row of the file: validated, or refused with its issues. */
export type ImportRecord = { line: number; row: ImportRow } | { line: number; issues: ImportIssue[] };

/** A line too long to be a ticket: the file is refused rather than buffered. */
export class ImportLineTooLong extends Error {
  constructor(readonly line: number) {
    super(`line ${line} is longer than ${MAX_LINE_CHARS} characters`);
  }
}
const MAX_LINE_CHARS = 1 << 20;

function validate(line: number, value: unknown): ImportRecord {
  const result = importRowSchema.safeParse(value);
  if (result.success) return { line, row: result.data };
  return {
    line,
    issues: result.error.issues.map((i) => ({
      line,
      field: i.code === 'unrecognized_keys' ? i.keys.join(', ') : i.path.map(String).join('.') || '(row)',
      message: i.code === 'unrecognized_keys' ? `unknown column; the columns are ${IMPORT_COLUMNS.join(', ')}` : i.message,
    })),
  };
}

const refused = (line: number, message: string): ImportRecord => ({ line, issues: [{ line, field: '(row)', message }] });

/** Bytes the decoder could not read became U+FFFD: the row is refused rather than stored garbled. */
const undecodable = (line: number): ImportRecord =>
  refused(line, "holds bytes that are not valid in the file's charset (or a U+FFFD replacement character); fix the row or declare the file's real charset");

/** NDJSON: each non-blank line one JSON object. */
export async function* ndjsonRecords(chunks: AsyncIterable<string>): AsyncGenerator<ImportRecord> {
  let rest = '';
  let line = 0;
  const record = (text: string): ImportRecord | undefined => {
    line += 1;
    if (text.trim() === '') return undefined;
    if (text.includes(REPLACEMENT_CHARACTER)) return undecodable(line);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      // Node quotes the start of the row in its message ("call 13633"... is not valid JSON): the
      // row is the caller's data, so the message names it instead of quoting it
      return refused(line, `not valid JSON: ${(err as Error).message.replace(/"(?:[^"\\]|\\.)*"(?:\.\.\.)?/g, 'the row')}`);
    }
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? validate(line, value) : refused(line, 'must be a JSON object');
  };
  for await (const chunk of chunks) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    if (rest.length > MAX_LINE_CHARS) throw new ImportLineTooLong(line + lines.length + 1);
    for (const text of lines) {
      const r = record(text);
      if (r) yield r;
    }
  }
  const last = record(rest);
  if (last) yield last;
}

/**
 * RFC 4180 records of CSV text: fields separated by commas, records by CRLF or LF, a field in
 * double quotes may hold commas, line breaks and doubled quotes. Yields each record with the
 * line it starts on.
 */
export async function* csvFields(chunks: AsyncIterable<string>): AsyncGenerator<{ line: number; fields: string[] } | { line: number; error: string }> {
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  /** just after a closing quote: another quote means a literal one */
  let closedQuote = false;
  let line = 1;
  let start = 1;
  for await (const chunk of chunks) {
    for (const c of chunk) {
      if (quoted) {
        if (c === '"') [quoted, closedQuote] = [false, true];
        else {
          if (c === '\n') line += 1;
          field += c;
        }
        continue;
      }
      if (c === '"' && (closedQuote || field === '')) {
        if (closedQuote) field += '"';
        [quoted, closedQuote] = [true, false];
        continue;
      }
      closedQuote = false;
      if (c === ',') {
        fields.push(field);
        field = '';
      } else if (c === '\n') {
        fields.push(field);
        yield { line: start, fields };
        [fields, field, line] = [[], '', line + 1];
        start = line;
      } else if (c !== '\r') {
        field += c;
        if (field.length > MAX_LINE_CHARS) throw new ImportLineTooLong(start);
      }
    }
  }
  if (quoted) yield { line: start, error: 'a quoted field is not closed before the end of the file' };
  else if (field !== '' || fields.length > 0) yield { line: start, fields: [...fields, field] };
}

/** A CSV cell as the value of its column: '' is absent; booleans and integers are read as such. */
function cellValue(column: string, cell: string): unknown {
  if (cell === '') return undefined;
  if (BOOLEAN_COLUMNS.has(column) && /^(true|false|1|0)$/i.test(cell)) return /^(true|1)$/i.test(cell);
  if (INTEGER_COLUMNS.has(column) && /^-?\d+$/.test(cell)) return Number(cell);
  return cell;
}

/** A CSV file whose header names columns the import does not know, or none at all. */
export class ImportHeaderInvalid extends Error {
  constructor(readonly issues: { field: string; message: string }[]) {
    super(`the CSV header is not valid: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  }
}

/** CSV: a header line of column names (any order, unknown ones refused), then one ticket a record. */
export async function* csvRecords(chunks: AsyncIterable<string>): AsyncGenerator<ImportRecord> {
  let header: string[] | undefined;
  for await (const record of csvFields(chunks)) {
    if ('error' in record) {
      yield refused(record.line, record.error);
      continue;
    }
    const { line, fields } = record;
    if (!header) {
      header = fields.map((f, i) => (i === 0 ? f.replace(/^\uFEFF/, '') : f).trim());
      const unknown = header.filter((h) => !(IMPORT_COLUMNS as string[]).includes(h));
      const repeated = header.filter((h, i) => header!.indexOf(h) !== i);
      if (unknown.length || repeated.length) {
        throw new ImportHeaderInvalid([
          ...unknown.map((field) => ({ field, message: `unknown column; the columns are ${IMPORT_COLUMNS.join(', ')}` })),
          ...repeated.map((field) => ({ field, message: 'named twice' })),
        ]);
      }
      continue;
    }
    if (fields.length === 1 && fields[0] === '') continue;
    if (fields.length !== header.length) {
      yield refused(line, `has ${fields.length} fields; the header names ${header.length}`);
      continue;
    }
    if (fields.some((f) => f.includes(REPLACEMENT_CHARACTER))) {
      yield undecodable(line);
      continue;
    }
    yield validate(line, Object.fromEntries(header.map((column, i) => [column, cellValue(column, fields[i]!)])));
  }
  if (!header) throw new ImportHeaderInvalid([{ field: '(header)', message: 'the file is empty: the first line must name the columns' }]);
}
