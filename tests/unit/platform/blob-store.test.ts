/**
 * The blob store's contract, run over each implementation: the local folder, and the S3 client
 * against a minimal S3-compatible server in the test (PUT and GET of objects, path-style, and
 * S3's NoSuchKey error), since no real object store is reachable here.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localBlobStore, s3BlobStore, type BlobStore } from '../../../platform/storage';

const objects = new Map<string, { body: Buffer; type: string }>();
const requests: string[] = [];
let s3: http.Server;
let endpoint: string;

beforeAll(async () => {
  s3 = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
      requests.push(`${req.method} ${key} ${req.headers.authorization?.startsWith('AWS4-HMAC-SHA256') ? 'signed' : 'unsigned'}`);
      if (req.method === 'PUT') {
        objects.set(key, { body: Buffer.concat(chunks), type: String(req.headers['content-type']) });
        return res.writeHead(200, { etag: '"1"' }).end();
      }
      const object = objects.get(key);
      if (!object) {
        return res
          .writeHead(404, { 'content-type': 'application/xml' })
          .end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
      }
      res.writeHead(200, { 'content-type': object.type, 'content-length': object.body.length }).end(object.body);
    });
  });
  await new Promise<void>((resolve) => s3.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(s3.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => s3?.close(resolve));
});

const stores: [string, () => BlobStore][] = [
  ['the local folder', () => localBlobStore(fs.mkdtempSync(path.join(os.tmpdir(), 'blobs-')))],
  ['an S3-compatible store', () => s3BlobStore({ bucket: 'photos', endpoint, region: 'cn-north-1', accessKeyId: 'test', secretAccessKey: 'test-secret', forcePathStyle: true })],
];

describe.each(stores)('%s', (_name, make) => {
  it('gives back what was put, byte for byte, and nothing for an unknown key', async () => {
    const store = make();
    const body = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2, 250]);
    await store.put('photos/12345-20261202-000001/a', body, 'image/jpeg');
    expect(await store.get('photos/12345-20261202-000001/a')).toEqual(body);
    expect(await store.get('photos/12345-20261202-000001/missing')).toBeUndefined();
  });
});

it('the S3 store writes path-style, signed requests into its bucket', async () => {
  expect(requests).toContain('PUT /photos/photos/12345-20261202-000001/a signed');
  expect(objects.get('/photos/photos/12345-20261202-000001/a')?.type).toBe('image/jpeg');
});

it('the local folder refuses a key that could leave it', async () => {
  await expect(localBlobStore(os.tmpdir()).put('../etc/x', Buffer.from('x'), 'text/plain')).rejects.toThrow('not a blob key');
});
