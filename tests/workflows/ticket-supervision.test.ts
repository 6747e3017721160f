/**
 * Deadlines and supervision on the time-skipping server: the timers raise sign-off overdue,
 * near-due, overdue and escalation on their own; units' requests and the center's decisions.
 * Deadlines come from the real domain functions over an in-memory policy and calendar.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TicketState } from '../../domain/lifecycle';
import { addDuration } from '../../domain/deadlines';
import { DEFAULT_POLICY } from '../../domain/policy';
import type { Category } from '../../domain/ticket';
import {
  callbackUpdate,
  extensionDecisionUpdate,
  extensionRequestUpdate,
  mergeUpdate,
  persistedUpdate,
  rehandleUpdate,
  replyUpdate,
  returnDecisionUpdate,
  returnRequestUpdate,
  signUpdate,
  stateQuery,
  urgeUpdate,
} from '../../workflows/messages';
import { agent, createTimeSkippingEnv, supervisor, unitActor } from '../setup/time-skipping';
import { runBundle } from '../setup/bundle';
import { eventually as waitFor } from '../setup/eventually';

const water = unitActor('water');
const MINUTE = 60_000;

let t: Awaited<ReturnType<typeof createTimeSkippingEnv>>;
beforeAll(async () => {
  t = await createTimeSkippingEnv({}, runBundle());
});
afterAll(() => t?.teardown());

async function dispatched(category: Category, unitId = 'water') {
  const h = await t.startTicket({ classification: { type: 'help', topic: '0301', category }, disposition: { action: 'dispatch', unitId } });
  await h.executeUpdate(persistedUpdate);
  return h;
}

/** The state once `check` holds: timers fire asynchronously after the server skips time. */
function eventually(h: WorkflowHandle, check: (s: TicketState) => boolean): Promise<TicketState> {
  return waitFor('the ticket state', () => h.query(stateQuery), check);
}

/**
 * The steps a timer or an update starts after it changed the state (the trail, notices) are done
 * by activities: a test waits for the last of them before it looks at them.
 */
function trailWith(h: WorkflowHandle, type: string) {
  return waitFor(`a '${type}' step in the trail`, () => t.store.trail(h.workflowId), (trail) => trail.some((e) => e.type === type));
}
const noticesOf = (h: WorkflowHandle) => t.store.notices.filter((n) => n.ticketId === h.workflowId).map((n) => n.kind);
const someNoticeOf = (h: WorkflowHandle) => waitFor('a supervision notice', () => noticesOf(h), (kinds) => kinds.length > 0);

/** The notifications sent for a ticket, as kind:unit, once `count` of them have gone out (they run in the background). */
function notificationsOf(ticketId: string, count: number): Promise<string[]> {
  const sent = () => [...t.store.notifications.values()].filter((n) => n.ticketId === ticketId).map((n) => `${n.kind}:${n.unitId}`);
  return waitFor(`${count} notifications`, sent, (kinds) => kinds.length >= count);
}

/**
 * Proof that the workflow has acted on everything up to now (a timer that fired, the steps it
 * recorded): an update it answers once every step is persisted. A test that checks that nothing
 * happened waits for this, not for a guessed time.
 */
const settled = (h: WorkflowHandle) => h.executeUpdate(persistedUpdate);

async function refusalOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
}

const sign = (h: WorkflowHandle) => h.executeUpdate(signUpdate, { args: [{ actor: water }] });
const reply = (h: WorkflowHandle) => h.executeUpdate(replyUpdate, { args: [{ actor: water, result: 'resolved', reply: '已处理' }] });

describe('timers', () => {
  it('a ticket not signed in time turns sign-overdue and the unit is urged automatically', async () => {
    const h = await dispatched('A'); // sign-off within 30 minutes
    const before = await h.query(stateQuery);
    expect(Date.parse(before.deadlines.signBy!) - Date.parse(before.dispatchedAt!)).toBe(30 * MINUTE);
    await t.env.sleep(31 * MINUTE);
    const s = await eventually(h, (x) => x.signOverdue && x.urgeCount === 1);
    expect(s.status).toBe('dispatched');
    // the notice is issued after both steps are recorded
    await someNoticeOf(h);
    expect(t.store.types(h.workflowId)).toEqual(expect.arrayContaining(['sign_overdue', 'urged']));
    expect(noticesOf(h)).toEqual(['urge']);
    expect(await notificationsOf(h.workflowId, 2)).toEqual(['dispatched:water', 'urged:water']);
  });

  it('turns near-due (yellow card), then overdue (red card) with a notice, and a late reply is completed but not on time', async () => {
    const h = await dispatched('A'); // due in 2 hours, near-due at 80%
    await sign(h);
    await t.env.sleep(97 * MINUTE);
    const yellow = await eventually(h, (x) => x.nearDue);
    expect(yellow.overdue).toBe(false);
    await t.env.sleep(24 * MINUTE);
    const red = await eventually(h, (x) => x.overdue);
    expect(red.status).toBe('handling');
    await someNoticeOf(h);
    expect(noticesOf(h)).toEqual(['overdue']);
    const replied = await reply(h);
    expect(replied.status).toBe('replied');
    expect(replied.reply).toMatchObject({ onTime: false });
    expect(t.store.types(h.workflowId)).toEqual(['received', 'proposed', 'classified', 'dispatched', 'signed', 'near_due', 'overdue', 'replied']);
  });

  it('a reply before the due date is on time and stops the timers', async () => {
    const h = await dispatched('A');
    await sign(h);
    expect((await reply(h)).reply).toMatchObject({ onTime: true });
    await t.env.sleep(3 * 60 * MINUTE);
    await settled(h);
    const s = await h.query(stateQuery);
    expect(s).toMatchObject({ nearDue: false, overdue: false, escalated: false });
  });

  it('overdue by the handling limit once more, the ticket is escalated', async () => {
    const h = await dispatched('A');
    await sign(h);
    await t.env.sleep(4 * 60 * MINUTE + MINUTE);
    const s = await eventually(h, (x) => x.escalated);
    expect((await trailWith(h, 'escalated')).find((e) => e.type === 'escalated')?.data).toMatchObject({ reason: 'overdue_beyond_limit' });
    expect(s.status).toBe('handling');
  });

  it('a callback not made by its deadline is recorded as missed, and the ticket still waits for it', async () => {
    const h = await dispatched('A');
    await sign(h);
    const replied = await reply(h);
    expect(replied.deadlines.callbackBy).toBeDefined();
    await t.env.sleep(Date.parse(replied.deadlines.callbackBy!) - (await t.env.currentTimeMs()) + MINUTE);
    const s = await eventually(h, (x) => x.callbackMissed);
    expect(s.status).toBe('replied');
    await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'satisfied' }] });
    expect(await h.result()).toMatchObject({ status: 'closed', callbackMissed: true });
  });

  it('every step a timer raises records the deadline it stands for, apart from when it was processed', async () => {
    const h = await dispatched('A'); // never signed: sign-off, near-due, due and escalation pass
    const { deadlines } = await h.query(stateQuery);
    await t.env.sleep(Date.parse(deadlines.escalateAt!) - (await t.env.currentTimeMs()) + MINUTE);
    await eventually(h, (x) => x.escalated);
    await sign(h);
    const replied = await reply(h);
    await t.env.sleep(Date.parse(replied.deadlines.callbackBy!) - (await t.env.currentTimeMs()) + MINUTE);
    await eventually(h, (x) => x.callbackMissed);
    // the flag is set before the step is recorded
    await trailWith(h, 'callback_missed');
    const raised = t.store.trail(h.workflowId).filter((e) => e.actor.role === 'system' && e.data.deadline !== undefined);
    expect(raised.map((e) => [e.type, e.data.deadline])).toEqual([
      ['sign_overdue', deadlines.signBy],
      ['urged', deadlines.signBy],
      ['near_due', deadlines.nearDueAt],
      ['overdue', deadlines.dueBy],
      ['escalated', deadlines.escalateAt],
      ['callback_missed', replied.deadlines.callbackBy],
    ]);
    for (const e of raised) expect(Date.parse(e.at)).toBeGreaterThanOrEqual(Date.parse(e.data.deadline as string));
    // the fields they carried before stay
    expect(raised[0]!.data).toMatchObject({ signBy: deadlines.signBy, unitId: 'water' });
    expect(raised[3]!.data).toMatchObject({ dueBy: deadlines.dueBy });
    expect(raised[5]!.data).toMatchObject({ callbackBy: replied.deadlines.callbackBy });
  });
});

describe("unit requests and the center's decisions", () => {
  it('a return request in the window, approved, re-dispatches to the new unit with fresh deadlines', async () => {
    const h = await dispatched('C');
    await sign(h);
    const before = await h.query(stateQuery);
    await t.env.sleep(60 * MINUTE);
    const requested = await h.executeUpdate(returnRequestUpdate, { args: [{ actor: water, reason: '属于燃气公司职责', suggestedUnitId: 'gas' }] });
    expect(requested).toMatchObject({ status: 'return_requested', returnRequest: { suggestedUnitId: 'gas', previousStatus: 'handling' } });
    const approved = await h.executeUpdate(returnDecisionUpdate, { args: [{ actor: supervisor, approve: true, unitId: 'gas' }] });
    expect(approved).toMatchObject({ status: 'dispatched', unitId: 'gas', returnCount: 1 });
    expect(approved.signedAt).toBeUndefined();
    expect(Date.parse(approved.dispatchedAt!)).toBeGreaterThan(Date.parse(before.dispatchedAt!));
    expect(approved.deadlines.dueBy).toBe(
      addDuration(t.store.calendar, new Date(approved.dispatchedAt!), DEFAULT_POLICY.categories.C.handling).toISOString(),
    );
    expect(await notificationsOf(h.workflowId, 3)).toEqual(['dispatched:water', 'return_approved:water', 'dispatched:gas']);
    expect(t.store.trail(h.workflowId).at(-1)).toMatchObject({ type: 'return_approved', data: { fromUnitId: 'water', unitId: 'gas' } });
  });

  it('a refused return goes back to the same unit with the clock not stopped', async () => {
    const h = await dispatched('C');
    const before = await h.query(stateQuery);
    await h.executeUpdate(returnRequestUpdate, { args: [{ actor: water, reason: '不属于本单位' }] });
    const refused = await h.executeUpdate(returnDecisionUpdate, { args: [{ actor: supervisor, approve: false, note: '属于供水范围' }] });
    expect(refused).toMatchObject({ status: 'dispatched', unitId: 'water', returnCount: 0 });
    expect(refused.deadlines.dueBy).toBe(before.deadlines.dueBy);
  });

  it('a return request after the return window is refused', async () => {
    const h = await dispatched('C');
    const s = await h.query(stateQuery);
    await t.env.sleep(Date.parse(s.deadlines.returnBy!) - (await t.env.currentTimeMs()) + MINUTE);
    const refused = await refusalOf(h.executeUpdate(returnRequestUpdate, { args: [{ actor: water, reason: '太晚了' }] }));
    expect(refused.type).toBe('ActionNotAllowed');
    expect(refused.message).toContain('return window');
  });

  it('an approved extension moves the due date by working days; a unit may ask only once and only up to the maximum', async () => {
    const h = await dispatched('C');
    await sign(h);
    const tooLong = await refusalOf(h.executeUpdate(extensionRequestUpdate, { args: [{ actor: water, workingDays: 11, reason: '需要施工' }] }));
    expect(tooLong.type).toBe('Unprocessable');
    const before = await h.query(stateQuery);
    await h.executeUpdate(extensionRequestUpdate, { args: [{ actor: water, workingDays: 3, reason: '需要协调施工' }] });
    const again = await refusalOf(h.executeUpdate(extensionRequestUpdate, { args: [{ actor: water, workingDays: 1, reason: '再延' }] }));
    expect(again.message).toContain('once');
    const approved = await h.executeUpdate(extensionDecisionUpdate, { args: [{ actor: supervisor, approve: true }] });
    expect(approved.extension).toMatchObject({ status: 'approved', workingDays: 3 });
    expect(approved.deadlines.dueBy).toBe(addDuration(t.store.calendar, new Date(before.deadlines.dueBy!), { amount: 3, unit: 'workingDays' }).toISOString());
    // replied after the original due date but by the extended one: on time
    await t.env.sleep(Date.parse(before.deadlines.dueBy!) - (await t.env.currentTimeMs()) + 60 * MINUTE);
    await settled(h);
    const s = await h.query(stateQuery);
    expect(s.overdue).toBe(false);
    expect((await reply(h)).reply).toMatchObject({ onTime: true });
  });

  it('a refused extension keeps the due date', async () => {
    const h = await dispatched('C');
    await sign(h);
    const before = await h.query(stateQuery);
    await h.executeUpdate(extensionRequestUpdate, { args: [{ actor: water, workingDays: 2, reason: '材料未到' }] });
    const refused = await h.executeUpdate(extensionDecisionUpdate, { args: [{ actor: supervisor, approve: false, note: '请按期办理' }] });
    expect(refused).toMatchObject({ status: 'handling', extension: { status: 'refused' } });
    expect(refused.deadlines.dueBy).toBe(before.deadlines.dueBy);
    expect(await notificationsOf(h.workflowId, 2)).toEqual(['dispatched:water', 'extension_refused:water']);
  });

  it('the supervisor urges at any open stage: recorded, counted, noticed and sent to the unit', async () => {
    const h = await dispatched('C');
    const urged = await h.executeUpdate(urgeUpdate, { args: [{ actor: supervisor, note: '请尽快签收' }] });
    expect(urged.urgeCount).toBe(1);
    await sign(h);
    expect((await h.executeUpdate(urgeUpdate, { args: [{ actor: supervisor, note: '请加快办理' }] })).urgeCount).toBe(2);
    expect(t.store.notices.filter((n) => n.ticketId === h.workflowId && n.kind === 'urge')).toHaveLength(2);
    await reply(h);
    expect((await refusalOf(h.executeUpdate(urgeUpdate, { args: [{ actor: supervisor, note: 'x' }] }))).type).toBe('ActionNotAllowed');
  });

  it('the second dissatisfied callback escalates the ticket', async () => {
    const h = await dispatched('C');
    await sign(h);
    await reply(h);
    await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'dissatisfied' }] });
    expect((await h.query(stateQuery)).escalated).toBe(false);
    await h.executeUpdate(rehandleUpdate, { args: [{ actor: supervisor, note: '重新办理' }] });
    await reply(h);
    const s = await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'dissatisfied' }] });
    expect(s).toMatchObject({ escalated: true, dissatisfiedCount: 2 });
    expect(t.store.trail(h.workflowId).find((e) => e.type === 'escalated')?.data).toMatchObject({ reason: 'repeated_dissatisfaction' });
  });

  it('a repeat report merged into an open ticket closes as merged, and the open ticket carries its caller', async () => {
    const open = await dispatched('C');
    const repeat = await t.startTicket({ caller: { name: '李女士', phone: '13900000000' } });
    await repeat.executeUpdate(persistedUpdate);
    const merged = await repeat.executeUpdate(mergeUpdate, { args: [{ actor: supervisor, intoTicketId: open.workflowId }] });
    expect(merged).toMatchObject({ status: 'merged', mergedInto: open.workflowId, closeReason: 'merged' });
    const s = await eventually(open, (x) => x.mergedTickets.length === 1);
    expect(s.mergedTickets[0]).toMatchObject({ id: repeat.workflowId, callerName: '李女士' });
    await trailWith(open, 'repeat_merged');
    expect(t.store.types(open.workflowId)).toContain('repeat_merged');
  });

  it("a policy change applies to tickets dispatched after it; a re-handle keeps the ticket's own policy", async () => {
    const before = await dispatched('C');
    t.store.policies.push({ ...DEFAULT_POLICY, categories: { ...DEFAULT_POLICY.categories, C: { ...DEFAULT_POLICY.categories.C, handling: { amount: 10, unit: 'workingDays' } } } });
    try {
      const after = await dispatched('C');
      const a = await after.query(stateQuery);
      expect(a.policyVersion).toBe(1);
      expect(a.deadlines.dueBy).toBe(addDuration(t.store.calendar, new Date(a.dispatchedAt!), { amount: 10, unit: 'workingDays' }).toISOString());

      await sign(before);
      await reply(before);
      await before.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'dissatisfied' }] });
      const rehandled = await before.executeUpdate(rehandleUpdate, { args: [{ actor: supervisor, note: '重办' }] });
      expect(rehandled.policyVersion).toBe(0);
      const rehandledAt = t.store.trail(before.workflowId).at(-1)!.at;
      expect(rehandled.deadlines.dueBy).toBe(addDuration(t.store.calendar, new Date(rehandledAt), { amount: 5, unit: 'workingDays' }).toISOString());
    } finally {
      t.store.policies.pop();
    }
  });
});
