/**
 * Every payload the API and the worker write to Temporal is sealed with AES-256-GCM (node:crypto):
 * workflow input and result, activity input and result, update and signal arguments and results,
 * query results, memos, and failure messages (platform/failure-converter.ts moves them into a
 * payload). Temporal's store, its UI and its CLI see ciphertext; the codec server (api/codec.ts)
 * opens it for an admin.
 *
 * A sealed payload keeps the whole original payload (metadata and data) encrypted in `data`, as
 * iv (12 bytes) ‖ ciphertext ‖ GCM tag (16 bytes), with `encoding: binary/encrypted` and the id of
 * the key in `encryption-key-id`; the key id is the additional authenticated data, so a payload
 * cannot be moved under another key's name. Keys rotate: the first key seals, every key listed opens.
 */
import crypto from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { UNSEALED_FIELD } from '../domain/sealed';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

export interface PayloadKey {
  id: string;
  /** 32 bytes */
  key: Buffer;
}

/** The keys of an installation and whether payloads written before it had keys are still accepted. */
export interface PayloadSealing {
  /** newest first: the first seals, all open */
  keys: PayloadKey[];
  /** PAYLOAD_ACCEPT_PLAINTEXT: the migration window for tickets started before the installation had a key */
  acceptPlaintext: boolean;
}

/**
 * What decoding does with a payload it cannot open (unknown key id, tampered ciphertext, or plain
 * while plaintext is not accepted):
 * - `throw`: the API's client; a result it cannot open is an error, never a value
 * - `mark`: the worker; the payload becomes the domain/sealed.ts stand-in, which the workflow refuses,
 *   since a codec error in the worker would fail the workflow task over and over
 * - `keep`: the codec server; the UI shows what it cannot open as it is stored
 */
export type UnopenablePolicy = 'throw' | 'mark' | 'keep';

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** PAYLOAD_ENCRYPTION_KEYS: `id:base64key,id:base64key`, newest first; each key 32 bytes (AES-256). */
export function parsePayloadKeys(text: string, source = 'PAYLOAD_ENCRYPTION_KEYS'): PayloadKey[] {
  const entries = text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error(`${source}: no key given (format: id:base64key[,id:base64key…], newest first)`);
  const keys = entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!KEY_ID.test(id)) throw new Error(`${source}: entry ${i + 1} needs an id of letters, digits, '.', '_' or '-' before ':' (format: id:base64key)`);
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== 32) throw new Error(`${source}: key '${id}' is ${key.length} bytes; AES-256 needs 32 (e.g. \`openssl rand -base64 32\`)`);
    return { id, key };
  });
  const ids = keys.map((k) => k.id);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated) throw new Error(`${source}: key id '${repeated}' is listed twice`);
  return keys;
}

export function formatPayloadKeys(keys: PayloadKey[]): string {
  return keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');
}

/** A fresh key, for the embedded default's key file. */
export function generatePayloadKey(id = `k${new Date().toISOString().slice(0, 10)}`): PayloadKey {
  return { id, key: crypto.randomBytes(32) };
}

export class SealingCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;

  constructor(
    private readonly sealing: PayloadSealing,
    private readonly onUnopenable: UnopenablePolicy,
  ) {
    if (sealing.keys.length === 0) throw new Error('payload sealing needs at least one key');
    this.byId = new Map(sealing.keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => (isSealed(p) ? p : this.seal(p)));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const opened = this.open(p);
      if (typeof opened !== 'string') return opened;
      if (this.onUnopenable === 'keep') return p;
      if (this.onUnopenable === 'throw') throw new PayloadRefused(opened);
      return unsealedStandIn(opened);
    });
  }

  /** The payload opened, or why it cannot be. */
  open(p: Payload): Payload | string {
    if (!isSealed(p)) return this.sealing.acceptPlaintext ? p : 'a plain payload, and PAYLOAD_ACCEPT_PLAINTEXT is off';
    const keyId = text(p.metadata?.[KEY_ID_METADATA]);
    const key = keyId === undefined ? undefined : this.byId.get(keyId);
    if (!key) return `sealed with an unknown key id '${keyId ?? ''}'`;
    const data = p.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) return 'a sealed payload too short to be genuine';
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(keyId!, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    } catch {
      return 'the sealed payload fails its authentication (changed or forged)';
    }
  }

  private seal(p: Payload): Payload {
    const { id, key } = this.sealing.keys[0]!;
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(id, 'utf8'));
    const plain = temporal.api.common.v1.Payload.encode(p).finish();
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(id) },
      data: new Uint8Array(sealed),
    };
  }
}

/** A payload the API's client could not open: configuration (a key missing) or a forgery. */
export class PayloadRefused extends Error {
  constructor(reason: string) {
    super(`payload refused: ${reason}`);
    this.name = 'PayloadRefused';
  }
}

export function isSealed(p: Payload): boolean {
  return text(p.metadata?.encoding) === ENCRYPTED_ENCODING;
}

function text(bytes: Uint8Array | null | undefined): string | undefined {
  return bytes ? Buffer.from(bytes).toString('utf8') : undefined;
}

function unsealedStandIn(reason: string): Payload {
  return { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify({ [UNSEALED_FIELD]: reason })) };
}

/**
 * The data converter of every Temporal client and worker of the hotline (API, worker, schedules,
 * tests, replay, the history recorder): the sealing codec and the failure converter that puts
 * failure messages into sealed payloads.
 */
export function dataConverter(sealing: PayloadSealing, onUnopenable: UnopenablePolicy): DataConverter {
  return { payloadCodecs: [new SealingCodec(sealing, onUnopenable)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/** The workflow bundle must be built with it as well (bundleWorkflowCode's failureConverterPath). */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter.js');
