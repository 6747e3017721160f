/**
 * Places on the map: a ticket's point (事发地坐标) is kept in WGS-84, as Open311 and the analytics
 * store it. Chinese map apps (高德/腾讯 in GCJ-02, 百度 in BD-09) send shifted coordinates; they are
 * converted with `gcoord`, whose transforms are the ones those apps publish. Pure, no I/O.
 */
import gcoord from 'gcoord';

export const COORDINATE_SYSTEMS = ['WGS84', 'GCJ02', 'BD09'] as const;
export type CoordinateSystem = (typeof COORDINATE_SYSTEMS)[number];

/** A WGS-84 point, degrees. */
export interface LatLng {
  lat: number;
  lng: number;
}

const GCOORD_CRS = { WGS84: gcoord.WGS84, GCJ02: gcoord.GCJ02, BD09: gcoord.BD09 } as const;

/** The point in WGS-84, from one given in `crs`; rounded to 7 decimals (≈ 1 cm), more than any phone knows. */
export function toWgs84(point: LatLng, crs: CoordinateSystem): LatLng {
  if (crs === 'WGS84') return round(point);
  const [lng, lat] = gcoord.transform([point.lng, point.lat], GCOORD_CRS[crs], gcoord.WGS84) as [number, number];
  return round({ lat, lng });
}

/** The point in `crs`, from WGS-84 (for a map app that draws in GCJ-02 or BD-09). */
export function fromWgs84(point: LatLng, crs: CoordinateSystem): LatLng {
  if (crs === 'WGS84') return round(point);
  const [lng, lat] = gcoord.transform([point.lng, point.lat], gcoord.WGS84, GCOORD_CRS[crs]) as [number, number];
  return round({ lat, lng });
}

const round = (p: LatLng): LatLng => ({ lat: Math.round(p.lat * 1e7) / 1e7, lng: Math.round(p.lng * 1e7) / 1e7 });

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in metres (haversine on the mean earth radius; < 0.5% off the ellipsoid). */
export function distanceMeters(a: LatLng, b: LatLng): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The point `meters` north and `eastMeters` east of `p` (for tests and bounding boxes). */
export function offsetMeters(p: LatLng, northMeters: number, eastMeters: number): LatLng {
  const dLat = (northMeters / EARTH_RADIUS_M) * (180 / Math.PI);
  const dLng = (eastMeters / (EARTH_RADIUS_M * Math.cos(rad(p.lat)))) * (180 / Math.PI);
  return { lat: p.lat + dLat, lng: p.lng + dLng };
}

/**
 * The grid behind the repeats-by-place index: cells of 0.001° × 0.001° (≈ 111 m × 91 m at 新乡's
 * latitude), numbered so one integer column with a b-tree finds a cell. A lookup reads the cells
 * that cover the circle's bounding box and checks the exact distance of the few rows in them.
 */
export const GRID_DEGREES = 0.001;
const GRID_COLUMNS = 360_000 + 1; // cells per row of latitude, so every lng cell fits

export function gridCell(p: LatLng): number {
  const row = Math.floor((p.lat + 90) / GRID_DEGREES);
  const col = Math.floor((p.lng + 180) / GRID_DEGREES);
  return row * GRID_COLUMNS + col;
}

/** The grid cells that cover the box of `radiusMeters` around `p`. */
export function gridCellsAround(p: LatLng, radiusMeters: number): number[] {
  const sw = offsetMeters(p, -radiusMeters, -radiusMeters);
  const ne = offsetMeters(p, radiusMeters, radiusMeters);
  const cells: number[] = [];
  const rows = [Math.floor((sw.lat + 90) / GRID_DEGREES), Math.floor((ne.lat + 90) / GRID_DEGREES)];
  const cols = [Math.floor((sw.lng + 180) / GRID_DEGREES), Math.floor((ne.lng + 180) / GRID_DEGREES)];
  for (let r = rows[0]!; r <= rows[1]!; r++) for (let c = cols[0]!; c <= cols[1]!; c++) cells.push(r * GRID_COLUMNS + c);
  return cells;
}

/**
 * Approximate seats (WGS-84) of 新乡市's districts and counties, written from their known
 * positions to about 0.01° (≈ 1 km): points for tests and the bench. The district of a point comes
 * from the boundaries (domain/districts.ts).
 */
export const DISTRICT_SEATS: Record<string, LatLng> = {
  '410702': { lat: 35.303, lng: 113.875 }, // 红旗区
  '410703': { lat: 35.302, lng: 113.846 }, // 卫滨区
  '410704': { lat: 35.379, lng: 113.906 }, // 凤泉区
  '410711': { lat: 35.315, lng: 113.909 }, // 牧野区
  '410721': { lat: 35.191, lng: 113.806 }, // 新乡县
  '410724': { lat: 35.259, lng: 113.657 }, // 获嘉县
  '410725': { lat: 35.066, lng: 113.940 }, // 原阳县
  '410726': { lat: 35.142, lng: 114.205 }, // 延津县
  '410727': { lat: 35.041, lng: 114.419 }, // 封丘县
  '410781': { lat: 35.398, lng: 114.065 }, // 卫辉市
  '410782': { lat: 35.462, lng: 113.806 }, // 辉县市
  '410783': { lat: 35.201, lng: 114.669 }, // 长垣市
};
