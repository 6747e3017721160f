/** The domain metrics a recorded step stands for (activities/tickets.ts countStep). */
import { describe, expect, it } from 'vitest';
import { countStep, type TicketEvent } from '../../../activities/tickets';
import type { TicketState } from '../../../domain/lifecycle';
import { classificationCorrections, dispatches, ticketsReceived, timerLag } from '../../../platform/metrics';

const value = async (metric: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number; metricName?: string }[] }> }, labels: Record<string, string>, name?: string) =>
  (await metric.get()).values.find((v) => (!name || v.metricName === name) && Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;

const snapshot = { channel: 'wechat', proposal: { classification: { type: 'complaint', topic: '050201', category: 'C' } } } as unknown as TicketState;
const event = (type: string, role: string, data: Record<string, unknown>, at = '2026-12-02T08:00:00Z'): TicketEvent =>
  ({ ticketId: 'T', seq: 1, type, at, actor: { role, id: role }, data }) as TicketEvent;

describe('countStep', () => {
  it('counts a received ticket by channel, and a dispatch by the system as automatic', async () => {
    const before = [await value(ticketsReceived, { channel: 'wechat' }), await value(dispatches, { mode: 'auto' }), await value(dispatches, { mode: 'agent' })];
    countStep(event('received', 'agent', {}), snapshot);
    countStep(event('dispatched', 'system', {}), snapshot);
    countStep(event('dispatched', 'agent', {}), snapshot);
    expect([await value(ticketsReceived, { channel: 'wechat' }), await value(dispatches, { mode: 'auto' }), await value(dispatches, { mode: 'agent' })]).toEqual(before.map((v) => v + 1));
  });

  it("counts each field an agent's classification changes from the proposal", async () => {
    const before = [await value(classificationCorrections, { field: 'topic' }), await value(classificationCorrections, { field: 'type' })];
    countStep(event('classified', 'agent', { source: 'agent', type: 'complaint', topic: '050202', category: 'C' }), snapshot);
    expect([await value(classificationCorrections, { field: 'topic' }), await value(classificationCorrections, { field: 'type' })]).toEqual([before[0]! + 1, before[1]]);
  });

  it('observes how late a deadline step was recorded after its deadline', async () => {
    const name = 'hotline_timer_lag_seconds_sum';
    const before = await value(timerLag, { step: 'overdue' }, name);
    countStep(event('overdue', 'system', { deadline: '2026-12-02T07:59:30Z' }), snapshot);
    expect((await value(timerLag, { step: 'overdue' }, name)) - before).toBeCloseTo(30);
  });
});
