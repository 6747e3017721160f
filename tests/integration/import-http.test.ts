/**
 * The historical import over HTTP: files in the charsets hotline systems export, refused when
 * they cannot be decoded; every import a job with its progress; asynchronous imports.
 */
import crypto from 'node:crypto';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eq, inArray, like } from 'drizzle-orm';
import { importJobs, tickets } from '../../db/schema';
import { startSystem, type TestSystem } from '../setup/system';

let sys: TestSystem;

beforeAll(async () => {
  sys = await startSystem({ withoutWorker: true, maxSpooledImportBytes: 4 << 20 });
});
afterAll(async () => {
  await sys?.stop();
});

const IMPORT = '/v1/admin/import/tickets';
const HEADER = 'id,channel,receivedAt,status,content,address';
/** A CSV of tickets with Chinese content and addresses, ids with a fresh prefix. */
function chineseCsv(prefix: string): { text: string; ids: string[] } {
  const ids = [`${prefix}-1`, `${prefix}-2`];
  const text = [
    HEADER,
    `${ids[0]},phone,2019-03-01T09:00:00+08:00,answered,停水三天了，请尽快处理,新乡市红旗区人民路12号`,
    `${ids[1]},web,2019-03-02T09:00:00+08:00,answered,小区路灯不亮，晚上出行不便,新乡市卫滨区健康路8号院`,
    '',
  ].join('\r\n');
  return { text, ids };
}
const prefix = () => `ic-${crypto.randomUUID().slice(0, 8)}`;
const upload = (raw: string | Uint8Array, contentType: string, headers: Record<string, string> = {}) =>
  sys.call('POST', IMPORT, { key: sys.adminKey, raw, headers: { 'content-type': contentType, ...headers } });
const stored = (ids: string[]) => sys.database.db.select({ id: tickets.id, content: tickets.content, address: tickets.address }).from(tickets).where(inArray(tickets.id, ids)).orderBy(tickets.id);

describe('the charset of an import', () => {
  it('recognizes a GBK file sent without a charset and stores its Chinese as written, saying so', async () => {
    const { text, ids } = chineseCsv(prefix());
    const res = await upload(iconv.encode(text, 'gbk'), 'text/csv');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ charset: 'gb18030', charsetDetected: true, rows: 2, imported: 2, rejected: 0 });
    expect(await stored(ids)).toEqual([
      { id: ids[0], content: '停水三天了，请尽快处理', address: '新乡市红旗区人民路12号' },
      { id: ids[1], content: '小区路灯不亮，晚上出行不便', address: '新乡市卫滨区健康路8号院' },
    ]);
    const [job] = await sys.database.db.select().from(importJobs).where(eq(importJobs.id, res.body.jobId));
    expect(job).toMatchObject({ status: 'done', format: 'csv', charset: 'gb18030', rowsDone: 2, imported: 2 });
  });

  it('decodes the charset a client declares: GBK, and UTF-16 with its byte-order mark', async () => {
    const gbk = chineseCsv(prefix());
    const declared = await upload(iconv.encode(gbk.text, 'gbk'), 'text/csv; charset=GBK');
    expect(declared.body).toMatchObject({ charset: 'gbk', charsetDetected: false, imported: 2 });
    const utf16 = chineseCsv(prefix());
    const ndjson = utf16.ids.map((id, i) => JSON.stringify({ id, channel: 'phone', receivedAt: '2019-03-01T09:00:00+08:00', status: 'answered', content: `噪音扰民 ${i}` })).join('\n');
    const wide = await upload(iconv.encode(ndjson, 'utf-16le', { addBOM: true }), 'application/x-ndjson; charset="utf-16"');
    expect(wide.body).toMatchObject({ charset: 'utf-16', imported: 2 });
    expect((await stored(gbk.ids)).map((t) => t.content)).toEqual(['停水三天了，请尽快处理', '小区路灯不亮，晚上出行不便']);
    expect((await stored(utf16.ids)).map((t) => t.content)).toEqual(['噪音扰民 0', '噪音扰民 1']);
  });

  it('refuses GBK bytes declared as UTF-8 and UTF-8 declared as GBK (400 naming the line), an unsupported charset and an unrecognizable body (415), importing nothing', async () => {
    const { text, ids } = chineseCsv(prefix());
    const mismatch = await upload(iconv.encode(text, 'gbk'), 'text/csv; charset=utf-8');
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error).toMatchObject({ code: 'invalid_encoding', details: [{ path: 'line 2', message: 'not valid utf-8' }] });
    expect(mismatch.body.error.message).toMatch(/^line 2 is not valid utf-8/);
    const utf8AsGbk = await upload(Buffer.from(text), 'text/csv; charset=gbk');
    expect(utf8AsGbk.status).toBe(400);
    expect(utf8AsGbk.body.error).toMatchObject({ code: 'invalid_encoding', details: [{ path: 'line 2', message: 'UTF-8, not gbk' }] });

    const unsupported = await upload(Buffer.from(text), 'text/csv; charset=shift_jis');
    expect(unsupported.status).toBe(415);
    expect(unsupported.body.error).toMatchObject({ code: 'unsupported_encoding', details: [{ path: 'Content-Type', message: "charset 'shift_jis' is not supported" }] });

    const noise = Buffer.concat([Buffer.from(`${HEADER}\n`), Buffer.from(Array.from({ length: 400 }, (_, i) => 0x80 + ((i * 37) % 128)))]);
    const unknown = await upload(noise, 'text/csv');
    expect(unknown.status).toBe(415);
    expect(unknown.body.error.code).toBe('unsupported_encoding');
    expect(unknown.body.error.message).toContain('not UTF-8 and its charset could not be recognized');
    expect(await stored(ids)).toEqual([]);
  });
});

const row = (id: string) => `${id},phone,2019-04-01T09:00:00+08:00,answered,市民来电咨询公交线路和末班车时间,`;
const getJob = (id: string) => sys.call('GET', `/v1/admin/import/jobs/${id}`, { key: sys.adminKey });

describe('import jobs', () => {
  it('shows a long import running with the rows written so far, then done', async () => {
    const p = prefix();
    const first = [HEADER, ...Array.from({ length: 1200 }, (_, i) => row(`${p}-${i}`)), ''].join('\n');
    const rest = [...Array.from({ length: 300 }, (_, i) => row(`${p}-${1200 + i}`)), ''].join('\n');
    let finish!: () => void;
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(Buffer.from(first));
        // the upload stalls after its first 1,200 rows until the test has seen the progress
        await new Promise<void>((resolve) => (finish = resolve));
        controller.enqueue(Buffer.from(rest));
        controller.close();
      },
    });
    const response = fetch(sys.baseUrl + IMPORT, {
      method: 'POST',
      headers: { authorization: `Bearer ${sys.adminKey}`, 'content-type': 'text/csv' },
      body,
      duplex: 'half',
    } as RequestInit);
    const running = await vi.waitFor(
      async () => {
        const list = await sys.call('GET', '/v1/admin/import/jobs?limit=5', { key: sys.adminKey });
        const job = list.body.items.find((j: { status: string; rowsDone: number }) => j.status === 'running' && j.rowsDone === 1000);
        expect(job).toBeDefined();
        return job;
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(running).toMatchObject({ format: 'csv', charset: 'utf-8', imported: 1000, finishedAt: null });
    finish();
    const res = await response;
    const summary = await res.json();
    expect(res.status).toBe(200);
    expect(summary).toMatchObject({ jobId: running.id, rows: 1500, imported: 1500 });
    expect((await getJob(running.id)).body).toMatchObject({ status: 'done', rowsDone: 1500, imported: 1500, alreadyPresent: 0, rejected: 0 });
  });

  it('answers Prefer: respond-async with 202 and the job, which reaches done with the right counts', async () => {
    const p = prefix();
    const csv = [HEADER, ...Array.from({ length: 2500 }, (_, i) => row(`${p}-${i}`)), row(`${p}-7`), `${p}-bad,phone,yesterday,answered,,`, ''].join('\n');
    const res = await upload(iconv.encode(csv, 'gbk'), 'text/csv; charset=gbk', { prefer: 'respond-async' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.headers.get('preference-applied')).toBe('respond-async');
    expect(res.headers.get('location')).toBe(`/v1/admin/import/jobs/${res.body.id}`);
    expect(res.body).toMatchObject({ status: 'running', format: 'csv', charset: 'gbk' });
    const done = await vi.waitFor(
      async () => {
        const job = (await sys.call('GET', res.headers.get('location')!, { key: sys.adminKey })).body;
        expect(job.status).toBe('done');
        return job;
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(done).toMatchObject({ rowsDone: 2502, imported: 2500, alreadyPresent: 1, rejected: 1, rejections: [{ line: 2503, field: 'receivedAt' }], failure: null });
    expect(done.finishedAt).not.toBeNull();
    const count = await sys.database.db.$count(tickets, like(tickets.id, `${p}-%`));
    expect(count).toBe(2500);
  });

  it('refuses an async import whose CSV header is not valid before accepting it (400 naming the column, no job)', async () => {
    const before = await sys.database.db.$count(importJobs);
    const res = await upload('id,channel,colour\nx,phone,red\n', 'text/csv', { prefer: 'respond-async' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ path: 'colour' }));
    expect(await sys.database.db.$count(importJobs)).toBe(before);
  });

  it('refuses an async import larger than it may store with 413, and starts no job', async () => {
    const before = await sys.database.db.$count(importJobs);
    const rows = `${'GTBIG-0,phone,2025-01-02T03:04:05+08:00,closed\n'.repeat(110_000)}`;
    const res = await upload(`id,channel,receivedAt,status\n${rows}`, 'text/csv', { prefer: 'respond-async' });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('body_too_large');
    expect(await sys.database.db.$count(importJobs)).toBe(before);
  });

  it('records an async import that stops on a line too long as failed, with the reason', async () => {
    const p = `GT${crypto.randomBytes(3).toString('hex')}`;
    const row = `${p}-1,phone,2025-01-02T03:04:05+08:00,closed\n`;
    const res = await upload(`id,channel,receivedAt,status\n${row}${'x'.repeat((1 << 20) + 10)}\n`, 'text/csv', { prefer: 'respond-async' });
    expect(res.status).toBe(202);
    const job = await vi.waitFor(
      async () => {
        const body = (await getJob(res.body.id)).body;
        expect(body.status).toBe('failed');
        return body;
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(job.failure).toContain('line 3 is longer than');
  });

  it('lists jobs newest first, page by page, and marks a job its stopped process left running as interrupted', async () => {
    const { db } = sys.database;
    const base = Date.now() + 3600_000;
    const ids = [0, 1, 2].map((i) => `import-test-${crypto.randomUUID()}-${i}`);
    // created "in the future" so they lead the list; the newest was left running by a process that stopped
    await db.insert(importJobs).values(
      ids.map((id, i) => ({ id, principalId: 'bootstrap-admin', status: i === 2 ? ('running' as const) : ('done' as const), format: 'csv', charset: 'utf-8', createdAt: new Date(base + i * 1000), updatedAt: new Date(Date.now() - 10 * 60_000) })),
    );
    const page1 = await sys.call('GET', '/v1/admin/import/jobs?limit=2', { key: sys.adminKey });
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((j: { id: string }) => j.id)).toEqual([ids[2], ids[1]]);
    expect(page1.body.items[0]).toMatchObject({ status: 'interrupted', failure: expect.stringContaining('stopped before the end') });
    const page2 = await sys.call('GET', `/v1/admin/import/jobs?limit=2&cursor=${page1.body.nextCursor}`, { key: sys.adminKey });
    expect(page2.body.items[0].id).toBe(ids[0]);
    expect((await getJob('import-none')).status).toBe(404);
    const agent = await sys.key('agent');
    expect((await sys.call('GET', '/v1/admin/import/jobs', { key: agent })).status).toBe(403);
  });

  it('declares the job endpoints and the 202 in the OpenAPI document', async () => {
    const doc = (await sys.call('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/admin/import/jobs', '/v1/admin/import/jobs/{id}']));
    const post = doc.paths['/v1/admin/import/tickets'].post;
    // bodies are named components: the operation refers to them
    const schemaOf = (status: string) => doc.components.schemas[post.responses[status].content['application/json'].schema.$ref.split('/').at(-1)];
    expect(schemaOf('200').properties).toHaveProperty('jobId');
    expect(schemaOf('202').properties).toHaveProperty('rowsDone');
    expect(post.parameters.map((p: { name: string }) => p.name)).toContain('Prefer');
  });
});
