import { describe, expect, it } from 'vitest';
import { classify } from '../../../domain/classifier/classify';
import { starterClassifierData } from '../../../activities/classifier-model';
import { evidenceFor } from '../../../domain/classifier/model';
import { features } from '../../../domain/classifier/features';

describe('the evidence of a proposal', () => {
  const data = starterClassifierData();
  const propose = (content: string) => classify({ content }, data);

  it('says which words of the text made the type and the topic', () => {
    const wages = propose('老板欠俺工资仨月了，打电话不接，俺咋整啊');
    expect(wages.topic.value.slice(0, 4)).toBe('0101');
    expect(wages.evidence.topic).toContain('工资');
    const complaint = propose('投诉政务服务大厅的工作人员上班时间玩手机');
    expect(complaint.type.value).toBe('complaint');
    expect(complaint.evidence.type).toContain('投诉');
    for (const p of [wages, complaint]) {
      expect(p.evidence.type.length).toBeGreaterThan(0);
      expect(p.evidence.type.length).toBeLessThanOrEqual(5);
      for (const term of [...p.evidence.type, ...p.evidence.topic]) expect(p === wages ? '老板欠俺工资仨月了，打电话不接，俺咋整啊' : '投诉政务服务大厅的工作人员上班时间玩手机').toContain(term);
    }
  });

  it('lists only tokens that weigh for the chosen label, so another label gets other evidence', () => {
    const content = '小区电梯坏了三天没人修，老人上不了楼';
    const tokens = features(content);
    const middle = data.model.fields.middle;
    const chosen = propose(content).topic.value.slice(0, 4);
    const forChosen = evidenceFor(middle, tokens, chosen);
    expect(forChosen).toContain('电梯');
    // 劳动关系 (0101) has nothing to do with a lift: none of the lift words are its evidence
    expect(evidenceFor(middle, tokens, '0101')).not.toContain('电梯');
    expect(evidenceFor(middle, tokens, 'no-such-label')).toEqual([]);
  });

  it('a word and the n-grams inside it are shown once', () => {
    const evidence = propose('社保卡丢了，想问问咋挂失补办').evidence.topic;
    expect(evidence).toContain('社保卡');
    expect(evidence).not.toContain('社保');
    expect(evidence).not.toContain('保卡');
  });
});
