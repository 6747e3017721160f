import { describe, expect, it } from 'vitest';
import { classify } from '../../../domain/classifier/classify';
import { starterClassifierData } from '../../../activities/classifier-model';

const region = (content: string, address?: string) =>
  classify({ content, ...(address ? { address } : {}) }, starterClassifierData()).regionCode;

describe('region (事发地) from address and text', () => {
  it('takes the district from the address', () => {
    expect(region('楼下饭店油烟太大', '牧野区荣校路12号').value).toBe('410711');
  });

  it('knows the towns and streets of each district', () => {
    expect(region('楼下饭店油烟太大', '七里营镇刘庄村').value).toBe('410721');
    expect(region('镇上停电了', '百泉镇').value).toBe('410782');
    expect(region('西街街道向阳社区后面路灯坏了').value).toBe('410702');
  });

  it('reads a county-level city by its short name', () => {
    expect(region('长垣这边好几个村都停水了').value).toBe('410783');
  });

  it('prefers the address to a place the text mentions', () => {
    expect(region('我老家是封丘的，现在住的小区停水了', '卫滨区健康路').value).toBe('410703');
  });

  it('takes the place named first when two are named alike', () => {
    expect(region('我们家房子在红旗区，户口在牧野区，孩子上小学去哪上').value).toBe('410702');
  });

  it('is more confident with more evidence', () => {
    const districtOnly = region('红旗区路灯坏了');
    const districtAndStreet = region('红旗区渠东街道路灯坏了', '红旗区渠东街道');
    expect(districtAndStreet.confidence).toBeGreaterThan(districtOnly.confidence);
  });

  it('leaves the district unknown when no place is named', () => {
    expect(region('家里没电了')).toEqual({ value: null, confidence: 0.5 });
    expect(region('新乡市的公交车能扫码吗').value).toBeNull();
  });
});
