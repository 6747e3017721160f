/** Safety first: danger and outages are never proposed as routine, emergencies are referred at once. */
import { describe, expect, it } from 'vitest';
import { starterClassifierData } from '../../../activities/classifier-model';
import { classify } from '../../../domain/classifier/classify';
import { urgencySigns } from '../../../domain/classifier/urgency-signs';

const data = starterClassifierData();
const propose = (content: string) => classify({ content }, data);

describe('urgency signs', () => {
  it.each([
    '路面突然塌了个大坑，车差点掉进去',
    '楼道里有股子煤气味，呛人',
    '燃起泄露了',
    '电线掉在地上还冒火花',
    '俺们被困在电梯里了',
    '学校门口井盖木有了',
    '楼上阳台的砖掉下来，差点砸着人',
  ])('danger to life or property is A: %s', (content) => {
    expect(propose(content).category.value).toBe('A');
  });

  it.each(['停点了，整栋楼都黑着', '天然气突然没了，饭做了一半', '自来水发黄，不敢喝', '俺家木电了', '停谁停了一整天', '暖气冰凉冰凉的'])(
    'an outage is at least B, whatever the model says: %s',
    (content) => {
      expect(['A', 'B']).toContain(propose(content).category.value);
    },
  );

  it('does not count a sign in a clause that imagines or recalls the event', () => {
    expect(urgencySigns('楼道里堆满杂物，万一着火人都跑不出去')).toEqual([]);
    expect(urgencySigns('小区去年着过一次火，消防栓到现在还是坏的')).toEqual([]);
    expect(urgencySigns('厂子烟囱天天冒黑烟').map((s) => s.name)).not.toContain('火情烟雾');
  });
});

describe('emergencies for 110/119/120/122', () => {
  it.each([
    ['有人正在我们楼下砸车，好几辆了，还在砸', 'crime', '110'],
    ['俺家着活了，快来', 'fire', '119'],
    ['我爸突然晕倒了，喊不醒', 'medical', '120'],
    ['路口撞车了，有个人躺在地上起不来', 'traffic_accident', '122'],
  ])('are out of scope with the referral: %s', (content, kind, number) => {
    const { outOfScope, category } = propose(content);
    expect(outOfScope).toMatchObject({ value: true, kind, emergency: true });
    expect(outOfScope.referral).toContain(number);
    expect(category.value).toBe('A');
  });

  it('leaves a past event in scope', () => {
    expect(propose('上个月出的车祸，对方保险公司到现在不赔').outOfScope.value).toBe(false);
    expect(propose('上班路上被车撞了算工伤不').outOfScope.value).toBe(false);
  });
});

describe('proposals', () => {
  it('name the model that made them and stay within [0, 1]', () => {
    const proposal = propose('红旗区渠东街道停电了，家里有老人，麻烦尽快处理');
    expect(proposal.modelVersion).toBe('starter');
    for (const field of [proposal.type, proposal.topic, proposal.category, proposal.outOfScope]) {
      expect(field.confidence).toBeGreaterThanOrEqual(0);
      expect(field.confidence).toBeLessThanOrEqual(1);
    }
    expect(propose('红旗区渠东街道停电了，家里有老人，麻烦尽快处理')).toEqual(proposal);
  });
});
