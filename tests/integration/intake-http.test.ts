/**
 * Classify and route at receipt, over HTTP on real servers with the demo city's units, routing
 * rules and knowledge base: auto-dispatch with no human step, triage when a person must decide,
 * knowledge-base answers, repeats, and routing rules an admin changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tickets } from '../../db/schema';
import { DEFAULT_POLICY } from '../../domain/policy';
import { shanghaiDay } from '../../domain/time';
import { startSystem, type TestSystem } from '../setup/system';
import { eventually } from '../setup/eventually';

let sys: TestSystem;
let agent: string;
let supervisor: string;

beforeAll(async () => {
  sys = await startSystem();
  [agent, supervisor] = await Promise.all([sys.key('agent'), sys.key('supervisor')]);
});
afterAll(async () => {
  await sys?.call('PUT', '/v1/admin/policy', { key: sys.adminKey, body: DEFAULT_POLICY });
  await sys?.stop();
});

const receive = (body: Record<string, unknown>) => sys.call('POST', '/v1/tickets', { key: agent, body });
const types = (t: { events: { type: string }[] }) => t.events.map((e) => e.type);
let phoneSeq = 0;
// a caller of its own for each ticket (the same phone makes a repeat): 186, then the run, then a sequence number
const phoneRun = String(Date.now() % 10000).padStart(4, '0');
const freshPhone = () => `186${phoneRun}${String(phoneSeq++).padStart(4, '0')}`;

describe('auto-dispatch', () => {
  it('a WeChat message is received, classified, routed and dispatched to the right unit with no human step', async () => {
    const res = await receive({
      channel: 'wechat',
      caller: { phone: freshPhone() },
      content: '红旗区向阳小区3号楼从昨天开始停水，到现在还没来水，家里老人孩子没法生活，请尽快处理',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'dispatched',
      unitId: 'xx-water',
      regionCode: '410702',
      classification: { type: 'help', topic: '040101', category: 'B' },
      proposal: { route: { unitId: 'xx-water' }, outOfScope: { value: false } },
    });
    expect(types(res.body)).toEqual(['received', 'proposed', 'classified', 'dispatched']);
    expect(res.body.events[2]).toMatchObject({ actor: { role: 'system' }, data: { source: 'classifier' } });
    // category B: 24 hours to handle
    expect(Date.parse(res.body.deadlines.dueBy) - Date.parse(res.body.dispatchedAt)).toBe(24 * 3600_000);
    const [row] = await sys.database.db.select().from(tickets).where(eq(tickets.id, res.body.id));
    expect(row).toMatchObject({ status: 'dispatched', unitId: 'xx-water', topic: '040101', category: 'B' });
  });

  it('the same message by phone waits in triage with the proposal and a triage limit', async () => {
    const res = await receive({ channel: 'phone', caller: { phone: freshPhone() }, content: '牧野区花园街道路灯坏了好几个，晚上特别黑' });
    expect(res.body).toMatchObject({ status: 'triage', unitId: null, proposal: { classification: { topic: '030102' } } });
    expect(Date.parse(res.body.triageBy) - Date.parse(res.body.receivedAt)).toBe(30 * 60_000);
  });

  it('an out-of-scope emergency is never auto-dispatched', async () => {
    const res = await receive({ channel: 'wechat', caller: { phone: freshPhone() }, content: '楼下饭店着火了，火很大，有人被困在里面！' });
    expect(res.body.status).toBe('triage');
    expect(res.body.proposal.outOfScope).toMatchObject({ value: true, referral: expect.stringContaining('119') });
  });

  it("the agent's classification wins over the proposal, and both stay in the trail", async () => {
    const res = await receive({
      channel: 'phone',
      caller: { phone: freshPhone() },
      content: '红旗区向阳小区停水了',
      classification: { type: 'complaint', topic: '040101', category: 'C' },
      disposition: { action: 'dispatch' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'dispatched', unitId: 'xx-water', classification: { type: 'complaint', category: 'C' } });
    const proposed = res.body.events.find((e: { type: string }) => e.type === 'proposed');
    const classified = res.body.events.find((e: { type: string }) => e.type === 'classified');
    expect(proposed.data.classification).toMatchObject({ type: 'help', category: 'B' });
    expect(classified).toMatchObject({ actor: { role: 'agent' }, data: { type: 'complaint', category: 'C', source: 'agent' } });
  });
});

describe('the classifier for agents', () => {
  it('proposes type, topic, category, region and route, with a knowledge-base answer for a consultation', async () => {
    const res = await sys.call('POST', '/v1/classify', { key: agent, body: { content: '请问社保卡丢了怎么补办？需要带什么材料' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      classification: { type: 'consultation' },
      knowledgeBase: { entryId: 'kb-social-card-replace', answer: expect.any(String) },
      route: { unitId: 'xx-hrss' },
    });
    expect(res.body.confidence.type).toBeGreaterThan(0);
    expect((await sys.call('POST', '/v1/classify', { key: supervisor, body: { content: 'x' } })).status).toBe(403);
    expect((await sys.call('POST', '/v1/classify', { key: agent, body: {} })).body.error.details[0].path).toBe('content');
  });

  it('a consultation the knowledge base answers waits for the agent to answer it directly', async () => {
    const res = await receive({ channel: 'wechat', caller: { phone: freshPhone() }, content: '请问社保卡丢了怎么补办？' });
    expect(res.body).toMatchObject({ status: 'triage', proposal: { knowledgeBase: { entryId: 'kb-social-card-replace' } } });
    const answered = await sys.call('POST', `/v1/tickets/${res.body.id}/triage`, {
      key: agent,
      body: { disposition: { action: 'answer', answer: res.body.proposal.knowledgeBase.answer } },
    });
    expect(answered.body.status).toBe('answered');
  });
});

describe('answered without a classification', () => {
  it("takes the classifier's type, topic and category, in the trail, on the row and in the by-type and by-topic figures", async () => {
    const today = shanghaiDay(new Date());
    const overview = () => sys.call('GET', `/v1/analytics/overview?from=${today}&to=${today}`, { key: supervisor }).then((r) => r.body);
    const count = (breakdown: { key: string | null; tickets: number }[], key: string | null) => breakdown.find((b) => b.key === key)?.tickets ?? 0;
    const before = await overview();

    const res = await receive({
      channel: 'phone',
      caller: { phone: freshPhone() },
      content: '请问社保卡丢了怎么补办？需要带什么材料',
      disposition: { action: 'answer', answer: '携带身份证到社保服务大厅补办' },
    });
    expect(res.status).toBe(201);
    const proposed = res.body.proposal.classification;
    expect(proposed).toMatchObject({ type: 'consultation', topic: expect.any(String), category: expect.any(String) });
    expect(res.body).toMatchObject({ status: 'answered', classification: proposed });
    expect(types(res.body)).toEqual(['received', 'proposed', 'classified', 'answered']);
    expect(res.body.events[2].data).toEqual({ ...proposed, source: 'classifier' });
    const [row] = await sys.database.db.select().from(tickets).where(eq(tickets.id, res.body.id));
    expect(row).toMatchObject({ status: 'answered', type: proposed.type, topic: proposed.topic, category: proposed.category });

    const after = await overview();
    expect(count(after.byType, 'consultation')).toBe(count(before.byType, 'consultation') + 1);
    expect(count(after.byType, null)).toBe(count(before.byType, null));
    expect(count(after.byTopic, proposed.topic)).toBe(count(before.byTopic, proposed.topic) + 1);
  });
});

describe('repeats (反复多发)', () => {
  it('a second report from the same caller is marked a repeat, is not auto-dispatched, and shows in the queue', async () => {
    const phone = freshPhone();
    const first = await receive({ channel: 'wechat', caller: { phone }, content: '红旗区向阳小区停水两天了，一直没来水' });
    expect(first.body.status).toBe('dispatched');
    const second = await receive({ channel: 'wechat', caller: { phone }, content: '红旗区向阳小区还是停水，怎么还没修好' });
    expect(second.body).toMatchObject({ status: 'triage', repeatOf: [first.body.id] });
    expect(types(second.body)).toContain('repeat_detected');
    const queue = await sys.call('GET', '/v1/supervision/queue', { key: supervisor });
    expect(queue.body.repeats.map((t: { id: string }) => t.id)).toContain(second.body.id);
    const merged = await sys.call('POST', `/v1/tickets/${second.body.id}/merge`, { key: agent, body: { intoTicketId: first.body.id } });
    expect(merged.body.status).toBe('merged');
  });

  it('a report about the same address and topic from another caller is a repeat too', async () => {
    const address = `卫滨区胜利路${Date.now() % 1000}号`;
    const first = await receive({ channel: 'phone', caller: { phone: freshPhone() }, content: '路灯不亮', address });
    const second = await receive({ channel: 'phone', caller: { phone: freshPhone() }, content: '这里的路灯坏了', address });
    expect(second.body.repeatOf).toEqual([first.body.id]);
  });

  it('the same problem at the same place in other words is a repeat: the address written differently', async () => {
    const building = 10 + (Date.now() % 80);
    const first = await receive({ channel: 'phone', caller: { phone: freshPhone() }, content: '小区停水一整天了', address: `新乡市红旗区幸福里小区${building}号楼` });
    const second = await receive({
      channel: 'phone',
      caller: { phone: freshPhone() },
      content: '俺们这没水了，一滴都没有',
      address: `幸福里小区 ${building}#楼`,
    });
    expect(second.body.repeatOf).toEqual([first.body.id]);
    const elsewhere = await receive({ channel: 'phone', caller: { phone: freshPhone() }, content: '家里停水了', address: `牧野区花园新村${building}号` });
    expect(elsewhere.body.repeatOf).toEqual([]);
  });

  it('the same problem filed under another middle topic is a repeat; another problem at the same place is not, even under the same topic', async () => {
    const address = `卫滨区健康路${100 + (Date.now() % 800)}号院`;
    const first = await receive({ channel: 'phone', caller: { phone: freshPhone() }, content: '楼下的垃圾站臭气熏天，好几天没清运', address });
    const reworded = await receive({ channel: 'phone', caller: { phone: freshPhone() }, content: '垃圾桶满了往外溢，苍蝇乱飞', address });
    // the classifier puts the two in different middle topics: the place and the meaning link them
    expect(reworded.body.proposal.classification.topic.slice(0, 4)).not.toBe(first.body.proposal.classification.topic.slice(0, 4));
    expect(reworded.body.repeatOf).toEqual([first.body.id]);
    const [row] = await sys.database.db.select().from(tickets).where(eq(tickets.id, reworded.body.id));
    expect(row?.repeatOf).toEqual([first.body.id]);

    const light = await receive({ channel: 'phone', caller: { phone: freshPhone() }, content: '院门口的路灯不亮', address });
    const manhole = await receive({ channel: 'phone', caller: { phone: freshPhone() }, content: '院门口的井盖丢了', address });
    expect(manhole.body.proposal.classification.topic.slice(0, 4)).toBe(light.body.proposal.classification.topic.slice(0, 4));
    expect(manhole.body.repeatOf).toEqual([]);
    expect(types(manhole.body)).not.toContain('repeat_detected');
  });

  it('by its point alone: the same problem under another middle topic 20 m away is a repeat, another problem there is not', async () => {
    // a spot of its own for this run, inside the city
    const here = { lat: 35.2 + (Date.now() % 1000) / 10_000, lng: 113.8 + (Date.now() % 997) / 10_000, crs: 'WGS84' };
    const near = { ...here, lat: here.lat + 20 / 111_320 };
    const first = await receive({ channel: 'phone', caller: { phone: freshPhone() }, content: '垃圾桶满了往外溢，苍蝇乱飞', location: here });
    const reworded = await receive({ channel: 'phone', caller: { phone: freshPhone() }, content: '楼下的垃圾站臭气熏天，好几天没清运', location: near });
    expect(reworded.body.proposal.classification.topic.slice(0, 4)).not.toBe(first.body.proposal.classification.topic.slice(0, 4));
    expect(reworded.body.repeatOf).toEqual([first.body.id]);
    const other = await receive({ channel: 'phone', caller: { phone: freshPhone() }, content: '这儿的路灯晚上不亮', location: near });
    expect(other.body.repeatOf).toEqual([]);
  });

  it('one crossing written two ways is one place', async () => {
    const road = `${100 + (Date.now() % 800)}号路`;
    const first = await receive({ channel: 'phone', caller: { phone: freshPhone() }, content: '路口的红绿灯不亮了', address: `卫滨区${road}与胜利路交叉口` });
    const second = await receive({ channel: 'phone', caller: { phone: freshPhone() }, content: '红绿灯坏了，车乱走', address: `卫滨区胜利路${road}十字路口` });
    expect(second.body.repeatOf).toEqual([first.body.id]);
  });
});

describe('safety first', () => {
  it('a WeChat outage in everyday words is proposed B, never dispatched as C, and recorded with the model that proposed it', async () => {
    const res = await receive({ channel: 'wechat', caller: { phone: freshPhone() }, content: '天然气突然没了，饭做了一半' });
    expect(res.status).toBe(201);
    expect(res.body.proposal).toMatchObject({ classification: { category: 'B' }, modelVersion: 'starter' });
    expect(res.body.category ?? res.body.proposal.classification.category).not.toBe('C');
    const proposed = res.body.events.find((e: { type: string }) => e.type === 'proposed');
    expect(proposed.data).toMatchObject({ modelVersion: 'starter' });
  });

  it("an emergency goes to the top of the agents' triage queue with its referral", async () => {
    const routine = await receive({ channel: 'phone', caller: { phone: freshPhone() }, content: '小区绿化带杂草太多了，好久没人修剪' });
    const emergency = await receive({ channel: 'phone', caller: { phone: freshPhone() }, content: '有人正在我们楼下砸车，好几辆了，还在砸' });
    expect(emergency.body.proposal.outOfScope).toMatchObject({ value: true, kind: 'crime', emergency: true, referral: expect.stringContaining('110') });
    const queue = await sys.call('GET', '/v1/triage/queue', { key: agent });
    expect(queue.status).toBe(200);
    const ids = queue.body.items.map((t: { id: string }) => t.id);
    expect(ids).toContain(routine.body.id);
    // every emergency waiting comes before any other ticket
    const firstRoutine = queue.body.items.findIndex((t: { proposal?: { outOfScope?: { emergency?: boolean } } }) => !t.proposal?.outOfScope?.emergency);
    expect(ids.indexOf(emergency.body.id)).toBeLessThan(firstRoutine === -1 ? Infinity : firstRoutine);
    expect(ids.indexOf(emergency.body.id)).toBeLessThan(ids.indexOf(routine.body.id));
  });
});

describe('the routing table', () => {
  it('an admin rule for a topic and region routes dispatches without a unit there; removing it falls back', async () => {
    const unit = await sys.unit('红旗区供水服务站', '410702');
    const rule = await sys.call('POST', '/v1/admin/routing-rules', {
      key: sys.adminKey,
      body: { topic: '040101', regionCode: '410702', unitId: unit, coUnitIds: ['hongqi'] },
    });
    expect(rule.status).toBe(201);
    try {
      const routed = await receive({ channel: 'phone', content: '红旗区向阳小区停水', disposition: { action: 'dispatch' } });
      expect(routed.body).toMatchObject({ unitId: unit, coUnitIds: ['hongqi'] });
    } finally {
      expect((await sys.call('DELETE', `/v1/admin/routing-rules/${rule.body.id}`, { key: sys.adminKey })).status).toBe(200);
    }
    const fallback = await receive({ channel: 'phone', content: '红旗区向阳小区停水', disposition: { action: 'dispatch' } });
    expect(fallback.body.unitId).toBe('xx-water');
    const bad = await sys.call('POST', '/v1/admin/routing-rules', { key: sys.adminKey, body: { topic: '999999', unitId: unit } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].path).toBe('topic');
  });

  it('a topic and a knowledge-base entry added by an admin are used by the classifier', async () => {
    const topic = await sys.call('POST', '/v1/admin/topics', { key: sys.adminKey, body: { code: '040199', name: '二次供水水箱清洗' } });
    expect(topic.status).toBe(201);
    const entry = await sys.call('POST', '/v1/admin/knowledge-base', {
      key: sys.adminKey,
      body: { topic: '040199', question: '二次供水水箱多久清洗一次', patterns: ['水箱', '清洗|清洁'], answer: '二次供水水箱每半年至少清洗消毒一次。' },
    });
    expect(entry.status).toBe(201);
    const res = await sys.call('POST', '/v1/classify', { key: agent, body: { content: '请问我们小区的水箱多久清洗一次？' } });
    expect(res.body.knowledgeBase).toMatchObject({ entryId: entry.body.id, answer: '二次供水水箱每半年至少清洗消毒一次。' });
  });
});

describe('triage time limit', () => {
  it('a ticket left in triage past its limit shows in the supervision queue', async () => {
    await sys.call('PUT', '/v1/admin/policy', { key: sys.adminKey, body: { ...DEFAULT_POLICY, triage: { amount: 1, unit: 'seconds' } } });
    const res = await receive({ channel: 'phone', caller: { phone: freshPhone() }, content: '咨询一下公积金怎么提取' });
    const inQueue = await eventually(
      'the ticket in the triage queue',
      () => sys.call('GET', '/v1/supervision/queue', { key: supervisor }).then((r) => r.body.triage.map((t: { id: string }) => t.id)),
      (ids: string[]) => ids.includes(res.body.id),
    );
    expect(inQueue).toContain(res.body.id);
  });
});
