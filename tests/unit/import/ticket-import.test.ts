import { describe, expect, it } from 'vitest';
import { ImportHeaderInvalid, ImportLineTooLong, csvFields, csvRecords, ndjsonRecords, type ImportRecord } from '../../../domain/ticket-import';

/** The text in chunks of `size` characters, as a network stream cuts it. */
async function* chunks(text: string, size = 3): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}
const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
};
const ok = (r: ImportRecord) => ('row' in r ? r.row.id : r.issues.map((i) => `${i.line}:${i.field}`).join(' '));

describe('reading CSV as it streams in', () => {
  it('splits fields on commas and records on line ends, quotes holding commas, line breaks and quotes, across chunk boundaries', async () => {
    const text = 'a,"b,1","c\n""2"""\r\nd,,"" \n"e"\n';
    for (const size of [1, 2, 3, 100]) {
      expect(await collect(csvFields(chunks(text, size)))).toEqual([
        { line: 1, fields: ['a', 'b,1', 'c\n"2"'] },
        { line: 3, fields: ['d', '', ' '] },
        { line: 4, fields: ['e'] },
      ]);
    }
  });

  it('reports a quote left open at the end', async () => {
    expect(await collect(csvFields(chunks('a,b\n"c,d')))).toEqual([{ line: 1, fields: ['a', 'b'] }, { line: 2, error: 'a quoted field is not closed before the end of the file' }]);
  });

  it('reads booleans and integers of their columns and leaves empty cells out', async () => {
    const text = 'id,channel,receivedAt,status,businessEnvironment,rehandleCount,topic\nx1,phone,2019-01-01T08:00:00+08:00,answered,TRUE,0,\nx2,phone,2019-01-01T08:00:00+08:00,answered,maybe,1.5,0301\n';
    const [first, second] = await collect(csvRecords(chunks(text)));
    expect(first).toMatchObject({ line: 2, row: { id: 'x1', businessEnvironment: true, rehandleCount: 0 } });
    expect(first && 'row' in first && first.row.topic).toBeUndefined();
    expect(ok(second!)).toBe('3:businessEnvironment 3:rehandleCount');
  });

  it('refuses a header naming an unknown or repeated column, and an empty file', async () => {
    await expect(collect(csvRecords(chunks('id,id,colour\n')))).rejects.toThrow(ImportHeaderInvalid);
    await expect(collect(csvRecords(chunks('')))).rejects.toThrow('the first line must name the columns');
  });
});

describe('reading NDJSON as it streams in', () => {
  it('validates each line on its own and counts lines, blank ones included', async () => {
    const text = [
      '{"id":"n1","channel":"web","receivedAt":"2019-01-01T08:00:00Z","status":"closed","unitId":"u1","dispatchedAt":"2019-01-01T07:00:00Z","repliedAt":"2019-01-02T08:00:00Z"}',
      '',
      '[1]',
      '{"id":"n2","channel":"web","receivedAt":"2019-01-01T08:00:00Z","status":"answered","dueBy":null,"satisfaction":"satisfied"}',
    ].join('\n');
    const records = await collect(ndjsonRecords(chunks(text, 7)));
    expect(records.map(ok)).toEqual(['1:dispatchedAt', '3:(row)', '4:repliedAt']);
  });

  it('refuses a row with NUL, control characters or a lone surrogate in its text, or a year out of range, naming line and field', async () => {
    const row = (over: Record<string, unknown>) => JSON.stringify({ id: 'n1', channel: 'web', receivedAt: '2019-01-01T08:00:00Z', status: 'answered', ...over });
    const text = [
      row({ content: '停水\u0000两天' }),
      row({ address: '\u0007向阳小区' }),
      row({ content: '\ud800' }),
      row({ receivedAt: '0000-01-01T00:00:00Z' }),
      row({ content: '第一行\n第二行\t' }),
    ].join('\n');
    expect((await collect(ndjsonRecords(chunks(text, 7)))).map(ok)).toEqual(['1:content', '2:address', '3:content', '4:receivedAt', 'n1']);
    const csv = await collect(csvRecords(chunks('id,channel,receivedAt,status,content\nc1,web,2019-01-01T08:00:00Z,answered,"a\u0000b"\n')));
    expect(csv.map(ok)).toEqual(['2:content']);
  });

  it('refuses a line too long to be a ticket instead of holding it', async () => {
    async function* endless() {
      for (;;) yield 'x'.repeat(65536);
    }
    await expect(collect(ndjsonRecords(endless()))).rejects.toThrow(ImportLineTooLong);
  });
});
