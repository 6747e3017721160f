/**
 * Citizens' data sealed in Temporal, and no step without the key, on a Temporal dev server of this
 * file's own whose state is a SQLite file the test reads: after a full ticket life over HTTP
 * neither that file nor the fetched history holds the caller's name, phone or the ticket's text in
 * clear; updates sent straight to Temporal with the CLI (not sealed) or with a changed ciphertext
 * are refused, change nothing, fail no workflow task, and the ticket then completes over HTTP.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import { ticketEvents, tickets } from '../../db/schema';
import { UNSEALED_ARGUMENTS } from '../../domain/sealed';
import { ACTOR_NOT_ALLOWED, type TicketState } from '../../domain/lifecycle';
import { dataConverter, generatePayloadKey, SealingCodec } from '../../platform/payload-codec';
import { startDevServer, temporalCliExecutable, type DevServer } from '../../platform/temporal';
import { createLogger } from '../../platform/logger';
import { installTemporalRuntime } from '../../platform/worker';
import { freePort } from '../fault/servers';
import { TEST_SEALING } from '../setup/keys';
import { eventually } from '../setup/eventually';
import { startSystem, type TestSystem } from '../setup/system';
import { signUpdate, stateQuery, urgeUpdate } from '../../workflows/messages';

const EventType = proto.api.enums.v1.EventType;

let dir: string;
let dev: DevServer;
let uiPort: number;
let sys: TestSystem;
let agent: string;
let unit: string;
let unitKey: string;
const CODEC_ENDPOINT = 'http://127.0.0.1:3000/codec';

beforeAll(async () => {
  // before the dev server, the first use of the SDK's runtime in this process
  installTemporalRuntime(createLogger(process.env.TEST_LOG_LEVEL ?? 'error'));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-sealed-'));
  uiPort = await freePort();
  dev = await startDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH, dbFile: path.join(dir, 'temporal.db'), port: await freePort(), uiPort, uiCodecEndpoint: CODEC_ENDPOINT });
  sys = await startSystem({ temporalAddress: dev.address });
  agent = await sys.key('agent');
  unit = await sys.unit('市排水公司');
  unitKey = await sys.key('unit', unit);
});

afterAll(async () => {
  await sys?.stop();
  await dev?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Unique per run, so a match can only come from this run's ticket. */
const stamp = crypto.randomBytes(3).toString('hex');
const caller = { name: `欧阳秀英${stamp}`, phone: `139${String(parseInt(stamp, 16) % 100_000_000).padStart(8, '0')}` };
const content = `幸福路88号楼下污水井冒水已经三天了-${stamp}`;
const reply = `已疏通管道并清理路面-${stamp}`;

async function dispatchedTicket(): Promise<string> {
  const res = await sys.call('POST', '/v1/tickets', {
    key: agent,
    body: {
      channel: 'phone',
      caller,
      content,
      address: '幸福路88号',
      regionCode: '410702',
      classification: { type: 'help', topic: '0301', category: 'C' },
      disposition: { action: 'dispatch', unitId: unit },
    },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** Every file of the dev server's SQLite database (the write-ahead log holds the newest pages). */
function sqliteBytes(): Buffer {
  return Buffer.concat(
    fs
      .readdirSync(dir)
      .filter((f) => f.startsWith('temporal.db'))
      .map((f) => fs.readFileSync(path.join(dir, f))),
  );
}

function clearTexts(bytes: Buffer): string[] {
  return [caller.name, caller.phone, content, reply].filter((clear) => bytes.includes(Buffer.from(clear, 'utf8')));
}

const historyBytes = async (id: string) => Buffer.from(proto.api.history.v1.History.encode(await sys.temporal.workflow.getHandle(id).fetchHistory()).finish());

/** What the workflow task failures and the accepted updates of a ticket's history are. */
async function historyFacts(id: string) {
  const events = (await sys.temporal.workflow.getHandle(id).fetchHistory()).events ?? [];
  return {
    workflowTaskFailures: events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED).length,
    acceptedUpdates: events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED).length,
  };
}

describe("citizens' data is sealed in Temporal's store", () => {
  it('after a full ticket life over HTTP, the SQLite file and the history hold no caller name, phone or ticket text in clear', async () => {
    const id = await dispatchedTicket();
    expect((await sys.call('POST', `/v1/tickets/${id}/sign`, { key: unitKey })).status).toBe(200);
    expect((await sys.call('POST', `/v1/tickets/${id}/progress`, { key: unitKey, body: { note: `已派人到场-${stamp}` } })).status).toBe(200);
    expect((await sys.call('POST', `/v1/tickets/${id}/reply`, { key: unitKey, body: { result: 'resolved', reply } })).status).toBe(200);
    const closed = await sys.call('POST', `/v1/tickets/${id}/callback`, { key: agent, body: { outcome: 'satisfied' } });
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');

    // the data is there, sealed: the installation's own client opens the result
    const result = (await sys.temporal.workflow.getHandle(id).result()) as TicketState;
    expect(result.caller).toEqual(caller);
    expect(result.reply?.reply).toBe(reply);

    const bytes = sqliteBytes();
    // the file is the one the ticket's workflow lives in: its id is stored (ids carry no personal data)
    expect(bytes.includes(Buffer.from(id))).toBe(true);
    expect(clearTexts(bytes)).toEqual([]);
    expect(clearTexts(await historyBytes(id))).toEqual([]);
  });

  it('starts the dev server UI with the codec endpoint', async () => {
    const settings = (await (await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`)).json()) as { Codec: { Endpoint: string } };
    expect(settings.Codec.Endpoint).toBe(CODEC_ENDPOINT);
  });
});

/** `temporal workflow <command>` straight against the dev server, as someone without the key would. */
function cli(command: 'update execute' | 'signal', id: string, name: string, input: unknown): Promise<{ code: number; output: string }> {
  const cliPath = temporalCliExecutable(process.env.TEMPORAL_CLI_PATH);
  if (cliPath.type !== 'existing-path') throw new Error('this test needs the Temporal CLI on PATH or TEMPORAL_CLI_PATH');
  const args = ['workflow', ...command.split(' '), '--address', dev.address, '--workflow-id', id, '--name', name, '--input', JSON.stringify(input)];
  return new Promise((resolve) => {
    execFile(cliPath.path, args, { timeout: 30_000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }));
  });
}
const cliUpdate = (id: string, name: string, input: unknown) => cli('update execute', id, name, input);

describe('no step without the key', () => {
  async function stateOf(id: string) {
    const [row] = await sys.database.db.select().from(tickets).where(eq(tickets.id, id));
    const events = await sys.database.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, id)).orderBy(asc(ticketEvents.seq));
    const workflow = await sys.temporal.workflow.getHandle(id).query(stateQuery);
    return { status: row!.status, events: events.map((e) => e.type), workflowStatus: workflow.status, lastEventSeq: workflow.lastEventSeq };
  }

  it('refuses the forged CLI updates sign, reply and callback; the ticket is unchanged and then completes over HTTP', async () => {
    const id = await dispatchedTicket();
    const before = await stateOf(id);
    const historyBefore = await historyFacts(id);
    expect(before.status).toBe('dispatched');
    const actor = { role: 'unit', unitId: unit, id: 'forged' };
    const forged = [
      await cliUpdate(id, 'sign', { actor }),
      await cliUpdate(id, 'reply', { actor, result: 'resolved', reply: '已处理' }),
      await cliUpdate(id, 'callback', { actor: { role: 'agent', id: 'forged' }, outcome: 'satisfied' }),
    ];
    for (const f of forged) {
      expect(f.code).not.toBe(0);
      // the refusal's message is itself sealed: the CLI shows its type only
      expect(f.output).toContain(`Encoded failure (type: ${UNSEALED_ARGUMENTS}`);
    }
    expect(await stateOf(id)).toEqual(before);
    // none was accepted (only the API's own `persisted` at creation), and no workflow task failed
    expect(await historyFacts(id)).toEqual(historyBefore);
    expect(historyBefore.workflowTaskFailures).toBe(0);

    expect((await sys.call('POST', `/v1/tickets/${id}/sign`, { key: unitKey })).body.status).toBe('handling');
    expect((await sys.call('POST', `/v1/tickets/${id}/reply`, { key: unitKey, body: { result: 'resolved', reply } })).body.status).toBe('replied');
    expect((await sys.call('POST', `/v1/tickets/${id}/callback`, { key: agent, body: { outcome: 'satisfied' } })).body.status).toBe('closed');
    expect((await stateOf(id)).events).toEqual([...before.events, 'signed', 'replied', 'callback', 'closed']);
    expect((await historyFacts(id)).workflowTaskFailures).toBe(0);
  });

  it('ignores a forged signal: the repeat it claims is not merged, and the ticket goes on', async () => {
    const id = await dispatchedTicket();
    const before = await stateOf(id);
    expect((await cli('signal', id, 'mergedIn', { id: 'T-forged', callerPhone: '13900000000' })).code).toBe(0);
    // the workflow took the signal and went down the branch that drops it (its patch marker)
    await eventually(
      'the forged signal handled',
      async () => (await sys.temporal.workflow.getHandle(id).fetchHistory()).events ?? [],
      (events) => events.some((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED),
    );
    expect(await stateOf(id)).toEqual(before);
    expect((await sys.temporal.workflow.getHandle(id).query(stateQuery)).mergedTickets).toEqual([]);
    expect((await historyFacts(id)).workflowTaskFailures).toBe(0);
    expect((await sys.call('POST', `/v1/tickets/${id}/sign`, { key: unitKey })).body.status).toBe('handling');
  });

  /** A client of the installation whose sealed payloads something changes on the way. */
  const tamperingClient = (tamper: PayloadCodec) =>
    new Client({ connection: sys.temporal.connection, namespace: 'default', dataConverter: { ...dataConverter(TEST_SEALING, 'throw'), payloadCodecs: [new SealingCodec(TEST_SEALING, 'throw'), tamper] } });
  const flipLastByte: PayloadCodec = {
    async encode(payloads: Payload[]) {
      return payloads.map((p) => {
        const data = Uint8Array.from(p.data!);
        data[data.length - 1]! ^= 0x01;
        return { ...p, data };
      });
    },
    async decode(payloads: Payload[]) {
      return payloads;
    },
  };

  async function refusedUpdate(client: Client, id: string, args: object): Promise<WorkflowUpdateFailedError> {
    const err = await client.workflow
      .getHandle(id)
      .executeUpdate(signUpdate, { args: [args as never] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    return err as WorkflowUpdateFailedError;
  }

  it('refuses an update whose ciphertext was changed, and one sealed with another installation\'s key; nothing changes', async () => {
    const id = await dispatchedTicket();
    const before = await stateOf(id);
    const historyBefore = await historyFacts(id);
    const actor = { role: 'unit', unitId: unit, id: 'key-of-the-unit' };

    const tampered = await refusedUpdate(tamperingClient(flipLastByte), id, { actor });
    expect((tampered.cause as { type?: string }).type).toBe(UNSEALED_ARGUMENTS);
    expect(tampered.cause?.message).toContain('fails its authentication');

    // seals with a key of its own under this installation's key id; opens the answer with the real keys
    const elsewhere = new Client({
      connection: sys.temporal.connection,
      namespace: 'default',
      dataConverter: dataConverter({ keys: [generatePayloadKey(TEST_SEALING.keys[0]!.id), ...TEST_SEALING.keys], acceptPlaintext: false }, 'throw'),
    });
    const foreign = await refusedUpdate(elsewhere, id, { actor });
    expect((foreign.cause as { type?: string }).type).toBe(UNSEALED_ARGUMENTS);

    expect(await stateOf(id)).toEqual(before);
    expect(await historyFacts(id)).toEqual(historyBefore);
    expect((await sys.call('POST', `/v1/tickets/${id}/sign`, { key: unitKey })).body.status).toBe('handling');
  });

  it('refuses a sealed update whose actor may not take the action: another unit, or a role the action is not for', async () => {
    const id = await dispatchedTicket();
    const before = await stateOf(id);
    const historyBefore = await historyFacts(id);
    const handle = sys.temporal.workflow.getHandle(id);
    const refusedFor = async (actor: object, update = signUpdate as typeof signUpdate | typeof urgeUpdate) => {
      const err = await handle.executeUpdate(update, { args: [{ actor, note: '请加快' } as never] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((err as WorkflowUpdateFailedError).cause as { type?: string }).type).toBe(ACTOR_NOT_ALLOWED);
      return (err as WorkflowUpdateFailedError).cause!.message;
    };
    expect(await refusedFor({ role: 'unit', unitId: 'u-not-this-one', id: 'k' })).toContain("unit 'u-not-this-one' does not hold this ticket");
    expect(await refusedFor({ role: 'supervisor', id: 'k' })).toContain("sign is for the role unit, not 'supervisor'");
    expect(await refusedFor({ role: 'unit', unitId: unit, id: 'k' }, urgeUpdate)).toContain("urge is for the role supervisor, not 'unit'");
    expect(await stateOf(id)).toEqual(before);
    expect(await historyFacts(id)).toEqual(historyBefore);
  });
});
