/**
 * Reading a 200-row ticket list from Postgres, drizzle's own mapping against the flat read of
 * db/full-rows.ts (unprepared, as a list built from filters runs, and prepared, as the queue's
 * lists run), interleaved in the same run on the same rows. Seeds `--rows` tickets (default
 * 50,000) into a scratch database on the local server, then reads the newest `--limit` + 1 of
 * category C `--reads` times per round for `--rounds` rounds. Prints ms per read and the ratios.
 *
 *   npm run bench:ticket-rows
 *   npm run bench:ticket-rows -- --rows 10000 --rounds 5
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { desc, eq, sql } from 'drizzle-orm';
import { tickets } from '../db/schema';
import { ticketRows } from '../db/tickets';
import { createScratchDatabase } from '../tests/setup/scratch-database';
import { runBench } from './platform/run';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '50000' }, limit: { type: 'string', default: '200' }, reads: { type: 'string', default: '300' }, rounds: { type: 'string', default: '3' } },
});
const [ROWS, LIMIT, READS, ROUNDS] = [values.rows, values.limit, values.reads, values.rounds].map(Number) as [number, number, number, number];
if (![ROWS, LIMIT, READS, ROUNDS].every((n) => Number.isInteger(n) && n > 0)) throw new Error('--rows, --limit, --reads and --rounds take positive integers');
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  const scratch = await createScratchDatabase('bench_ticket_rows');
  try {
    const { db } = scratch.database;
    const t0 = Date.parse('2026-11-02T01:00:00Z');
    // a dispatched ticket as intake leaves it, repeated with its own number and receipt time
    await db.execute(sql`
      insert into tickets (id, channel, caller_name, caller_phone, content, address, region_code, type, topic, category, status, unit_id,
        sign_by, due_by, near_due_at, return_by, policy_version, proposal, received_at, dispatched_at, last_event_seq)
      select '12345-20261102-' || lpad(g::text, 6, '0'), 'phone', '张先生', '139' || lpad((g * 7919 % 100000000)::text, 8, '0'),
        '红旗区向阳小区' || (g % 30) || '号楼停水两天了，请尽快处理', '红旗区向阳小区' || (g % 30) || '号楼', '410702', 'help', '040101', 'C', 'dispatched', 'xx-water',
        r + interval '1 day', r + interval '5 days', r + interval '4 days', r + interval '1 day', 1,
        '{"classification":{"type":"help","topic":"040101","category":"C"},"confidence":{"type":0.93,"topic":0.88,"category":0.91,"dispatch":0.86},"unitId":"xx-water"}'::jsonb,
        r, r + interval '1 second', 4
      from generate_series(1, ${ROWS}::int) g, lateral (select to_timestamp(${t0 / 1000}::double precision + g * 30) as r) t`);
    await db.execute(sql`analyze tickets`);
    const query = () => db.select().from(tickets).where(eq(tickets.category, 'C')).orderBy(desc(tickets.receivedAt), desc(tickets.id)).limit(LIMIT + 1);
    const built = query().toSQL();
    const ways: Record<string, () => Promise<unknown[]>> = {
      drizzle: () => query(),
      'flat, unprepared': () => ticketRows.read(db, query().toSQL()),
      'flat, prepared': () => ticketRows.read(db, built, { prepare: true }),
    };
    for (const read of Object.values(ways)) for (let i = 0; i < 30; i++) await read();
    const ms: Record<string, number[]> = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, read] of Object.entries(ways)) {
        const started = performance.now();
        for (let i = 0; i < READS; i++) if ((await read()).length !== LIMIT + 1) throw new Error(`${name} read the wrong rows`);
        ms[name]!.push((performance.now() - started) / READS);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const base = median(ms.drizzle!);
    log(`| ${ROWS} rows, ${LIMIT + 1}-row read | ms per read, median of ${ROUNDS} rounds × ${READS} | rounds | of drizzle |`);
    log('|---|---|---|---|');
    for (const [name, xs] of Object.entries(ms)) log(`| ${name} | ${median(xs).toFixed(2)} | ${xs.map((x) => x.toFixed(2)).join(', ')} | ${(median(xs) / base).toFixed(2)} |`);
    const result = {
      bench: 'ticket-rows',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg(), node: process.version },
      options: { rows: ROWS, limit: LIMIT, reads: READS, rounds: ROUNDS },
      msPerRead: ms,
    };
    log(`load average ${result.machine.loadavg.map((l) => l.toFixed(1)).join(' ')}`);
    fs.writeFileSync(path.join(__dirname, 'results', `ticket-rows-${result.at.replace(/[:.]/g, '-')}.json`), JSON.stringify(result, null, 2));
  } finally {
    await scratch.drop();
  }
}

runBench(main);
