import { describe, expect, it } from 'vitest';
import { analyze, findTerm, hasTerm } from '../../../domain/classifier/text';

describe('term matching on jieba words', () => {
  it('matches whole words and parts of one word', () => {
    expect(hasTerm(analyze('家里没水了'), '没水')).toBe(true);
    expect(hasTerm(analyze('物业费太贵'), '物业')).toBe(true);
    expect(hasTerm(analyze('七里营镇刘庄村'), '七里营')).toBe(true);
  });

  it('never matches pieces of two words', () => {
    expect(hasTerm(analyze('请提供电话号码'), '供电')).toBe(false);
    expect(hasTerm(analyze('员工资料'), '工资')).toBe(false);
    expect(hasTerm(analyze('就要停电梯卡'), '停电')).toBe(false);
  });

  it('matches a one-character term only as a whole word', () => {
    expect(hasTerm(analyze('家里没水了'), '水')).toBe(true);
    expect(hasTerm(analyze('自来水发黄'), '水')).toBe(false);
  });

  it('matches "A…B" within one clause', () => {
    expect(findTerm(analyze('电梯里困着一个老人'), '电梯…困')).toEqual([{ term: '电梯…困', start: 0, end: 4 }]);
    expect(hasTerm(analyze('电梯坏了，困难户没人管'), '电梯…困')).toBe(false);
  });

  it('folds full-width characters and case', () => {
    expect(hasTerm(analyze('隔壁ＫＴＶ太吵'), 'ktv')).toBe(true);
  });
});
