/**
 * The classifier's language rules that do not depend on the city: how citizens signal the
 * ticket type, the urgency category and the matters the hotline does not accept. Weights are
 * explained in scoring.ts.
 */
import type { Category, TicketType } from '../ticket';
import type { Cues } from './scoring';

/**
 * Type cues. A help request (求助) is the default: it starts with a prior so that a text
 * without any cue is one, and its own cues are the words of a problem to be fixed.
 */
export const HELP_PRIOR = 1;

export const TYPE_CUES: Readonly<Record<TicketType, Cues>> = {
  help: {
    希望: 1, 麻烦: 1, 帮忙: 1.5, 帮助: 1, 协调: 1, 解决: 1, 处理: 0.5, 赶紧: 1.5, 尽快: 1, 来人: 1.5,
    维修: 1, 坏了: 1.5, 不亮: 1.5, 没人管: 1.5, 不管: 1, 一直没: 1, 不给: 1, 拖欠: 1.5, 欠了: 1,
    停水: 2, 停电: 2, 没水: 2, 没电: 2, 停气: 2, 不热: 1.5, 太吵: 1.5, 受不了: 1.5, 睡不着: 1, 怎么办: 2,
    恢复: 1.5, 噪音: 1, 太大: 1, 合理吗: 2, 合法吗: 2,
    堵: 1, 漏水: 1, 危险: 1, 没到账: 1.5, 还没: 0.5, 到现在: 1,
  },
  consultation: {
    请问: 3, 咨询: 3, 想问: 3, 问一下: 2, 想了解: 3, 了解一下: 2, 怎么: 2, 如何: 2, 怎么办理: 3, 如何办理: 3,
    怎么申请: 3, 如何申请: 3, 怎么交: 2.5, 怎么补办: 3, 怎么查: 2.5, 需要什么: 2, 需要哪些: 2, 需要准备: 2,
    要带: 1.5, 什么材料: 2, 哪些材料: 2, 什么手续: 2, 哪些手续: 2, 什么条件: 2, 哪些流程: 2, 在哪里: 1.5,
    去哪里: 1.5, 去哪: 1.5, 哪个: 1, 哪个部门: 2, 电话是多少: 2.5, 电话多少: 2.5, 什么时候: 1.5, 多少钱: 1.5, 多少: 0.5, 可以吗: 2, 能不能: 1.5, 是否: 1,
    吗: 1.5, 几点: 1.5, 上班时间: 1.5, 有没有: 1.5, 算不算: 2, 多长时间: 1.5, 多久: 1, 可以: 0.5,
  },
  complaint: {
    投诉: 5, 不作为: 3, '态度…差': 3, 态度恶劣: 3, 态度粗暴: 3, 推诿: 2, 踢皮球: 2, 敷衍: 2, 刁难: 3,
    乱收费: 1.5, 骂人: 2, '效率…低': 2, 玩手机: 2, 找不到人: 1.5, 拒载: 2, 绕路: 2, 不按: 1,
  },
  report: {
    举报: 4, 检举: 4, 偷偷: 1.5, 非法: 1.5, 违规: 1, 违法: 1, 黑作坊: 2, 无证: 1.5, 没有资质: 1.5,
    截留: 2, 赌博: 2, 传销: 2, 诈骗: 1.5, 关系户: 2, 不公平: 1.5, 骗保: 2,
  },
  suggestion: {
    建议: 3, 提议: 3, 提个建议: 4, 增设: 2, 增加一条: 2, 简化: 2, 改进: 2, 多装: 1, 加装: 1, 多种: 1, 开通: 0.5,
  },
  praise: {
    感谢: 3, 表扬: 4, 锦旗: 4, 点赞: 3, 谢谢: 1, 辛苦了: 2, 效率很高: 2, 非常感谢: 4, 特别感谢: 4,
  },
  other: {
    打错了: 4, 打错: 3, 测试一下: 3, 说说话: 3, 聊聊天: 3, 聊天: 2, 没什么事: 3, 天气: 3, 话费余额: 3,
  },
};

/**
 * Category cues. C (general) is the default; A (danger to life or property, sudden), B
 * (outages and the like), D (complex, several units) each need a score of CATEGORY_THRESHOLD,
 * checked in that order: an outage that several units pass around is still pressing.
 */
export const CATEGORY_THRESHOLD = 3;

export const CATEGORY_CUES: Readonly<Record<Exclude<Category, 'C'>, Cues>> = {
  A: {
    燃气泄漏: 4, 煤气泄漏: 4, 天然气泄漏: 4, 燃气味: 3, 煤气味: 3, 漏气: 3, 冒气: 2, 燃气管道: 1, 坍塌: 4, 塌陷: 3,
    塌方: 4, 塌了: 2, 倒塌: 3, 被困: 4, 困着: 3, 困在: 3, '电梯…困': 4, '电梯…卡在': 3, 出不来: 2, 漏电: 4, 被电: 3, 触电: 4,
    电线断: 3, '电线…地上': 2, 冒火花: 3, '井盖…没了': 4, 井盖丢: 4, 没有井盖: 3, 没有盖子: 3, 塌下去: 2, 窟窿: 2, 掉下去: 2,
    '随时…倒': 3, 砸到: 2, 砸伤: 3, 脱落: 2, 危险: 1, 太危险: 1.5, 特别危险: 1.5,
  },
  B: {
    停水: 3, 没水: 3, 断水: 3, 水停了: 3, '自来水…停': 3, 来水: 1, 停电: 3, 没电: 3, 断电: 3, 来电: 1,
    '停了…电': 3, 停气: 3, 没气: 3, '燃气…停': 3, '天然气…停': 3, 暖气不热: 3, 不热: 3, '暖气…凉': 2,
    冰凉: 2, 冻得: 1.5, 温乎乎: 2, 供暖: 1, 没来暖气: 3, 暖气停: 3, 温度太低: 2, '暖气…温': 1, 反水: 3, 往外冒: 2, '污水…冒': 3, '电梯…停': 3,
  },
  D: {
    互相推: 3, 相互推: 3, 推来推去: 2, 几个部门: 3, 多个部门: 3, 都说不归: 3, '不归…管': 2, 烂尾: 3,
    几百户: 3, 上百户: 3, 上百亩: 3, 几百个: 3, 一直没人解决: 2, 多次反映: 2, 很多次: 1, 好几年: 1, 长期: 1, 历史遗留: 3,
    停产: 1, 几个村: 1, '找了…政府': 1,
  },
};

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
