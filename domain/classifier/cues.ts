/**
 * The classifier's rules for the matters the hotline does not accept (不予受理), which do not
 * depend on the city: emergencies for 110/119/120/122 must be referred at once even in wording
 * the model has not seen. Weights are explained in scoring.ts.
 */
import type { Cues } from './scoring';

/** Kinds of matters the hotline does not accept (不予受理), each with where to turn instead. */
export type OutOfScopeKind =
  | 'fire'
  | 'medical'
  | 'crime'
  | 'traffic_accident'
  | 'judicial'
  | 'petition'
  | 'state_secret'
  | 'other_jurisdiction';

export interface OutOfScopeRule {
  kind: OutOfScopeKind;
  reason: string;
  referral: string;
  /** emergencies: a cue in a clause that only imagines the event ("万一着火") does not count */
  emergency: boolean;
  cues: Cues;
}

export const OUT_OF_SCOPE_THRESHOLD = 3;

/** Words that make a clause hypothetical or a risk rather than an event happening now. */
export const HYPOTHETICAL_MARKERS = ['万一', '如果', '要是', '真要', '假如', '隐患', '怕', '担心', '容易'];

export const OUT_OF_SCOPE_RULES: readonly OutOfScopeRule[] = [
  {
    kind: 'fire',
    reason: '正在发生的火情，属119消防救援处置范围',
    referral: '请立即拨打119火警电话',
    emergency: true,
    cues: {
      着火: 3, 着活: 3, 起火: 3, 失火: 3, 火灾: 2, 火苗: 2, 火光: 2, 浓烟: 1, 黑烟: 1, 冒烟: 1, 火势: 3, 烧起来: 3, 烧着: 3,
      火很大: 3, 火可大: 3, 火越烧越大: 3,
    },
  },
  {
    kind: 'medical',
    reason: '有人急病或受伤，属120急救处置范围',
    referral: '请立即拨打120急救电话',
    emergency: true,
    cues: {
      晕倒: 3, 晕过去: 3, 昏过去: 3, 昏迷: 3, 叫不醒: 3, 喊不醒: 3, 叫不应: 3, 不省人事: 3, 流了很多血: 3, 流了好多血: 3, 流血: 2,
      一动不动: 1, 不动了: 1.5, 没有呼吸: 3, 快不行了: 3, 叫救护车: 3, 抽搐: 3, 口吐白沫: 3, 喘不上气: 3, 倒地: 2, 倒在地上: 2,
      要生了: 3, 喝了农药: 3, 心脏病犯: 3, 摔下来: 1.5, 掉下来了: 1.5, 不会说话: 2, 动不了: 1, 没有反应: 2, 起不来: 1,
    },
  },
  {
    kind: 'crime',
    reason: '正在发生的违法犯罪，属110报警处置范围',
    referral: '请立即拨打110报警电话',
    emergency: true,
    cues: {
      '正在…打架': 3, 拿着刀: 3, 拿刀: 3, 持刀: 3, 砍刀: 3, 乱砍: 3, 砍人: 3, 抢劫: 3, '正在…撬': 3, '正在…偷': 3, 绑架: 3, 快来人: 1,
      砸车: 3, 还在砸: 3, 要砸: 2, 砸店: 2, 打起来: 2, 还在打: 3, 打人: 2, 打出血: 3, 喊救命: 3, 救命: 2, 进贼: 3, 进小偷: 3,
      人还在: 2, 抢了: 3, 还在撬: 3, 在撬: 2, 要杀人: 3, 抱走: 3, 跟踪: 2, 拿着钢管: 3, 威胁: 1, 要炸: 3, 追着: 1,
    },
  },
  {
    kind: 'traffic_accident',
    reason: '正在发生的交通事故，属122交通事故报警处置范围',
    referral: '请立即拨打122交通事故报警电话，有人受伤请同时拨打120',
    emergency: true,
    cues: {
      发生车祸: 3, 出车祸了: 3, 车祸: 2, 撞车了: 3, 撞人了: 3, 撞了: 1.5, '刚刚…车祸': 3, '刚才…车祸': 3, 卡在车里: 3, 卡住了: 1,
      出不来: 1, 翻车: 3, 翻沟里: 3, 撞飞: 3, 追尾: 1.5, 受伤: 1.5, 躺地上: 2, 躺在地上: 2, 满脸是血: 2, 满头是血: 2, 头破: 1.5,
    },
  },
  {
    kind: 'judicial',
    reason: '已进入诉讼、仲裁或执行程序的事项',
    referral: '请向受理案件的人民法院或仲裁委员会反映',
    emergency: false,
    cues: {
      已经起诉: 3, 起诉到法院: 3, 法院判: 3, 法院已经: 3, 法院立案: 3, 已经立案: 3, 法院正在: 3, 正在审理: 3,
      打官司: 2, 判决: 2, 裁决: 2, 已经申请劳动仲裁: 3, 申请了劳动仲裁: 3, 强制执行: 2, 没执行: 2, 执行不了: 2,
    },
  },
  {
    kind: 'petition',
    reason: '已进入信访程序的事项',
    referral: '请通过信访渠道向原受理的信访部门反映',
    emergency: false,
    cues: { 信访: 3, 上访: 3 },
  },
  {
    kind: 'state_secret',
    reason: '涉及国家秘密的事项',
    referral: '热线不受理涉及国家秘密的事项',
    emergency: false,
    cues: { 国家秘密: 3, 涉密: 3, 军事管理区: 3, 军事禁区: 3, 军事设施: 3, 雷达站: 2, 机密: 2 },
  },
];

/** Built from the place that was found (see region.ts), so it has no fixed cues. */
export const OTHER_JURISDICTION = {
  kind: 'other_jurisdiction',
  reason: '事发地不在本市',
  referral: (place: string) => `请向事发地（${place}）的12345热线反映`,
} as const;
