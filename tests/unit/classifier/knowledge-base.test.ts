import { describe, expect, it } from 'vitest';
import { classify } from '../../../domain/classifier/classify';
import { starterClassifierData } from '../../../activities/classifier-model';
import { DEMO_KNOWLEDGE_BASE } from '../../../domain/classifier/knowledge-base';
import { matchKnowledgeBase } from '../../../domain/classifier/match-knowledge-base';
import { TOPICS } from '../../../domain/classifier/taxonomy';

describe('matchKnowledgeBase', () => {
  it('finds the entry whose every concept the question contains', () => {
    expect(matchKnowledgeBase('社保卡丢了，怎么挂失补办？', DEMO_KNOWLEDGE_BASE)).toMatchObject({
      entryId: 'kb-social-card-replace',
      score: 1,
    });
    expect(matchKnowledgeBase('公积金租房可以提取吗', DEMO_KNOWLEDGE_BASE)?.entryId).toBe('kb-provident-fund-withdrawal');
    expect(matchKnowledgeBase('今年几号开始供暖', DEMO_KNOWLEDGE_BASE)?.entryId).toBe('kb-heating-season');
  });

  it('scores a partial match by the share of concepts found', () => {
    expect(matchKnowledgeBase('灵活就业人员怎么缴费', DEMO_KNOWLEDGE_BASE)).toMatchObject({
      entryId: 'kb-flexible-pension',
      score: 0.67,
    });
  });

  it('finds nothing for an unrelated request', () => {
    expect(matchKnowledgeBase('楼下烧烤店油烟太大', DEMO_KNOWLEDGE_BASE)).toBeNull();
  });

  it('entries name known topics and have unique ids', () => {
    const topics = new Set(TOPICS.map((topic) => topic.code));
    expect(new Set(DEMO_KNOWLEDGE_BASE.map((entry) => entry.id)).size).toBe(DEMO_KNOWLEDGE_BASE.length);
    for (const entry of DEMO_KNOWLEDGE_BASE) expect(topics.has(entry.topic), entry.id).toBe(true);
  });
});

describe('classify with the knowledge base', () => {
  const propose = (content: string) => classify({ content }, starterClassifierData());

  it('answers a consultation from the knowledge base', () => {
    const proposal = propose('请问户口从郑州迁到新乡需要什么手续');
    expect(proposal.type.value).toBe('consultation');
    expect(proposal.knowledgeBase?.entryId).toBe('kb-hukou-transfer');
  });

  it('answers a question asked in everyday words', () => {
    expect(propose('社保卡丢了，想问问咋挂失补办').knowledgeBase?.entryId).toBe('kb-social-card-replace');
  });

  it('does not answer a help request that only mentions the subject', () => {
    expect(propose('暖气停了两天了，什么时候能恢复').knowledgeBase).toBeUndefined();
    expect(propose('我上个月在网上申请了失业保险金，到现在还显示审核中').knowledgeBase).toBeUndefined();
  });

  it('never answers a complaint, which goes to a unit', () => {
    const proposal = propose('投诉政务服务大厅的工作人员上班时间玩手机');
    expect(proposal.type.value).toBe('complaint');
    expect(proposal.knowledgeBase).toBeUndefined();
  });
});
