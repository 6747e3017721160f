/**
 * How fast the repeats-by-place lookup (db/repeats-by-place.ts, the one intake runs for every
 * ticket with a point) answers over a large tickets table, on each of its two paths: PostGIS
 * (ST_DWithin on the GiST index of migration 0009) and the grid index.
 *
 *   npm run bench:repeats-by-place                         10 million tickets, 300 lookups, both paths
 *   npx tsx bench/repeats-by-place.ts --tickets 1000000 --lookups 100 --reuse --path grid --radius 200
 *
 * It creates a scratch database `hotline_bench_places` (dropped first; kept afterwards, so
 * `--reuse` skips the load when it already holds that many tickets) on BENCH_DATABASE_ADMIN_URL,
 * else TEST_DATABASE_ADMIN_URL, else the local server, applies the migrations and generates the
 * tickets in SQL over the last three years: 60% in the urban core of 新乡 (about 6 km × 5.5 km,
 * so about 200,000 tickets a km² — far denser than a real city), 40% over the whole city, a
 * quarter of them open, topics spread over the taxonomy's minor topics. The indexes are built
 * after the load, as a bulk import would. Then it times lookups of 50 m (`--radius`) and the default 30-day
 * window at random points of the core, for a random topic: with `--path both` (the default, which
 * needs a server with PostGIS) each point is looked up on both paths, in alternating order, so a
 * busy machine weighs on both alike, and the two answers are checked to be the same rows.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { connectDatabase } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import { postgisPlaceIndexInstalled, repeatsByPlace, type PlaceIndex } from '../db/repeats-by-place';
import { TOPICS } from '../domain/classifier';
import { GRID_DEGREES } from '../domain/geo';
import { withDatabase } from '../platform/postgres';

const { values: args } = parseArgs({
  options: {
    tickets: { type: 'string', default: '10000000' },
    lookups: { type: 'string', default: '300' },
    reuse: { type: 'boolean', default: false },
    path: { type: 'string', default: 'both' },
    radius: { type: 'string', default: '50' },
  },
});
const PATHS: PlaceIndex[] = args.path === 'both' ? ['postgis', 'grid'] : args.path === 'postgis' || args.path === 'grid' ? [args.path] : [];
if (!PATHS.length) throw new Error(`--path must be postgis, grid or both, not ${args.path}`);
const TICKETS = Number(args.tickets);
const LOOKUPS = Number(args.lookups);
const RADIUS = Number(args.radius);
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'hotline_bench_places';
const URL = withDatabase(ADMIN_URL, DATABASE);
const CHUNK = 1_000_000;
const CORE = { south: 35.27, north: 35.32, west: 113.84, east: 113.906 };
const CITY = { south: 34.9, north: 35.8, west: 113.4, east: 114.9 };
const MINOR_TOPICS = TOPICS.filter((t) => t.code.length === 6).map((t) => t.code);

const log = (message: string) => process.stdout.write(`${message}\n`);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

async function load(): Promise<void> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => undefined });
  if (args.reuse) {
    const [exists] = await admin`select 1 from pg_database where datname = ${DATABASE}`;
    if (exists) {
      const db = postgres(URL, { max: 1, onnotice: () => undefined });
      const [row] = await db<{ n: number }[]>`select count(*)::int as n from tickets`;
      await db.end();
      const n = row!.n;
      if (n === TICKETS) {
        log(`reusing ${DATABASE} with ${n.toLocaleString()} tickets`);
        // a database loaded before a new migration (0009's index) gets it now
        await migrateDatabase(URL);
        return admin.end();
      }
    }
  }
  await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
  await admin.unsafe(`create database ${DATABASE}`);
  await admin.end();
  const database = connectDatabase(URL, { max: 1 });
  await migrateDatabase(URL);
  const sql = database.sql;
  // a bulk load: the rollup triggers and the secondary indexes after, not per row
  await sql.unsafe('alter table tickets disable trigger user');
  const indexes = await sql<{ name: string; def: string }[]>`
    select indexname as name, indexdef as def from pg_indexes where tablename = 'tickets' and indexname <> 'tickets_pkey'`;
  for (const i of indexes) await sql.unsafe(`drop index ${i.name}`);
  const topics = `array[${MINOR_TOPICS.map((t) => `'${t}'`).join(',')}]`;
  const started = performance.now();
  for (let from = 0; from < TICKETS; from += CHUNK) {
    const to = Math.min(TICKETS, from + CHUNK) - 1;
    // random() in the select list of each row: an uncorrelated lateral subquery would be run once
    await sql.unsafe(`
      insert into tickets (id, channel, content, status, topic, received_at, lat, lng, geo_cell)
      select 'B' || g, 'app', '-', case when s < 0.25 then 'handling' else 'closed' end,
             (${topics})[1 + (g::bigint * 7919) % ${MINOR_TOPICS.length}], now() - age * interval '1095 days', lat, lng,
             floor((lat + 90) / ${GRID_DEGREES})::bigint * 360001 + floor((lng + 180) / ${GRID_DEGREES})::bigint
      from (
        select g, s, age,
               case when core then ${CORE.south} + a * ${CORE.north - CORE.south} else ${CITY.south} + a * ${CITY.north - CITY.south} end as lat,
               case when core then ${CORE.west} + b * ${CORE.east - CORE.west} else ${CITY.west} + b * ${CITY.east - CITY.west} end as lng
        from (select g, random() < 0.6 as core, random() as a, random() as b, random() as s, random() as age
              from generate_series(${from}, ${to}) g) r
      ) p`);
    log(`  ${(to + 1).toLocaleString()} tickets (${seconds(started)})`);
  }
  const indexing = performance.now();
  await sql.unsafe(`set maintenance_work_mem = '512MB'`);
  for (const i of indexes) await sql.unsafe(i.def);
  await sql.unsafe('alter table tickets enable trigger user');
  await sql.unsafe('analyze tickets');
  log(`indexes rebuilt and analyzed in ${seconds(indexing)}`);
  await database.close();
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function main(): Promise<void> {
  log(`repeats by place over ${TICKETS.toLocaleString()} tickets (${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB)`);
  const loading = performance.now();
  await load();
  log(`data ready in ${seconds(loading)}`);
  const database = connectDatabase(URL, { max: 1 });
  if (PATHS.includes('postgis') && !(await postgisPlaceIndexInstalled(database.db))) {
    throw new Error(`${DATABASE} has no PostGIS index (the server offers no PostGIS, or the role may not create it): run with --path grid`);
  }
  const since = new Date(Date.now() - 30 * 86_400_000);
  const timings = new Map<PlaceIndex, number[]>(PATHS.map((p) => [p, []]));
  let found = 0;
  let differing = 0;
  for (let i = 0; i < LOOKUPS + 20; i++) {
    const point = { lat: CORE.south + Math.random() * (CORE.north - CORE.south), lng: CORE.west + Math.random() * (CORE.east - CORE.west) };
    const topic = MINOR_TOPICS[Math.floor(Math.random() * MINOR_TOPICS.length)]!;
    const answers: string[] = [];
    for (const path of i % 2 ? [...PATHS].reverse() : PATHS) {
      const t0 = performance.now();
      const rows = await repeatsByPlace(database.db, { point, topic, radiusMeters: RADIUS, since }, path);
      // the first 20 warm the cache and are not counted
      if (i >= 20) {
        timings.get(path)!.push(performance.now() - t0);
        if (path === PATHS[0]) found += rows.length;
      }
      answers.push(JSON.stringify(rows));
    }
    if (new Set(answers).size > 1) differing++;
  }
  const [cells] = await database.sql<{ inCells: number }[]>`
    select avg(n)::float8 as "inCells" from (select count(*) as n from tickets where received_at >= ${since.toISOString()} group by geo_cell) c`;
  await database.close();
  const medians = new Map<PlaceIndex, number>();
  for (const [path, t] of timings) {
    t.sort((a, b) => a - b);
    medians.set(path, quantile(t, 0.5));
    log(`${path}: ${LOOKUPS} lookups (${RADIUS} m, 30 days, random points of the core): median ${quantile(t, 0.5).toFixed(1)} ms, p95 ${quantile(t, 0.95).toFixed(1)} ms, max ${t.at(-1)!.toFixed(1)} ms`);
  }
  if (PATHS.length === 2) {
    log(`  postgis median / grid median: ${(medians.get('postgis')! / medians.get('grid')!).toFixed(2)}; lookups answered differently by the two: ${differing}`);
  }
  log(`  ${(found / LOOKUPS).toFixed(2)} repeats found a lookup on average; ${cells!.inCells.toFixed(1)} tickets of the window in an occupied cell on average`);
  if (differing) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
