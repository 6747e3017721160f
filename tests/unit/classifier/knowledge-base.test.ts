import { describe, expect, it } from 'vitest';
import { classify } from '../../../domain/classifier/classify';
import { starterClassifierData } from '../../../activities/classifier-model';
import { DEMO_KNOWLEDGE_BASE, type KnowledgeBaseEntry } from '../../../domain/classifier/knowledge-base';
import { KB_MIN_SCORE, matchKnowledgeBase, rankKnowledgeBase } from '../../../domain/classifier/match-knowledge-base';
import { TOPICS } from '../../../domain/classifier/taxonomy';

describe('ranked retrieval over the knowledge base', () => {
  it('a question reworded in everyday words ranks the entry it asks first, well ahead of the next', () => {
    const ranked = rankKnowledgeBase('社保卡丢了，想问问咋挂失补办', DEMO_KNOWLEDGE_BASE);
    expect(ranked[0]).toMatchObject({ entryId: 'kb-social-card-replace' });
    expect(ranked[0]!.score).toBeGreaterThanOrEqual(KB_MIN_SCORE);
    expect(ranked[1]!.score).toBeLessThan(ranked[0]!.score / 2);
    expect(ranked[0]!.bm25).toBeGreaterThan(ranked[1]!.bm25);
  });

  it('finds entries by a key phrase the question does not repeat', () => {
    // neither "提取" nor the entry's question wording: "取出来" is one of its key phrases
    expect(matchKnowledgeBase('公积金能取出来吗', DEMO_KNOWLEDGE_BASE)?.entryId).toBe('kb-provident-fund-withdrawal');
    expect(matchKnowledgeBase('今年几号开始供暖', DEMO_KNOWLEDGE_BASE)?.entryId).toBe('kb-heating-season');
    expect(matchKnowledgeBase('灵活就业人员怎么缴费', DEMO_KNOWLEDGE_BASE)?.entryId).toBe('kb-flexible-pension');
  });

  it('tells apart two entries on the same subject', () => {
    expect(matchKnowledgeBase('社保卡弄丢了需要挂失吗', DEMO_KNOWLEDGE_BASE)?.entryId).toBe('kb-social-card-replace');
    expect(matchKnowledgeBase('社会保障卡在哪申领，带啥证件', DEMO_KNOWLEDGE_BASE)?.entryId).toBe('kb-social-card-apply');
    expect(matchKnowledgeBase('公积金贷款额度怎么算', DEMO_KNOWLEDGE_BASE)?.entryId).toBe('kb-provident-fund-loan');
  });

  it('finds nothing for an unrelated request, and scores one that only mentions the subject low', () => {
    expect(rankKnowledgeBase('楼下烧烤店油烟太大', DEMO_KNOWLEDGE_BASE)).toEqual([]);
    expect(matchKnowledgeBase('楼下烧烤店油烟太大', DEMO_KNOWLEDGE_BASE)).toBeNull();
    expect(matchKnowledgeBase('我的社保卡里的钱被扣了，也没人告诉我为啥，这钱到底扣到哪去了', DEMO_KNOWLEDGE_BASE)).toBeNull();
  });

  it('an entry an admin adds is found at once, and an edited one by its new wording', () => {
    const tank: KnowledgeBaseEntry = { id: 'kb-tank', topic: '040101', question: '二次供水水箱多久清洗一次', patterns: ['水箱', '清洗|清洁'], answer: '每半年至少清洗消毒一次。' };
    expect(matchKnowledgeBase('我们小区的水箱多久清洁一回', [...DEMO_KNOWLEDGE_BASE, tank])?.entryId).toBe('kb-tank');
    const edited = { ...tank, question: '二次供水水箱谁来管', patterns: ['水箱', '谁管|管理'] };
    expect(matchKnowledgeBase('我们小区的水箱多久清洁一回', [...DEMO_KNOWLEDGE_BASE, edited])?.entryId).not.toBe('kb-tank');
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
    const proposal = propose('想把户口迁到新乡，要办啥手续');
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
