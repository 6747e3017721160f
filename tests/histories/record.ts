/**
 * Records the histories of representative ticket lives with the current workflow code, for the
 * replay test (tests/workflows/replay.test.ts). Run it when a workflow change has shipped:
 * `npm run record:histories`, or `npm run record:histories -- <life>…` to record only those lives
 * and keep the others as recorded by earlier code. Never re-record to make a replay test pass: a
 * history that no longer replays means a change needs a `patched()` guard.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import {
  callbackUpdate,
  extensionDecisionUpdate,
  extensionRequestUpdate,
  finalizeUpdate,
  mergeUpdate,
  persistedUpdate,
  progressUpdate,
  rehandleUpdate,
  replyUpdate,
  returnDecisionUpdate,
  returnRequestUpdate,
  signUpdate,
  triageUpdate,
  urgeUpdate,
} from '../../workflows/messages';
import { agent, createTimeSkippingEnv, supervisor, unitActor } from '../setup/time-skipping';

const HOUR = 3600_000;
const water = unitActor('xx-water');
const gas = unitActor('xx-gas');

async function main() {
  const t = await createTimeSkippingEnv({}, { workflowsPath: path.resolve(__dirname, '../../workflows/index.ts') });
  const lives: Record<string, () => Promise<WorkflowHandle>> = {
    // triage → dispatch → sign → progress → reply → dissatisfied → re-handle → reply → satisfied
    'rehandled-then-satisfied': async () => {
      const h = await t.startTicket({ channel: 'phone', content: '红旗区向阳小区停水两天了' });
      await h.executeUpdate(persistedUpdate);
      await h.executeUpdate(triageUpdate, {
        args: [{ actor: agent, classification: { type: 'help', topic: '040101', category: 'C' }, disposition: { action: 'dispatch', unitId: 'xx-water' } }],
      });
      await h.executeUpdate(signUpdate, { args: [{ actor: water }] });
      await h.executeUpdate(progressUpdate, { args: [{ actor: water, note: '已安排抢修' }] });
      await h.executeUpdate(replyUpdate, { args: [{ actor: water, result: 'resolved', reply: '已恢复供水' }] });
      await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'dissatisfied' }] });
      await h.executeUpdate(rehandleUpdate, { args: [{ actor: supervisor, note: '水压不足' }] });
      await h.executeUpdate(replyUpdate, { args: [{ actor: water, result: 'resolved', reply: '已更换加压泵' }] });
      await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'satisfied' }] });
      await h.result();
      return h;
    },
    // auto-dispatch, sign-off overdue, urge, near-due, overdue, extension, late reply, missed callback
    'timers-and-extension': async () => {
      const h = await t.startTicket({ channel: 'wechat', content: '红旗区向阳小区3号楼停水了，到现在还没来水，请尽快处理' });
      await h.executeUpdate(persistedUpdate);
      await t.env.sleep(2 * HOUR);
      await h.executeUpdate(signUpdate, { args: [{ actor: water }] });
      await h.executeUpdate(urgeUpdate, { args: [{ actor: supervisor, note: '请加快' }] });
      await h.executeUpdate(extensionRequestUpdate, { args: [{ actor: water, workingDays: 2, reason: '需更换管道' }] });
      await h.executeUpdate(extensionDecisionUpdate, { args: [{ actor: supervisor, approve: true }] });
      await t.env.sleep(30 * 24 * HOUR);
      await h.executeUpdate(replyUpdate, { args: [{ actor: water, result: 'unresolved', reply: '需纳入改造计划' }] });
      await t.env.sleep(10 * 24 * HOUR);
      await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'unreachable' }] });
      await h.result();
      return h;
    },
    // dispatched → return requested → approved to another unit; a repeat merged into it; refused extension; finalized
    'returned-merged-finalized': async () => {
      const h = await t.startTicket({ classification: { type: 'help', topic: '040301', category: 'C' }, disposition: { action: 'dispatch', unitId: 'xx-water' } });
      await h.executeUpdate(persistedUpdate);
      await h.executeUpdate(returnRequestUpdate, { args: [{ actor: water, reason: '燃气问题', suggestedUnitId: 'xx-gas' }] });
      await h.executeUpdate(returnDecisionUpdate, { args: [{ actor: supervisor, approve: true, unitId: 'xx-gas' }] });
      const repeat = await t.startTicket({ caller: { name: '李女士', phone: '13900000000' } });
      await repeat.executeUpdate(persistedUpdate);
      await repeat.executeUpdate(mergeUpdate, { args: [{ actor: agent, intoTicketId: h.workflowId }] });
      await h.executeUpdate(signUpdate, { args: [{ actor: gas }] });
      await h.executeUpdate(extensionRequestUpdate, { args: [{ actor: gas, workingDays: 5, reason: '等待配件' }] });
      await h.executeUpdate(extensionDecisionUpdate, { args: [{ actor: supervisor, approve: false }] });
      await h.executeUpdate(replyUpdate, { args: [{ actor: gas, result: 'explained', reply: '管线正常，已解释' }] });
      await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'dissatisfied' }] });
      await h.executeUpdate(finalizeUpdate, { args: [{ actor: supervisor, reason: '已依法解释' }] });
      await h.result();
      return h;
    },
    // received with NUL in its content, answered without a classification (the proposal's is
    // adopted) with a lone surrogate in the answer: both refused steps recorded storable and marked
    'refused-text-answered-unclassified': async () => {
      const h = await t.startTicket({ content: '请问社保卡丢了\u0000怎么补办' });
      await h.executeUpdate(persistedUpdate);
      await h.executeUpdate(triageUpdate, { args: [{ actor: agent, disposition: { action: 'answer', answer: '到社保服务大厅\ud800补办' } }] });
      await h.result();
      return h;
    },
    // notifications through the outbox (patched 'notification-outbox'): dispatched to a primary and
    // a co-handling unit, urged, extension refused, each recorded and handed to its delivery workflow
    'outbox-notifications': async () => {
      // the delivery workflows' ids derive from the ticket's: replayed under the same id, the file's name
      const h = await t.startTicket(
        { classification: { type: 'help', topic: '040101', category: 'C' }, disposition: { action: 'dispatch', unitId: 'xx-water', coUnitIds: ['xx-gas'] } },
        'outbox-notifications',
      );
      await h.executeUpdate(persistedUpdate);
      await h.executeUpdate(signUpdate, { args: [{ actor: water }] });
      await h.executeUpdate(urgeUpdate, { args: [{ actor: supervisor, note: '请加快' }] });
      await h.executeUpdate(extensionRequestUpdate, { args: [{ actor: water, workingDays: 3, reason: '需更换管道' }] });
      await h.executeUpdate(extensionDecisionUpdate, { args: [{ actor: supervisor, approve: false }] });
      await h.executeUpdate(replyUpdate, { args: [{ actor: water, result: 'resolved', reply: '已恢复供水' }] });
      await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'satisfied' }] });
      await h.result();
      return h;
    },
    // answered at receipt without a classification; its file was recorded by the workflow before
    // patched('adopt-proposal-on-answer-reject'), so it replays past that guard: keep it so
    'answered-unclassified': async () => {
      const h = await t.startTicket({ content: '请问社保卡丢了怎么补办', disposition: { action: 'answer', answer: '到社保服务大厅补办' } });
      await h.result();
      return h;
    },
  };
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !(name in lives));
  if (unknown.length > 0) throw new Error(`no such life: ${unknown.join(', ')}; the lives are ${Object.keys(lives).join(', ')}`);
  for (const [name, live] of Object.entries(lives)) {
    if (only.length > 0 && !only.includes(name)) continue;
    const h = await live();
    const history = await h.fetchHistory();
    // protobuf JSON: the replay test reads it back with History.fromObject
    fs.writeFileSync(path.join(__dirname, `${name}.json`), JSON.stringify(history, null, 1) + '\n');
    console.log(`recorded ${name}: ${history.events?.length} events`);
  }
  await t.teardown();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
