import { describe, expect, it } from 'vitest';
import { classify } from '../../../domain/classifier/classify';
import { DEFAULT_CLASSIFIER_DATA } from '../../../domain/classifier/data';
import { OTHER_TOPIC } from '../../../domain/classifier/taxonomy';

const propose = (content: string) => classify({ content }, DEFAULT_CLASSIFIER_DATA);

describe('classify: type', () => {
  it.each([
    ['请问社保卡怎么办理', 'consultation'],
    ['我要投诉街道办工作人员不作为', 'complaint'],
    ['举报有人在河边偷偷倒垃圾', 'report'],
    ['建议在学校门口增设一个红绿灯', 'suggestion'],
    ['感谢环卫工人，给你们送面锦旗', 'praise'],
    ['不好意思打错了', 'other'],
    ['小区门口的路灯坏了，希望尽快修一下', 'help'],
  ])('reads the type from the citizen’s words: %s', (content, type) => {
    expect(propose(content).type.value).toBe(type);
  });

  it('takes an outage with a question for a help request', () => {
    expect(propose('停水了，什么时候能来水').type.value).toBe('help');
  });

  it('defaults to a help request with low confidence when there is no cue', () => {
    expect(propose('那个事').type).toEqual({ value: 'help', confidence: 0.28 });
  });
});

describe('classify: topic', () => {
  it.each([
    ['老板拖欠工资三个月了', '010101'],
    ['楼道里燃气味很大', '040302'],
    ['晚上工地打桩机太吵了', '050201'],
    ['驾驶证到期了怎么换', '080302'],
    ['楼上邻居在楼顶搭了个彩钢房', '030203'],
  ])('proposes the most specific topic: %s', (content, topic) => {
    expect(propose(content).topic.value).toBe(topic);
  });

  it('proposes the middle topic when only the area is clear', () => {
    expect(propose('噪音太大了').topic.value).toBe('0502');
  });

  it('falls back to "other" with little confidence when no subject is named', () => {
    expect(propose('想问问现在几点了').topic).toEqual({ value: OTHER_TOPIC, confidence: 0.1 });
  });

  it('explains the topic with the words it rests on', () => {
    expect(propose('小区停水一整天了').evidence.topic).toContain('停水');
  });
});

describe('classify: category', () => {
  it.each([
    ['楼道里闻到很大的燃气味，好像燃气泄漏了', 'A'],
    ['电梯坏了里面困着一个老人', 'A'],
    ['文化街井盖没了，一个大窟窿', 'A'],
    ['小区停水两天了', 'B'],
    ['暖气一点都不热', 'B'],
    ['找了好几个部门都说不归他们管，互相推', 'D'],
    ['小区绿化带杂草太多了', 'C'],
  ])('grades urgency: %s', (content, category) => {
    expect(propose(content).category.value).toBe(category);
  });

  it('keeps an outage pressing even when units pass it around', () => {
    expect(propose('停水三天了，物业和自来水公司互相推').category.value).toBe('B');
  });

  it('is surer of a category with more evidence', () => {
    const one = propose('有燃气味').category;
    const several = propose('燃气泄漏了，燃气味很大，漏气的声音都能听见').category;
    expect(several.confidence).toBeGreaterThan(one.confidence);
  });
});

describe('classify: proposals', () => {
  it('are deterministic', () => {
    const content = '红旗区渠东街道停电了，家里有老人，麻烦尽快处理';
    expect(propose(content)).toEqual(propose(content));
  });

  it('keep every confidence within [0, 1]', () => {
    const proposal = propose('投诉红旗区某小区物业，电梯坏了一个星期没人修');
    for (const field of [proposal.type, proposal.topic, proposal.category, proposal.regionCode, proposal.outOfScope]) {
      expect(field.confidence).toBeGreaterThanOrEqual(0);
      expect(field.confidence).toBeLessThanOrEqual(1);
    }
  });
});
