import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TicketState } from '../../domain/lifecycle';
import {
  callbackUpdate,
  finalizeUpdate,
  persistedUpdate,
  progressUpdate,
  rehandleUpdate,
  replyUpdate,
  signUpdate,
  stateQuery,
  triageUpdate,
} from '../../workflows/messages';
import { agent, createTimeSkippingEnv, supervisor, unitActor } from '../setup/time-skipping';
import { runBundle } from '../setup/bundle';

const water = unitActor('water');
const classification = { type: 'help', topic: '0301', category: 'C' } as const;

let t: Awaited<ReturnType<typeof createTimeSkippingEnv>>;
beforeAll(async () => {
  t = await createTimeSkippingEnv({}, runBundle());
});
afterAll(() => t?.teardown());

async function dispatchedTicket() {
  const h = await t.startTicket({ classification, disposition: { action: 'dispatch', unitId: 'water', coUnitIds: ['gas'] } });
  await h.executeUpdate(persistedUpdate);
  return h;
}

async function repliedTicket() {
  const h = await dispatchedTicket();
  await h.executeUpdate(signUpdate, { args: [{ actor: water }] });
  await h.executeUpdate(replyUpdate, { args: [{ actor: water, result: 'resolved', reply: '已恢复供水' }] });
  return h;
}

async function refusalOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('ticket workflow (time-skipping server, fake activities)', () => {
  it('a ticket answered at receipt closes as answered', async () => {
    const h = await t.startTicket({ classification, disposition: { action: 'answer', answer: '社保卡可在政务服务大厅办理' } });
    const final: TicketState = await h.result();
    expect(final.status).toBe('answered');
    expect(final.closeReason).toBe('answered');
    expect(t.store.types(h.workflowId)).toEqual(['received', 'proposed', 'classified', 'answered']);
  });

  it('a ticket answered or rejected without the agent\'s classification adopts the classifier\'s', async () => {
    const answered = await t.startTicket({ content: '社保卡丢了怎么补办', disposition: { action: 'answer', answer: '可在政务服务大厅补办' } });
    const rejected = await t.startTicket({ content: '邻居打架了，有人受伤' });
    await rejected.executeUpdate(persistedUpdate);
    await rejected.executeUpdate(triageUpdate, { args: [{ actor: agent, disposition: { action: 'reject', reason: '紧急警情', referral: '请拨打110' } }] });
    for (const h of [answered, rejected]) {
      const final: TicketState = await h.result();
      expect(final.classification).toBeDefined();
      expect(final.classification).toEqual(final.proposal!.classification);
      const classified = t.store.trail(h.workflowId).find((e) => e.type === 'classified');
      expect(classified?.data).toEqual({ ...final.proposal!.classification, source: 'classifier' });
      expect(t.store.snapshots.get(h.workflowId)).toMatchObject({ classification: final.proposal!.classification });
    }
    expect(t.store.types(answered.workflowId)).toEqual(['received', 'proposed', 'classified', 'answered']);
    expect(t.store.types(rejected.workflowId)).toEqual(['received', 'proposed', 'classified', 'rejected']);
  });

  it('a ticket waits in triage until the agent rejects it with a referral', async () => {
    const h = await t.startTicket();
    await h.executeUpdate(persistedUpdate);
    expect((await h.query(stateQuery)).status).toBe('triage');
    const state = await h.executeUpdate(triageUpdate, {
      args: [{ actor: agent, classification, disposition: { action: 'reject', reason: '属于诉讼程序', referral: '请向法院咨询' } }],
    });
    expect(state.status).toBe('rejected');
    expect((await h.result()).rejection).toEqual({ reason: '属于诉讼程序', referral: '请向法院咨询' });
    expect(t.store.trail(h.workflowId).at(-1)).toMatchObject({ type: 'rejected', data: { referral: '请向法院咨询' } });
  });

  it('a dispatched ticket is signed, progressed, replied and closed after a satisfied callback', async () => {
    const h = await dispatchedTicket();
    expect((await h.query(stateQuery)).coUnitIds).toEqual(['gas']);
    expect((await h.executeUpdate(signUpdate, { args: [{ actor: water }] })).status).toBe('handling');
    await h.executeUpdate(progressUpdate, { args: [{ actor: water, note: '已派人查看' }] });
    await h.executeUpdate(progressUpdate, { args: [{ actor: unitActor('gas'), note: '燃气管线无异常' }] });
    const replied = await h.executeUpdate(replyUpdate, { args: [{ actor: water, result: 'resolved', reply: '已恢复供水' }] });
    expect(replied.status).toBe('replied');
    await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'satisfied' }] });
    const final = await h.result();
    expect(final).toMatchObject({ status: 'closed', closeReason: 'satisfied', satisfaction: 'satisfied' });
    expect(t.store.types(h.workflowId)).toEqual([
      'received',
      'proposed',
      'classified',
      'dispatched',
      'signed',
      'progress',
      'progress',
      'replied',
      'callback',
      'closed',
    ]);
  });

  it.each(['basically_satisfied', 'unreachable'] as const)('a %s callback closes the ticket', async (outcome) => {
    const h = await repliedTicket();
    await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome }] });
    expect(await h.result()).toMatchObject({ status: 'closed', closeReason: outcome, satisfaction: outcome });
  });

  it('a dissatisfied callback waits for the supervisor, who sends it back to the same unit', async () => {
    const h = await repliedTicket();
    const waiting = await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'dissatisfied' }] });
    expect(waiting).toMatchObject({ status: 'replied', satisfaction: 'dissatisfied' });
    const rehandled = await h.executeUpdate(rehandleUpdate, { args: [{ actor: supervisor, note: '未实际解决' }] });
    expect(rehandled).toMatchObject({ status: 'handling', unitId: 'water', rehandleCount: 1 });
    const again = await h.executeUpdate(replyUpdate, { args: [{ actor: water, result: 'resolved', reply: '已更换水管' }] });
    expect(again.satisfaction).toBeUndefined();
    await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'satisfied' }] });
    expect(await h.result()).toMatchObject({ status: 'closed', rehandleCount: 1, closeReason: 'satisfied' });
  });

  it('a dissatisfied ticket can be finalized by the supervisor with a reason', async () => {
    const h = await repliedTicket();
    await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'dissatisfied' }] });
    await h.executeUpdate(finalizeUpdate, { args: [{ actor: supervisor, reason: '已依法依规解释' }] });
    expect(await h.result()).toMatchObject({ status: 'closed', closeReason: 'finalized' });
    expect(t.store.trail(h.workflowId).at(-1)).toMatchObject({ type: 'closed', data: { reason: '已依法依规解释', closeReason: 'finalized' } });
  });

  it('actions the status does not allow are refused, naming the status, and change nothing', async () => {
    const h = await t.startTicket();
    await h.executeUpdate(persistedUpdate);
    const refused = await refusalOf(h.executeUpdate(signUpdate, { args: [{ actor: water }] }));
    expect(refused.type).toBe('ActionNotAllowed');
    expect(refused.message).toContain("'triage'");

    const replied = await repliedTicket();
    expect((await refusalOf(replied.executeUpdate(rehandleUpdate, { args: [{ actor: supervisor, note: 'x' }] }))).message).toContain(
      'dissatisfied callback',
    );
    expect((await refusalOf(replied.executeUpdate(signUpdate, { args: [{ actor: water }] }))).message).toContain("'replied'");
    expect(t.store.types(replied.workflowId).filter((type) => type === 'signed')).toHaveLength(1);
  });

  it('a step whose recording fails is retried and still appears once in the trail', async () => {
    let failures = 0;
    const flaky = await createTimeSkippingEnv({
      async recordEvent({ event }) {
        if (event.type === 'signed' && failures++ === 0) throw new Error('connection reset');
        const trail = flaky.store.events.get(event.ticketId) ?? new Map();
        trail.set(event.seq, event);
        flaky.store.events.set(event.ticketId, trail);
      },
    }, runBundle());
    try {
      const h = await flaky.startTicket({ classification, disposition: { action: 'dispatch', unitId: 'water' } });
      await h.executeUpdate(persistedUpdate);
      await h.executeUpdate(signUpdate, { args: [{ actor: water }] });
      expect(failures).toBe(2);
      expect(flaky.store.types(h.workflowId)).toEqual(['received', 'proposed', 'classified', 'dispatched', 'signed']);
    } finally {
      await flaky.teardown();
    }
  });
});
