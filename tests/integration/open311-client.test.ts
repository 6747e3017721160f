/**
 * An Open311 client library from the registry, unchanged, against this server: `georeport`
 * (PyPI, a GeoReport v2 wrapper over `requests` and `xmltodict`) reads the services, a service
 * definition and a request's status in JSON and XML while the ticket goes from created to closed.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type TestSystem } from '../setup/system';

const run = promisify(execFile);
const SCRIPT = path.join(__dirname, 'open311-client.py');
const INSTALL_HINT = 'the georeport client is not installed: run `python3 -m pip install georeport==0.3.1` (.ci/run does)';

let sys: TestSystem;
let agent: string;
let unitId: string;
let unitKey: string;

beforeAll(async () => {
  sys = await startSystem();
  agent = await sys.key('agent');
  unitId = await sys.unit('红旗区城管局');
  unitKey = await sys.key('unit', unitId);
});
afterAll(async () => {
  await sys?.stop();
});

async function client(command: 'create' | 'status', arg: string) {
  try {
    const { stdout } = await run('python3', [SCRIPT, `${sys.baseUrl}/open311/v2`, 'xinxiang.12345', command, arg], { timeout: 30_000 });
    return JSON.parse(stdout);
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? err);
    throw new Error(stderr.includes("No module named 'georeport'") ? INSTALL_HINT : stderr);
  }
}

describe('the georeport client library (PyPI)', () => {
  it('reads services and a definition, creates a request, and follows it from open to closed', async () => {
    const created = await client('create', agent);
    expect(created.services).toBeGreaterThan(50);
    expect(created.servicesXml).toBe(created.services);
    expect(created.light).toMatchObject({ service_code: '030102', service_name: '路灯', group: '城市管理' });
    expect(created.definitionCodes).toEqual(['scope', 'since']);
    expect(created.definitionXmlCode).toBe('040101');
    const id = created.created[0].service_request_id as string;
    expect(id).toMatch(/^12345-/);

    const open = await client('status', id);
    expect(open.json).toMatchObject({ service_request_id: id, status: 'open', address: '红旗区劳动路人民公园东门', lat: 35.2981, long: 113.8702 });
    expect(open.xml).toMatchObject({ service_request_id: id, status: 'open', lat: '35.2981', long: '113.8702' });
    expect(JSON.stringify(open)).not.toContain('13700001234');

    // an app's request may be auto-dispatched on the classifier's proposal, or wait for the agent
    const received = await sys.call('GET', `/v1/tickets/${id}`, { key: agent });
    let handler = { key: unitKey, name: '红旗区城管局' };
    if (received.body.status === 'triage') {
      expect((await sys.call('POST', `/v1/tickets/${id}/triage`, { key: agent, body: { disposition: { action: 'dispatch', unitId } } })).status).toBe(200);
    } else {
      const [unit] = await sys.database.sql`select name from units where id = ${received.body.unitId}`;
      handler = { key: await sys.key('unit', received.body.unitId), name: unit!.name as string };
    }
    expect((await sys.call('POST', `/v1/tickets/${id}/sign`, { key: handler.key })).status).toBe(200);
    expect((await sys.call('POST', `/v1/tickets/${id}/reply`, { key: handler.key, body: { result: 'resolved', reply: '已修复东门路灯' } })).status).toBe(200);
    expect((await sys.call('POST', `/v1/tickets/${id}/callback`, { key: agent, body: { outcome: 'satisfied' } })).status).toBe(200);

    const closed = await client('status', id);
    expect(closed.json).toMatchObject({ status: 'closed', agency_responsible: handler.name, status_notes: '已办结：已修复东门路灯' });
    expect(closed.xml).toMatchObject({ status: 'closed', agency_responsible: handler.name });
    expect(closed.listed).toEqual([closed.json]);
  });
});
