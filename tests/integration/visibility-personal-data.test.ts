/**
 * What Temporal shows anyone who reaches its frontend or UI without decoding payloads — the
 * workflow id, type, search attributes, memo, user metadata, the visibility record — holds no
 * personal data: after a whole ticket life neither the caller's name and phone nor the content,
 * address or reply is in the description or the list entry of its workflow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../setup/eventually';
import { startSystem, type TestSystem } from '../setup/system';

let sys: TestSystem;
let agent: string;
let unit: string;
let unitKey: string;
beforeAll(async () => {
  sys = await startSystem();
  [agent, unit] = await Promise.all([sys.key('agent'), sys.unit('测试供水公司')]);
  unitKey = await sys.key('unit', unit);
});
afterAll(() => sys?.stop());

/** Every string in `value`, payload bytes read as UTF-8 text, so a value inside a payload is found too. */
function textsOf(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 40 || value === null || value === undefined) return out;
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (Array.isArray(value)) value.forEach((v) => textsOf(v, out, depth + 1));
  else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      textsOf(v, out, depth + 1);
    }
  }
  return out;
}

describe('the visibility record of a ticket workflow', () => {
  it('holds no caller name, phone, content, address or reply after a whole ticket life', async () => {
    const phone = `137${String(Date.now()).slice(-8)}`;
    const personal = { name: '欧阳测试', phone, content: `欧阳家楼道灯坏了一周${phone.slice(-4)}号`, address: '红旗区测试路99号欧阳家', reply: '已为欧阳先生更换灯泡' };
    const created = await sys.call('POST', '/v1/tickets', {
      key: agent,
      body: {
        channel: 'phone',
        caller: { name: personal.name, phone },
        content: personal.content,
        address: personal.address,
        regionCode: '410702',
        classification: { type: 'help', topic: '040101', category: 'C' },
        disposition: { action: 'dispatch', unitId: unit },
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id: string = created.body.id;
    expect(id).toMatch(/^12345-\d{8}-\d{6}$/);
    for (const [path, key, body] of [
      [`/v1/tickets/${id}/sign`, unitKey, undefined],
      [`/v1/tickets/${id}/progress`, unitKey, { note: `已联系${personal.name}` }],
      [`/v1/tickets/${id}/reply`, unitKey, { result: 'resolved', reply: personal.reply }],
      [`/v1/tickets/${id}/callback`, agent, { outcome: 'satisfied', note: `${personal.name}表示满意` }],
    ] as const) {
      const res = await sys.call('POST', path, { key, body });
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    const handle = sys.temporal.workflow.getHandle(id);
    const described = await eventually('the workflow closed', () => handle.describe(), (d) => d.status.name === 'COMPLETED');
    const listed = await eventually(
      'the closed workflow in the visibility store',
      async () => {
        const found = [];
        for await (const wf of sys.temporal.workflow.list({ query: `WorkflowId = '${id}' AND TicketStatus = 'closed'` })) found.push(wf);
        return found;
      },
      (found) => found.length === 1,
    );
    // what visibility shows is there (so the check reads the right record) ...
    expect(described.typedSearchAttributes.getAll().map((p) => p.key.name)).toEqual(
      expect.arrayContaining(['Category', 'Channel', 'DueBy', 'Overdue', 'RegionCode', 'TicketStatus', 'TicketType', 'Topic', 'UnitId']),
    );
    expect(described.memo ?? {}).toEqual({});
    // ... and holds nothing personal, decoded or raw
    const shown = [described, described.raw, listed[0], listed[0]!.raw].flatMap((v) => textsOf(v)).join('\n');
    expect(shown).toContain(id);
    expect(shown).toContain(unit);
    for (const [what, value] of Object.entries(personal)) expect(shown, what).not.toContain(value);
    expect(shown).not.toContain(phone.slice(-8));
    expect(shown).not.toContain('欧阳');
  });
});
