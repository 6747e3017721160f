/**
 * Intake on the time-skipping server: the classifier's proposal enters the trail; confident
 * tickets on auto-dispatch channels go to the routed unit with no human step, the rest wait.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { persistedUpdate, stateQuery, triageUpdate } from '../../workflows/messages';
import { agent, createTimeSkippingEnv } from '../setup/time-skipping';
import { runBundle } from '../setup/bundle';

let t: Awaited<ReturnType<typeof createTimeSkippingEnv>>;
beforeAll(async () => {
  t = await createTimeSkippingEnv({}, runBundle());
});
afterAll(() => t?.teardown());

// a message the starter model is sure of (topic and category past the gate of the default policy)
const WATER_OUTAGE = '红旗区向阳小区3号楼从昨天开始停水，到现在还没来水，家里老人孩子没法生活，请尽快处理';

describe('intake', () => {
  it('a confident WeChat ticket is dispatched to the routed unit on the proposal, by the system', async () => {
    const h = await t.startTicket({ channel: 'wechat', content: WATER_OUTAGE });
    const s = await h.executeUpdate(persistedUpdate);
    expect(s).toMatchObject({ status: 'dispatched', unitId: 'xx-water', classification: { topic: '040101', category: 'B' }, regionCode: '410702' });
    expect(t.store.types(h.workflowId)).toEqual(['received', 'proposed', 'classified', 'dispatched']);
    expect(t.store.trail(h.workflowId)[3]!.actor).toMatchObject({ role: 'system' });
  });

  it('the same text by phone waits in triage; the agent dispatches it without a classification, on the proposal', async () => {
    const h = await t.startTicket({ channel: 'phone', content: WATER_OUTAGE });
    const waiting = await h.executeUpdate(persistedUpdate);
    expect(waiting).toMatchObject({ status: 'triage', proposal: { route: { unitId: 'xx-water' } } });
    expect(waiting.triageBy).toBeDefined();
    const s = await h.executeUpdate(triageUpdate, { args: [{ actor: agent, disposition: { action: 'dispatch', unitId: 'xx-water' } }] });
    expect(s).toMatchObject({ status: 'dispatched', classification: { category: 'B' } });
    expect(t.store.trail(h.workflowId).find((e) => e.type === 'classified')?.data).toMatchObject({ source: 'classifier' });
  });

  it('a repeat is recorded and waits for a person even on an auto-dispatch channel', async () => {
    t.store.repeatOf = () => ['12345-20261101-000001'];
    try {
      const h = await t.startTicket({ channel: 'wechat', content: WATER_OUTAGE });
      await h.executeUpdate(persistedUpdate);
      expect(await h.query(stateQuery)).toMatchObject({ status: 'triage', repeatOf: ['12345-20261101-000001'] });
      expect(t.store.types(h.workflowId)).toEqual(['received', 'proposed', 'repeat_detected']);
    } finally {
      t.store.repeatOf = () => [];
    }
  });
});
