/**
 * 反复多发 by place: open tickets about the same middle-level topic (4 digits) within a distance of
 * a point and inside the repeat window. Indexed by the grid cell of the point
 * (`tickets_geo_cell_idx` on (geo_cell, received_at)), so a lookup reads the few cells that cover
 * the circle's bounding box and checks the exact haversine distance of the rows in them — the
 * same on every Postgres, PostGIS or not (the embedded default has no PostGIS).
 */
import { and, eq, gte, inArray, ne, sql } from 'drizzle-orm';
import type { Db } from './client';
import { tickets } from './schema';
import { gridCellsAround, type LatLng } from '../domain/geo';
import { OPEN_STATUSES } from '../domain/lifecycle';

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

/** Open tickets near the point about the same middle topic, nearest first, with their distance. */
export async function repeatsByPlace(db: Db, q: PlaceQuery): Promise<{ id: string; distanceMeters: number }[]> {
  const distance = distanceSql(q.point);
  const rows = await db
    .select({ id: tickets.id, distanceMeters: distance })
    .from(tickets)
    .where(
      and(
        inArray(tickets.geoCell, gridCellsAround(q.point, q.radiusMeters)),
        gte(tickets.receivedAt, q.since),
        inArray(tickets.status, [...OPEN_STATUSES]),
        eq(tickets.imported, false),
        q.excludeId ? ne(tickets.id, q.excludeId) : undefined,
        // a ticket still in triage has only the classifier's topic
        sql`left(coalesce(${tickets.topic}, ${tickets.proposal}->'classification'->>'topic'), 4) = ${q.topic.slice(0, 4)}`,
        sql`${distance} <= ${q.radiusMeters}`,
      ),
    )
    .orderBy(distance)
    .limit(q.limit ?? 10);
  return rows.map((r) => ({ id: r.id, distanceMeters: Math.round(Number(r.distanceMeters) * 10) / 10 }));
}
