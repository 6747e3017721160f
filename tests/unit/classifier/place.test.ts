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
    // one crossing, its roads in either order and any word for where they meet
    ['牧野区花园路建设路十字路口', '牧野区建设路与花园路交叉口'],
    ['新乡市卫滨区平原路/胜利路路口东北角', '胜利路和平原路交汇处'],
    ['金穗大道与新二街交叉口', '新2街金穗大道十字路口'],
    ['红旗区东街、西大街丁字路口', '西大街与东街交口'],
  ])('%s ≈ %s', (a, b) => expect(same(a, b)).toBe(true));

  it.each([
    ['红旗区向阳小区', '牧野区花园小区'],
    ['向阳小区', '向阳路'],
    // two crossings of one road, and one crossing's name in two districts
    ['建设路与花园路交叉口', '建设路与人民路交叉口'],
    ['红旗区建设路与花园路交叉口', '牧野区花园路建设路口'],
  ])('%s ≠ %s', (a, b) => expect(same(a, b)).toBe(false));
});
