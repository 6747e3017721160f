/**
 * Ticket photos over HTTP: a JPEG made with EXIF GPS and camera data is stored without any of it,
 * the type is decided by the content, the size is bounded, and a photo is served only to those
 * who may see the ticket (a unit only its own); the unit adds before and after photos.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startSystem, type TestSystem } from '../setup/system';

let sys: TestSystem;
let agent: string;
let unitId: string;
let unitKey: string;
let otherUnitKey: string;
const MAX = 200_000;

beforeAll(async () => {
  // the allow-list names 127.0.0.1 only: the same loopback server by the name localhost (resolved at connect) stays refused
  sys = await startSystem({ photoMaxBytes: MAX, photoFetchAllowHosts: ['127.0.0.1'] });
  agent = await sys.key('agent');
  unitId = await sys.unit('卫滨区城管局', '410703');
  unitKey = await sys.key('unit', unitId);
  otherUnitKey = await sys.key('unit', await sys.unit('别的单位', '410703'));
});
afterAll(async () => {
  await sys?.stop();
});

/** A small photo as a phone writes it: camera make and model, and where it was taken. */
function phonePhoto(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 120, b: 40 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'HUAWEI', Model: 'Mate 60 Pro' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '35/1 18/1 1234/100', GPSLongitudeRef: 'E', GPSLongitude: '113/1 52/1 3012/100' },
    })
    .toBuffer();
}

const upload = (id: string, key: string, body: Uint8Array, stage = 'intake', type = 'image/jpeg') =>
  fetch(`${sys.baseUrl}/v1/tickets/${id}/photos?stage=${stage}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': type }, body });

async function dispatchedTicket(): Promise<string> {
  const res = await sys.call('POST', '/v1/tickets', {
    key: agent,
    body: { channel: 'phone', caller: { phone: '13600001111' }, content: '卫滨区健康路人行道砖松动', classification: { type: 'help', topic: '030101', category: 'C' }, disposition: { action: 'dispatch', unitId } },
  });
  return res.body.id;
}

describe('ticket photos', () => {
  it('a JPEG with EXIF location and camera data is stored without them, and served to the ticket\'s unit', async () => {
    const original = await phonePhoto();
    const before = await sharp(original).metadata();
    expect(before.exif).toBeDefined(); // the test photo really carries EXIF
    expect(original.includes(Buffer.from('HUAWEI'))).toBe(true);

    const id = await dispatchedTicket();
    const res = await upload(id, agent, original);
    expect(res.status).toBe(201);
    const photo = (await res.json()) as { url: string };
    expect(photo).toMatchObject({ stage: 'intake', contentType: 'image/jpeg', width: 64, height: 48 });

    const served = await fetch(sys.baseUrl + photo.url, { headers: { authorization: `Bearer ${unitKey}` } });
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    const stored = Buffer.from(await served.arrayBuffer());
    const after = await sharp(stored).metadata();
    expect(after.exif).toBeUndefined();
    expect(stored.includes(Buffer.from('HUAWEI'))).toBe(false);
    expect(stored.includes(Buffer.from('Mate 60'))).toBe(false);
    expect(after).toMatchObject({ format: 'jpeg', width: 64, height: 48 });

    // another unit does not learn the ticket exists
    expect((await fetch(sys.baseUrl + photo.url, { headers: { authorization: `Bearer ${otherUnitKey}` } })).status).toBe(404);
    expect((await sys.call('GET', `/v1/tickets/${id}/photos`, { key: otherUnitKey })).status).toBe(404);
    expect((await fetch(sys.baseUrl + photo.url)).status).toBe(401);
  });

  it('the unit adds before and after photos; an agent may not add them, nor the unit an intake photo', async () => {
    const id = await dispatchedTicket();
    const jpeg = await phonePhoto();
    const png = await sharp({ create: { width: 8, height: 8, channels: 4, background: '#00ff00' } }).png().toBuffer();
    expect((await upload(id, unitKey, jpeg, 'before')).status).toBe(201);
    // declared as JPEG, but the content is PNG: the content decides
    const after = await upload(id, unitKey, png, 'after', 'image/jpeg');
    expect(after.status).toBe(201);
    expect(((await after.json()) as { contentType: string }).contentType).toBe('image/png');
    expect((await upload(id, agent, jpeg, 'after')).status).toBe(403);
    expect((await upload(id, unitKey, jpeg, 'intake')).status).toBe(403);
    const list = await sys.call('GET', `/v1/tickets/${id}/photos`, { key: unitKey });
    expect(list.body.items.map((p: { stage: string }) => p.stage)).toEqual(['before', 'after']);
  });

  it('refuses what is not an image (415) and what is too large (413), naming the body', async () => {
    const id = await dispatchedTicket();
    const text = await upload(id, agent, Buffer.from('GIF89a this is not really an image at all'), 'intake', 'image/gif');
    expect(text.status).toBe(415);
    expect(((await text.json()) as { error: { details: unknown } }).error.details).toEqual([{ path: 'body', message: 'must be a JPEG, PNG or WebP image' }]);
    const big = await upload(id, agent, Buffer.alloc(MAX + 1, 0xff));
    expect(big.status).toBe(413);
    expect((await sys.call('GET', `/v1/tickets/${id}/photos`, { key: agent })).body.items).toEqual([]);
  });
});

describe('a photo upload with an Idempotency-Key', () => {
  const keyed = (id: string, body: Uint8Array, key: string) =>
    fetch(`${sys.baseUrl}/v1/tickets/${id}/photos?stage=intake`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent}`, 'content-type': 'image/jpeg', 'idempotency-key': key },
      body,
    });
  const photosOf = async (id: string) => (await sys.call('GET', `/v1/tickets/${id}/photos`, { key: agent })).body.items as { id: string }[];

  it('a retry answers the same photo and stores no second one; other bytes under the key are refused 422', async () => {
    const id = await dispatchedTicket();
    const jpeg = await phonePhoto();
    const key = `photo-${crypto.randomUUID()}`;
    const first = await keyed(id, jpeg, key);
    expect(first.status).toBe(201);
    const photo = (await first.json()) as { id: string };
    const again = await keyed(id, jpeg, key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(photo);
    expect((await photosOf(id)).map((p) => p.id)).toEqual([photo.id]);

    const other = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#0000ff' } }).jpeg().toBuffer();
    const reused = await keyed(id, other, key);
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { error: { code: string; details: unknown } }).error).toMatchObject({
      code: 'idempotency_key_reused',
      details: [{ path: 'Idempotency-Key', message: 'already used for another request' }],
    });
    expect((await photosOf(id)).map((p) => p.id)).toEqual([photo.id]);
    // a new key is a new photo
    expect((await keyed(id, other, `photo-${crypto.randomUUID()}`)).status).toBe(201);
    expect(await photosOf(id)).toHaveLength(2);
  });

  it('by link: the same key replays the first answer, here the refusal of a loopback link, without fetching again', async () => {
    const id = await dispatchedTicket();
    const key = `photo-url-${crypto.randomUUID()}`;
    const call = () => sys.call('POST', `/v1/tickets/${id}/photos/by-url`, { key: agent, body: { url: 'http://localhost:1/x.jpg', stage: 'intake' }, headers: { 'Idempotency-Key': key } });
    const first = await call();
    expect(first.status).toBe(422);
    const again = await call();
    expect(again.status).toBe(422);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
  });
});

describe('ticket photos by link', () => {
  let images: http.Server;
  let port: number;
  beforeAll(async () => {
    const photo = await phonePhoto();
    images = http.createServer((req, res) => {
      if (req.url === '/moved') return res.writeHead(302, { location: '/p.jpg' }).end();
      if (req.url === '/big') return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.alloc(MAX + 10));
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo);
    });
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
    port = (images.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => images?.close(resolve));
  });

  const byUrl = (id: string, url: string) => sys.call('POST', `/v1/tickets/${id}/photos/by-url`, { key: agent, body: { url, stage: 'intake' } });

  it('fetches an allowed host and stores the photo without its EXIF', async () => {
    const id = await dispatchedTicket();
    const res = await byUrl(id, `http://127.0.0.1:${port}/p.jpg`);
    expect(res.status).toBe(201);
    const served = await fetch(sys.baseUrl + res.body.url, { headers: { authorization: `Bearer ${agent}` } });
    expect((await sharp(Buffer.from(await served.arrayBuffer())).metadata()).exif).toBeUndefined();
  });

  it('refuses loopback and private targets, other schemes, redirects and what is too large', async () => {
    const id = await dispatchedTicket();
    for (const url of [`http://localhost:${port}/p.jpg`, `http://[::1]:${port}/p.jpg`, 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.8/p.jpg']) {
      const res = await byUrl(id, url);
      expect(res.status, url).toBe(422);
      expect(res.body.error.details[0], url).toMatchObject({ path: 'url', message: expect.stringContaining('not a public address') });
    }
    expect((await byUrl(id, 'file:///etc/passwd')).body.error.details[0]).toMatchObject({ path: 'url', message: 'must be an http(s) URL' });
    expect((await byUrl(id, `http://127.0.0.1:${port}/moved`)).body.error.details[0].message).toContain('redirects are not followed');
    expect((await byUrl(id, `http://127.0.0.1:${port}/big`)).status).toBe(413);
    expect((await sys.call('GET', `/v1/tickets/${id}/photos`, { key: agent })).body.items).toEqual([]);
  });
});
