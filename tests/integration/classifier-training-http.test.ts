/**
 * The classifier learns the city's own words: an admin's training request trains a model from
 * the labelled tickets in Postgres (here imported history about a topic the code knows nothing
 * of), promotes it when it is not worse, and the next proposal comes from it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tickets } from '../../db/schema';
import { eventually } from '../setup/eventually';
import { startSystem, type TestSystem } from '../setup/system';

let sys: TestSystem;

// a database of its own: a promoted model would change the proposals other files expect
beforeAll(async () => {
  sys = await startSystem({ isolated: true });
});
afterAll(async () => {
  await sys?.stop();
});

/** 殡葬服务: a middle topic only this city's history has (no code, no corpus ticket). */
const FUNERAL_HISTORY = [
  '公墓的墓地价格太贵了，一个小墓穴要八万多',
  '殡仪馆火化费用收得不明不白，还强制买骨灰盒',
  '老人去世了，想问问殡葬补贴咋申请',
  '村里有人在耕地里乱埋乱葬，立了好几个坟头',
  '殡仪馆的车接遗体要一千二，合理吗',
  '经营性公墓的管理费每年都涨，说不交就清理墓位',
  '骨灰存放处说到期了要续费，没通知过我们',
  '殡葬服务一条龙乱收费，丧葬用品价格翻了几倍',
  '想给父母买个双穴墓，公墓说要先交全款',
  '医院太平间和殡仪馆勾结，逼家属用指定的殡葬公司',
  '农村公益性公墓建好了一直不开放',
  '丧事在小区里搭灵棚，哀乐放了三天三夜',
  '殡葬补助金交了材料三个月还没发',
  '墓地的碑被人砸了，公墓管理处不管',
  '火化证明丢了，想问问在哪补开',
  '殡仪馆告别厅收费太高，一小时三千',
  '骨灰盒价格从几百到几万，工作人员一直推销贵的',
  '公墓里的路坏了，清明扫墓老人走不了',
  '想问问海葬树葬有补贴吗',
  '有个黑殡葬中介在医院门口拉生意',
  '墓地合同写的二十年，现在说要再交续期费',
  '殡仪馆冷藏遗体一天收八百',
  '祭扫的时候公墓门口停车收费五十',
  '丧葬费领取要单位盖章，单位早就倒闭了',
  '乡里的殡葬改革不让土葬，老人想不通',
  '公墓卖墓穴不给开发票',
  '殡仪馆的服务人员态度很差，家属都很难过还被呵斥',
  '想问问骨灰能不能迁到老家的公墓',
  '小区旁边要建殡仪馆，居民都反对',
  '墓地被重复卖给了两家人',
];

describe('training from Postgres', () => {
  it('a topic that exists only in imported history is proposed after an admin trains and promotes a model', async () => {
    const admin = sys.adminKey;
    const agent = await sys.key('agent');
    expect((await sys.call('POST', '/v1/admin/topics', { key: admin, body: { code: '1602', name: '殡葬服务' } })).status).toBe(201);
    expect((await sys.call('POST', '/v1/admin/topics', { key: admin, body: { code: '160201', name: '殡葬收费与公墓管理' } })).status).toBe(201);
    const receivedAt = new Date('2025-06-01T02:00:00Z');
    await sys.database.db.insert(tickets).values(
      FUNERAL_HISTORY.map((content, i) => ({
        id: `hist-funeral-${i}`,
        channel: 'phone',
        content,
        type: content.includes('想问问') ? 'consultation' : 'help',
        topic: '160201',
        category: 'C',
        status: 'closed',
        receivedAt,
        imported: true,
      })),
    );
    const unseen = '俺爹走了，殡仪馆非让买两万的骨灰盒，不买不给火化';
    const before = await sys.call('POST', '/v1/classify', { key: agent, body: { content: unseen } });
    expect(before.body.modelVersion).toBe('starter');
    expect(before.body.classification.topic.slice(0, 4)).not.toBe('1602');

    const started = await sys.call('POST', '/v1/admin/classifier/train', { key: admin });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'training', requestedBy: expect.stringMatching(/^admin:/) });
    const id: string = started.body.id;

    const listed = await eventually(
      'the model trained and promoted',
      async () => (await sys.call('GET', '/v1/admin/classifier/models', { key: admin })).body,
      (body) => body.items?.some((m: { id: string; status: string }) => m.id === id && m.status !== 'training'),
      { timeoutMs: 240_000, intervalMs: 1000 },
    );
    const model = listed.items.find((m: { id: string }) => m.id === id);
    expect(model).toMatchObject({ status: 'promoted', inForce: true, baselineVersion: 'starter' });
    expect(model.trainingCases).toBeGreaterThan(2000);
    expect(model.metrics.score).toBeGreaterThanOrEqual(model.baseline.score - 0.005);
    expect(listed.inForce).toBe(id);

    const after = await sys.call('POST', '/v1/classify', { key: agent, body: { content: unseen } });
    expect(after.body).toMatchObject({ modelVersion: id, classification: { topic: '160201' } });
  }, 300_000);
});
