/**
 * The examples /docs shows and its "Try it out" sends: one ticket of the demo city 新乡市 (a
 * complaint about night-time construction noise, topic 050201 建筑施工噪声, in 红旗区) followed
 * through its life, and the demo city's units (db/seed/demo-city.ts). Keyed by operationId; an
 * endpoint's own `examples` (api/route.ts) take precedence. tests/unit/api/openapi.test.ts checks
 * that every operation has them and that each validates against the schema it illustrates.
 */
import { DEFAULT_POLICY } from '../domain/policy';
import { NEW_TICKET_EXAMPLE, TRIAGE_EXAMPLE } from './tickets';

export interface OperationExamples {
  /** the request body (JSON, or the text of an NDJSON or CSV body) */
  body?: unknown;
  /** the success response's body */
  response?: unknown;
  /** the bodies of the request's other media types (e.g. text/csv beside NDJSON), by media type */
  otherBodies?: Record<string, unknown>;
  /** path parameters, by name (a number where the parameter is one) */
  params?: Record<string, string | number>;
  /** an example of another success status (e.g. 202 of an asynchronous import), by status */
  alsoResponds?: Record<number, unknown>;
}

const TICKET_ID = '12345-20261203-000042';
const OTHER_TICKET_ID = '12345-20261202-000017';
const UNIT = 'hongqi';
/** 2026-12-03 09:15 +08:00, a Thursday */
const RECEIVED = '2026-12-03T01:15:00.000Z';
const DISPATCHED = '2026-12-03T01:21:30.000Z';
const SIGNED = '2026-12-03T02:05:12.000Z';
const REPLIED = '2026-12-05T08:40:00.000Z';
const ticketParams = { id: TICKET_ID };

const deadlines = {
  // category C: signed within 1 working day, handled within 5, near due 1 before, returns within 2
  signBy: '2026-12-04T15:59:59.999Z',
  dueBy: '2026-12-10T15:59:59.999Z',
  nearDueAt: '2026-12-09T15:59:59.999Z',
  returnBy: '2026-12-07T15:59:59.999Z',
  callbackBy: null,
};

const system = { role: 'system', id: 'system' } as const;
const agent = { role: 'agent', id: 'key_7c1d0f3a' } as const;
const unitActor = { role: 'unit', id: 'key_2b9e44d1', unitId: UNIT } as const;

const notification = {
  id: `${TICKET_ID}:dispatched:${UNIT}:1`,
  ticketId: TICKET_ID,
  unitId: UNIT,
  target: { kind: 'unit', id: UNIT },
  kind: 'dispatched',
  status: 'delivered',
  attempts: 1,
  lastError: null,
  redeliveries: 0,
  createdAt: DISPATCHED,
  lastAttemptAt: '2026-12-03T01:21:31.204Z',
  deliveredAt: '2026-12-03T01:21:31.388Z',
  failedAt: null,
};

/** The ticket as a list shows it: signed by 红旗区人民政府, being handled. */
const ticketSummary = {
  id: TICKET_ID,
  status: 'handling',
  channel: NEW_TICKET_EXAMPLE.channel,
  caller: NEW_TICKET_EXAMPLE.caller,
  content: NEW_TICKET_EXAMPLE.content,
  address: NEW_TICKET_EXAMPLE.address,
  regionCode: NEW_TICKET_EXAMPLE.regionCode,
  location: { lat: 35.3029, lng: 113.9268, crs: 'WGS84' },
  mediaUrl: null,
  externalRef: null,
  businessEnvironment: false,
  classification: NEW_TICKET_EXAMPLE.classification,
  unitId: UNIT,
  coUnitIds: [],
  deadlines,
  policyVersion: 1,
  nearDue: false,
  overdue: false,
  escalated: false,
  signOverdue: false,
  callbackMissed: false,
  rehandleCount: 0,
  urgeCount: 0,
  returnCount: 0,
  returnRequest: null,
  extension: null,
  mergedInto: null,
  repeatOf: [],
  triageBy: '2026-12-03T01:45:00.000Z',
  proposal: {
    classification: { type: 'complaint', topic: '050201', category: 'C' },
    confidence: { type: 0.91, topic: 0.88, category: 0.93, region: 1, route: 0.88, dispatch: 0.82 },
    regionCode: '410702',
    outOfScope: { value: false },
    route: { unitId: UNIT, coUnitIds: [] },
    modelVersion: 'starter',
  },
  reply: null,
  satisfaction: null,
  answer: null,
  rejection: null,
  closeReason: null,
  receivedAt: RECEIVED,
  dispatchedAt: DISPATCHED,
  signedAt: SIGNED,
  closedAt: null,
};

const ticket = {
  ...ticketSummary,
  events: [
    {
      seq: 1,
      type: 'received',
      at: RECEIVED,
      actor: agent,
      data: { channel: 'phone', content: NEW_TICKET_EXAMPLE.content, address: NEW_TICKET_EXAMPLE.address, regionCode: '410702', businessEnvironment: false },
    },
    { seq: 2, type: 'classified', at: '2026-12-03T01:15:01.120Z', actor: system, data: { classification: NEW_TICKET_EXAMPLE.classification } },
    { seq: 3, type: 'dispatched', at: DISPATCHED, actor: agent, data: { unitId: UNIT, coUnitIds: [], ...deadlines } },
    { seq: 4, type: 'signed', at: SIGNED, actor: unitActor, data: { unitId: UNIT, onTime: true } },
  ],
  notifications: [notification],
};

/** The ticket after one more step: its status, and the step at the end of the trail. */
function after(status: string, type: string, actor: object, data: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const at = '2026-12-04T03:30:00.000Z';
  return { ...ticket, ...extra, status, events: [...ticket.events, { seq: ticket.events.length + 1, type, at, actor, data }] };
}

const replied = {
  result: 'resolved',
  reply: '经现场核查，该工地确有夜间施工行为。已责令施工单位停止22时后施工，并在工地门口公示投诉电话，后续将加强夜间巡查。',
};

// -- analytics: one month of the demo city, small enough to read -------------------------------

const period = (firstDay: string, lastDay: string, days: number, from: string, to: string) => ({ from, to, firstDay, lastDay, days });
const NOVEMBER = period('2026-11-01', '2026-11-30', 30, '2026-10-31T16:00:00.000Z', '2026-11-30T16:00:00.000Z');
const OCTOBER = period('2026-10-01', '2026-10-31', 31, '2026-09-30T16:00:00.000Z', '2026-10-31T16:00:00.000Z');
const NOVEMBER_2025 = period('2025-11-01', '2025-11-30', 30, '2025-10-31T16:00:00.000Z', '2025-11-30T16:00:00.000Z');

const volume = (value: number, mom: number, yoy: number) => ({
  value,
  monthOnMonth: { previous: mom, change: Number(((value - mom) / mom).toFixed(4)) },
  yearOnYear: { previous: yoy, change: Number(((value - yoy) / yoy).toFixed(4)) },
});
const rate = (numerator: number, denominator: number, mom: number, yoy: number) => {
  const value = Number((numerator / denominator).toFixed(4));
  return {
    numerator,
    denominator,
    value,
    monthOnMonth: { previous: mom, changePoints: Number(((value - mom) * 100).toFixed(2)) },
    yearOnYear: { previous: yoy, changePoints: Number(((value - yoy) * 100).toFixed(2)) },
  };
};
const breakdown = (key: string | null, tickets: number, total: number, mom: number, yoy: number) => ({
  key,
  tickets,
  share: { numerator: tickets, denominator: total, value: Number((tickets / total).toFixed(4)) },
  monthOnMonth: { previous: mom, change: Number(((tickets - mom) / mom).toFixed(4)) },
  yearOnYear: { previous: yoy, change: Number(((tickets - yoy) / yoy).toFixed(4)) },
});

const headline = {
  volume: volume(1260, 1184, 1102),
  dailyAverage: volume(42, 38.2, 36.7),
  directAnswerShare: rate(378, 1260, 0.31, 0.29),
  dispatchShare: rate(844, 1260, 0.66, 0.68),
  completionRate: rate(801, 844, 0.93, 0.91),
  onTimeCompletionRate: rate(772, 801, 0.95, 0.94),
  satisfactionRate: rate(688, 731, 0.92, 0.9),
  callbackRate: rate(731, 801, 0.9, 0.88),
};
const overview = {
  ...headline,
  period: NOVEMBER,
  monthOnMonthPeriod: OCTOBER,
  yearOnYearPeriod: NOVEMBER_2025,
  basicallySatisfiedWeight: 1,
  peakDay: { day: '2026-11-16', tickets: 71 },
  byDay: [
    { day: '2026-11-01', tickets: 28 },
    { day: '2026-11-02', tickets: 45 },
  ],
  byChannel: [breakdown('phone', 902, 1260, 861, 830), breakdown('wechat', 214, 1260, 190, 150), breakdown('app', 144, 1260, 133, 122)],
  byType: [breakdown('complaint', 611, 1260, 577, 540), breakdown('help', 402, 1260, 380, 351), breakdown('consultation', 247, 1260, 227, 211)],
  byTopicMajor: [breakdown('05', 233, 1260, 208, 199), breakdown('04', 190, 1260, 201, 180)],
  byTopic: [breakdown('050201', 96, 1260, 71, 80), breakdown('040401', 88, 1260, 90, 85)],
  byRegion: [breakdown('410702', 301, 1260, 288, 270), breakdown('410711', 215, 1260, 203, 198)],
  businessEnvironment: {
    volume: volume(64, 58, 51),
    dailyAverage: volume(2.13, 1.87, 1.7),
    directAnswerShare: rate(12, 64, 0.21, 0.2),
    dispatchShare: rate(52, 64, 0.76, 0.78),
    completionRate: rate(49, 52, 0.92, 0.9),
    onTimeCompletionRate: rate(47, 49, 0.94, 0.93),
    satisfactionRate: rate(41, 45, 0.88, 0.86),
    callbackRate: rate(45, 49, 0.9, 0.87),
    share: rate(64, 1260, 0.049, 0.046),
  },
};

const component = (numerator: number, denominator: number) => ({ numerator, denominator, value: Number((numerator / denominator).toFixed(4)) });
const ranked = (id: string, name: string, tickets: number, score: number, rank: number, rankFromBottom: number) => ({
  id,
  name,
  tickets,
  components: {
    signOffRate: component(tickets, tickets),
    onTimeRate: component(tickets - 2, tickets),
    satisfactionRate: component(tickets - 4, tickets - 1),
    returnRate: component(1, tickets),
    rehandleRate: component(0, tickets),
  },
  score,
  rank,
  rankFromBottom,
});
const weights = DEFAULT_POLICY.kpi.ranking.weights;
const unitRanking = {
  level: 'unit',
  period: NOVEMBER,
  weights,
  groupThreshold: 10,
  listSize: 5,
  large: {
    entries: [ranked('hongqi', '红旗区人民政府', 118, 93.41, 1, 2), ranked('xx-urban', '市城市管理局', 86, 90.12, 2, 1)],
    redList: ['hongqi'],
    blackList: ['xx-urban'],
  },
  small: { entries: [ranked('xx-postal', '市邮政管理局', 7, 96.5, 1, 1)], redList: ['xx-postal'], blackList: [] },
  unranked: [
    {
      id: 'xx-heating',
      name: '新乡市热力公司',
      tickets: 0,
      components: { signOffRate: component(0, 1), onTimeRate: component(0, 1), satisfactionRate: component(0, 1), returnRate: component(0, 1), rehandleRate: component(0, 1) },
      score: null,
    },
  ],
};
const countyRanking = {
  ...unitRanking,
  level: 'county',
  large: { entries: [ranked('410702', '红旗区', 301, 92.8, 1, 2), ranked('410711', '牧野区', 215, 89.9, 2, 1)], redList: ['410702'], blackList: ['410711'] },
  small: { entries: [], redList: [], blackList: [] },
  unranked: [],
};
const interviews = {
  month: '2026-11',
  level: 'unit',
  months: ['2026-09', '2026-10', '2026-11'],
  bottom: 3,
  cases: [
    {
      id: 'xx-urban',
      name: '市城市管理局',
      positions: [
        { month: '2026-09', group: 'large', rankFromBottom: 2, score: 88.7 },
        { month: '2026-10', group: 'large', rankFromBottom: 1, score: 87.9 },
        { month: '2026-11', group: 'large', rankFromBottom: 1, score: 90.12 },
      ],
    },
  ],
};
const hotspots = {
  period: period('2026-11-30', '2026-11-30', 1, '2026-11-29T16:00:00.000Z', '2026-11-30T16:00:00.000Z'),
  baseline: period('2026-11-02', '2026-11-29', 28, '2026-11-01T16:00:00.000Z', '2026-11-29T16:00:00.000Z'),
  policy: { baselineDays: 28, zThreshold: 3, minCount: 5 },
  topics: [{ key: '050201', count: 14, expected: 3.2, z: 6.04, pValue: 0.00001, method: 'poisson' }],
  regions: [{ key: '410702', count: 19, expected: 9.8, z: 3.1, pValue: 0.0021, method: 'z-score' }],
  placeClusters: [
    {
      regionCode: '410702',
      topic: '050201',
      address: '新乡市红旗区平原路与新中大道交叉口',
      center: { lat: 35.3029, lng: 113.9268 },
      tickets: 6,
      firstAt: '2026-11-30T14:02:00.000Z',
      lastAt: '2026-11-30T15:40:00.000Z',
      ticketIds: ['12345-20261130-000311', '12345-20261130-000318'],
    },
  ],
  repeatCallers: [
    {
      phone: '138****2345',
      tickets: 3,
      topics: ['050201'],
      firstAt: '2026-11-30T14:02:00.000Z',
      lastAt: '2026-11-30T15:10:00.000Z',
      ticketIds: ['12345-20261130-000311', '12345-20261130-000315'],
    },
  ],
};
const notableTicket = {
  id: '12345-20261118-000203',
  receivedAt: '2026-11-18T02:10:00.000Z',
  dueBy: '2026-11-25T15:59:59.999Z',
  repliedAt: null,
  unitId: 'xx-urban',
  topic: '050201',
  regionCode: '410711',
  status: 'handling',
  satisfaction: null,
  rehandleCount: 0,
  escalated: false,
};
const reportSummary = {
  id: 'month-2026-11-01',
  period: 'month',
  start: '2026-11-01',
  range: NOVEMBER,
  generatedAt: '2026-12-01T00:30:04.512Z',
  policyVersion: 1,
};
const report = {
  ...reportSummary,
  overview,
  rankings: { basis: 'month', unit: unitRanking, county: countyRanking },
  interviews,
  hotspots,
  notable: { overdue: { total: 1, tickets: [notableTicket] }, escalated: { total: 0, tickets: [] }, dissatisfied: { total: 0, tickets: [] } },
};

const reportHtml =
  '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>12345 政务服务便民热线 月报 2026-11-01 – 2026-11-30</title></head>\n<body><h1>12345 政务服务便民热线 月报 2026-11-01 – 2026-11-30</h1>…</body></html>\n';

const importJob = {
  id: 'imp_01JEXAMPLE7Q2',
  status: 'done',
  format: 'ndjson',
  charset: 'UTF-8',
  rowsDone: 2,
  imported: 1,
  alreadyPresent: 0,
  rejected: 1,
  rejections: [{ line: 2, field: 'unitId', message: "is required for a ticket in status 'dispatched'" }],
  failure: null,
  createdAt: '2026-12-03T02:00:00.000Z',
  updatedAt: '2026-12-03T02:00:01.300Z',
  finishedAt: '2026-12-03T02:00:01.300Z',
};
const importLine = {
  id: '12345-20191104-000118',
  channel: 'phone',
  receivedAt: '2019-11-04T01:32:00.000Z',
  content: '牧野区花园街道某小区自11月3日起停水，至今未恢复供水，居民生活困难。',
  address: '新乡市牧野区花园街道',
  regionCode: '410711',
  type: 'help',
  topic: '040101',
  category: 'C',
  status: 'closed',
  unitId: 'xx-water',
  dispatchedAt: '2019-11-04T01:50:00.000Z',
  repliedAt: '2019-11-05T07:20:00.000Z',
  closedAt: '2019-11-06T02:00:00.000Z',
};

/** The policy an installation starts with: the example of reading and replacing it. */
const policy = DEFAULT_POLICY;
const calendar = {
  packageYears: [2024, 2025, 2026],
  overrides: [
    { date: '2027-01-01', kind: 'holiday', name: '元旦' },
    { date: '2027-02-07', kind: 'workday', name: '春节调休上班' },
  ],
};

const unit = { id: 'hongqi-xijie', name: '红旗区西街街道办事处', level: 'township', parentId: 'hongqi', regionCode: '410702', webhookUrl: 'https://hongqi.example.gov.cn/12345/webhook' };
const apiKey = { id: 'key_2b9e44d1', name: '红旗区人民政府 工单系统', role: 'unit', unitId: UNIT, createdAt: '2026-11-20T01:00:00.000Z', revokedAt: null };
const model = {
  id: 'model-20261201-0300',
  status: 'promoted',
  requestedBy: 'key_admin01',
  createdAt: '2026-12-01T03:00:00.000Z',
  finishedAt: '2026-12-01T03:04:12.000Z',
  promotedAt: '2026-12-01T03:04:12.000Z',
  trainingCases: 18240,
  metrics: { topicAccuracy: 0.87, categoryAccuracy: 0.93, typeAccuracy: 0.9 },
  baseline: { topicAccuracy: 0.82, categoryAccuracy: 0.91, typeAccuracy: 0.88 },
  baselineVersion: 'starter',
  inForce: true,
};
const routingRule = { id: 12, topic: '050201', regionCode: '410702', unitId: UNIT, coUnitIds: ['xx-housing'] };
const knowledgeBaseEntry = {
  id: 'kb-heating-start',
  topic: '040401',
  question: '新乡市什么时候开始供暖？',
  patterns: ['供暖|暖气', '什么时候|几号|开始'],
  answer: '新乡市城区集中供暖期为每年11月15日至次年3月15日，具体以市城市管理局通知为准。',
};
const photo = {
  id: 'c4a1e2f0-7b3d-4e8a-9f21-5d6c7b8a9e01',
  stage: 'intake',
  contentType: 'image/jpeg',
  bytes: 248113,
  width: 1280,
  height: 960,
  createdAt: '2026-12-03T01:16:40.000Z',
  url: `/v1/tickets/${TICKET_ID}/photos/c4a1e2f0-7b3d-4e8a-9f21-5d6c7b8a9e01`,
};

export const OPENAPI_EXAMPLES: Record<string, OperationExamples> = {
  // -- tickets --------------------------------------------------------------------------------
  createTicket: {
    body: NEW_TICKET_EXAMPLE,
    response: { ...ticket, status: 'triage', unitId: null, deadlines: { ...Object.fromEntries(Object.keys(deadlines).map((k) => [k, null])) }, policyVersion: null, triageBy: '2026-12-03T01:45:00.000Z', dispatchedAt: null, signedAt: null, events: ticket.events.slice(0, 1), notifications: [] },
  },
  listTickets: { response: { items: [ticketSummary], nextCursor: 'eyJyZWNlaXZlZEF0IjoiMjAyNi0xMi0wM1QwMToxNTowMC4wMDBaIiwiaWQiOiIxMjM0NS0yMDI2MTIwMy0wMDAwNDIifQ' } },
  getTicket: { params: ticketParams, response: ticket },
  triageTicket: {
    params: ticketParams,
    body: TRIAGE_EXAMPLE,
    response: { ...ticket, status: 'dispatched', signedAt: null, events: ticket.events.slice(0, 3) },
  },
  signTicket: { params: ticketParams, response: ticket },
  reportProgress: {
    params: ticketParams,
    body: { note: '已联系施工单位负责人，要求当晚起22时后停止高噪声作业，今晚安排夜间巡查。' },
    response: after('handling', 'progress', unitActor, { note: '已联系施工单位负责人，要求当晚起22时后停止高噪声作业，今晚安排夜间巡查。' }),
  },
  replyToTicket: {
    params: ticketParams,
    body: replied,
    response: after('replied', 'replied', unitActor, { ...replied, onTime: true }, { reply: { ...replied, at: REPLIED, onTime: true }, deadlines: { ...deadlines, callbackBy: '2026-12-08T15:59:59.999Z' } }),
  },
  requestReturn: {
    params: ticketParams,
    body: { reason: '该工地位于卫滨区辖区，不属于红旗区管辖范围。', suggestedUnitId: 'weibin' },
    response: after(
      'return_requested',
      'return_requested',
      unitActor,
      { reason: '该工地位于卫滨区辖区，不属于红旗区管辖范围。', suggestedUnitId: 'weibin' },
      { returnRequest: { unitId: UNIT, reason: '该工地位于卫滨区辖区，不属于红旗区管辖范围。', suggestedUnitId: 'weibin', at: '2026-12-04T03:30:00.000Z' } },
    ),
  },
  requestExtension: {
    params: ticketParams,
    body: { workingDays: 5, reason: '需会同住建部门调取施工许可并约谈建设单位，时间较长。' },
    response: after(
      'handling',
      'extension_requested',
      unitActor,
      { workingDays: 5, reason: '需会同住建部门调取施工许可并约谈建设单位，时间较长。' },
      { extension: { workingDays: 5, reason: '需会同住建部门调取施工许可并约谈建设单位，时间较长。', at: '2026-12-04T03:30:00.000Z', status: 'requested' } },
    ),
  },
  recordCallback: {
    params: ticketParams,
    body: { outcome: 'satisfied', note: '市民表示夜间已无施工噪声，对处理结果满意。' },
    response: after('closed', 'callback', agent, { outcome: 'satisfied', note: '市民表示夜间已无施工噪声，对处理结果满意。' }, { satisfaction: 'satisfied', reply: { ...replied, at: REPLIED, onTime: true }, closedAt: '2026-12-04T03:30:00.000Z' }),
  },
  rehandleTicket: {
    params: ticketParams,
    body: { note: '市民反映回复后工地仍在夜间施工，请重新办理。' },
    response: after('dispatched', 'rehandled', { role: 'supervisor', id: 'key_9a0c55e2' }, { note: '市民反映回复后工地仍在夜间施工，请重新办理。' }, { rehandleCount: 1, signedAt: null }),
  },
  finalizeTicket: {
    params: ticketParams,
    body: { reason: '经核实已依法处理到位，市民诉求超出政策规定，按规定办结。' },
    response: after('closed', 'finalized', { role: 'supervisor', id: 'key_9a0c55e2' }, { reason: '经核实已依法处理到位，市民诉求超出政策规定，按规定办结。' }, { closeReason: '经核实已依法处理到位，市民诉求超出政策规定，按规定办结。', closedAt: '2026-12-04T03:30:00.000Z' }),
  },
  decideReturn: {
    params: ticketParams,
    body: { approve: true, unitId: 'weibin', note: '经核实属卫滨区辖区，改派卫滨区人民政府。' },
    response: after('dispatched', 'return_approved', { role: 'supervisor', id: 'key_9a0c55e2' }, { approve: true, unitId: 'weibin', note: '经核实属卫滨区辖区，改派卫滨区人民政府。' }, { unitId: 'weibin', returnCount: 1, signedAt: null }),
  },
  decideExtension: {
    params: ticketParams,
    body: { approve: true, note: '同意延期5个工作日。' },
    response: after(
      'handling',
      'extension_approved',
      { role: 'supervisor', id: 'key_9a0c55e2' },
      { approve: true, note: '同意延期5个工作日。' },
      { extension: { workingDays: 5, reason: '需会同住建部门调取施工许可并约谈建设单位，时间较长。', at: '2026-12-04T03:30:00.000Z', status: 'approved' }, deadlines: { ...deadlines, dueBy: '2026-12-17T15:59:59.999Z' } },
    ),
  },
  urgeUnit: {
    params: ticketParams,
    body: { note: '该工单临近办理时限，请抓紧办理并及时回复。' },
    response: after('handling', 'urged', { role: 'supervisor', id: 'key_9a0c55e2' }, { note: '该工单临近办理时限，请抓紧办理并及时回复。' }, { urgeCount: 1 }),
  },
  mergeTicket: {
    params: { id: OTHER_TICKET_ID },
    body: { intoTicketId: TICKET_ID },
    response: { ...after('merged', 'merged', agent, { intoTicketId: TICKET_ID }, { mergedInto: TICKET_ID }), id: OTHER_TICKET_ID },
  },

  // -- photos ---------------------------------------------------------------------------------
  uploadPhoto: { params: ticketParams, response: photo },
  listPhotos: { params: ticketParams, response: { items: [photo] } },
  addPhotoByUrl: {
    params: ticketParams,
    body: { url: 'https://wx.example.gov.cn/media/2026/12/03/noise-site.jpg', stage: 'intake' },
    response: { ...photo, id: '0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e', url: `/v1/tickets/${TICKET_ID}/photos/0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e` },
  },
  getPhoto: { params: { id: TICKET_ID, photoId: photo.id } },

  // -- the citizen's lookup ---------------------------------------------------------------------
  lookupTicketStatus: {
    body: { ticketId: TICKET_ID, phoneLast4: '2345' },
    response: {
      id: TICKET_ID,
      status: 'handling',
      open: true,
      statusNote: '承办单位已签收，正在办理',
      topic: '建筑施工噪声',
      receivedAt: RECEIVED,
      updatedAt: SIGNED,
      dueBy: deadlines.dueBy,
      unit: '红旗区人民政府',
      notes: [{ at: SIGNED, note: '承办单位已签收' }],
      reply: null,
    },
  },

  // -- queues and the calendar --------------------------------------------------------------------
  getSupervisionQueue: {
    response: {
      notices: [{ code: 'calendar_next_year_missing', message: '2027 年的工作日安排尚未导入：请导入国务院办公厅节假日安排通知' }],
      nearDue: [{ ...ticketSummary, nearDue: true }],
      overdue: [],
      returnRequests: [],
      extensionRequests: [],
      dissatisfied: [],
      escalated: [],
      repeats: [],
      repeatClusters: [{ ticketId: TICKET_ID, repeatIds: [OTHER_TICKET_ID], topic: '050201', location: { lat: 35.3029, lng: 113.9268 } }],
      triage: [],
      refusedSteps: [],
      failedNotifications: [],
    },
  },
  getTriageQueue: { response: { items: [{ ...ticketSummary, status: 'triage', unitId: null, dispatchedAt: null, signedAt: null, policyVersion: null, deadlines: { signBy: null, dueBy: null, nearDueAt: null, returnBy: null, callbackBy: null } }] } },
  getDueTime: { response: { from: RECEIVED, amount: 5, unit: 'workingDays', due: '2026-12-10T15:59:59.999Z' } },
  getPolicy: { response: { version: 1, policy } },
  replacePolicy: { body: policy, response: { version: 2, policy } },
  getCalendar: { response: calendar },
  loadCalendarOverrides: { body: { overrides: calendar.overrides }, response: calendar },
  deleteCalendarOverride: { params: { date: '2027-02-07' }, response: calendar.overrides[1] },

  // -- notifications and webhooks -----------------------------------------------------------------
  listNotifications: { response: { items: [notification] } },
  redeliverNotification: { params: { notificationId: notification.id }, response: { ...notification, status: 'pending', redeliveries: 1 } },
  issueWebhookSecret: {
    params: { unitId: UNIT },
    body: { overlapSeconds: 86400 },
    response: {
      unitId: UNIT,
      secretId: 'whs_3',
      secret: 'whsec_4f1c9b0e8a7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b',
      createdAt: '2026-12-03T02:00:00.000Z',
      previousValidUntil: '2026-12-04T02:00:00.000Z',
      signatureToleranceSeconds: 300,
    },
  },
  getWebhookSecretStatus: {
    params: { unitId: UNIT },
    response: {
      unitId: UNIT,
      secrets: [
        { secretId: 'whs_3', createdAt: '2026-12-03T02:00:00.000Z', validUntil: null },
        { secretId: 'whs_2', createdAt: '2026-09-01T02:00:00.000Z', validUntil: '2026-12-04T02:00:00.000Z' },
      ],
    },
  },

  // -- administration -------------------------------------------------------------------------------
  createUnit: { body: { id: unit.id, name: unit.name, level: 'township', parentId: 'hongqi', regionCode: '410702', webhookUrl: unit.webhookUrl }, response: unit },
  listUnits: { response: { items: [{ id: UNIT, name: '红旗区人民政府', level: 'county', parentId: 'xx-gov', regionCode: '410702', webhookUrl: null }, unit] } },
  getUnit: { params: { unitId: unit.id }, response: unit },
  updateUnit: { params: { unitId: unit.id }, body: { webhookUrl: 'https://hongqi.example.gov.cn/12345/webhook/v2' }, response: { ...unit, webhookUrl: 'https://hongqi.example.gov.cn/12345/webhook/v2' } },
  createApiKey: {
    body: { name: apiKey.name, role: 'unit', unitId: UNIT },
    response: { id: apiKey.id, key: 'hk_2b9e44d1_Qm9vdHN0cmFwLWV4YW1wbGUta2V5LW5vdC1yZWFs', role: 'unit', unitId: UNIT },
  },
  listApiKeys: { response: { items: [apiKey] } },
  revokeApiKey: { params: { keyId: apiKey.id }, response: { ...apiKey, revokedAt: '2026-12-03T02:10:00.000Z' } },
  listAdminAudit: {
    response: {
      items: [
        {
          id: 311,
          at: '2026-12-03T02:00:00.000Z',
          actor: { keyId: 'key_admin01', name: '市热线办 系统管理员', role: 'admin' },
          action: 'create',
          entityType: 'unit',
          entityId: unit.id,
          before: null,
          after: unit,
          requestId: '3f1e2d4c-5b6a-4798-8a1b-2c3d4e5f6a7b',
          idempotencyKey: 'create-unit-hongqi-xijie',
        },
      ],
      nextCursor: null,
    },
  },
  listTopics: { response: { items: [{ code: '05', name: '生态环境', parentCode: null }, { code: '0502', name: '噪声污染', parentCode: '05' }, { code: '050201', name: '建筑施工噪声', parentCode: '0502' }] } },
  createTopic: { body: { code: '050299', name: '其他噪声' }, response: { code: '050299', name: '其他噪声', parentCode: '0502' } },
  listRoutingRules: { response: { items: [routingRule] } },
  createRoutingRule: { body: { topic: '050201', regionCode: '410702', unitId: UNIT, coUnitIds: ['xx-housing'] }, response: routingRule },
  replaceRoutingRule: { params: { ruleId: 12 }, body: { topic: '050201', regionCode: '410702', unitId: UNIT, coUnitIds: [] }, response: { ...routingRule, coUnitIds: [] } },
  deleteRoutingRule: { params: { ruleId: 12 }, response: routingRule },
  listKnowledgeBaseEntries: { response: { items: [knowledgeBaseEntry] } },
  createKnowledgeBaseEntry: { body: knowledgeBaseEntry, response: knowledgeBaseEntry },
  replaceKnowledgeBaseEntry: {
    params: { entryId: knowledgeBaseEntry.id },
    body: { topic: knowledgeBaseEntry.topic, question: knowledgeBaseEntry.question, patterns: knowledgeBaseEntry.patterns, answer: '新乡市城区集中供暖期为每年11月15日至次年3月15日；遇极端天气可提前或延长，以市城市管理局通知为准。' },
    response: { ...knowledgeBaseEntry, answer: '新乡市城区集中供暖期为每年11月15日至次年3月15日；遇极端天气可提前或延长，以市城市管理局通知为准。' },
  },
  deleteKnowledgeBaseEntry: { params: { entryId: knowledgeBaseEntry.id }, response: knowledgeBaseEntry },

  // -- the classifier -----------------------------------------------------------------------------
  classifyText: {
    body: { content: NEW_TICKET_EXAMPLE.content, address: NEW_TICKET_EXAMPLE.address },
    response: {
      classification: { type: 'complaint', topic: '050201', category: 'C' },
      confidence: { type: 0.91, topic: 0.88, category: 0.93, region: 1, route: 0.88, dispatch: 0.82 },
      regionCode: '410702',
      outOfScope: { value: false },
      modelVersion: 'model-20261201-0300',
      route: { unitId: UNIT, coUnitIds: [] },
      topicName: '建筑施工噪声',
      evidence: { topic: ['工地', '施工', '噪音'], type: ['影响休息', '请尽快处理'], region: ['红旗区'] },
    },
  },
  trainClassifier: { response: { ...model, id: 'model-20261203-0210', status: 'training', createdAt: '2026-12-03T02:10:00.000Z', finishedAt: null, promotedAt: null, trainingCases: null, metrics: null, baseline: null, baselineVersion: null, inForce: false } },
  listClassifierModels: { response: { items: [model], inForce: model.id } },

  // -- analytics and reports ------------------------------------------------------------------------
  getAnalyticsOverview: { response: overview },
  getRankings: { response: { ...unitRanking, month: '2026-11' } },
  getInterviews: { response: interviews },
  getHotspots: { response: hotspots },
  listReports: { response: { items: [reportSummary], nextCursor: null } },
  createReport: { body: { period: 'month', start: '2026-11-01' }, response: report },
  getReport: { params: { id: report.id }, response: report },
  getReportCsv: {
    params: { id: report.id },
    response:
      '\uFEFFsection,key,name,figure,value,value_unit,numerator,denominator,month_on_month_change,year_on_year_change,month_on_month_pp,year_on_year_pp\r\n' +
      'report,month-2026-11-01,,period,2026-11-01/2026-11-30,date_range,,,,,,\r\n' +
      'overview,,,volume,1260,tickets,,,0.0642,0.1434,,\r\n' +
      'by_topic,050201,建筑施工噪声,tickets,96,tickets,96,1260,0.3521,0.2,,\r\n',
  },
  createReportLink: { params: { id: report.id }, response: { url: '/v1/reports/month-2026-11-01/view?token=1764729900.q0cU3l0n9b6x', expiresAt: '2026-12-03T02:25:00.000Z' } },
  viewReport: { params: { id: report.id }, response: reportHtml },

  // -- the historical import --------------------------------------------------------------------------
  importTickets: {
    // the second line is dispatched to no unit: rejected, naming the field
    body: `${JSON.stringify(importLine)}\n${JSON.stringify({ ...importLine, id: '12345-20191104-000119', status: 'dispatched', unitId: undefined, repliedAt: undefined, closedAt: undefined })}\n`,
    otherBodies: {
      'text/csv':
        'id,channel,receivedAt,content,address,regionCode,type,topic,category,status,unitId,dispatchedAt,repliedAt,closedAt\n' +
        '12345-20191104-000118,phone,2019-11-04T01:32:00.000Z,"牧野区花园街道某小区自11月3日起停水，至今未恢复供水，居民生活困难。",新乡市牧野区花园街道,410711,help,040101,C,closed,xx-water,2019-11-04T01:50:00.000Z,2019-11-05T07:20:00.000Z,2019-11-06T02:00:00.000Z\n',
    },
    response: { jobId: importJob.id, charset: 'UTF-8', charsetDetected: false, rows: 2, imported: 1, alreadyPresent: 0, rejected: 1, rejections: importJob.rejections, rejectionsTruncated: false },
    alsoResponds: { 202: { ...importJob, status: 'running', rowsDone: 0, imported: 0, rejected: 0, rejections: [], updatedAt: importJob.createdAt, finishedAt: null } },
  },
  listImportJobs: { response: { items: [importJob], nextCursor: null } },
  getImportJob: { params: { id: importJob.id }, response: importJob },
};

type MediaObject = { schema?: unknown; example?: unknown };
type OperationObject = {
  operationId?: string;
  parameters?: { in: string; name: string; example?: unknown }[];
  requestBody?: { content: Record<string, MediaObject> };
  responses?: Record<string, { content?: Record<string, MediaObject> }>;
};

/**
 * Writes the examples into a generated OpenAPI document: the request body's (on its first media
 * type), the path parameters', and the success responses' (the lowest 2xx on its first media
 * type, the others by status). An example the endpoint declared itself is kept; an example for an
 * operation the document does not have is a mistake, and throws.
 */
export function addExamples(document: { paths?: object }, examples: Record<string, OperationExamples> = OPENAPI_EXAMPLES): void {
  const used = new Set<string>();
  for (const methods of Object.values(document.paths ?? {}) as Record<string, OperationObject>[]) {
    for (const op of Object.values(methods)) {
      const ex = op.operationId ? examples[op.operationId] : undefined;
      if (!ex) continue;
      used.add(op.operationId!);
      const first = (content: Record<string, MediaObject> | undefined) => (content ? Object.values(content)[0] : undefined);
      const body = first(op.requestBody?.content);
      if (body && ex.body !== undefined) body.example ??= ex.body;
      for (const [type, example] of Object.entries(ex.otherBodies ?? {})) {
        const media = op.requestBody?.content[type];
        if (!media) throw new Error(`an example of ${op.operationId}'s ${type} body, which it does not read`);
        media.example ??= example;
      }
      for (const p of op.parameters ?? []) if (p.in === 'path' && ex.params?.[p.name] !== undefined) p.example ??= ex.params[p.name];
      const success = Object.keys(op.responses ?? {})
        .filter((s) => /^2\d\d$/.test(s))
        .sort();
      const main = first(op.responses?.[success[0]!]?.content);
      if (main && ex.response !== undefined) main.example ??= ex.response;
      for (const [status, example] of Object.entries(ex.alsoResponds ?? {})) {
        const media = first(op.responses?.[status]?.content);
        if (!media) throw new Error(`an example of ${op.operationId}'s ${status}, which it does not answer`);
        media.example ??= example;
      }
    }
  }
  const unknown = Object.keys(examples).filter((id) => !used.has(id));
  if (unknown.length) throw new Error(`examples for operations the API does not have: ${unknown.join(', ')}`);
}
