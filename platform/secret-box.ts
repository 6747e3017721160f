/**
 * Webhook secrets at rest: the worker must sign with them, so they cannot be hashed like API
 * keys; they are sealed with AES-256-GCM under WEBHOOK_SECRETS_KEY (README → Configuration), so a
 * copy of the database alone does not let anyone forge a notification.
 */
import crypto from 'node:crypto';

const VERSION = 'v1';

export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('WEBHOOK_SECRETS_KEY must be 32 bytes (64 hex digits or 44 base64 characters)');
    this.key = key;
  }

  /** Reads a key written as 64 hex digits or as base64. */
  static fromText(text: string): SecretBox {
    const trimmed = text.trim();
    return new SecretBox(/^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64'));
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, base64url; `context` (e.g. the unit id) is bound in as associated data. */
  seal(plaintext: string, context: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), sealed].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  /** The plaintext; throws when the key is another or the text was changed or moved to another context. */
  open(sealed: string, context: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || data === undefined) throw new Error('not a sealed secret');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }
}
