/**
 * Text Postgres refuses, on the real worker and database: the API rejects it, so these tickets
 * are started and acted on through the Temporal client directly. Postgres refuses the step for
 * good; the ticket records it with storable text, marked, issues a supervision notice, logs the
 * error, and every later action works over HTTP.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { supervisionNotices, tickets } from '../../db/schema';
import type { TicketState } from '../../domain/lifecycle';
import { TICKET_WORKFLOW, persistedUpdate, progressUpdate } from '../../workflows/messages';
import type { TicketWorkflowInput } from '../../workflows/ticket';
import { startSystem, type TestSystem } from '../setup/system';

const logLines: string[] = [];
let sys: TestSystem;
let agent: string;
let supervisor: string;
let unit: string;
let unitKey: string;

beforeAll(async () => {
  sys = await startSystem({ logLines });
  [agent, supervisor, unit] = await Promise.all([sys.key('agent'), sys.key('supervisor'), sys.unit('测试供水公司')]);
  unitKey = await sys.key('unit', unit);
});
afterAll(() => sys?.stop());

const phone = `139${String(Date.now()).slice(-8)}`;

/** Starts a ticket as the API would, with content the API would have rejected; waits until its steps are in Postgres. */
async function startDirectly(content: string): Promise<string> {
  const id = `refused-${crypto.randomUUID()}`;
  const input: TicketWorkflowInput = {
    ticket: { channel: 'phone', caller: { phone }, content, businessEnvironment: false },
    receivedAt: new Date().toISOString(),
    actor: { role: 'agent', id: 'test-agent' },
  };
  const handle = await sys.temporal.workflow.start(TICKET_WORKFLOW, { workflowId: id, taskQueue: sys.taskQueue, args: [input] });
  await handle.executeUpdate(persistedUpdate);
  return id;
}

const getTicket = (id: string) => sys.call('GET', `/v1/tickets/${id}`, { key: supervisor });
const noticesOf = (id: string) => sys.database.db.select().from(supervisionNotices).where(eq(supervisionNotices.ticketId, id));

describe('text Postgres refuses', () => {
  it('a ticket received with NUL in its content shows the step marked, a notice and an error log, and is triaged, signed and replied', async () => {
    const id = await startDirectly('红旗区向阳小区\u0000停水两天了');

    const received = await getTicket(id);
    expect(received.status).toBe(200);
    expect(received.body).toMatchObject({ status: 'triage', content: '红旗区向阳小区\uFFFD停水两天了' });
    expect(received.body.events[0]).toMatchObject({
      seq: 1,
      type: 'received',
      data: { content: '红旗区向阳小区\uFFFD停水两天了', recordError: expect.stringMatching(/^22\w{3} /) },
    });
    expect(received.body.events.map((e: { type: string }) => e.type)).toEqual(['received', 'proposed']);
    const notices = await noticesOf(id);
    expect(notices).toEqual([expect.objectContaining({ id: `${id}:1:record_failed`, kind: 'record_failed', note: expect.stringMatching(/^received #1: 22/) })]);
    const refused = logLines.map((l) => JSON.parse(l)).filter((l) => l.ticketId === id && l.level >= 50);
    // intake's steps are written in one transaction by one local activity: refused once, for good
    expect(refused).toEqual([expect.objectContaining({ activity: 'recordSteps', sqlstate: expect.stringMatching(/^22/) })]);
    expect(logLines.join('\n')).not.toContain(phone);
    // and the supervision center sees it in its queue
    const queue = await sys.call('GET', '/v1/supervision/queue', { key: supervisor });
    expect(queue.body.refusedSteps.map((t: { id: string }) => t.id)).toContain(id);

    const triaged = await sys.call('POST', `/v1/tickets/${id}/triage`, {
      key: agent,
      body: { classification: { type: 'help', topic: '040101', category: 'C' }, disposition: { action: 'dispatch', unitId: unit } },
    });
    expect(triaged.status, JSON.stringify(triaged.body)).toBe(200);
    expect(triaged.body).toMatchObject({ status: 'dispatched', unitId: unit });
    expect((await sys.call('POST', `/v1/tickets/${id}/sign`, { key: unitKey })).body.status).toBe('handling');
    const replied = await sys.call('POST', `/v1/tickets/${id}/reply`, { key: unitKey, body: { result: 'resolved', reply: '已恢复供水' } });
    expect(replied.body.status).toBe('replied');
    const seqs = replied.body.events.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual(seqs.map((_: number, i: number) => i + 1));
    const [row] = await sys.database.db.select().from(tickets).where(eq(tickets.id, id));
    expect(row).toMatchObject({ status: 'replied', content: '红旗区向阳小区\uFFFD停水两天了', lastEventSeq: seqs.at(-1) });
    // waiting for its callback, not failed; the refused write failed once, for good, and no workflow task failed
    const handle = sys.temporal.workflow.getHandle(id);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const { events } = await handle.fetchHistory();
    // the steps are written by local activities: a failed one is a marker with its failure
    const failures = events!.flatMap((e) => [e.activityTaskFailedEventAttributes?.failure, e.markerRecordedEventAttributes?.failure]).filter((f) => f);
    expect(failures.map((f) => f!.applicationFailureInfo ?? f!.cause?.applicationFailureInfo)).toEqual([expect.objectContaining({ type: 'DataError', nonRetryable: true })]);
    expect(events!.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
  });

  it('a progress note with a lone surrogate is recorded marked, and the unit replies afterwards', async () => {
    const id = await startDirectly('红旗区向阳小区停水两天了');
    await sys.call('POST', `/v1/tickets/${id}/triage`, {
      key: agent,
      body: { classification: { type: 'help', topic: '040101', category: 'C' }, disposition: { action: 'dispatch', unitId: unit } },
    });
    await sys.call('POST', `/v1/tickets/${id}/sign`, { key: unitKey });
    const state: TicketState = await sys.temporal.workflow
      .getHandle(id)
      .executeUpdate(progressUpdate, { args: [{ actor: { role: 'unit', id: 'test-unit', unitId: unit }, note: '已派人\ud83d查看' }] });
    expect(state.status).toBe('handling');

    const progressed = (await getTicket(id)).body;
    expect(progressed.events.at(-1)).toMatchObject({ type: 'progress', data: { note: '已派人\uFFFD查看', recordError: expect.stringMatching(/^22P02 /) } });
    expect((await noticesOf(id)).map((n) => n.kind)).toEqual(['record_failed']);
    const replied = await sys.call('POST', `/v1/tickets/${id}/reply`, { key: unitKey, body: { result: 'resolved', reply: '已恢复供水' } });
    expect(replied.status).toBe(200);
    expect(replied.body.events.at(-1)).toMatchObject({ type: 'replied', seq: progressed.events.at(-1).seq + 1 });
  });
});
