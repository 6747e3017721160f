/**
 * 反复多发 by place on the grid index and the exact distance (the path of every Postgres without
 * PostGIS, this machine's and the embedded default's): 49 m is a repeat, 51 m is not, nor another
 * middle topic, nor a report outside the window or closed; and through intake, two reports of one
 * crossing spelled differently are linked, shown as a cluster in the queue and in the hot spots.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tickets } from '../../db/schema';
import { repeatsByPlace } from '../../db/repeats-by-place';
import { fromWgs84, gridCell, offsetMeters, type LatLng } from '../../domain/geo';
import { shanghaiDay } from '../../domain/time';
import { startSystem, type TestSystem } from '../setup/system';

let sys: TestSystem;
const run = crypto.randomUUID().slice(0, 8);
const center: LatLng = { lat: 35.3, lng: 113.9 }; // a cell corner: the neighbours are in other cells

beforeAll(async () => {
  sys = await startSystem();
});
afterAll(async () => {
  await sys?.stop();
});

async function place(name: string, p: LatLng, opts: { topic?: string; receivedAt?: Date; status?: string } = {}): Promise<string> {
  const id = `place-${run}-${name}`;
  await sys.database.db.insert(tickets).values({
    id,
    channel: 'app',
    content: name,
    status: opts.status ?? 'dispatched',
    topic: opts.topic ?? '030102',
    receivedAt: opts.receivedAt ?? new Date(),
    lat: p.lat,
    lng: p.lng,
    geoCell: gridCell(p),
  });
  return id;
}

describe('repeats by place', () => {
  it('finds open reports of the same middle topic within the distance and the window, nearest first', async () => {
    const near = await place('49m-north', offsetMeters(center, 49, 0));
    const diagonal = await place('35m-south-west', offsetMeters(center, -25, -25), { topic: '030101' }); // same middle 0301
    await place('51m-east', offsetMeters(center, 0, 51));
    await place('other-topic', offsetMeters(center, 10, 0), { topic: '040101' });
    await place('too-old', offsetMeters(center, 0, -10), { receivedAt: new Date(Date.now() - 40 * 86_400_000) });
    await place('closed', offsetMeters(center, 5, 5), { status: 'closed' });
    const found = await repeatsByPlace(sys.database.db, { point: center, topic: '030102', radiusMeters: 50, since: new Date(Date.now() - 30 * 86_400_000) });
    const mine = found.filter((f) => f.id.startsWith(`place-${run}`));
    expect(mine.map((f) => f.id)).toEqual([diagonal, near]);
    expect(mine[0]!.distanceMeters).toBeCloseTo(35.4, 0);
    expect(mine[1]!.distanceMeters).toBeCloseTo(49, 0);
  });

  it('can use the grid index for its cells and window', async () => {
    // on a small test table the planner may prefer a scan; with scans priced out, the index must serve
    const plan = await sys.database.sql.begin(async (tx) => {
      await tx.unsafe('set local enable_seqscan = off');
      return tx.unsafe(`explain select id from tickets where geo_cell = any($1::bigint[]) and received_at >= now() - interval '30 days'`, [[gridCell(center)]]);
    });
    expect(plan.map((r) => Object.values(r)[0]).join('\n')).toMatch(/tickets_geo_cell_idx/);
  });
});

/** the hot spots count by the ticket's topic, which a ticket in triage has once an agent gave it */
const LIGHT = { type: 'help', topic: '030102', category: 'C' };

describe('repeats by place at intake', () => {
  let agent: string;
  let supervisor: string;
  beforeAll(async () => {
    [agent, supervisor] = await Promise.all([sys.key('agent'), sys.key('supervisor')]);
  });

  it('two reports of one crossing, spelled differently and 30 m apart, are linked; the queue and hot spots show the cluster', async () => {
    const here = { lat: 35.3161, lng: 113.9123 };
    const first = await sys.call('POST', '/v1/tickets', {
      key: agent,
      body: { channel: 'phone', caller: { phone: `137${run.replace(/\D/g, '1').slice(0, 4)}0001` }, content: '路口红绿灯旁边的路灯不亮', classification: LIGHT, address: '牧野区花园路建设路十字路口', location: { ...here, crs: 'WGS84' } },
    });
    expect(first.status).toBe(201);
    // the second from a map app in GCJ-02 (高德): converted, then 30 m from the first
    const there = offsetMeters(here, 0, 30);
    const second = await sys.call('POST', '/v1/tickets', {
      key: agent,
      body: { channel: 'phone', caller: { phone: `137${run.replace(/\D/g, '2').slice(0, 4)}0002` }, content: '路灯坏了晚上很黑', classification: LIGHT, address: '牧野区建设路与花园路交叉口', location: { ...fromWgs84(there, 'GCJ02'), crs: 'GCJ02' } },
    });
    expect(second.status).toBe(201);
    expect(second.body.location.lat).toBeCloseTo(there.lat, 5);
    expect(second.body.location.lng).toBeCloseTo(there.lng, 5);
    expect(second.body.repeatOf).toEqual([first.body.id]);
    expect(second.body.events.find((e: { type: string }) => e.type === 'repeat_detected').data).toEqual({ repeatOf: [first.body.id] });

    const queue = await sys.call('GET', '/v1/supervision/queue', { key: supervisor });
    expect(queue.body.repeatClusters).toContainEqual({ ticketId: first.body.id, repeatIds: [second.body.id], topic: '030102', location: { lat: second.body.location.lat, lng: second.body.location.lng } });

    // a third within the same cell makes it a place cluster of the hot spots (at least 3)
    const third = await sys.call('POST', '/v1/tickets', {
      key: agent,
      body: { channel: 'phone', caller: { phone: `137${run.replace(/\D/g, '3').slice(0, 4)}0003` }, content: '路灯不亮', classification: LIGHT, location: { ...offsetMeters(here, 10, 10), crs: 'WGS84' } },
    });
    expect(third.body.repeatOf).toEqual(expect.arrayContaining([first.body.id, second.body.id]));
    const day = shanghaiDay(new Date());
    const hot = await sys.call('GET', `/v1/analytics/hotspots?from=${day}&to=${day}`, { key: supervisor });
    const cluster = hot.body.placeClusters.find((c: { ticketIds: string[] }) => c.ticketIds.includes(third.body.id));
    expect(cluster).toMatchObject({ topic: '030102', tickets: 3, center: { lat: expect.closeTo(here.lat, 3), lng: expect.closeTo(here.lng, 3) } });
  });
});
