/**
 * Points from Chinese map apps converted to WGS-84 (against the pairs gcoord documents), distances,
 * the grid of the repeats-by-place index, and the district of a point in 新乡市.
 */
import { describe, expect, it } from 'vitest';
import boundaries from '../../../domain/geo-data/xinxiang-districts.json';
import { BORDER_TOLERANCE_M, DISTRICT_CODES, districtOfPoint } from '../../../domain/districts';
import { DISTRICT_SEATS, distanceMeters, fromWgs84, gridCell, gridCellsAround, offsetMeters, toWgs84 } from '../../../domain/geo';
import { newTicketSchema } from '../../../domain/ticket';

describe('coordinate systems', () => {
  it('a GCJ-02 point (高德/腾讯) is converted to WGS-84 as gcoord documents it', () => {
    // gcoord README: transform([123, 45], GCJ02, WGS84) → [122.99395597, 44.99804071]
    const p = toWgs84({ lat: 45, lng: 123 }, 'GCJ02');
    expect(p.lng).toBeCloseTo(122.99395597, 6);
    expect(p.lat).toBeCloseTo(44.99804071, 6);
  });

  it('a BD-09 point (百度) is converted to WGS-84, the inverse of the documented WGS-84 → BD-09 pair', () => {
    // gcoord README: transform([116.403988, 39.914266], WGS84, BD09) → [116.41661560068297, 39.92196580126834]
    expect(fromWgs84({ lat: 39.914266, lng: 116.403988 }, 'BD09')).toEqual({ lat: 39.9219658, lng: 116.4166156 });
    const back = toWgs84({ lat: 39.92196580126834, lng: 116.41661560068297 }, 'BD09');
    // the inverse transforms are iterative: within a metre of the original
    expect(distanceMeters(back, { lat: 39.914266, lng: 116.403988 })).toBeLessThan(1);
  });

  it('a WGS-84 point is kept as given', () => {
    expect(toWgs84({ lat: 35.3031234, lng: 113.8751234 }, 'WGS84')).toEqual({ lat: 35.3031234, lng: 113.8751234 });
  });

  it('the ticket schema converts a map app point to WGS-84 and names a coordinate out of range', () => {
    const base = { channel: 'app', content: '路灯不亮' };
    const t = newTicketSchema.parse({ ...base, location: { lat: 45, lng: 123, crs: 'GCJ02' } });
    expect(t.location!.lng).toBeCloseTo(122.993956, 5);
    const bad = newTicketSchema.safeParse({ ...base, location: { lat: 91, lng: 181, crs: 'WGS84' } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(['location.lat', 'location.lng']);
    const crs = newTicketSchema.safeParse({ ...base, location: { lat: 35, lng: 113, crs: 'CGCS2000' } });
    expect(crs.error!.issues[0]!.path.join('.')).toBe('location.crs');
  });

  it("a platform's ticket number comes only with that platform's channel", () => {
    const r = newTicketSchema.safeParse({ channel: 'phone', content: 'x', externalRef: { platform: 'provincial_platform', id: 'HA-2026-1' } });
    expect(r.error!.issues[0]!.path.join('.')).toBe('externalRef.platform');
    expect(newTicketSchema.parse({ channel: 'provincial_platform', content: 'x', externalRef: { platform: 'provincial_platform', id: 'HA-2026-1' } }).externalRef).toEqual({
      platform: 'provincial_platform',
      id: 'HA-2026-1',
    });
  });
});

describe('distances and the grid', () => {
  it('a degree of latitude is about 111.2 km, and an offset of 50 m measures 50 m', () => {
    expect(distanceMeters({ lat: 35, lng: 113.9 }, { lat: 36, lng: 113.9 })).toBeCloseTo(111_195, -1);
    const p = { lat: 35.30512, lng: 113.91234 };
    expect(distanceMeters(p, offsetMeters(p, 30, 40))).toBeCloseTo(50, 1);
  });

  it('the cells around a point cover every point within the radius, across cell borders', () => {
    const p = { lat: 35.3, lng: 113.9 }; // on a cell corner
    const cells = new Set(gridCellsAround(p, 50));
    for (const [n, e] of [[49, 0], [-49, 0], [0, 49], [0, -49], [34, 34], [-34, -34]] as const) {
      expect(cells.has(gridCell(offsetMeters(p, n, e)))).toBe(true);
    }
    expect(cells.size).toBeLessThanOrEqual(9);
  });
});

describe('the district of a point (事发地)', () => {
  it("each seat lies in its own district, a point a few km out of a county seat too, and a point outside the city in none", () => {
    for (const [code, seat] of Object.entries(DISTRICT_SEATS)) expect(districtOfPoint(seat)).toBe(code);
    expect(districtOfPoint(offsetMeters(DISTRICT_SEATS['410782']!, 4000, -3000))).toBe('410782'); // 辉县市
    expect(districtOfPoint({ lat: 34.7466, lng: 113.6253 })).toBeNull(); // 郑州
  });

  it('comes from the boundaries, not the nearest seat: a point deep in 原阳县 nearer 延津县\'s seat is 原阳县', () => {
    expect(DISTRICT_CODES).toHaveLength(12);
    const p = { lat: 35.01, lng: 114.22 };
    const seats = Object.entries(DISTRICT_SEATS).sort(([, a], [, b]) => distanceMeters(p, a) - distanceMeters(p, b));
    expect(seats[0]![0]).toBe('410726'); // the nearest seat is 延津县's
    expect(districtOfPoint(p)).toBe('410725');
    // not a border case: 2 km around it is 原阳县 too
    for (const [n, e] of [[2000, 0], [-2000, 0], [0, 2000], [0, -2000]] as const) expect(districtOfPoint(offsetMeters(p, n, e))).toBe('410725');
  });

  it("just outside the city's edge gets the nearest district, within the tolerance; farther out none", () => {
    // the city's easternmost vertex (长垣市): east of it lies no district of this city
    const vertices = (boundaries.features as { properties: { code: string }; geometry: { coordinates: number[][][][] } }[]).flatMap((f) =>
      f.geometry.coordinates.flat(2).map(([lng, lat]) => ({ code: f.properties.code, lat: lat!, lng: lng! })),
    );
    const east = vertices.reduce((a, b) => (b.lng > a.lng ? b : a));
    expect(east.code).toBe('410783');
    expect(districtOfPoint(offsetMeters(east, 0, BORDER_TOLERANCE_M / 2))).toBe('410783');
    expect(districtOfPoint(offsetMeters(east, 0, BORDER_TOLERANCE_M * 3))).toBeNull();
  });
});

describe('addresses a photo link may reach', () => {
  it('only public unicast: no loopback, private, link-local or mapped loopback', async () => {
    const { isPublicAddress } = await import('../../../platform/safe-fetch');
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '::1', '::ffff:127.0.0.1', 'fd00::1', '0.0.0.0', 'not-an-ip']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
    for (const a of ['8.8.8.8', '2400:3200::1']) expect(isPublicAddress(a), a).toBe(true);
  });
});
