import { describe, expect, it } from 'vitest';
import { placeSimilarity, SAME_PLACE_SIMILARITY } from '../../../domain/classifier/place';

const CITY = ['新乡市', '新乡'];
const same = (a: string, b: string) => placeSimilarity(a, b, CITY) >= SAME_PLACE_SIMILARITY;

describe('the same place in other words (repeat detection)', () => {
  it.each([
    ['红旗区向阳小区3号楼', '向阳小区三号楼东单元'],
    ['新乡市红旗区向阳小区3号楼', '向阳小区 3#楼'],
    ['人民路与胜利路交叉口', '胜利路人民路交叉口'],
    ['ＸＸ路１２号', 'xx路12号'],
  ])('%s ≈ %s', (a, b) => expect(same(a, b)).toBe(true));

  it.each([
    ['红旗区向阳小区', '牧野区花园小区'],
    ['向阳小区', '向阳路'],
  ])('%s ≠ %s', (a, b) => expect(same(a, b)).toBe(false));
});
