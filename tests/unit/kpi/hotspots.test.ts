import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KPI_POLICY,
  detectJump,
  hotspots,
  normalUpperTail,
  poissonUpperTail,
  shanghaiDaysIn,
  type DailyCount,
} from '../../../domain/kpi';

const policy = DEFAULT_KPI_POLICY.hotspots;
/** 28 days around 20 a day: mean 20, sample sd ≈ 2.04 (below Poisson's √20 ≈ 4.47). */
const steady = Array.from({ length: 28 }, (_, i) => (i % 2 === 0 ? 18 : 22));

describe('tails', () => {
  it('normal upper tail', () => {
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 7);
    expect(normalUpperTail(3)).toBeCloseTo(0.0013499, 6);
    expect(normalUpperTail(-1.96)).toBeCloseTo(0.975, 4);
  });

  it('Poisson upper tail', () => {
    // P(X ≥ 3 | λ = 1) = 1 − e⁻¹ (1 + 1 + ½)
    expect(poissonUpperTail(3, 1)).toBeCloseTo(1 - 2.5 / Math.E, 12);
    expect(poissonUpperTail(0, 4)).toBe(1);
    // a tiny tail keeps its precision: P(X ≥ 6 | λ = 0.25) = 1 − Σₖ₌₀⁵ e^−λ λᵏ/k! ≈ 2.738e-7
    let cdf = 0;
    for (let k = 0, term = Math.exp(-0.25); k < 6; k++, term *= 0.25 / k) cdf += term;
    expect(poissonUpperTail(6, 0.25) / (1 - cdf)).toBeCloseTo(1, 6);
  });
});

describe('hot-spot detection (热点预警)', () => {
  it('flags a topic whose day jumps far above its baseline (z-score)', () => {
    const s = detectJump(steady, 40, policy);
    expect(s.method).toBe('z-score');
    expect(s.expected).toBe(20);
    expect(s.z).toBeCloseTo(20 / Math.sqrt(20), 10); // sd floored at Poisson √μ
    expect(s.flagged).toBe(true);
  });

  it('does not flag a steady topic wobbling within its baseline', () => {
    const s = detectJump(steady, 24, policy);
    expect(s.z).toBeCloseTo(4 / Math.sqrt(20), 10);
    expect(s.flagged).toBe(false);
  });

  it('judges a rare topic by the Poisson tail', () => {
    const rare = Array.from({ length: 28 }, (_, i) => (i % 4 === 0 ? 1 : 0)); // mean 0.25
    const jump = detectJump(rare, 6, policy);
    expect(jump.method).toBe('poisson');
    expect(jump.pValue).toBeLessThan(normalUpperTail(3));
    expect(jump.flagged).toBe(true);
    // P(X ≥ 2 | 0.25) ≈ 0.026: ordinary for a rare topic, and below minCount anyway
    expect(detectJump(rare, 2, policy).flagged).toBe(false);
  });

  it('never flags fewer tickets than minCount, even from nothing', () => {
    const none = Array.from({ length: 28 }, () => 0);
    expect(detectJump(none, 4, policy).flagged).toBe(false);
    expect(detectJump(none, 5, policy).flagged).toBe(true);
  });

  it('compares a period of several days with as many baseline days', () => {
    // a week of 20 a day is what the baseline expects; a week of 200 is not
    expect(detectJump(steady, 140, policy, 7).flagged).toBe(false);
    expect(detectJump(steady, 200, policy, 7).flagged).toBe(true);
  });

  it('finds the jumping topics in daily counts, most surprising first, zero days included', () => {
    const today = { from: new Date('2026-03-09T16:00:00Z'), to: new Date('2026-03-10T16:00:00Z') };
    const baselineDays = shanghaiDaysIn({ from: new Date('2026-02-09T16:00:00Z'), to: today.from });
    expect(baselineDays).toHaveLength(28);
    const rows: DailyCount[] = [
      // 噪声 steady, 21 today
      ...baselineDays.map((day, i) => ({ key: '0301', day, count: steady[i]! })),
      { key: '0301', day: '2026-03-10', count: 21 },
      // 供水 jumps to 45
      ...baselineDays.map((day, i) => ({ key: '0405', day, count: steady[i]! })),
      { key: '0405', day: '2026-03-10', count: 45 },
      // a topic seen on two days of the baseline (other days are zero), 9 today
      { key: '0999', day: baselineDays[3]!, count: 1 },
      { key: '0999', day: baselineDays[20]!, count: 1 },
      { key: '0999', day: '2026-03-10', count: 9 },
      // outside both windows: ignored
      { key: '0405', day: '2026-01-01', count: 1000 },
    ];
    const found = hotspots(rows, today, policy);
    expect(found.map((h) => h.key)).toEqual(['0999', '0405']);
    expect(found[1]).toMatchObject({ count: 45, expected: 20, method: 'z-score' });
    expect(found[0]).toMatchObject({ count: 9, method: 'poisson' });
    expect(found[0]!.expected).toBeCloseTo(2 / 28, 12);
  });
});
