/**
 * How fast the month overview (with its month-on-month and year-on-year comparisons) and the
 * monthly rankings answer over a large tickets table.
 *
 *   npm run bench:analytics                          10 million tickets, 20 timed runs
 *   npx tsx bench/analytics.ts --tickets 1000000 --runs 10 --month 2025-06 --reuse
 *
 * It creates a scratch database `hotline_bench` (dropped first; kept afterwards, so `--reuse`
 * skips the load when it already holds that many tickets) on BENCH_DATABASE_ADMIN_URL, else
 * TEST_DATABASE_ADMIN_URL, else the local server, applies the migrations, and generates the
 * data in SQL: 1,100 units in four levels and the tickets spread evenly over 2023–2025 (about
 * 9,100 a day, 275,000 a month), with the shares of domain.md (about 60% answered directly,
 * 38% dispatched), skewed unit loads so both volume groups are populated, and 0.5% of the
 * dispatched tickets returned once. The secondary indexes are built and the rollups counted
 * after the load, as a bulk import would. Then it times the same functions the API calls.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { connectDatabase } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import { rebuildRollups } from '../db/rollups';
import { currentPolicy } from '../db/policy';
import { monthlyRanking, overviewWithChanges } from '../db/analytics';
import { shanghaiMonthRange } from '../domain/kpi';
import { CHANNELS, TICKET_TYPES } from '../domain/ticket';
import { REPLIED_STATUSES } from '../domain/lifecycle';
import { sqlListText } from '../db/sql-list';
import { withDatabase } from '../platform/postgres';

const { values: args } = parseArgs({
  options: {
    tickets: { type: 'string', default: '10000000' },
    runs: { type: 'string', default: '20' },
    month: { type: 'string', default: '2025-06' },
    reuse: { type: 'boolean', default: false },
  },
});
const TICKETS = Number(args.tickets);
const RUNS = Number(args.runs);
const MONTH = args.month!;
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'hotline_bench';
const URL = withDatabase(ADMIN_URL, DATABASE);
const CHUNK = 500_000;
const REGIONS = ['410702', '410703', '410704', '410711', '410721', '410724', '410725', '410726', '410727', '410781', '410782', '410783'];

const log = (message: string) => process.stdout.write(`${message}\n`);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
const list = (values: readonly string[]) => `array[${values.map((v) => `'${v}'`).join(', ')}]`;

/** The four levels in order, with how many units each has and its share of the dispatched tickets. */
const LEVELS = [
  { level: 'city', units: 100, share: 0.45 },
  { level: 'county', units: 12, share: 0.15 },
  { level: 'township', units: 240, share: 0.3 },
  { level: 'village', units: 748, share: 0.1 },
] as const;

async function prepareDatabase(admin: postgres.Sql): Promise<boolean> {
  if (args.reuse) {
    const [exists] = await admin`select 1 from pg_database where datname = ${DATABASE}`;
    if (exists) {
      const db = postgres(URL, { max: 1, onnotice: () => undefined });
      const [held] = await db<{ n: number }[]>`select count(*)::int as n from tickets`;
      await db.end();
      if (held?.n === TICKETS) {
        // brings the schema and the rollups' definition up to date (a changed definition recounts them)
        await migrateDatabase(URL);
        return false;
      }
    }
  }
  await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
  await admin.unsafe(`create database ${DATABASE}`);
  await migrateDatabase(URL);
  return true;
}

/** Units n = 0 … 1099, numbered level by level, so a ticket picks a level and then a unit in it. */
async function loadUnits(sql: postgres.Sql): Promise<void> {
  let offset = 0;
  for (const { level, units } of LEVELS) {
    const region = level === 'city' ? `'410700'` : `(${list(REGIONS)})[1 + n % 12]`;
    await sql.unsafe(`
      insert into units (id, name, level, region_code)
      select 'b-' || (${offset} + n), '${level} unit ' || n, '${level}', ${region}
      from generate_series(0, ${units - 1}) n`);
    offset += units;
  }
  await sql.unsafe(`create table bench_units as select substring(id from 3)::int as n, id, level, region_code from units`);
  await sql.unsafe('create unique index on bench_units (n)');
  // a repeatable uniform number in [0, 1) for ticket i and draw k
  await sql.unsafe(`
    create function bench_random(i bigint, k int) returns float8 immutable parallel safe language sql
      as $$ select (hashint8extended(i, k) & 2147483647)::float8 / 2147483648 $$`);
}

/** The unit number of draw `r` (level) and `q` (unit in the level, skewed to the first). */
function unitNumberSql(r: string, q: string): string {
  let offset = 0;
  let cumulative = 0;
  const branches = LEVELS.map(({ units, share }) => {
    cumulative += share;
    const branch = `when ${r} < ${cumulative.toFixed(4)} then ${offset} + floor(power(${q}, 2) * ${units})::int`;
    offset += units;
    return branch;
  });
  return `case ${branches.join(' ')} else 0 end`;
}

/** Tickets i = from … to: received evenly over 2023–2025 Shanghai time, the rest drawn per ticket. */
function ticketsSql(from: number, to: number): string {
  const r = (k: number) => `bench_random(i, ${k})`;
  return `
    insert into tickets (id, channel, content, address, region_code, business_environment, type, topic, category, status,
      unit_id, received_at, dispatched_at, signed_at, replied_at, closed_at, sign_by, due_by, callback_by,
      rehandle_count, reply_on_time, satisfaction, close_reason, caller_phone, answer)
    select g.id, g.channel, '基准测试工单', g.address, coalesce(case when u.level <> 'city' then u.region_code end, g.region),
      g.business_environment, g.type, g.topic, g.category, g.status, u.id, g.received_at,
      case when g.dispatched then g.received_at + interval '10 minutes' end,
      case when g.dispatched then g.received_at + interval '10 minutes' + g.sign_draw * interval '80 minutes' end,
      case when g.replied then g.received_at + g.limit_span * g.reply_at end,
      case when g.status = 'closed' then g.received_at + g.limit_span * g.reply_at + interval '1 day'
           when not g.dispatched then g.received_at + interval '5 minutes' end,
      case when g.dispatched then g.received_at + interval '70 minutes' end,
      case when g.dispatched then g.received_at + g.limit_span end,
      case when g.replied then g.received_at + g.limit_span * g.reply_at + interval '2 days' end,
      case when g.dispatched and g.satisfaction_draw >= 0.97 then 1 else 0 end,
      case when g.replied then g.reply_at <= 1 end,
      case when g.status = 'closed' then
        case when g.satisfaction_draw < 0.85 then 'satisfied' when g.satisfaction_draw < 0.93 then 'basically_satisfied'
             when g.satisfaction_draw < 0.96 then 'dissatisfied' else 'unreachable' end end,
      case when g.status = 'closed' then
        case when g.satisfaction_draw < 0.85 then 'satisfied' when g.satisfaction_draw < 0.93 then 'basically_satisfied'
             when g.satisfaction_draw < 0.96 then 'finalized' else 'unreachable' end
           when not g.dispatched then g.status end,
      '13' || lpad(floor(g.phone_draw * 3000000)::text, 9, '0'),
      case when g.status = 'answered' then '知识库答复' end
    from (
      select *, status in ${sqlListText(REPLIED_STATUSES)} as replied
      from (
        select i, 'b' || lpad(i::text, 9, '0') as id,
          timestamptz '2023-01-01 00:00+08' + (i - 1) * (interval '1096 days' / ${TICKETS}) as received_at,
          (${list(CHANNELS)})[1 + floor(power(${r(1)}, 2.5) * ${CHANNELS.length})::int] as channel,
          (${list(TICKET_TYPES)})[1 + floor(power(${r(2)}, 2) * ${TICKET_TYPES.length})::int] as type,
          lpad((1 + floor(power(${r(3)}, 2) * 20))::text, 2, '0') || lpad((1 + floor(${r(4)} * 5))::text, 2, '0')
            || lpad((1 + floor(${r(5)} * 3))::text, 2, '0') as topic,
          (array['C', 'C', 'C', 'C', 'C', 'C', 'C', 'C', 'B', 'D'])[1 + floor(${r(6)} * 10)::int] as category,
          (${list(REGIONS)})[1 + floor(${r(7)} * 12)::int] as region,
          ${r(8)} < 0.05 as business_environment,
          '平原路' || floor(${r(9)} * 2000)::int || '号' as address,
          ${r(10)} >= 0.62 as dispatched,
          case when ${r(10)} < 0.60 then 'answered' when ${r(10)} < 0.62 then 'rejected'
               when ${r(11)} < 0.02 then 'handling' when ${r(11)} < 0.05 then 'replied' else 'closed' end as status,
          ${unitNumberSql(r(12), r(13))} as unit_n,
          ${r(14)} as sign_draw, 0.2 + 0.95 * ${r(15)} as reply_at, ${r(16)} as satisfaction_draw, ${r(17)} as phone_draw,
          (array[interval '5 days', interval '5 days', interval '5 days', interval '7 days', interval '1 day', interval '19 days'])[1 + floor(${r(18)} * 6)::int] as limit_span
        from generate_series(${from}, ${to}) i
      ) drawn
    ) g
    left join bench_units u on g.dispatched and u.n = g.unit_n`;
}

async function loadTickets(): Promise<void> {
  const ranges: [number, number][] = [];
  for (let from = 1; from <= TICKETS; from += CHUNK) ranges.push([from, Math.min(TICKETS, from + CHUNK - 1)]);
  const connections = Array.from({ length: Math.max(1, os.cpus().length) }, () => postgres(URL, { max: 1, onnotice: () => undefined }));
  let done = 0;
  await Promise.all(
    connections.map(async (sql) => {
      for (let range = ranges.shift(); range; range = ranges.shift()) {
        await sql.unsafe(ticketsSql(...range));
        done += range[1] - range[0] + 1;
        process.stdout.write(`\r  tickets ${done.toLocaleString('en')} / ${TICKETS.toLocaleString('en')}`);
      }
      await sql.end();
    }),
  );
  process.stdout.write('\n');
}

async function generate(): Promise<void> {
  const sql = postgres(URL, { max: 1, onnotice: () => undefined });
  let started = performance.now();
  await loadUnits(sql);
  // load as a bulk import would: secondary indexes and rollups after the rows
  const indexes = await sql<{ indexdef: string; indexname: string }[]>`
    select indexname, indexdef from pg_indexes where tablename = 'tickets' and indexname <> 'tickets_pkey'`;
  for (const i of indexes) await sql.unsafe(`drop index ${i.indexname}`);
  await sql.unsafe('alter table tickets disable trigger user');
  await loadTickets();
  await sql.unsafe(`
    insert into ticket_events (ticket_id, seq, type, at, actor, data)
    select t.id, 1, 'return_approved', t.dispatched_at + interval '1 hour', '{"role": "supervisor", "id": "bench"}',
           jsonb_build_object('fromUnitId', 'b-' || floor(bench_random(substring(t.id from 2)::bigint, 20) * 1100)::int, 'unitId', t.unit_id)
    from tickets t
    where t.unit_id is not null and bench_random(substring(t.id from 2)::bigint, 19) < 0.005`);
  log(`  loaded in ${seconds(started)}`);
  started = performance.now();
  await sql.unsafe(`set maintenance_work_mem = '1GB'`);
  for (const i of indexes) await sql.unsafe(i.indexdef);
  await sql.unsafe('alter table tickets enable trigger user');
  log(`  indexes built in ${seconds(started)}`);
  started = performance.now();
  await rebuildRollups(sql);
  log(`  rollups counted in ${seconds(started)}`);
  await sql.unsafe('vacuum analyze');
  await sql.end();
}

interface Timing {
  first: number;
  median: number;
  p95: number;
  max: number;
}

async function time(runs: number, run: () => Promise<unknown>): Promise<Timing> {
  const once = async () => {
    const started = performance.now();
    await run();
    return performance.now() - started;
  };
  const first = await once();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await once());
  samples.sort((a, b) => a - b);
  const quantile = (q: number) => samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)]!;
  return { first, median: quantile(0.5), p95: quantile(0.95), max: samples.at(-1)! };
}

async function main() {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => undefined });
  const [server] = await admin<{ version: string }[]>`select current_setting('server_version') as version`;
  const settings = await admin<{ name: string; setting: string }[]>`
    select name, current_setting(name) as setting from pg_settings
    where name in ('shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'jit')`;
  let started = performance.now();
  if (await prepareDatabase(admin)) {
    log(`generating ${TICKETS.toLocaleString('en')} tickets in ${DATABASE}`);
    await generate();
    log(`generated in ${seconds(started)}`);
  } else {
    log(`reusing ${DATABASE} with ${TICKETS.toLocaleString('en')} tickets`);
  }
  await admin.end();

  const database = connectDatabase(URL);
  const { db, sql } = database;
  const [sizes] = await sql<{ tickets: string; rollups: string; volume_rows: number; handling_rows: number }[]>`
    select pg_size_pretty(pg_total_relation_size('tickets')) as tickets,
           pg_size_pretty(pg_total_relation_size('ticket_volume_daily') + pg_total_relation_size('ticket_handling_daily')) as rollups,
           (select count(*)::int from ticket_volume_daily) as volume_rows,
           (select count(*)::int from ticket_handling_daily) as handling_rows`;
  const { from, to } = shanghaiMonthRange(MONTH);
  const [month] = await sql<{ tickets: number }[]>`
    select count(*)::int as tickets from tickets where received_at >= ${from.toISOString()} and received_at < ${to.toISOString()}`;
  const { policy } = await currentPolicy(db);

  const overview = await time(RUNS, () => overviewWithChanges(db, shanghaiMonthRange(MONTH), policy.kpi));
  const unitRanking = await time(RUNS, () => monthlyRanking(db, MONTH, 'unit', policy.kpi));
  const countyRanking = await time(RUNS, () => monthlyRanking(db, MONTH, 'county', policy.kpi));
  const sample = await monthlyRanking(db, MONTH, 'unit', policy.kpi);
  await database.close();

  const cpu = os.cpus();
  const ms = (t: number) => `${t.toFixed(1)} ms`.padStart(10);
  const row = (name: string, t: Timing) => `${name.padEnd(40)}${ms(t.first)}${ms(t.median)}${ms(t.p95)}${ms(t.max)}`;
  log('');
  log(`machine      ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}`);
  log(`postgres     ${server!.version} (${settings.map((s) => `${s.name} ${s.setting}`).join(', ')})`);
  log(`data         ${TICKETS.toLocaleString('en')} tickets (${sizes!.tickets} with indexes); ${MONTH}: ${month!.tickets.toLocaleString('en')} received`);
  log(`rollups      ${sizes!.volume_rows.toLocaleString('en')} volume rows + ${sizes!.handling_rows.toLocaleString('en')} handling rows (${sizes!.rollups})`);
  log(`ranking      ${sample.ranking.large.entries.length} units in the group > 10 tickets, ${sample.ranking.small.entries.length} in the group ≤ 10, ${sample.ranking.unranked.length} unranked`);
  log('');
  log(`${`${RUNS} runs after a first one`.padEnd(40)}${'first'.padStart(10)}${'median'.padStart(10)}${'p95'.padStart(10)}${'max'.padStart(10)}`);
  log(row(`overview ${MONTH} with MoM and YoY`, overview));
  log(row(`ranking ${MONTH}, units`, unitRanking));
  log(row(`ranking ${MONTH}, counties`, countyRanking));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
