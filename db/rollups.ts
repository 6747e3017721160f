/**
 * Daily rollups (日汇总) of the tickets table, so that a month's overview or ranking sums a few
 * thousand rows instead of reading a month of tickets (see docs/analytics.md for the numbers).
 *
 * - `ticket_volume_daily`: tickets received per Shanghai day, per dimension and key;
 * - `ticket_handling_daily`: dispatched tickets per day they are due on, unit, district and lane,
 *   with their handling facts (db/kpi-definitions.ts).
 *
 * Statement-level triggers on `tickets` keep them exact in the writer's own transaction: each
 * statement's transition tables are counted +1 for new rows and −1 for old ones, so a workflow
 * step, a historical import batch or a deletion moves the sums by exactly what changed. The
 * trigger functions and the rebuild are rendered from the same SQL definitions the queries use;
 * `ensureRollups` (run with the migrations) installs them and rebuilds the rollups whenever the
 * rendered definition differs from the one they were built with.
 */
import crypto from 'node:crypto';
import type postgres from 'postgres';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { HANDLING_FACTS, dueDate, isAnswered, isDispatched, shanghaiDate, type HandlingFact } from './kpi-definitions';

/** The dimensions of ticket_volume_daily, each with its key among the volume facts `f` below. */
const VOLUME_KEYS = {
  all: `''`,
  channel: 'f.channel',
  type: 'f.type',
  topic_major: 'f.topic_major',
  topic: 'f.topic',
  region: 'f.region',
  business_environment: 'f.business_environment',
} as const;
export type VolumeDimension = keyof typeof VOLUME_KEYS;
const dimensionKeys = sql.raw(Object.entries(VOLUME_KEYS).map(([dimension, key]) => `('${dimension}', ${key})`).join(', '));

export const HANDLING_FACT_NAMES = Object.keys(HANDLING_FACTS) as HandlingFact[];

/**
 * Volume counts of the rows of `source` (over `t`, with a `sign` column), per day, dimension and
 * key. '' stands for a missing key, as in the table.
 */
function volumeCounts(source: SQL): SQL {
  return sql`
    select f.day, d.dimension, d.key,
           sum(f.sign)::int as tickets, sum(f.sign * f.answered)::int as answered, sum(f.sign * f.dispatched)::int as dispatched
    from (
      select t.sign, ${shanghaiDate(sql`t.received_at`)} as day, t.channel,
             coalesce(t.type, '') as type, coalesce(t.topic, '') as topic, coalesce(left(t.topic, 2), '') as topic_major,
             coalesce(t.region_code, '') as region, t.business_environment::text as business_environment,
             ${isAnswered}::int as answered, ${isDispatched}::int as dispatched
      from ${source} t
    ) f
    cross join lateral (values ${dimensionKeys}) d(dimension, key)
    group by 1, 2, 3`;
}

const handlingKey = sql.raw('day, unit_id, region_code, business_environment');
const handlingFactColumns = sql.raw(HANDLING_FACT_NAMES.join(', '));

/** Handling counts of the dispatched rows of `source` (over `t`, with `sign`) per due day, unit, district and lane. */
function handlingCounts(source: SQL): SQL {
  const sums = HANDLING_FACT_NAMES.map((f) => sql`sum(t.sign * (${HANDLING_FACTS[f]} is true)::int)::int as ${sql.identifier(f)}`);
  return sql`
    select ${dueDate} as day, coalesce(t.unit_id, '') as unit_id, coalesce(t.region_code, '') as region_code,
           t.business_environment, ${sql.join(sums, sql`, `)}
    from ${source} t
    where ${isDispatched}
    group by 1, 2, 3, 4`;
}

const allTickets = sql`(select 1 as sign, * from tickets)`;

/** Adds the counts of `source` to the rollups, locking rows in key order so that concurrent statements do not deadlock. */
function applyDelta(source: SQL): SQL[] {
  const nonZero = (names: readonly string[]) => sql.raw(names.map((n) => `${n} <> 0`).join(' or '));
  const addUp = (names: readonly string[]) => sql.raw(names.map((n) => `${n} = r.${n} + excluded.${n}`).join(', '));
  return [
    sql`insert into ticket_volume_daily as r (day, dimension, key, tickets, answered, dispatched)
        select * from (${volumeCounts(source)}) delta
        where ${nonZero(['tickets', 'answered', 'dispatched'])}
        order by day, dimension, key
        on conflict (day, dimension, key) do update set ${addUp(['tickets', 'answered', 'dispatched'])}`,
    sql`insert into ticket_handling_daily as r (${handlingKey}, ${handlingFactColumns})
        select * from (${handlingCounts(source)}) delta
        where ${nonZero(HANDLING_FACT_NAMES)}
        order by ${handlingKey}
        on conflict (${handlingKey}) do update set ${addUp(HANDLING_FACT_NAMES)}`,
  ];
}

const TRIGGERS = [
  { name: 'tickets_rollup_insert', event: 'insert', transitions: 'new table as new_rows', source: sql`(select 1 as sign, * from new_rows)` },
  {
    name: 'tickets_rollup_update',
    event: 'update',
    transitions: 'old table as old_rows new table as new_rows',
    source: sql`(select 1 as sign, * from new_rows union all select -1 as sign, * from old_rows)`,
  },
  { name: 'tickets_rollup_delete', event: 'delete', transitions: 'old table as old_rows', source: sql`(select -1 as sign, * from old_rows)` },
] as const;

const dialect = new PgDialect();

/** SQL text of a fragment without parameters (the definitions are constants). */
function render(fragment: SQL): string {
  const { sql: text, params } = dialect.sqlToQuery(fragment);
  if (params.length > 0) throw new Error(`a rollup definition must not take parameters: ${text}`);
  return text;
}

const INSTALL: string[] = [
  ...TRIGGERS.flatMap(({ name, event, transitions, source }) => [
    `create or replace function ${name}() returns trigger language plpgsql as $fn$
     begin
       ${applyDelta(source).map(render).join(';\n')};
       return null;
     end $fn$`,
    `drop trigger if exists ${name} on tickets`,
    `create trigger ${name} after ${event} on tickets referencing ${transitions} for each statement execute function ${name}()`,
  ]),
  `create or replace function tickets_rollup_truncate() returns trigger language plpgsql as $fn$
   begin
     truncate ticket_volume_daily, ticket_handling_daily;
     return null;
   end $fn$`,
  'drop trigger if exists tickets_rollup_truncate on tickets',
  'create trigger tickets_rollup_truncate after truncate on tickets for each statement execute function tickets_rollup_truncate()',
];

const REBUILD: string[] = [
  'truncate ticket_volume_daily, ticket_handling_daily',
  render(sql`insert into ticket_volume_daily (day, dimension, key, tickets, answered, dispatched) ${volumeCounts(allTickets)}`),
  render(sql`insert into ticket_handling_daily (${handlingKey}, ${handlingFactColumns}) ${handlingCounts(allTickets)}`),
  // fresh statistics, so the first queries after a rebuild are planned on the new rows
  'analyze ticket_volume_daily, ticket_handling_daily',
];

const DEFINITION_HASH = crypto.createHash('sha256').update([...INSTALL, ...REBUILD].join('\n;\n')).digest('hex');
const ROLLUP_NAME = 'tickets';

/**
 * Installs the triggers and rebuilds the rollups when their definition changed (or was never
 * installed). Writes to tickets wait meanwhile, so no step is counted twice or missed. Call it
 * where the migrations run, under their lock. True when it rebuilt.
 */
export async function ensureRollups(client: postgres.Sql): Promise<boolean> {
  const [built] = await client<{ definition_hash: string }[]>`select definition_hash from rollup_definitions where name = ${ROLLUP_NAME}`;
  if (built?.definition_hash === DEFINITION_HASH) return false;
  await client.begin(async (tx) => {
    await tx.unsafe('lock table tickets in share row exclusive mode');
    for (const statement of [...INSTALL, ...REBUILD]) await tx.unsafe(statement);
    await tx.unsafe(
      `insert into rollup_definitions (name, definition_hash, built_at) values ($1, $2, now())
       on conflict (name) do update set definition_hash = excluded.definition_hash, built_at = excluded.built_at`,
      [ROLLUP_NAME, DEFINITION_HASH],
    );
  });
  return true;
}

/** Recounts the rollups from the tickets table, e.g. after a bulk load with triggers disabled. */
export async function rebuildRollups(client: postgres.Sql): Promise<void> {
  await client.begin(async (tx) => {
    await tx.unsafe('lock table tickets in share mode');
    for (const statement of REBUILD) await tx.unsafe(statement);
  });
}
