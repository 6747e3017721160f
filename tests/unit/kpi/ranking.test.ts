import { describe, expect, it } from 'vitest';
import { DEFAULT_KPI_POLICY, interviewCases, rankUnits, type RankingEntry } from '../../../domain/kpi';

const policy = DEFAULT_KPI_POLICY.ranking;

describe('ranking in volume groups (综合排名)', () => {
  const entries: RankingEntry[] = [
    { id: 'g', tickets: 40, score: 40 },
    { id: 'b', tickets: 15, score: 90 },
    { id: 'a', tickets: 20, score: 90 },
    { id: 'c', tickets: 30, score: 80 },
    { id: 'd', tickets: 11, score: 70 },
    { id: 'e', tickets: 50, score: 60 },
    { id: 'f', tickets: 12, score: 50 },
    { id: 'h', tickets: 10, score: 100 },
    { id: 'i', tickets: 1, score: 95 },
    { id: 'j', tickets: 0, score: null },
    { id: 'k', tickets: 5, score: null },
  ];
  const ranking = rankUnits(entries, policy);

  it('splits units into more than 10 tickets and at most 10', () => {
    expect(ranking.large.entries.map((e) => e.id)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(ranking.small.entries.map((e) => e.id)).toEqual(['h', 'i']);
  });

  it('leaves units without tickets or a score unranked', () => {
    expect(ranking.unranked.map((e) => e.id)).toEqual(['j', 'k']);
  });

  it('gives equal scores the same rank and skips the next (1, 1, 3), ordered by id', () => {
    expect(ranking.large.entries.map((e) => [e.id, e.rank, e.rankFromBottom])).toEqual([
      ['a', 1, 6],
      ['b', 1, 6],
      ['c', 3, 5],
      ['d', 4, 4],
      ['e', 5, 3],
      ['f', 6, 2],
      ['g', 7, 1],
    ]);
  });

  it('publishes a red and a black list of at most half the group each', () => {
    // 7 units: lists of min(5, ⌊7/2⌋) = 3
    expect(ranking.large.redList).toEqual(['a', 'b', 'c']);
    expect(ranking.large.blackList).toEqual(['e', 'f', 'g']);
    // 2 units: one each
    expect(ranking.small.redList).toEqual(['h']);
    expect(ranking.small.blackList).toEqual(['i']);
  });

  it('takes the top and bottom 5 in a large group, ties at the cut included', () => {
    const scores = [99, 98, 97, 96, 95, 95, 80, 70, 60, 50, 40, 30];
    const group = rankUnits(
      scores.map((score, i) => ({ id: `u${String(i).padStart(2, '0')}`, tickets: 20, score })),
      policy,
    );
    expect(group.large.redList).toEqual(['u00', 'u01', 'u02', 'u03', 'u04', 'u05']);
    expect(group.large.blackList).toEqual(['u07', 'u08', 'u09', 'u10', 'u11']);
  });

  it('lists nobody as worst when everybody scores the same', () => {
    const group = rankUnits(['x', 'y', 'z', 'w'].map((id) => ({ id, tickets: 3, score: 100 })), policy);
    expect(group.small.entries.every((e) => e.rank === 1)).toBe(true);
    expect(group.small.blackList).toEqual([]);
  });

  it('keeps what entries carry besides the score', () => {
    const withExtra = rankUnits([{ id: 'x', tickets: 12, score: 70, name: '红旗区' }], policy);
    expect(withExtra.large.entries[0]!.name).toBe('红旗区');
  });
});

describe('interview rule (约谈)', () => {
  /** Six large-group units; `bottom` get the lowest scores (bottom 3 = min(3, ⌊6/2⌋)). */
  const month = (m: string, bottom: string[]) => {
    const top = ['p', 'q', 'r', 's', 't', 'u'].filter((id) => !bottom.includes(id)).slice(0, 6 - bottom.length);
    return {
      month: m,
      ranking: rankUnits(
        [...top.map((id, i) => ({ id, tickets: 30, score: 95 - i })), ...bottom.map((id, i) => ({ id, tickets: 30, score: 50 - i }))],
        policy,
      ),
    };
  };

  it('calls in a unit at the bottom for three consecutive months, not one whose streak broke', () => {
    const cases = interviewCases(
      [month('2026-01', ['s', 't', 'u']), month('2026-02', ['s', 't', 'p']), month('2026-03', ['s', 'u', 'p'])],
      policy,
    );
    // s: bottom in all three; t: only Jan–Feb; u: Jan and Mar (broken in Feb); p: only Feb–Mar
    expect(cases.map((c) => c.id)).toEqual(['s']);
    expect(cases[0]!.months).toEqual(['2026-01', '2026-02', '2026-03']);
    expect(cases[0]!.positions.map((p) => p.group)).toEqual(['large', 'large', 'large']);
  });

  it('needs a ranking for each of the consecutive months, across the year end', () => {
    const bottom = ['s', 't', 'u'];
    expect(interviewCases([month('2025-12', bottom), month('2026-01', bottom), month('2026-02', bottom)], policy).map((c) => c.id)).toEqual(['s', 't', 'u']);
    expect(interviewCases([month('2025-12', bottom), month('2026-02', bottom), month('2026-03', bottom)], policy)).toEqual([]);
  });

  it('never calls in a unit with a perfect score, though it ties at the bottom cut', () => {
    // six large-group units, the same scores three months running: four at 100, then 90 and 70.
    // Ranks: the 100s 1, e 5, f 6; from the bottom: f 1, e 2, the 100s 3 = the cut min(3, ⌊6/2⌋)
    const scores = { a: 100, b: 100, c: 100, d: 100, e: 90, f: 70 };
    const ranked = (m: string) => ({
      month: m,
      ranking: rankUnits(Object.entries(scores).map(([id, score]) => ({ id, tickets: 30, score })), policy),
    });
    const jan = ranked('2026-01');
    expect(jan.ranking.large.entries.map((e) => [e.id, e.rank, e.rankFromBottom])).toEqual([
      ['a', 1, 3],
      ['b', 1, 3],
      ['c', 1, 3],
      ['d', 1, 3],
      ['e', 5, 2],
      ['f', 6, 1],
    ]);
    expect(jan.ranking.large.blackList).toEqual(['e', 'f']);
    const cases = interviewCases([jan, ranked('2026-02'), ranked('2026-03')], policy);
    expect(cases.map((c) => c.id)).toEqual(['e', 'f']);
    expect(cases[0]!.positions).toEqual(
      ['2026-01', '2026-02', '2026-03'].map((month) => ({ month, group: 'large', rankFromBottom: 2, score: 90 })),
    );
  });

  it('judges the streak ending with the latest month given', () => {
    const bottom = ['s', 't', 'u'];
    const cases = interviewCases(
      [month('2026-01', bottom), month('2026-02', bottom), month('2026-03', bottom), month('2026-04', ['p', 'q', 'r'])],
      policy,
    );
    expect(cases).toEqual([]);
  });
});
