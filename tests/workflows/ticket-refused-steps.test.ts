/**
 * Steps Postgres refuses for their data (NUL, lone surrogates): the fake activities refuse them
 * as Postgres does, for good. The ticket records them with storable text, marked, issues a
 * supervision notice, and keeps working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFailure } from '../../activities/data-errors';
import type { TicketState } from '../../domain/lifecycle';
import { callbackUpdate, persistedUpdate, progressUpdate, replyUpdate, signUpdate, stateQuery, triageUpdate, urgeUpdate } from '../../workflows/messages';
import { agent, createTimeSkippingEnv, supervisor, unitActor } from '../setup/time-skipping';
import { runBundle } from '../setup/bundle';

const water = unitActor('water');
const classification = { type: 'help', topic: '0301', category: 'C' } as const;
const REFUSED = '22P05 unsupported Unicode escape sequence';

let t: Awaited<ReturnType<typeof createTimeSkippingEnv>>;
beforeAll(async () => {
  t = await createTimeSkippingEnv({}, runBundle());
});
afterAll(() => t?.teardown());

const noticesOf = (ticketId: string) => t.store.notices.filter((n) => n.ticketId === ticketId);

describe('a step Postgres refuses for its data', () => {
  it('content with NUL is received with its text made storable, marked, noticed, and the ticket goes on to its close', async () => {
    const h = await t.startTicket({ content: '红旗区\u0000停水', address: '平原路\u000012号', classification, disposition: { action: 'dispatch', unitId: 'water' } });
    const persisted = await h.executeUpdate(persistedUpdate);
    expect(persisted).toMatchObject({ status: 'dispatched', content: '红旗区\uFFFD停水', address: '平原路\uFFFD12号', lastEventSeq: 4 });

    const [received] = t.store.trail(h.workflowId);
    expect(received).toMatchObject({ seq: 1, type: 'received', data: { content: '红旗区\uFFFD停水', recordError: REFUSED } });
    expect(t.store.types(h.workflowId)).toEqual(['received', 'proposed', 'classified', 'dispatched']);
    expect(t.store.trail(h.workflowId).filter((e) => e.data.recordError !== undefined).map((e) => e.seq)).toEqual([1]);
    expect(noticesOf(h.workflowId)).toEqual([
      expect.objectContaining({ id: `${h.workflowId}:1:record_failed`, kind: 'record_failed', note: `received #1: ${REFUSED}` }),
    ]);

    await h.executeUpdate(signUpdate, { args: [{ actor: water }] });
    await h.executeUpdate(replyUpdate, { args: [{ actor: water, result: 'resolved', reply: '已恢复供水' }] });
    await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'satisfied' }] });
    const final: TicketState = await h.result();
    expect(final).toMatchObject({ status: 'closed', lastEventSeq: 8 });
    expect(t.store.types(h.workflowId).slice(4)).toEqual(['signed', 'replied', 'callback', 'closed']);
    expect(t.store.snapshots.get(h.workflowId)).toMatchObject({ status: 'closed', content: '红旗区\uFFFD停水', lastEventSeq: 8 });
  });

  it('a later step with a lone surrogate or NUL is recorded marked, and the next actions succeed', async () => {
    const h = await t.startTicket();
    await h.executeUpdate(persistedUpdate);
    await h.executeUpdate(triageUpdate, { args: [{ actor: agent, classification, disposition: { action: 'dispatch', unitId: 'water' } }] });
    await h.executeUpdate(signUpdate, { args: [{ actor: water }] });
    const progressed = await h.executeUpdate(progressUpdate, { args: [{ actor: water, note: '已派人\ud800查看' }] });
    expect(progressed.lastEventSeq).toBe(6);
    expect(t.store.trail(h.workflowId).at(-1)).toMatchObject({ seq: 6, type: 'progress', data: { note: '已派人\uFFFD查看', recordError: REFUSED } });
    // the urge's note goes to the notice and the unit's notification too: storable there from the start
    await h.executeUpdate(urgeUpdate, { args: [{ actor: supervisor, note: '请\u0000加快' }] });
    expect(t.store.trail(h.workflowId).at(-1)).toMatchObject({ seq: 7, type: 'urged', data: { note: '请\uFFFD加快', recordError: REFUSED } });
    expect(noticesOf(h.workflowId).map((n) => [n.id, n.kind])).toEqual([
      [`${h.workflowId}:6:record_failed`, 'record_failed'],
      [`${h.workflowId}:7:record_failed`, 'record_failed'],
      [`${h.workflowId}:7`, 'urge'],
    ]);
    const replied = await h.executeUpdate(replyUpdate, { args: [{ actor: water, result: 'resolved', reply: '已处理' }] });
    expect(replied).toMatchObject({ status: 'replied', lastEventSeq: 8 });
    expect(t.store.trail(h.workflowId).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await h.query(stateQuery)).status).toBe('replied');
  });

  it('a step refused for something else than its text is left out of the trail, noticed, and the ticket goes on', async () => {
    const refusing = await createTimeSkippingEnv(
      {
        async recordEvent({ event, snapshot }) {
          if (event.type === 'progress') throw dataFailure({ code: '22003', message: 'value out of range' });
          const trail = refusing.store.events.get(event.ticketId) ?? new Map();
          trail.set(event.seq, event);
          refusing.store.events.set(event.ticketId, trail);
          refusing.store.snapshots.set(event.ticketId, snapshot);
        },
      },
      runBundle(),
    );
    try {
      const h = await refusing.startTicket({ classification, disposition: { action: 'dispatch', unitId: 'water' } });
      await h.executeUpdate(persistedUpdate);
      await h.executeUpdate(signUpdate, { args: [{ actor: water }] });
      expect(await h.executeUpdate(progressUpdate, { args: [{ actor: water, note: '已派人查看' }] })).toMatchObject({ lastEventSeq: 6 });
      const replied = await h.executeUpdate(replyUpdate, { args: [{ actor: water, result: 'resolved', reply: '已处理' }] });
      expect(replied).toMatchObject({ status: 'replied', lastEventSeq: 7 });
      expect(await h.executeUpdate(persistedUpdate)).toMatchObject({ lastEventSeq: 7 });
      expect(refusing.store.trail(h.workflowId).map((e) => `${e.seq}:${e.type}`)).toEqual([
        '1:received',
        '2:proposed',
        '3:classified',
        '4:dispatched',
        '5:signed',
        '7:replied',
      ]);
      expect(refusing.store.notices).toEqual([
        expect.objectContaining({ id: `${h.workflowId}:6:record_failed`, kind: 'record_failed', note: 'progress #6: 22003 value out of range' }),
      ]);
    } finally {
      await refusing.teardown();
    }
  });
});
