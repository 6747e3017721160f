/**
 * Records the histories of representative ticket lives with the current workflow code, for the
 * replay test (tests/workflows/replay.test.ts). Run it when a workflow change has shipped:
 * `npm run record:histories`, or `npm run record:histories -- <life>…` to record only those lives
 * and keep the others as recorded by earlier code. Never re-record to make a replay test pass: a
 * history that no longer replays means a change needs a `patched()` guard.
 *
 * Payloads are sealed with the tests' keys (tests/setup/keys.ts) as an installation seals them:
 * `sealed-<life>.json` with the current key, `sealed-old-key-<life>.json` with the key before the
 * rotation. The files without the prefix were recorded in plain payloads before the codec and are
 * kept as they are (the replay test replays them with plaintext accepted).
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
import { WORKFLOW_BUNDLE } from '../../platform/worker';
import type { PayloadSealing } from '../../platform/payload-codec';
import { OLD_TEST_SEALING, TEST_SEALING } from '../setup/keys';
import { agent, createTimeSkippingEnv, supervisor, unitActor, type TimeSkippingEnv } from '../setup/time-skipping';

const HOUR = 3600_000;
const water = unitActor('xx-water');
const gas = unitActor('xx-gas');

/** What each recorded file is: a life, sealed with which keys. */
const RECORDINGS: { file: string; life: string; sealing: PayloadSealing }[] = [
  ...[
    'rehandled-then-satisfied',
    'timers-and-extension',
    'returned-merged-finalized',
    'refused-text-answered-unclassified',
    'outbox-notifications',
    'routed-by-the-workflow',
    'platform-hand-back',
    'classified-by-its-topic',
  ].map((life) => ({
    file: `sealed-lean-${life}`,
    life,
    sealing: TEST_SEALING,
  })),
  { file: 'sealed-lean-old-key-rehandled-then-satisfied', life: 'rehandled-then-satisfied', sealing: OLD_TEST_SEALING },
];
// sealed-<life>.json and sealed-old-key-<life>.json were recorded before patched('lean-intake-local-steps')
// (an activity per step, intake in several steps) and are kept as recorded: today's code records the lean path

// answered-unclassified.json is not among them: it stands for the workflow before
// patched('adopt-proposal-on-answer-reject'), which no recording by today's code can be
/**
 * `file`: the recording's name, the ticket's workflow id: the replay test replays a history under
 * its file's name, and the notifications' delivery workflows take their ids from the ticket's
 */
function lives(t: TimeSkippingEnv, file: string): Record<string, () => Promise<WorkflowHandle>> {
  return {
    // triage → dispatch → sign → progress → reply → dissatisfied → re-handle → reply → satisfied
    'rehandled-then-satisfied': async () => {
      const h = await t.startTicket({ channel: 'phone', content: '红旗区向阳小区停水两天了' }, file);
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
      // a message the starter model is sure of, so it is dispatched automatically (tests/workflows/ticket-intake.test.ts)
      const h = await t.startTicket({ channel: 'wechat', content: '红旗区向阳小区3号楼从昨天开始停水，到现在还没来水，家里老人孩子没法生活，请尽快处理' }, file);
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
      const h = await t.startTicket({ classification: { type: 'help', topic: '040301', category: 'C' }, disposition: { action: 'dispatch', unitId: 'xx-water' } }, file);
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
      const h = await t.startTicket({ content: '请问社保卡丢了\u0000怎么补办' }, file);
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
        file,
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
    // the lean path's routing: received by phone, dispatched in triage without a unit (the workflow
    // routes the agent's topic), signed, replied, called back satisfied
    'routed-by-the-workflow': async () => {
      const h = await t.startTicket({ channel: 'phone', content: '红旗区向阳小区停水两天了' }, file);
      await h.executeUpdate(persistedUpdate);
      await h.executeUpdate(triageUpdate, {
        args: [{ actor: agent, classification: { type: 'help', topic: '040101', category: 'C' }, disposition: { action: 'dispatch' } }],
      });
      await h.executeUpdate(signUpdate, { args: [{ actor: water }] });
      await h.executeUpdate(replyUpdate, { args: [{ actor: water, result: 'resolved', reply: '已恢复供水' }] });
      await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'satisfied' }] });
      await h.result();
      return h;
    },
    // a ticket from the provincial platform (patched 'platform-hand-back'): its sign-off, reply and
    // satisfied close handed back to the platform through the outbox, beside the unit's dispatch notice
    'platform-hand-back': async () => {
      const h = await t.startTicket(
        {
          channel: 'provincial_platform',
          externalRef: { platform: 'provincial_platform', id: 'HA-2026-000123' },
          classification: { type: 'help', topic: '040101', category: 'C' },
          disposition: { action: 'dispatch', unitId: 'xx-water' },
        },
        file,
      );
      await h.executeUpdate(persistedUpdate);
      await h.executeUpdate(signUpdate, { args: [{ actor: water }] });
      await h.executeUpdate(replyUpdate, { args: [{ actor: water, result: 'resolved', reply: '已恢复供水' }] });
      await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'satisfied' }] });
      await h.result();
      return h;
    },
    // an Open311 request: received with its service code as the topic, classified in intake with
    // the classifier's type and category, dispatched automatically on the proposal, and answered
    'classified-by-its-topic': async () => {
      const h = await t.startTicket({ channel: 'app', content: '路口的路灯坏了三天了，晚上很黑', address: '牧野区荣校路口' }, file, { topic: '030102' });
      const { unitId } = await h.executeUpdate(persistedUpdate);
      const unit = unitActor(unitId!);
      await h.executeUpdate(signUpdate, { args: [{ actor: unit }] });
      await h.executeUpdate(replyUpdate, { args: [{ actor: unit, result: 'resolved', reply: '已修复' }] });
      await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'satisfied' }] });
      await h.result();
      return h;
    },
  };
}

async function main() {
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !RECORDINGS.some((r) => r.file === name));
  if (unknown.length > 0) throw new Error(`no such recording: ${unknown.join(', ')}; they are ${RECORDINGS.map((r) => r.file).join(', ')}`);
  for (const sealing of [TEST_SEALING, OLD_TEST_SEALING]) {
    const wanted = RECORDINGS.filter((r) => r.sealing === sealing && (only.length === 0 || only.includes(r.file)));
    if (wanted.length === 0) continue;
    const t = await createTimeSkippingEnv({}, { workflowsPath: WORKFLOW_BUNDLE.workflowsPath! }, sealing);
    for (const { file, life } of wanted) {
      const h = await lives(t, file)[life]!();
      const history = await h.fetchHistory();
      // protobuf JSON: the replay test reads it back with History.fromObject
      fs.writeFileSync(path.join(__dirname, `${file}.json`), JSON.stringify(history, null, 1) + '\n');
      console.log(`recorded ${file}: ${history.events?.length} events`);
    }
    await t.teardown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
