import { describe, expect, it } from 'vitest';
import {
  callbackRate,
  completionRate,
  compositeScore,
  componentValues,
  DEFAULT_KPI_POLICY,
  directAnswerShare,
  dispatchShare,
  handlingFigures,
  headlineChanges,
  onTimeCompletionRate,
  pointChange,
  ratio,
  relativeChange,
  satisfactionRate,
  unitComponents,
  type HeadlineFigures,
} from '../../../domain/kpi';

describe('shares and rates', () => {
  it('direct-answer and dispatch shares are parts of all tickets received', () => {
    expect(directAnswerShare({ answered: 613, tickets: 1000 })).toEqual({ numerator: 613, denominator: 1000, value: 0.613 });
    expect(dispatchShare({ dispatched: 387, tickets: 1000 }).value).toBe(0.387);
  });

  it('completion and on-time completion rates count against the dispatched tickets due', () => {
    expect(completionRate({ completed: 998, due: 1000 }).value).toBe(0.998);
    expect(onTimeCompletionRate({ completedOnTime: 950, due: 1000 }).value).toBe(0.95);
  });

  it('satisfaction weighs basically satisfied by the policy and leaves unreachable citizens out', () => {
    const counts = { satisfied: 80, basicallySatisfied: 10, dissatisfied: 10, unreachable: 5 };
    // (80 + 0.9 · 10) ÷ (80 + 10 + 10) = 89 ÷ 100
    expect(satisfactionRate(counts, 0.9)).toEqual({ numerator: 89, denominator: 100, value: 0.89 });
    // default weight 1: 90 ÷ 100
    expect(satisfactionRate(counts, DEFAULT_KPI_POLICY.basicallySatisfiedWeight).value).toBe(0.9);
  });

  it('callback rate counts every callback made, unreachable included', () => {
    expect(callbackRate({ callbacksDone: 97, callbacksDue: 100 }).value).toBe(0.97);
  });

  it('a rate with nothing in its denominator is null, not zero', () => {
    expect(ratio(0, 0)).toEqual({ numerator: 0, denominator: 0, value: null });
    expect(completionRate({ completed: 0, due: 0 }).value).toBeNull();
    expect(satisfactionRate({ satisfied: 0, basicallySatisfied: 0, dissatisfied: 0, unreachable: 7 }, 0.9).value).toBeNull();
    expect(directAnswerShare({ answered: 0, tickets: 0 }).value).toBeNull();
  });

  it('handling figures bundle the four rates of one cohort', () => {
    const f = handlingFigures(
      { due: 10, completed: 9, completedOnTime: 8, callbacksDue: 9, callbacksDone: 9, satisfied: 6, basicallySatisfied: 2, dissatisfied: 1, unreachable: 0 },
      { basicallySatisfiedWeight: 0.9 },
    );
    expect(f.completionRate.value).toBe(0.9);
    expect(f.onTimeCompletionRate.value).toBe(0.8);
    expect(f.satisfactionRate.value).toBeCloseTo(7.8 / 9, 12);
    expect(f.callbackRate.value).toBe(1);
  });
});

describe('changes against earlier periods', () => {
  it('volumes change relatively (环比/同比), null when the earlier period had none', () => {
    expect(relativeChange(110, 100)).toBeCloseTo(0.1, 12);
    expect(relativeChange(80, 100)).toBeCloseTo(-0.2, 12);
    expect(relativeChange(5, 0)).toBeNull();
    expect(relativeChange(null, 5)).toBeNull();
  });

  it('rates change in percentage points', () => {
    expect(pointChange(0.95, 0.9)).toBeCloseTo(5, 10);
    expect(pointChange(0.979, 0.985)).toBeCloseTo(-0.6, 10);
    expect(pointChange(0.9, null)).toBeNull();
  });

  it('headline changes use relative change for volumes and points for rates', () => {
    const figures = (volume: number, completed: number): HeadlineFigures => ({
      volume,
      dailyAverage: volume / 10,
      directAnswerShare: ratio(volume / 2, volume),
      dispatchShare: ratio(volume / 2, volume),
      completionRate: ratio(completed, 100),
      onTimeCompletionRate: ratio(0, 0),
      satisfactionRate: ratio(90, 100),
      callbackRate: ratio(100, 100),
    });
    const changes = headlineChanges(figures(120, 99), figures(100, 95));
    expect(changes.volume).toBeCloseTo(0.2, 12);
    expect(changes.dailyAverage).toBeCloseTo(0.2, 12);
    expect(changes.directAnswerShare).toBe(0);
    expect(changes.completionRate).toBeCloseTo(4, 10);
    expect(changes.onTimeCompletionRate).toBeNull();
  });
});

describe('composite score (综合评分)', () => {
  const { weights } = DEFAULT_KPI_POLICY.ranking;

  it('weighs sign-off, on-time completion and satisfaction and subtracts returns and re-handles', () => {
    // 100 · (0.1·0.9 + 0.5·0.8 + 0.4·0.95 − 0.05·0.1 − 0.05·0.2) = 100 · (0.87 − 0.015)
    expect(compositeScore({ signOffRate: 0.9, onTimeRate: 0.8, satisfactionRate: 0.95, returnRate: 0.1, rehandleRate: 0.2 }, weights)).toBe(85.5);
    expect(compositeScore({ signOffRate: 1, onTimeRate: 1, satisfactionRate: 1, returnRate: 0, rehandleRate: 0 }, weights)).toBe(100);
  });

  it('re-weights the known components when one could not be measured', () => {
    // (0.5·0.8 + 0.4·0.95) ÷ 0.9 − 0.015 = 0.851666… → 85.17
    expect(compositeScore({ signOffRate: null, onTimeRate: 0.8, satisfactionRate: 0.95, returnRate: 0.1, rehandleRate: 0.2 }, weights)).toBe(85.17);
    expect(compositeScore({ signOffRate: null, onTimeRate: null, satisfactionRate: null, returnRate: 0.5, rehandleRate: null }, weights)).toBeNull();
  });

  it('never leaves 0–100', () => {
    const harsh = { ...weights, returns: 2 };
    expect(compositeScore({ signOffRate: 0.1, onTimeRate: 0.1, satisfactionRate: 0.1, returnRate: 1, rehandleRate: 0 }, harsh)).toBe(0);
  });

  it('derives the components from a unit’s monthly counts', () => {
    const c = unitComponents(
      { tickets: 18, signDue: 18, signedOnTime: 9, completedOnTime: 9, satisfied: 8, basicallySatisfied: 2, dissatisfied: 0, unreachable: 3, returns: 2, rehandled: 9 },
      { basicallySatisfiedWeight: 0.9 },
    );
    expect(componentValues(c)).toEqual({
      signOffRate: 0.5,
      onTimeRate: 0.5,
      satisfactionRate: expect.closeTo(0.98, 12), // (8 + 0.9 · 2) ÷ 10
      returnRate: 0.1, // 2 ÷ (18 + 2): the unit was given its 18 tickets and the 2 it returned
      rehandleRate: 0.5,
    });
    // 100 · (0.05 + 0.25 + 0.392 − 0.005 − 0.025)
    expect(compositeScore(componentValues(c), weights)).toBe(66.2);
  });
});
