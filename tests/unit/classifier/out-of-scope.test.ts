import { describe, expect, it } from 'vitest';
import { classify } from '../../../domain/classifier/classify';
import { starterClassifierData } from '../../../activities/classifier-model';

const propose = (content: string, address?: string) =>
  classify({ content, ...(address ? { address } : {}) }, starterClassifierData());

describe('out of scope (不予受理)', () => {
  it.each([
    ['对面楼里起火了，火苗从窗户窜出来', '119'],
    ['我奶奶晕倒了，叫不醒', '120'],
    ['有人正在小区门口打架，还拿着刀', '110'],
    ['路口刚刚发生车祸，有人被卡在车里', '122'],
  ])('refers an emergency happening now to the emergency line: %s', (content, line) => {
    const proposal = propose(content);
    expect(proposal.outOfScope.value).toBe(true);
    expect(proposal.outOfScope.referral).toContain(line);
    expect(proposal.category.value).toBe('A');
  });

  it('accepts a risk that only imagines an emergency', () => {
    const proposal = propose('消防通道被堵死了，万一着火了消防车都进不来');
    expect(proposal.outOfScope.value).toBe(false);
    expect(proposal.topic.value).toBe('080401');
  });

  it('does not take a word that merely contains the cue for the emergency', () => {
    expect(propose('我们住六楼，水压太小，热水器打不着火').outOfScope.value).toBe(false);
  });

  it.each([
    ['欠薪的事我已经申请劳动仲裁了，裁决了公司还是不给', '仲裁'],
    ['这个纠纷法院已经立案了，想让你们催一下', '法院'],
    ['我已经去信访局上访好几次了', '信访'],
  ])('refers a matter already in court, arbitration or the petition system: %s', (content, referral) => {
    const proposal = propose(content);
    expect(proposal.outOfScope.value).toBe(true);
    expect(`${proposal.outOfScope.reason}${proposal.outOfScope.referral}`).toContain(referral);
  });

  it('accepts a question about how to start arbitration', () => {
    expect(propose('公司欠薪不给，请问去哪里申请劳动仲裁').outOfScope.value).toBe(false);
  });

  it('rejects questions about military facilities as state secrets', () => {
    expect(propose('附近那个军事管理区里面是干什么的').outOfScope).toMatchObject({ value: true, kind: 'state_secret' });
  });

  it('refers a matter in another city to that city', () => {
    const proposal = propose('我们小区停水两天了', '郑州市金水区');
    expect(proposal.outOfScope.value).toBe(true);
    expect(proposal.outOfScope).toMatchObject({ kind: 'other_jurisdiction', referral: expect.stringContaining('郑州市') });
    expect(proposal.regionCode.value).toBeNull();
  });

  it('accepts a matter of this city that mentions another place', () => {
    expect(propose('我在北京住院，医保异地备案一直不成功').outOfScope.value).toBe(false);
    expect(propose('我在郑州市上班，老家辉县市的宅基地怎么申请').outOfScope.value).toBe(false);
  });

  it('is in scope with high confidence when nothing points out of it', () => {
    const { outOfScope } = propose('小区门口路灯不亮了');
    expect(outOfScope).toMatchObject({ value: false, emergency: false });
    expect(outOfScope.confidence).toBeGreaterThanOrEqual(0.9);
  });
});
