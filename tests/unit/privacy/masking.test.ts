/** Masking personal numbers in any text, secrets in the admin audit, and the admin key at start. */
import { describe, expect, it } from 'vitest';
import { REDACTED, REDACTED_CHANGED, redactSecrets } from '../../../db/audit';
import { maskPersonalNumbers, maskSecret } from '../../../domain/privacy';

describe('phone and ID-card numbers in any text', () => {
  it.each([
    ['来电13812345678反映', '来电138****5678反映'],
    ['tel +86 138 1234 5678.', 'tel 861******5678.'],
    ['138-1234-5678', '138****5678'],
    ['座机0373-3012345', '座机037****2345'],
    ['(010)12345678', '010****5678'],
    ['+86-10-12345678', '861*****5678'],
    ['身份证410702199003071234', '身份证410*************34'],
    ['身份证41070219900307123X，', '身份证410*************3X，'],
    ['params: 15,13912345678,红旗区', 'params: 15,139****5678,红旗区'],
  ])('%s', (text, masked) => {
    expect(maskPersonalNumbers(text)).toBe(masked);
  });

  it('leaves ticket numbers, times, epoch milliseconds, SQLSTATEs and long digit runs alone', () => {
    const text = 'ticket 12345-20261202-000001 at 2026-12-02T17:25:00.123Z (1796208932178 ms) 22P05 id 1381234567890 region 410702';
    expect(maskPersonalNumbers(text)).toBe(text);
  });
});

describe('secrets in the admin audit', () => {
  it('are replaced at any depth, and a changed secret says so without its value', () => {
    const before = { id: 'u-1', webhookSecret: 'old-secret', nested: { keyHash: 'abc', token: 't' }, name: '水务' };
    const after = { id: 'u-1', webhookSecret: 'new-secret', nested: { keyHash: 'abc', token: 't' }, name: '水务' };
    expect(redactSecrets(before)).toEqual({ id: 'u-1', webhookSecret: REDACTED, nested: { keyHash: REDACTED, token: REDACTED }, name: '水务' });
    expect(redactSecrets(after, before)).toEqual({ id: 'u-1', webhookSecret: REDACTED_CHANGED, nested: { keyHash: REDACTED, token: REDACTED }, name: '水务' });
    expect(JSON.stringify(redactSecrets(after, before))).not.toMatch(/old-secret|new-secret|abc/);
  });
});

describe('a secret shown', () => {
  it('tells which key it is, never the key', () => {
    const key = 'hk_admin_0123456789abcdefghijklmnopqrstuvwx';
    expect(maskSecret(key)).toBe('hk_adm…uvwx');
    expect(maskSecret('short')).toBe('********');
  });
});
