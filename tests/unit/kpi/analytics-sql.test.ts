/**
 * The analytics SQL against a real Postgres: a scratch database of its own, migrated, filled
 * with a hand-made month of tickets, dropped afterwards. Skipped when no server answers at
 * KPI_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/client';
import { ticketEvents, tickets, units } from '../../../db/schema';
import {
  dailyCounts,
  hotspots,
  monthlyRanking,
  overviewFigures,
  overviewWithChanges,
  placeClusters,
  repeatCallers,
  unitMonthComponents,
} from '../../../db/analytics';
import { DEFAULT_KPI_POLICY, shanghaiMonthRange } from '../../../domain/kpi';
import { createScratchDatabase, scratchServerAvailable, type ScratchDatabase } from '../../setup/scratch-database';

const available = await scratchServerAvailable();

/** A Shanghai civil time as an instant. */
const sh = (civil: string) => new Date(`${civil.replace(' ', 'T')}:00+08:00`);

type NewTicketRow = typeof tickets.$inferInsert;
const ticket = (id: string, receivedAt: string, row: Partial<NewTicketRow> = {}): NewTicketRow => ({
  id,
  channel: 'phone',
  content: `诉求 ${id}`,
  status: 'triage',
  regionCode: '410702',
  receivedAt: sh(receivedAt),
  ...row,
});
/** A dispatched ticket with its deadlines. */
const dispatched = (id: string, receivedAt: string, dueBy: string, row: Partial<NewTicketRow>): NewTicketRow =>
  ticket(id, receivedAt, {
    status: 'handling',
    dispatchedAt: sh(receivedAt),
    signBy: new Date(sh(receivedAt).getTime() + 3600_000),
    dueBy: sh(dueBy),
    ...row,
  });

const march = shanghaiMonthRange('2026-03');
const policy = { ...DEFAULT_KPI_POLICY, basicallySatisfiedWeight: 0.9 };
let scratch: ScratchDatabase;
let database: Database;

describe.skipIf(!available)('analytics SQL on Postgres', () => {
  beforeAll(async () => {
    scratch = await createScratchDatabase('kpi_scratch');
    database = scratch.database;
    const { db } = database;

    await db.insert(units).values([
      { id: 'hongqi', name: '红旗区人民政府', level: 'county', regionCode: '410702' },
      { id: 'hongqi-xijie', name: '红旗区西街街道办事处', level: 'township', parentId: 'hongqi', regionCode: '410702' },
      { id: 'muye', name: '牧野区人民政府', level: 'county', regionCode: '410711' },
      { id: 'xx-water', name: '新乡市供水集团', level: 'city', regionCode: '410700' },
    ]);
    const signedIn = (civil: string, minutes: number) => new Date(sh(civil).getTime() + minutes * 60_000);
    await db.insert(tickets).values([
      // 23:59 on 28 February, Shanghai: February
      ticket('t00', '2026-02-28 23:59', { status: 'answered', answer: '已答复', callerPhone: '13812345678' }),
      // 00:30 on 1 March, Shanghai (16:30Z the day before): March
      ticket('t01', '2026-03-01 00:30', { status: 'answered', answer: '已答复', type: 'consultation', topic: '030101', callerPhone: '13812345678', address: '红旗区平原路12号' }),
      dispatched('t02', '2026-03-02 09:00', '2026-03-05 18:00', {
        status: 'closed', channel: 'wechat', type: 'help', topic: '030102', businessEnvironment: true, unitId: 'hongqi',
        signedAt: signedIn('2026-03-02 09:00', 30), repliedAt: sh('2026-03-04 10:00'), replyOnTime: true,
        satisfaction: 'satisfied', closeReason: 'satisfied', closedAt: sh('2026-03-05 10:00'), callerPhone: '+86 138-1234-5678',
      }),
      dispatched('t03', '2026-03-02 10:00', '2026-03-06 18:00', {
        status: 'closed', type: 'complaint', topic: '030102', unitId: 'hongqi', signedAt: signedIn('2026-03-02 10:00', 90),
        repliedAt: sh('2026-03-07 10:00'), replyOnTime: false, satisfaction: 'basically_satisfied', callerPhone: '138 1234 5678',
      }),
      dispatched('t04', '2026-03-02 11:00', '2026-03-08 18:00', {
        status: 'replied', topic: '0405', unitId: 'hongqi-xijie', signedAt: signedIn('2026-03-02 11:00', 10),
        repliedAt: sh('2026-03-06 10:00'), replyOnTime: true, callbackBy: sh('2026-03-10 18:00'), address: '红旗区 平原路 12号',
      }),
      // re-handled after a dissatisfied callback: handling again, so not completed
      dispatched('t05', '2026-03-02 12:00', '2026-03-09 18:00', {
        status: 'handling', topic: '040501', unitId: 'xx-water', signedAt: signedIn('2026-03-02 12:00', 20),
        repliedAt: sh('2026-03-05 10:00'), replyOnTime: true, satisfaction: 'dissatisfied', rehandleCount: 1,
      }),
      dispatched('t06', '2026-03-15 08:00', '2026-03-20 18:00', {
        status: 'closed', topic: '0405', unitId: 'muye', signedAt: signedIn('2026-03-15 08:00', 5),
        repliedAt: sh('2026-03-18 10:00'), replyOnTime: true, satisfaction: 'unreachable', address: '红旗区平原路 12号',
      }),
      // received in March, due in April
      dispatched('t07', '2026-03-30 08:00', '2026-04-02 18:00', { status: 'dispatched', topic: '0405', unitId: 'hongqi', address: '红旗区平原路12号' }),
      // received in February, due in March
      dispatched('t08', '2026-02-25 08:00', '2026-03-03 18:00', {
        status: 'closed', topic: '030101', unitId: 'hongqi', signedAt: signedIn('2026-02-25 08:00', 30),
        repliedAt: sh('2026-03-02 10:00'), replyOnTime: true, satisfaction: 'dissatisfied', closeReason: 'finalized',
      }),
      // imported: no deadlines, so it is due when received; on time cannot be shown
      ticket('t09', '2026-03-10 09:00', {
        status: 'closed', imported: true, topic: '030101', regionCode: '410725', unitId: 'ghost-unit',
        dispatchedAt: sh('2026-03-10 09:00'), repliedAt: sh('2026-03-12 09:00'), satisfaction: 'satisfied',
      }),
      ticket('t10', '2026-03-03 09:00', { status: 'rejected', channel: 'web', topic: '99' }),
      ticket('t11', '2026-03-04 09:00', { status: 'merged', topic: '030101', dispatchedAt: sh('2026-03-04 09:10'), unitId: 'hongqi', dueBy: sh('2026-03-10 18:00') }),
      ticket('t12', '2026-03-04 10:00', { status: 'triage', callerPhone: '13900001111' }),
    ]);
    const actor = { role: 'supervisor', id: 'k1' };
    await db.insert(ticketEvents).values([
      { ticketId: 't02', seq: 5, type: 'return_approved', at: sh('2026-03-02 15:00'), actor, data: { fromUnitId: 'muye', unitId: 'hongqi' } },
      { ticketId: 't08', seq: 5, type: 'return_approved', at: sh('2026-02-26 15:00'), actor, data: { fromUnitId: 'muye', unitId: 'hongqi' } },
    ]);
  });

  afterAll(() => scratch?.drop());

  it('counts the volume, shares, breakdowns and peak day of tickets received in the Shanghai month', async () => {
    const o = await overviewFigures(database.db, march, policy);
    expect(o.volume).toBe(11); // t01–t07, t09–t12
    expect(o.days).toBe(31);
    expect(o.dailyAverage).toBeCloseTo(11 / 31, 12);
    expect(o.peakDay).toEqual({ day: '2026-03-02', tickets: 4 });
    expect(o.directAnswerShare).toEqual({ numerator: 1, denominator: 11, value: 1 / 11 });
    // t02–t07, t09; the merged t11 is handled in the ticket it joined
    expect(o.dispatchShare.numerator).toBe(7);
    expect(o.byChannel.map((b) => [b.key, b.tickets])).toEqual([['phone', 9], ['web', 1], ['wechat', 1]]);
    expect(o.byTopicMajor.map((b) => [b.key, b.tickets])).toEqual([['03', 5], ['04', 4], [null, 1], ['99', 1]]);
    expect(o.byTopic.find((b) => b.key === '0405')).toMatchObject({ tickets: 3, share: { numerator: 3, denominator: 11 } });
    expect(o.byType.find((b) => b.key === null)?.tickets).toBe(8);
    expect(o.byRegion.map((b) => [b.key, b.tickets])).toEqual([['410702', 10], ['410725', 1]]);
    expect(o.byDay[0]).toEqual({ day: '2026-03-01', tickets: 1 });
  });

  it('computes the handling figures on the dispatched tickets due in the month', async () => {
    const o = await overviewFigures(database.db, march, policy);
    // due in March: t02, t03, t04, t05, t06, t08, and t09 (no due_by, received in March)
    expect(o.completionRate).toEqual({ numerator: 6, denominator: 7, value: 6 / 7 });
    expect(o.onTimeCompletionRate).toEqual({ numerator: 4, denominator: 7, value: 4 / 7 }); // t02, t04, t06, t08
    // (2 satisfied + 0.9 · 1 basically) ÷ (2 + 1 + 2 dissatisfied); t06 unreachable left out
    expect(o.satisfactionRate.numerator).toBeCloseTo(2.9, 12);
    expect(o.satisfactionRate.denominator).toBe(5);
    expect(o.satisfactionRate.value).toBeCloseTo(0.58, 12);
    // done: every recorded outcome; due: those plus t04, replied with its callback limit passed
    expect(o.callbackRate).toEqual({ numerator: 6, denominator: 7, value: 6 / 7 });
    expect(o.businessEnvironment).toMatchObject({
      volume: 1,
      share: { numerator: 1, denominator: 11 },
      completionRate: { numerator: 1, denominator: 1, value: 1 },
      satisfactionRate: { value: 1 },
    });
  });

  it('compares with the previous month and the same month a year before', async () => {
    const c = await overviewWithChanges(database.db, march, policy);
    expect(c.monthOnMonth.figures.volume).toBe(2); // t00, t08
    expect(c.monthOnMonth.changes.volume).toBeCloseTo(4.5, 12); // (11 − 2) ÷ 2
    expect(c.yearOnYear.figures.volume).toBe(0);
    expect(c.yearOnYear.changes.volume).toBeNull();
    expect(c.yearOnYear.changes.completionRate).toBeNull();
  });

  it('gives each unit its month counts, returns counted for the unit returned from', async () => {
    const months = await unitMonthComponents(database.db, '2026-03', 'unit');
    const byId = Object.fromEntries(months.map((m) => [m.id, m.counts]));
    expect(Object.keys(byId)).toEqual(['ghost-unit', 'hongqi', 'hongqi-xijie', 'muye', 'xx-water']);
    expect(byId.hongqi).toEqual({
      tickets: 3, // t02, t03, t08
      signDue: 3,
      signedOnTime: 2, // t03 signed after 90 minutes
      completedOnTime: 2,
      satisfied: 1,
      basicallySatisfied: 1,
      dissatisfied: 1,
      unreachable: 0,
      returns: 0,
      rehandled: 0,
    });
    expect(byId.muye).toMatchObject({ tickets: 1, returns: 1, unreachable: 1 }); // the February return is not counted
    expect(byId['xx-water']).toMatchObject({ tickets: 1, rehandled: 1, dissatisfied: 1, completedOnTime: 0 });
    expect(byId['ghost-unit']).toMatchObject({ tickets: 1, signDue: 0, completedOnTime: 0, satisfied: 1 });
  });

  it('gives each county the tickets of its own units, city departments aside', async () => {
    const months = await unitMonthComponents(database.db, '2026-03', 'county');
    const byId = Object.fromEntries(months.map((m) => [m.id, m.counts]));
    expect(Object.keys(byId)).toEqual(['410702', '410711', '410725']);
    expect(byId['410702']).toMatchObject({ tickets: 4, completedOnTime: 3 }); // hongqi + its street t04
    expect(byId['410711']).toMatchObject({ tickets: 1, returns: 1 });
  });

  it('ranks the month’s units in volume groups with their components', async () => {
    const { ranking } = await monthlyRanking(database.db, '2026-03', 'unit', policy);
    expect(ranking.large.entries).toEqual([]);
    expect(ranking.small.entries.map((e) => e.id)).toHaveLength(5);
    const hongqi = ranking.small.entries.find((e) => e.id === 'hongqi')!;
    // sign-off 2/3, on time 2/3, satisfaction (1 + 0.9) ÷ 3; no returns or re-handles
    expect(hongqi.score).toBe(Math.round(100 * (0.1 * (2 / 3) + 0.5 * (2 / 3) + 0.4 * (1.9 / 3)) * 100) / 100);
    expect(hongqi.components.satisfactionRate.value).toBeCloseTo(1.9 / 3, 12);
  });

  it('counts tickets per Shanghai day and key, and finds a district whose day jumps', async () => {
    const counts = await dailyCounts(database.db, march, 'region');
    expect(counts.find((c) => c.key === '410702' && c.day === '2026-03-02')?.count).toBe(4);
    expect(counts.find((c) => c.day === '2026-02-28')).toBeUndefined();
    const day = { from: sh('2026-03-02 00:00'), to: sh('2026-03-03 00:00') };
    // baseline: t08, t00 and t01 in the 28 days before; 4 on the day
    const found = await hotspots(database.db, day, 'region', { hotspots: { ...policy.hotspots, minCount: 3 } });
    expect(found.map((h) => [h.key, h.count, h.method])).toEqual([['410702', 4, 'poisson']]);
    expect(await hotspots(database.db, day, 'region', policy)).toEqual([]); // 4 < minCount 5
  });

  it('lists repeat callers with masked phones only', async () => {
    const callers = await repeatCallers(database.db, march, 2);
    expect(callers).toEqual([
      {
        phone: '138****5678',
        tickets: 3,
        topics: ['030101', '030102'],
        firstAt: '2026-02-28T16:30:00.000Z',
        lastAt: '2026-03-02T02:00:00.000Z',
        ticketIds: ['t03', 't02', 't01'],
      },
    ]);
  });

  it('clusters reports about one place by district, topic and address', async () => {
    const clusters = await placeClusters(database.db, march, 3);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]).toMatchObject({ regionCode: '410702', topic: '0405', tickets: 3, ticketIds: ['t07', 't06', 't04'] });
  });
});
