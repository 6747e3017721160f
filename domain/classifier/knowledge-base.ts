/**
 * Demo knowledge base (知识库) of the sample city: the questions the center answers itself.
 * The answers are illustrative, not the city's actual policy. Each pattern is one concept the
 * question must contain, written as alternatives separated by "|" ("公积金" and
 * "提取|取出|提"); see match-knowledge-base.ts.
 */

export interface KnowledgeBaseEntry {
  id: string;
  topic: string;
  patterns: string[];
  question: string;
  answer: string;
}

export const DEMO_KNOWLEDGE_BASE: readonly KnowledgeBaseEntry[] = [
  {
    id: 'kb-social-card-apply',
    topic: '010204',
    patterns: ['社保卡|社会保障卡', '办理|申领|申请|办卡|能办'],
    question: '如何申领社会保障卡？',
    answer:
      '可携带本人身份证（新生儿携带户口簿）到任一社保卡合作银行网点申领，也可通过“豫事办”等线上渠道申请邮寄，即时制卡网点可当场领卡。',
  },
  {
    id: 'kb-social-card-replace',
    topic: '010204',
    patterns: ['社保卡|社会保障卡', '丢了|丢失|补办|挂失|补卡|损坏'],
    question: '社保卡丢了怎么办？',
    answer: '请先拨打12333或通过线上渠道办理临时挂失，再携带身份证到合作银行网点办理补卡，补卡后原卡自动失效。',
  },
  {
    id: 'kb-hukou-transfer',
    topic: '080101',
    patterns: ['户口|户籍', '迁移|迁到|迁回|迁入|迁出|落户'],
    question: '户口迁移怎么办理？',
    answer:
      '符合落户条件的，可携带居民户口簿、身份证及落户依据（房产证明、结婚证、录用证明等）到迁入地派出所户籍窗口申请，省内及部分跨省迁移可“一站式”办理，无需回迁出地。',
  },
  {
    id: 'kb-newborn-registration',
    topic: '080103',
    patterns: ['新生儿|孩子出生|刚出生|宝宝', '户口|落户|出生登记'],
    question: '新生儿如何办理出生登记（上户口）？',
    answer: '可携带出生医学证明、父母双方户口簿和身份证、结婚证到父亲或母亲户口所在地派出所办理，也可通过“出生一件事”线上联办。',
  },
  {
    id: 'kb-id-card',
    topic: '080102',
    patterns: ['身份证', '补办|换证|换领|丢了|到期|办身份证'],
    question: '居民身份证怎么补办、换领？',
    answer: '携带户口簿到户籍所在地或居住地派出所（支持跨省异地办理）申请，现场采集照片和指纹，一般20个工作日内制证，可申请邮寄。',
  },
  {
    id: 'kb-service-hall-hours',
    topic: '130201',
    patterns: ['政务服务|市民之家|办事大厅|政务大厅|服务中心|服务大厅', '几点|上班时间|上班吗|上不上班|办公时间|周末|周六'],
    question: '市民之家（政务服务中心）的办公时间？',
    answer: '工作日上午9:00—12:00、下午13:00—17:00办理业务；周六上午部分窗口提供延时服务，节假日以公告为准。',
  },
  {
    id: 'kb-heating-season',
    topic: '040402',
    patterns: ['供暖|暖气', '什么时候开始|几号开始|开始供暖|供暖时间|供暖期|暖气费|供暖费'],
    question: '供暖季是什么时候？暖气费怎么交？',
    answer: '本市集中供暖期一般为每年11月15日至次年3月15日，遇气温异常会提前或延长；暖气费可在热力公司营业厅、微信公众号或合作银行缴纳。',
  },
  {
    id: 'kb-heating-suspend',
    topic: '040402',
    patterns: ['暖气|供暖', '报停|停供|不用暖气'],
    question: '长期不住，如何办理暖气报停？',
    answer: '请在供暖开始前（每年10月31日前）携带房产证明和身份证到热力公司营业厅申请报停，报停期间按规定收取基本热费。',
  },
  {
    id: 'kb-provident-fund-withdrawal',
    topic: '020302',
    patterns: ['公积金', '提取|取出|能提|提出来'],
    question: '住房公积金怎么提取？',
    answer: '购房、租房、偿还房贷、离职封存满半年等情形可申请提取；租房提取每年可提一次，可通过公积金中心网厅、手机APP或服务大厅办理。',
  },
  {
    id: 'kb-provident-fund-loan',
    topic: '020302',
    patterns: ['公积金', '贷款|额度|还房贷'],
    question: '公积金贷款额度和手续？',
    answer: '贷款额度与缴存时间、账户余额和还款能力相关，并设有最高额度；需提供购房合同、身份证明、收入证明等，可到公积金中心或合作银行咨询办理。',
  },
  {
    id: 'kb-offsite-medical-filing',
    topic: '120202',
    patterns: ['异地就医|异地|外地住院|外地就医|回老家看病', '备案|怎么报|能报'],
    question: '异地就医怎么备案？',
    answer: '可通过国家医保服务平台APP、“豫事办”或医保经办窗口办理异地就医备案，备案后在外地定点医院可直接结算。',
  },
  {
    id: 'kb-resident-medical-insurance',
    topic: '120101',
    patterns: ['居民医保|城乡居民医保', '缴费|缴纳|怎么交|开始交|交多少|多少钱'],
    question: '城乡居民医保怎么缴费？',
    answer: '每年集中缴费期一般为9月至12月，可通过税务APP、微信或支付宝“城乡居民医保缴费”、合作银行缴纳，缴费标准以当年公告为准。',
  },
  {
    id: 'kb-flexible-pension',
    topic: '010201',
    patterns: ['灵活就业', '养老保险|社保', '怎么交|缴费|在哪里交|交多少|多少钱'],
    question: '灵活就业人员怎么交养老保险？',
    answer: '可携带身份证到户籍所在地或居住地社保经办机构登记，缴费基数可在规定档次中自选，按月或按年通过税务渠道缴纳。',
  },
  {
    id: 'kb-unemployment-benefit',
    topic: '010202',
    patterns: ['失业金|失业保险金|失业保险', '申领|怎么领|领取|怎么申请'],
    question: '失业保险金怎么申领？',
    answer: '非本人意愿中断就业、缴费满一年并已办理失业登记的，可通过人社部门网厅、“豫事办”或经办窗口申领，领取期限按缴费年限确定。',
  },
  {
    id: 'kb-property-registration',
    topic: '020101',
    patterns: ['不动产|房产证|房本|过户', '材料|手续|需要带|公证|在哪里|上不上班'],
    question: '办理不动产登记需要哪些材料？',
    answer: '一般需身份证、购房合同或继承赠与证明、完税凭证和原不动产权证书，在不动产登记中心（市民之家）“一窗受理”，周末不对外办理。',
  },
  {
    id: 'kb-business-license',
    topic: '140101',
    patterns: ['营业执照|个体户|注销|分公司|开办', '办理|申请|流程|手续|需要哪些'],
    question: '营业执照怎么办理？',
    answer: '可通过企业开办“一网通办”平台全程网上办理设立、变更和注销登记，资料齐全的一般1个工作日内办结，也可到市民之家市场监管窗口办理。',
  },
  {
    id: 'kb-elderly-allowance',
    topic: '160102',
    patterns: ['高龄津贴|高龄补贴', '申请|办理|领取'],
    question: '高龄津贴怎么申请？',
    answer: '年满80周岁的本市户籍老人，可携带身份证、户口簿和银行卡到户籍所在地社区（村）或乡镇（街道）民政窗口申请，审核后按月发放。',
  },
  {
    id: 'kb-primary-school-enrollment',
    topic: '060101',
    patterns: ['小学|一年级|入学', '报名|招生|材料'],
    question: '小学一年级什么时候报名？',
    answer: '一般在每年7月由教育局发布招生公告，按学区划片报名，需准备户口簿、房产证明或居住证明、儿童预防接种证等，具体以当年公告为准。',
  },
];
