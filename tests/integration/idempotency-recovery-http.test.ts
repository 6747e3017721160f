/**
 * An Idempotency-Key never stays stuck "in progress": a retry after any failure of the attempt
 * that holds it (the final write of its record failing, the API process dying mid-request) gets
 * the true outcome, with exactly one ticket; a retry while the attempt still holds its lease gets
 * 409 idempotency_in_progress.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { idempotencyRecords, ticketEvents, tickets } from '../../db/schema';
import { startSystem, type TestSystem } from '../setup/system';

const ACTION_TIMEOUT_MS = 5000;

let sys: TestSystem;
let agent: string;
let water: string;
let waterKey: string;

beforeAll(async () => {
  sys = await startSystem({ actionTimeoutMs: ACTION_TIMEOUT_MS });
  agent = await sys.key('agent');
  water = await sys.unit('市供水集团');
  waterKey = await sys.key('unit', water);
});
afterAll(() => sys?.stop());

const newTicket = (content: string, over: Record<string, unknown> = {}) => ({
  channel: 'phone',
  caller: { name: '李女士', phone: '13912345678' },
  content,
  address: '卫滨区平原路12号',
  regionCode: '410703',
  classification: { type: 'help', topic: '0301', category: 'C' },
  ...over,
});

const create = (idempotencyKey: string, body: object) =>
  sys.call('POST', '/v1/tickets', { key: agent, body, headers: { 'Idempotency-Key': idempotencyKey } });

async function recordOf(idempotencyKey: string) {
  const [record] = await sys.database.db.select().from(idempotencyRecords).where(eq(idempotencyRecords.key, idempotencyKey));
  return record!;
}

async function ticketRows(content: string) {
  return sys.database.db.select().from(tickets).where(eq(tickets.content, content));
}

/** The record as an attempt leaves it when it dies mid-request, after its lease has passed. */
async function leftByDeadAttempt(idempotencyKey: string) {
  await sys.database.db
    .update(idempotencyRecords)
    .set({ statusCode: null, response: null, releasedAt: null, lockedUntil: sql`now() - interval '1 second'` })
    .where(eq(idempotencyRecords.key, idempotencyKey));
}

/**
 * Makes the final write of the records whose key starts with `prefix` fail `times` times, with
 * the error of a lost connection, as a Postgres restart does. Returns the undo.
 */
async function failFinalWrites(prefix: string, times: number): Promise<() => Promise<void>> {
  const name = `fail_final_${crypto.randomBytes(4).toString('hex')}`;
  const q = sys.database.sql;
  // a sequence is not rolled back with the failing statement, so it counts the failures
  await q.unsafe(`create sequence ${name}`);
  await q.unsafe(`
    create function ${name}() returns trigger language plpgsql as $$
    begin
      if old.status_code is null and new.status_code is not null and new.key like '${prefix}%'
         and nextval('${name}') <= ${times} then
        raise exception 'injected: connection lost during the final write' using errcode = '08006';
      end if;
      return new;
    end $$`);
  await q.unsafe(`create trigger ${name} before update on idempotency_records for each row execute function ${name}()`);
  return async () => {
    await q.unsafe(`drop trigger ${name} on idempotency_records`);
    await q.unsafe(`drop function ${name}()`);
    await q.unsafe(`drop sequence ${name}`);
  };
}

describe('a create whose outcome could not be kept', () => {
  it('keeps it after a brief failure of the final write: the retry replays the same ticket', async () => {
    const stamp = crypto.randomUUID();
    const undo = await failFinalWrites(`blip-${stamp}`, 2);
    try {
      const content = `最终写入短暂失败 ${stamp}`;
      const first = await create(`blip-${stamp}`, newTicket(content));
      expect(first.status).toBe(201);
      expect((await recordOf(`blip-${stamp}`)).statusCode).toBe(201);

      const retry = await create(`blip-${stamp}`, newTicket(content));
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body.id).toBe(first.body.id);
      expect(await ticketRows(content)).toHaveLength(1);
    } finally {
      await undo();
    }
  });

  it('answers the true 201 although the final write keeps failing; once the lease passes, a retry gets the same ticket', async () => {
    const stamp = crypto.randomUUID();
    const key = `down-${stamp}`;
    const content = `最终写入一直失败 ${stamp}`;
    const undo = await failFinalWrites(key, 1_000);
    let first;
    try {
      first = await create(key, newTicket(content));
      expect(first.status).toBe(201);
      const held = await recordOf(key);
      expect(held).toMatchObject({ statusCode: null, resourceId: first.body.id });
      // held for the action deadline and a margin, not for the 72 hours the record is kept
      const leaseLeft = held.lockedUntil!.getTime() - Date.now();
      expect(leaseLeft).toBeGreaterThan(ACTION_TIMEOUT_MS - 5000);
      expect(leaseLeft).toBeLessThan(ACTION_TIMEOUT_MS + 60_000);

      const early = await create(key, newTicket(content));
      expect(early.status).toBe(409);
      expect(early.body.error.code).toBe('idempotency_in_progress');
      expect(Number(early.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await undo();
    }

    await sys.database.db.update(idempotencyRecords).set({ lockedUntil: sql`now() - interval '1 second'` }).where(eq(idempotencyRecords.key, key));
    const retry = await create(key, newTicket(content));
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.body.status).toBe('triage');
    expect(await ticketRows(content)).toHaveLength(1);
    expect((await recordOf(key)).statusCode).toBe(201);
    expect((await create(key, newTicket(content))).headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('an attempt that died mid-request', () => {
  it('after starting its workflow: a retry once the lease passed gets that ticket, one ticket row and one workflow run', async () => {
    const stamp = crypto.randomUUID();
    const key = `died-${stamp}`;
    const content = `受理中途进程退出 ${stamp}`;
    const body = newTicket(content, { disposition: { action: 'dispatch', unitId: water } });
    const first = await create(key, body);
    expect(first.status).toBe(201);
    const { runId } = await sys.temporal.workflow.getHandle(first.body.id).describe();
    await leftByDeadAttempt(key);

    const retry = await create(key, body);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.body.status).toBe('dispatched');
    expect(await ticketRows(content)).toHaveLength(1);
    expect((await sys.temporal.workflow.getHandle(first.body.id).describe()).runId).toBe(runId);
    expect(retry.body.events.filter((e: { type: string }) => e.type === 'received')).toHaveLength(1);
  });

  it('after its ticket was answered and its workflow completed: a retry gets that ticket and starts no second run', async () => {
    const stamp = crypto.randomUUID();
    const key = `answered-${stamp}`;
    const body = newTicket(`当场答复后重试 ${stamp}`, { disposition: { action: 'answer', answer: '请拨打供水服务热线' } });
    const first = await create(key, body);
    expect(first.status).toBe(201);
    const handle = sys.temporal.workflow.getHandle(first.body.id);
    await handle.result();
    const { runId } = await handle.describe();
    await leftByDeadAttempt(key);

    const retry = await create(key, body);
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ id: first.body.id, status: 'answered' });
    const now = await handle.describe();
    expect(now.runId).toBe(runId);
    expect(now.status.name).toBe('COMPLETED');
  });

  it('while its lease runs: a retry gets 409 idempotency_in_progress with Retry-After', async () => {
    const stamp = crypto.randomUUID();
    const key = `running-${stamp}`;
    const body = newTicket(`租约未到期 ${stamp}`);
    expect((await create(key, body)).status).toBe(201);
    await sys.database.db
      .update(idempotencyRecords)
      .set({ statusCode: null, response: null, lockedUntil: sql`now() + interval '30 seconds'` })
      .where(eq(idempotencyRecords.key, key));

    const retry = await create(key, body);
    expect(retry.status).toBe(409);
    expect(retry.body.error.code).toBe('idempotency_in_progress');
    // soon: the attempt usually ends well before its lease
    expect(retry.headers.get('retry-after')).toBe('5');
  });

  it('after its action was applied and the workflow completed, even once its history is gone: a retry gets 200 with the closed ticket', { timeout: 120_000 }, async () => {
    const stamp = crypto.randomUUID();
    const created = await create(`cb-create-${stamp}`, newTicket(`回访后工单结束 ${stamp}`, { disposition: { action: 'dispatch', unitId: water } }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await sys.call('POST', `/v1/tickets/${id}/sign`, { key: waterKey })).status).toBe(200);
    expect((await sys.call('POST', `/v1/tickets/${id}/reply`, { key: waterKey, body: { result: 'resolved', reply: '已恢复供水' } })).status).toBe(200);

    const key = `cb-${stamp}`;
    const callback = () =>
      sys.call('POST', `/v1/tickets/${id}/callback`, { key: agent, body: { outcome: 'satisfied' }, headers: { 'Idempotency-Key': key } });
    const first = await callback();
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('closed');
    const handle = sys.temporal.workflow.getHandle(id);
    await handle.result();
    await leftByDeadAttempt(key);
    const retried = await callback();
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe('closed');

    // the namespace's retention (a day by default) removes the history while the key lives 72 hours
    await sys.temporal.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: id } });
    // the server deletes in the background, within seconds to tens of seconds
    await expect.poll(() => handle.describe().then(() => 'present', (err: Error) => err.name), { timeout: 90_000, interval: 250 }).toBe('WorkflowNotFoundError');
    await leftByDeadAttempt(key);
    const retry = await callback();
    expect(retry.status).toBe(200);
    expect(retry.body.status).toBe('closed');
    expect(retry.body.satisfaction).toBe('satisfied');
    const steps = await sys.database.db
      .select()
      .from(ticketEvents)
      .where(and(eq(ticketEvents.ticketId, id), eq(ticketEvents.type, 'callback')));
    expect(steps).toHaveLength(1);
    expect(steps[0]!.updateId).not.toBeNull();

    // another callback, not a retry, is refused: the ticket is closed
    const other = await sys.call('POST', `/v1/tickets/${id}/callback`, {
      key: agent,
      body: { outcome: 'satisfied' },
      headers: { 'Idempotency-Key': `cb-other-${stamp}` },
    });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('action_not_allowed');
  });
});
