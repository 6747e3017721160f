/**
 * 反复多发 by place: open tickets about the same middle-level topic (4 digits) within a distance of
 * a point and inside the repeat window. Two indexes find the candidates, one per kind of server:
 *
 * - `postgis`: where the server has PostGIS, migration 0009 created the extension and a GiST index
 *   over the point as geography and received_at (`tickets_geography_idx`, with btree_gist):
 *   `ST_DWithin` and the window prune in the index, the topic filters the rows it returns.
 * - `grid`: everywhere else (the embedded default, plain Postgres, a role that may not create the
 *   extension), the grid cell of the point (`tickets_geo_cell_idx` on (geo_cell, received_at)): a
 *   lookup reads the few cells that cover the circle's bounding box inside the window.
 *
 * On both the exact haversine distance (the same formula as domain/geo.ts) decides and is the
 * distance reported, so the two answer the same rows. The path is chosen once per database
 * (`choosePlaceIndex` at start, else on the first lookup) and shown by /readyz.
 */
import { and, eq, gte, inArray, ne, sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';
import { tickets } from './schema';
import { gridCellsAround, type LatLng } from '../domain/geo';
import { OPEN_STATUSES } from '../domain/lifecycle';

export const PLACE_INDEXES = ['postgis', 'grid'] as const;
export type PlaceIndex = (typeof PLACE_INDEXES)[number];
/** REPEATS_BY_PLACE_INDEX: `auto` takes PostGIS where migration 0009 installed it, else the grid */
export type PlaceIndexPreference = PlaceIndex | 'auto';

export interface PlaceQuery {
  point: LatLng;
  /** a topic code; its first 4 digits (the middle category) must match */
  topic: string;
  radiusMeters: number;
  /** received at or after */
  since: Date;
  /** the ticket asking, left out */
  excludeId?: string;
  limit?: number;
}

/** The haversine distance in metres from a point to a ticket's (lat, lng), as SQL. */
export const distanceSql = (p: LatLng) =>
  sql<number>`2 * 6371008.8 * asin(least(1, sqrt(
    power(sin(radians(${tickets.lat} - ${p.lat}) / 2), 2)
    + cos(radians(${p.lat})) * cos(radians(${tickets.lat})) * power(sin(radians(${tickets.lng} - ${p.lng}) / 2), 2))))`;

/** The ticket's point as geography: the expression `tickets_geography_idx` indexes, written the same. */
const ticketGeography = sql`geography(st_setsrid(st_makepoint(${tickets.lng}, ${tickets.lat}), 4326))`;
const geographyOf = (p: LatLng) => sql`geography(st_setsrid(st_makepoint(${p.lng}::float8, ${p.lat}::float8), 4326))`;
/**
 * ST_DWithin on PostGIS's sphere (its mean radius, 6371008.77 m, against our 6371008.8 m: 5e-9
 * apart) with a centimetre of slack only finds candidates; the haversine then decides as on the
 * grid, so a ticket at the border is in or out on both paths alike.
 */
const SPHERE_SLACK_METERS = 0.01;

/** What finds the candidates near `p` on each path. */
const nearOn: Record<PlaceIndex, (p: LatLng, radiusMeters: number) => SQL> = {
  postgis: (p, r) =>
    sql`${tickets.lat} is not null and ${tickets.lng} is not null and st_dwithin(${ticketGeography}, ${geographyOf(p)}, ${r + SPHERE_SLACK_METERS}::float8, false)`,
  grid: (p, r) => inArray(tickets.geoCell, gridCellsAround(p, r)),
};

/** Whether this database has PostGIS and the index of migration 0009 (valid, and its functions on the search path). */
export async function postgisPlaceIndexInstalled(db: Db): Promise<boolean> {
  const [row] = await db.execute<{ installed: boolean }>(sql`
    select exists (select 1 from pg_extension where extname = 'postgis')
       and exists (select 1 from pg_index where indexrelid = to_regclass('tickets_geography_idx') and indisvalid)
       and to_regprocedure('st_dwithin(geography, geography, double precision, boolean)') is not null as installed`);
  return row?.installed === true;
}

const chosen = new WeakMap<Db, Promise<PlaceIndex>>();

/**
 * The path of this database's lookups, decided once: `auto` takes PostGIS where it is installed,
 * `grid` always the grid, `postgis` refuses a database without it (so a deployment that counts on
 * it says so at start rather than running on the grid).
 */
export function choosePlaceIndex(db: Db, preference: PlaceIndexPreference = 'auto'): Promise<PlaceIndex> {
  const choice = (async (): Promise<PlaceIndex> => {
    if (preference === 'grid') return 'grid';
    const installed = await postgisPlaceIndexInstalled(db);
    if (preference === 'postgis' && !installed) {
      throw new Error(
        'REPEATS_BY_PLACE_INDEX=postgis but this database has no PostGIS index: install PostGIS on the server, then run db/migrations/0009_postgis_place_index.sql as a superuser (README → Repeats by place and hot spots)',
      );
    }
    return installed ? 'postgis' : 'grid';
  })();
  chosen.set(db, choice);
  // a failed detection (Postgres down) is tried again by the next lookup
  choice.catch(() => chosen.get(db) === choice && chosen.delete(db));
  return choice;
}

/** The path chosen for this database (detected on first use when no start chose it). */
export function placeIndexOf(db: Db): Promise<PlaceIndex> {
  return chosen.get(db) ?? choosePlaceIndex(db);
}

/** The lookup's query on one path (tests and the bench explain it). */
export function repeatsByPlaceQuery(db: Db, q: PlaceQuery, path: PlaceIndex) {
  const distance = distanceSql(q.point);
  return db
    .select({ id: tickets.id, distanceMeters: distance })
    .from(tickets)
    .where(
      and(
        nearOn[path](q.point, q.radiusMeters),
        gte(tickets.receivedAt, q.since),
        inArray(tickets.status, [...OPEN_STATUSES]),
        eq(tickets.imported, false),
        q.excludeId ? ne(tickets.id, q.excludeId) : undefined,
        // a ticket still in triage has only the classifier's topic
        sql`left(coalesce(${tickets.topic}, ${tickets.proposal}->'classification'->>'topic'), 4) = ${q.topic.slice(0, 4)}`,
        sql`${distance} <= ${q.radiusMeters}`,
      ),
    )
    .orderBy(distance, tickets.id)
    .limit(q.limit ?? 10);
}

/** Open tickets near the point about the same middle topic, nearest first, with their distance. */
export async function repeatsByPlace(db: Db, q: PlaceQuery, via?: PlaceIndex): Promise<{ id: string; distanceMeters: number }[]> {
  const rows = await repeatsByPlaceQuery(db, q, via ?? (await placeIndexOf(db)));
  return rows.map((r) => ({ id: r.id, distanceMeters: Math.round(Number(r.distanceMeters) * 10) / 10 }));
}
