/**
 * The logs of the worker and the API hold no caller's phone or ID-card number, even when
 * Postgres fails a write and the error is logged by the activity retry and by Temporal's own
 * worker log (an error of a query drizzle built, "Failed query … params: …", carries the caller's
 * phone among the parameters: masked).
 * The real log output is captured: the API's and worker's logger and the Temporal runtime's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { tickets } from '../../db/schema';
import { createLogger } from '../../platform/logger';
import { installTemporalRuntime } from '../../platform/worker';
import { eventually } from '../setup/eventually';
import { startSystem, type TestSystem } from '../setup/system';

const logLines: string[] = [];
// before the system starts: the Temporal runtime's logger is installed once per process
installTemporalRuntime(createLogger('info', { write: (line: string) => void logLines.push(line) }));

let sys: TestSystem;
let agent: string;
let supervisor: string;
beforeAll(async () => {
  // its own database: a trigger refuses writes to its tickets table for a while
  sys = await startSystem({ logLines, isolated: true, actionTimeoutMs: 60_000 });
  [agent, supervisor] = await Promise.all([sys.key('agent'), sys.key('supervisor')]);
});
afterAll(() => sys?.stop());

const phone = `139${String(Date.now()).slice(-8)}`;
const idNumber = '41070219900307123X';

describe('logs of a run with a failing Postgres write', () => {
  it("hold the failure, with every phone and ID-card number masked, and the ticket goes on once Postgres accepts the write", async () => {
    const { db } = sys.database;
    // Postgres refuses the ticket's row (not a data error: the activity is retried, its error logged each time)
    await db.execute(sql`create function refuse_ticket_write() returns trigger language plpgsql as $$
      begin raise exception 'ticket writes are refused for the test'; end $$`);
    await db.execute(sql`create trigger refuse_ticket_write before insert or update on tickets for each row execute function refuse_ticket_write()`);
    const created = sys.call('POST', '/v1/tickets', {
      key: agent,
      body: {
        channel: 'phone',
        caller: { name: '李女士', phone },
        content: `我的身份证号${idNumber}，回电${phone}，小区停水两天了`,
        regionCode: '410702',
        classification: { type: 'help', topic: '040101', category: 'C' },
        disposition: { action: 'answer', answer: '已告知供水公司抢修电话' },
      },
    });
    // the step's write is a prepared statement: its error is Postgres's own, without drizzle's "Failed query … params"
    const failures = () => logLines.filter((l) => l.includes('ticket writes are refused'));
    await eventually('the failing write in the logs, by the activity and by Temporal', failures, (f) => f.length >= 2 && f.some((l) => l.includes('"component":"temporal"')));
    await db.execute(sql`drop trigger refuse_ticket_write on tickets`);
    const res = await created;
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.caller.phone).toBe(phone);
    await eventually('the ticket row', () => db.select().from(tickets).where(eq(tickets.id, res.body.id)), (rows) => rows[0]?.status === 'answered');
    // ... the agent still sees what the citizen said in full
    expect((await sys.call('GET', `/v1/tickets/${res.body.id}`, { key: supervisor })).body.caller.phone).toBe(phone);

    const log = logLines.join('\n');
    // a failure line that carries the query's parameters shows them masked
    for (const line of failures().filter((l) => l.includes('params:'))) {
      expect(line).toContain(`${phone.slice(0, 3)}****${phone.slice(-4)}`);
      expect(line).toContain('410*************3X');
    }
    expect(log).not.toContain(phone);
    expect(log).not.toContain(phone.slice(3));
    expect(log).not.toContain(idNumber);
  });
});
