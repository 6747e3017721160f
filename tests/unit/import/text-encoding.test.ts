import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { DeclaredCharsetMismatch, InvalidBytes, UndetectedCharset, UnsupportedCharset, decodeText } from '../../../domain/text-encoding';
import { csvRecords } from '../../../domain/ticket-import';

/** The bytes in pieces of `size`, as a network stream cuts them (through multi-byte characters). */
async function* pieces(bytes: Buffer, size = 5): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
};
const decoded = async (bytes: Buffer, declared?: string, size?: number) => {
  const { charset, detected, text } = await decodeText(pieces(bytes, size), declared);
  return { charset, detected, text: (await collect(text)).join('') };
};

const CSV = [
  'id,channel,receivedAt,status,content,address',
  'g1,phone,2019-03-01T09:00:00+08:00,answered,停水三天了，请尽快处理,新乡市红旗区人民路12号',
  'g2,web,2019-03-02T09:00:00+08:00,answered,小区路灯不亮，晚上出行不便,新乡市卫滨区健康路8号院',
  '',
].join('\n');
/** Big5 holds traditional characters only. */
const TRADITIONAL = [
  'id,channel,receivedAt,status,content,address',
  'b1,phone,2019-03-01T09:00:00+08:00,answered,停水三天了，請儘快處理,臺北市信義區市府路一號',
  'b2,web,2019-03-02T09:00:00+08:00,answered,路燈不亮，晚上出行很不方便,臺北市大安區',
  '',
].join('\n');

describe('decoding an upload', () => {
  it('decodes a declared charset across chunk boundaries that cut characters', async () => {
    for (const [charset, bytes] of [
      ['gbk', iconv.encode(CSV, 'gbk')],
      ['gb18030', iconv.encode(CSV, 'gb18030')],
      ['big5', iconv.encode(TRADITIONAL, 'big5')],
      ['utf-8', Buffer.from(CSV)],
      ['utf-16', iconv.encode(CSV, 'utf-16le', { addBOM: true })],
    ] as const) {
      for (const size of [1, 3, 4096]) {
        const { text } = await decoded(bytes, charset, size);
        expect(text, `${charset} in pieces of ${size}`).toBe(charset === 'big5' ? TRADITIONAL : CSV);
      }
    }
  });

  it('reads valid UTF-8 as UTF-8 and recognizes GBK and Big5 when nothing is declared', async () => {
    expect(await decoded(Buffer.from(CSV))).toEqual({ charset: 'utf-8', detected: false, text: CSV });
    expect(await decoded(iconv.encode(CSV, 'gbk'))).toEqual({ charset: 'gb18030', detected: true, text: CSV });
    expect(await decoded(iconv.encode(TRADITIONAL, 'big5'))).toEqual({ charset: 'big5', detected: true, text: TRADITIONAL });
    expect(await decoded(iconv.encode(CSV, 'utf-16be', { addBOM: true }))).toMatchObject({ charset: 'utf-16be', detected: true, text: CSV });
  });

  it('refuses an unsupported charset, an unrecognizable body, and bytes invalid in or not of the declared charset, naming the line', async () => {
    await expect(decoded(Buffer.from(CSV), 'koi8-r')).rejects.toThrow(UnsupportedCharset);
    await expect(decoded(Buffer.from(CSV), 'koi8-r')).rejects.toThrow("charset 'koi8-r' is not supported");
    const noise = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7919) % 256));
    await expect(decoded(noise)).rejects.toThrow(UndetectedCharset);
    const declaredWrongly = decoded(iconv.encode(CSV, 'gbk'), 'utf-8');
    await expect(declaredWrongly).rejects.toThrow(InvalidBytes);
    await expect(declaredWrongly).rejects.toThrow('line 2 is not valid utf-8');
    // UTF-8 read as GBK would decode without an error, as mojibake
    const utf8AsGbk = decoded(Buffer.from(CSV), 'gbk');
    await expect(utf8AsGbk).rejects.toThrow(DeclaredCharsetMismatch);
    await expect(utf8AsGbk).rejects.toThrow('line 2 is UTF-8, not gbk as declared');
  });

  it('gives bytes invalid after the start as U+FFFD, so the import refuses just that row', async () => {
    // a long valid UTF-8 start, then one GBK row: the start decides UTF-8; the GBK row cannot be read
    const start = Array.from({ length: 2000 }, (_, i) => `u${i},phone,2019-03-01T09:00:00+08:00,answered,市民来电咨询,`).join('\n');
    const bytes = Buffer.concat([Buffer.from(`id,channel,receivedAt,status,content,address\n${start}\n`), iconv.encode('late,phone,2019-03-01T09:00:00+08:00,answered,小区路灯不亮,\n', 'gbk')]);
    const { charset, text } = await decodeText(pieces(bytes, 16384));
    expect(charset).toBe('utf-8');
    const records = await collect(csvRecords(text));
    expect(records).toHaveLength(2001);
    expect(records.filter((r) => 'issues' in r)).toEqual([
      { line: 2002, issues: [{ line: 2002, field: '(row)', message: expect.stringContaining("not valid in the file's charset") }] },
    ]);
  });
});
