/** Repeats by meaning (反复多发): two reports at one place are one problem by what the model reads in them, not by their words. */
import { beforeAll, describe, expect, it } from 'vitest';
import { starterModel } from '../../../activities/classifier-model';
import type { CompiledModel } from '../../../domain/classifier/model';
import { likelyMiddles, problemProfile, problemSimilarity, SAME_PROBLEM_SIMILARITY, sameProblem, sameProblemAs } from '../../../domain/classifier/repeats';

let model: CompiledModel;
beforeAll(() => {
  model = starterModel().model;
}, 120_000);

const similarity = (a: string, b: string) => problemSimilarity(problemProfile(model, a), problemProfile(model, b));

describe('the same problem in other words', () => {
  it.each([
    ['小区停水一整天了', '俺们这没水了，一滴都没有'],
    ['单元门口的化粪池堵了，粪水流一地', '楼前下水道反水，臭得没法走路'],
    ['隔壁装修电钻声从早响到晚', '邻居家天天敲敲打打，吵得头疼'],
    // the model files these under two middle topics (sanitation, city appearance), yet reads them alike
    ['楼下的垃圾站臭气熏天，好几天没清运', '垃圾桶满了往外溢，苍蝇乱飞'],
  ])('%s ≈ %s', (a, b) => expect(similarity(a, b)).toBeGreaterThanOrEqual(SAME_PROBLEM_SIMILARITY));

  it.each([
    // one middle topic (municipal facilities), two problems
    ['路灯不亮', '井盖丢了'],
    ['单元门口的化粪池堵了，粪水流一地', '楼前的路灯晚上不亮'],
    ['隔壁装修电钻声从早响到晚', '隔壁装修把垃圾堆在楼道里'],
  ])('%s ≠ %s', (a, b) => expect(similarity(a, b)).toBeLessThan(SAME_PROBLEM_SIMILARITY));
});

describe('sameProblem', () => {
  it('takes one minor topic on record (a person set it) as one problem, whatever the words', () => {
    const a = { content: '路灯不亮', topic: '030103', profile: problemProfile(model, '路灯不亮') };
    const b = { content: '井盖丢了', topic: '030103', profile: problemProfile(model, '井盖丢了') };
    expect(sameProblem(a, b)).toBe(true);
    // a middle topic alone (4 digits) is no such promise: the words decide
    expect(sameProblem({ ...a, topic: '0301' }, { ...b, topic: '0301' })).toBe(false);
  });

  it('keeps, of the reports at one place, those of the same problem', () => {
    const candidates = [
      { id: 'smell', content: '垃圾桶满了往外溢，苍蝇乱飞', topic: '030201' },
      { id: 'stall', content: '楼下有人占道摆摊卖水果', topic: '030202' },
      { id: 'light', content: '楼前的路灯晚上不亮', topic: '030102' },
    ];
    const found = sameProblemAs(model, { content: '楼下的垃圾站臭气熏天，好几天没清运', topic: '030104' }, candidates);
    expect(found.map((c) => c.id)).toEqual(['smell']);
    expect(sameProblemAs(model, { content: '路灯不亮' }, [])).toEqual([]);
  });
});

describe('likelyMiddles (where a point lookup looks, one middle topic at a time)', () => {
  it("the report's own middle first, then those of the minors its profile finds likely", () => {
    const profile = new Map([['030201', 0.6], ['030104', 0.3], ['050202', 0.05], ['070101', 0.001]]);
    expect(likelyMiddles('030201', profile)).toEqual(['0302', '0301', '0502']);
    expect(likelyMiddles('040101', profile, 2)).toEqual(['0401', '0302']);
  });

  it('for a report the model reads between two middles, both', () => {
    const middles = likelyMiddles('030104', problemProfile(model, '楼下的垃圾站臭气熏天，好几天没清运'));
    expect(middles).toEqual(expect.arrayContaining(['0301', '0302']));
  });
});
