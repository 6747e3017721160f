import { describe, expect, it } from 'vitest';
import { readCorpus } from '../../../activities/classifier-model';
import { OTHER_TOPIC, TOPICS, topicLineage } from '../../../domain/classifier/taxonomy';
import { topicSchema } from '../../../domain/ticket';

describe('topic taxonomy', () => {
  const codes = new Set(TOPICS.map((topic) => topic.code));

  it('has unique, well-formed codes whose parents exist', () => {
    expect(codes.size).toBe(TOPICS.length);
    for (const topic of TOPICS) {
      expect(topicSchema.safeParse(topic.code).success, topic.code).toBe(true);
      if (topic.code.length === 2) expect(topic.parent).toBeUndefined();
      else expect(topic.parent).toBe(topic.code.slice(0, -2));
      if (topic.parent) expect(codes.has(topic.parent), topic.code).toBe(true);
    }
  });

  it('covers the areas a hotline hears about', () => {
    const names = TOPICS.map((topic) => topic.name).join(' ');
    for (const area of ['拖欠工资', '物业', '教育', '噪声', '农村建房', '耕地保护', '社会保险', '户籍', '交通设施', '公共交通',
      '市政设施', '快递', '停水', '停电', '停气', '停暖', '环境污染', '食品安全', '价格', '消费', '行政效能', '医疗保障',
      '医疗服务', '交通管理', '治安', '营商环境']) {
      expect(names, area).toContain(area);
    }
    expect(codes.has(OTHER_TOPIC)).toBe(true);
  });

  it('is covered by the starter corpus: every minor topic, every type and category, only its own topics', () => {
    const corpus = readCorpus('corpus');
    const labelled = new Set(corpus.map((ticket) => ticket.topic));
    for (const topic of corpus) expect(codes.has(topic.topic), topic.topic).toBe(true);
    for (const topic of TOPICS.filter((t) => t.code.length === 6)) expect(labelled.has(topic.code), `${topic.code} ${topic.name}`).toBe(true);
    expect(new Set(corpus.map((ticket) => ticket.type)).size).toBe(7);
    expect(new Set(corpus.map((ticket) => ticket.category))).toEqual(new Set(['A', 'B', 'C', 'D']));
    expect(corpus.length).toBeGreaterThanOrEqual(2000);
  });

  it('lists a code with its ancestors', () => {
    expect(topicLineage('040101')).toEqual(['040101', '0401', '04']);
    expect(topicLineage('04')).toEqual(['04']);
  });
});
