/**
 * The outbox on the time-skipping server: a ticket's notification is recorded and handed to a
 * delivery workflow of its own, so the ticket's workflow closes while a dead webhook is still
 * being retried; once the retries are exhausted the notification is marked failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { callbackUpdate, persistedUpdate, replyUpdate, signUpdate } from '../../workflows/messages';
import { agent, createTimeSkippingEnv, unitActor } from '../setup/time-skipping';
import { runBundle } from '../setup/bundle';
import { eventually } from '../setup/eventually';

const water = unitActor('water');
let attempts = new Map<string, number>();

let t: Awaited<ReturnType<typeof createTimeSkippingEnv>>;
beforeAll(async () => {
  t = await createTimeSkippingEnv(
    {
      // a webhook that never answers well
      async deliverNotification({ id }) {
        attempts.set(id, (attempts.get(id) ?? 0) + 1);
        throw ApplicationFailure.retryable('HTTP 503', 'WebhookFailed');
      },
    },
    runBundle(),
  );
});
afterAll(() => t?.teardown());

describe('notifications leave the ticket workflow through the outbox', () => {
  it("a dead webhook does not keep a closed ticket's workflow open, and its notification ends failed after the retries", async () => {
    attempts = new Map();
    const h = await t.startTicket({ classification: { type: 'help', topic: '0301', category: 'C' }, disposition: { action: 'dispatch', unitId: 'water' } });
    await h.executeUpdate(persistedUpdate);
    await h.executeUpdate(signUpdate, { args: [{ actor: water }] });
    await h.executeUpdate(replyUpdate, { args: [{ actor: water, result: 'resolved', reply: '已修复' }] });
    await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'satisfied' }] });
    expect((await h.result()).status).toBe('closed');

    const id = `${h.workflowId}:4:dispatched:water`;
    expect(t.store.notifications.get(id)).toMatchObject({ ticketId: h.workflowId, unitId: 'water', target: { kind: 'unit', id: 'water' }, kind: 'dispatched' });
    // the delivery is a workflow of its own, named by the notification, that outlived the ticket's
    const delivery = t.env.client.workflow.getHandle(id);
    expect(await delivery.result()).toBe('failed');
    expect(attempts.get(id)).toBe(3); // the fake policy's maxAttempts
    const outcome = await eventually('the notification marked failed', () => t.store.deliveries.get(id), (d) => d !== undefined);
    expect(outcome).toEqual({ failed: expect.stringContaining('HTTP 503') });
  });
});

describe('a ticket from a platform is handed back to it through the outbox', () => {
  it('its sign-off, reply and close are recorded for the platform under its ticket number, each with a delivery of its own; a phone ticket records none', async () => {
    const h = await t.startTicket({
      channel: 'national_platform',
      externalRef: { platform: 'national_platform', id: 'GWY-2026-0042' },
      classification: { type: 'help', topic: '0301', category: 'C' },
      disposition: { action: 'dispatch', unitId: 'water' },
    });
    await h.executeUpdate(persistedUpdate);
    await h.executeUpdate(signUpdate, { args: [{ actor: water }] });
    await h.executeUpdate(replyUpdate, { args: [{ actor: water, result: 'explained', reply: '已解释' }] });
    await h.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'basically_satisfied' }] });
    expect((await h.result()).status).toBe('closed');

    const handBacks = [...t.store.notifications.values()].filter((n) => n.ticketId === h.workflowId && n.target.kind === 'platform');
    expect(handBacks.map((n) => n.kind)).toEqual(['signed', 'replied', 'closed']);
    for (const n of handBacks) {
      expect(n).toMatchObject({ unitId: null, target: { kind: 'platform', id: 'national_platform' }, payload: { platformTicketId: 'GWY-2026-0042', unitId: 'water' } });
      expect(n.id).toBe(`${h.workflowId}:${n.payload.seq}:${n.kind}:national_platform`);
      // handed to a delivery workflow named by the notification, as a unit's is
      expect(await t.env.client.workflow.getHandle(n.id).result()).toBe('failed'); // this file's webhook never answers well
    }
    expect(handBacks[2]!.payload).toMatchObject({ closeReason: 'basically_satisfied', satisfaction: 'basically_satisfied', reply: { result: 'explained' } });

    const phone = await t.startTicket({ classification: { type: 'help', topic: '0301', category: 'C' }, disposition: { action: 'dispatch', unitId: 'water' } });
    await phone.executeUpdate(persistedUpdate);
    await phone.executeUpdate(signUpdate, { args: [{ actor: water }] });
    await phone.executeUpdate(replyUpdate, { args: [{ actor: water, result: 'resolved', reply: '已修复' }] });
    await phone.executeUpdate(callbackUpdate, { args: [{ actor: agent, outcome: 'satisfied' }] });
    await phone.result();
    expect([...t.store.notifications.values()].filter((n) => n.ticketId === phone.workflowId).map((n) => n.target.kind)).toEqual(['unit']);
  });
});
