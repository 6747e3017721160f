/**
 * From 1 November (Asia/Shanghai) on, a calendar without next year's days is an operator's
 * warning: /readyz stays ready and lists it, the metric is 1 and the supervision queue carries the
 * notice, until an admin loads the State Council's notice for that year.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type TestSystem } from '../setup/system';

describe("next year's working-day calendar", () => {
  let sys: TestSystem;
  // the injectable clock: one minute before 1 November 2027 in Beijing (2027-10-31 23:59 +08:00)
  let now = new Date('2027-10-31T15:59:00Z');
  let supervisor: string;

  beforeAll(async () => {
    sys = await startSystem({ isolated: true, withoutWorker: true, now: () => now });
    supervisor = await sys.key('supervisor');
  });
  afterAll(() => sys?.stop());

  const state = async () => {
    const ready = await sys.call('GET', '/readyz');
    const metrics = (await fetch(`${sys.baseUrl}/metrics`).then((r) => r.text())).match(/^hotline_calendar_next_year_missing (\d)$/m)?.[1];
    const queue = await sys.call('GET', '/v1/supervision/queue', { key: supervisor });
    return { status: ready.status, warnings: ready.body.warnings, metric: metrics, notices: queue.body.notices };
  };

  it('is no warning before November', async () => {
    expect(await state()).toEqual({ status: 200, warnings: undefined, metric: '0', notices: [] });
  });

  it('warns from 1 November 00:00 Beijing time until the year is loaded', async () => {
    now = new Date('2027-10-31T16:00:00Z');
    const warned = await state();
    expect(warned).toMatchObject({ status: 200, metric: '1' });
    expect(warned.warnings).toEqual([expect.objectContaining({ code: 'calendar_next_year_missing', message: expect.stringContaining('2028') })]);
    expect(warned.notices).toEqual(warned.warnings);

    const loaded = await sys.call('POST', '/v1/admin/calendar', {
      key: sys.adminKey,
      body: { overrides: [{ date: '2028-01-01', kind: 'holiday', name: '元旦' }, { date: '2028-01-29', kind: 'workday', name: '春节调休' }] },
    });
    expect(loaded.status).toBeLessThan(300);
    expect(await state()).toEqual({ status: 200, warnings: undefined, metric: '0', notices: [] });
  });
});
