/** Webhook secrets sealed at rest (platform/secret-box.ts). */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../../platform/secret-box';

const key = crypto.randomBytes(32);

describe('a sealed webhook secret', () => {
  it('opens with the same key for the same unit, and hides the secret', () => {
    const box = new SecretBox(key);
    const sealed = box.seal('whsec_abc123', 'xx-water');
    expect(sealed).not.toContain('abc123');
    expect(sealed).not.toBe(box.seal('whsec_abc123', 'xx-water')); // a fresh nonce each time
    expect(box.open(sealed, 'xx-water')).toBe('whsec_abc123');
    expect(SecretBox.fromText(key.toString('hex')).open(sealed, 'xx-water')).toBe('whsec_abc123');
    expect(SecretBox.fromText(key.toString('base64')).open(sealed, 'xx-water')).toBe('whsec_abc123');
  });

  it('does not open with another key, for another unit, or changed', () => {
    const sealed = new SecretBox(key).seal('whsec_abc123', 'xx-water');
    expect(() => new SecretBox(crypto.randomBytes(32)).open(sealed, 'xx-water')).toThrow();
    expect(() => new SecretBox(key).open(sealed, 'xx-gas')).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('whsec_evil').toString('base64url');
    expect(() => new SecretBox(key).open(parts.join('.'), 'xx-water')).toThrow();
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => SecretBox.fromText('short')).toThrow(/32 bytes/);
  });
});
