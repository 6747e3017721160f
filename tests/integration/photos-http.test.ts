/**
 * Ticket photos over HTTP: a JPEG made with EXIF GPS and camera data is stored without any of it,
 * the type is decided by the content, the size is bounded, and a photo is served only to those
 * who may see the ticket (a unit only its own); the unit adds before and after photos.
 */
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
  sys = await startSystem({ photoMaxBytes: MAX });
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
