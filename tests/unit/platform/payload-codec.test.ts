import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { isUnsealed } from '../../../domain/sealed';
import {
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  PayloadRefused,
  SealingCodec,
  formatPayloadKeys,
  generatePayloadKey,
  parsePayloadKeys,
} from '../../../platform/payload-codec';
import { loadConfig } from '../../../platform/config';
import { loadTls } from '../../../platform/temporal';
import { CURRENT_TEST_KEY, OLD_TEST_KEY, OLD_TEST_SEALING, TEST_SEALING } from '../../setup/keys';

const ticket = { caller: { name: '张三', phone: '13812345678' }, content: '红旗区向阳小区停水两天了' };
const plain = () => defaultPayloadConverter.toPayload(ticket);
const text = (p: Payload) => Buffer.from(p.data ?? []).toString('utf8');
const meta = (p: Payload, key: string) => Buffer.from(p.metadata?.[key] ?? []).toString('utf8');

describe('the payload codec seals with AES-256-GCM under a key id', () => {
  const codec = new SealingCodec(TEST_SEALING, 'throw');

  it('round-trips a payload, and the sealed one holds nothing of it in clear', async () => {
    const [sealed] = await codec.encode([plain()]);
    expect(meta(sealed!, 'encoding')).toBe(ENCRYPTED_ENCODING);
    expect(meta(sealed!, KEY_ID_METADATA)).toBe(CURRENT_TEST_KEY.id);
    const bytes = Buffer.from(sealed!.data!);
    for (const clear of ['13812345678', '张三', '停水', 'json/plain']) expect(bytes.includes(Buffer.from(clear))).toBe(false);
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(ticket);
  });

  it('seals the same value differently each time (a fresh iv)', async () => {
    const [a, b] = await codec.encode([plain(), plain()]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('refuses a payload whose ciphertext was changed, in every byte position tried', async () => {
    const [sealed] = await codec.encode([plain()]);
    for (const at of [0, 12, 20, sealed!.data!.length - 1]) {
      const data = Uint8Array.from(sealed!.data!);
      data[at]! ^= 0x01;
      await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow(/fails its authentication/);
    }
  });

  it('refuses a payload moved under another key id', async () => {
    const [sealed] = await codec.encode([plain()]);
    const moved = { ...sealed!, metadata: { ...sealed!.metadata, [KEY_ID_METADATA]: Buffer.from(OLD_TEST_KEY.id) } };
    await expect(codec.decode([moved])).rejects.toThrow(/fails its authentication/);
  });

  it('refuses a payload sealed with an unknown key id, and one of another installation', async () => {
    const other = new SealingCodec({ keys: [generatePayloadKey('elsewhere')], acceptPlaintext: false }, 'throw');
    const [foreign] = await other.encode([plain()]);
    await expect(codec.decode([foreign!])).rejects.toThrow(/unknown key id 'elsewhere'/);
    const [sameId] = await new SealingCodec({ keys: [generatePayloadKey(CURRENT_TEST_KEY.id)], acceptPlaintext: false }, 'throw').encode([plain()]);
    await expect(codec.decode([sameId!])).rejects.toThrow(PayloadRefused);
  });

  it('opens what an older key sealed after the rotation, and seals with the newest', async () => {
    const [old] = await new SealingCodec(OLD_TEST_SEALING, 'throw').encode([plain()]);
    expect(meta(old!, KEY_ID_METADATA)).toBe(OLD_TEST_KEY.id);
    const [opened] = await codec.decode([old!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(ticket);
  });

  it('refuses a plain payload, unless the migration switch accepts plaintext', async () => {
    await expect(codec.decode([plain()])).rejects.toThrow(/plain payload, and PAYLOAD_ACCEPT_PLAINTEXT is off/);
    const migrating = new SealingCodec({ ...TEST_SEALING, acceptPlaintext: true }, 'throw');
    const [accepted] = await migrating.decode([plain()]);
    expect(defaultPayloadConverter.fromPayload(accepted!)).toEqual(ticket);
    // and still seals what it writes
    expect(meta((await migrating.encode([plain()]))[0]!, 'encoding')).toBe(ENCRYPTED_ENCODING);
  });

  it("in the worker, turns what it cannot open into the stand-in the workflow refuses, instead of throwing", async () => {
    const worker = new SealingCodec(TEST_SEALING, 'mark');
    const [fromPlain] = await worker.decode([plain()]);
    const value = defaultPayloadConverter.fromPayload(fromPlain!);
    expect(isUnsealed(value)).toBe(true);
    expect(JSON.stringify(value)).not.toContain('13812345678');
  });

  it('in the codec server, keeps what it cannot open as it is', async () => {
    const server = new SealingCodec(TEST_SEALING, 'keep');
    const p = plain();
    expect(await server.decode([p])).toEqual([p]);
  });
});

describe('PAYLOAD_ENCRYPTION_KEYS', () => {
  it('reads id:base64key pairs, newest first, and writes them back the same', () => {
    const text = formatPayloadKeys([CURRENT_TEST_KEY, OLD_TEST_KEY]);
    const config = loadConfig({ PAYLOAD_ENCRYPTION_KEYS: text, PAYLOAD_ACCEPT_PLAINTEXT: 'true' });
    expect(config.payloadKeys!.map((k) => k.id)).toEqual([CURRENT_TEST_KEY.id, OLD_TEST_KEY.id]);
    expect(config.payloadKeys![0]!.key.equals(CURRENT_TEST_KEY.key)).toBe(true);
    expect(config.acceptPlaintextPayloads).toBe(true);
    expect(loadConfig({}).acceptPlaintextPayloads).toBe(false);
    expect(loadConfig({}).payloadKeys).toBeUndefined();
  });

  it('names what is wrong with a bad value', () => {
    expect(() => parsePayloadKeys('nokey')).toThrow(/entry 1 needs an id/);
    expect(() => parsePayloadKeys(`k1:${Buffer.alloc(16).toString('base64')}`)).toThrow(/'k1' is 16 bytes; AES-256 needs 32/);
    const k = Buffer.alloc(32, 1).toString('base64');
    expect(() => parsePayloadKeys(`k1:${k},k1:${k}`)).toThrow(/'k1' is listed twice/);
    expect(() => parsePayloadKeys(' , ')).toThrow(/no key given/);
  });
});

describe('mTLS to Temporal', () => {
  it('reads the client certificate, its key, the CA and the server name when set, and nothing when unset', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-tls-'));
    const file = (name: string) => {
      fs.writeFileSync(path.join(dir, name), `-----BEGIN ${name}-----\n`);
      return path.join(dir, name);
    };
    const config = loadConfig({
      TEMPORAL_TLS_CERT_PATH: file('CERT'),
      TEMPORAL_TLS_KEY_PATH: file('KEY'),
      TEMPORAL_TLS_CA_PATH: file('CA'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    const tls = loadTls(config.temporalTls)!;
    expect(Buffer.from(tls.clientCertPair!.crt).toString()).toContain('CERT');
    expect(Buffer.from(tls.clientCertPair!.key).toString()).toContain('KEY');
    expect(Buffer.from(tls.serverRootCACertificate!).toString()).toContain('CA');
    expect(tls.serverNameOverride).toBe('temporal.internal');
    expect(loadTls(loadConfig({}).temporalTls)).toBeUndefined();
    expect(() => loadConfig({ TEMPORAL_TLS_CERT_PATH: file('CERT') })).toThrow(/set together/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
