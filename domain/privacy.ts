/**
 * Personal data (个人信息, PIPL) on the way out of the system: how a caller's phone, an ID-card
 * number or a secret is masked, and which role sees which personal field in which output
 * (DISCLOSURE, stated once here and in the README). Pure functions, no I/O.
 */

import type { Role } from './ticket';

/** A caller's phone as it may appear anywhere outside the tickets table: 138****5678. Masking a masked phone changes nothing. */
export function maskPhone(phone: string | undefined): string | undefined {
  if (!phone) return phone;
  const digits = phone.replace(/[^\d*]/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length);
  const keepHead = digits.length >= 11 ? 3 : Math.min(3, digits.length - 4);
  return digits.slice(0, keepHead) + '*'.repeat(digits.length - keepHead - 4) + digits.slice(-4);
}

/** A resident ID-card number (居民身份证号): its first 3 and last 2 characters, 410************12X → 410*************2X. */
export function maskIdNumber(id: string): string {
  return id.slice(0, 3) + '*'.repeat(id.length - 5) + id.slice(-2);
}

/**
 * Phone numbers and ID-card numbers written in any text, each bounded by non-digits:
 * - an 18-digit resident ID: region, birth date 18xx–20xx, sequence, check digit (0–9 or X);
 * - a mainland mobile 1[3-9]xxxxxxxxx, also written 138-1234-5678 or 138 1234 5678, optionally after +86 / 86 / 0086;
 * - a landline with its area code: 0xx(x)-xxxxxxx(x), (0xx)xxxxxxxx, or +86 xx(x) xxxxxxx(x).
 * The ID comes first so its digits are not read as a phone.
 */
const PERSONAL_NUMBERS =
  /(?<!\d)(?:([1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx])(?![\dXx])|((?:(?:\+|00)?86[-\s]?)?1[3-9]\d(?:\d{8}|[-\s]\d{4}[-\s]\d{4})|\+86[-\s]?[1-9]\d{1,2}[-\s]?\d{7,8}|\(0\d{2,3}\)\s?\d{7,8}|0\d{2,3}[-\s]?\d{7,8})(?!\d))/g;

/** `text` with every phone and ID-card number in it masked; the rest unchanged. */
export function maskPersonalNumbers(text: string): string {
  // most texts hold no run of 4 digits: skip the full pattern for them
  if (!/\d{4}/.test(text)) return text;
  return text.replace(PERSONAL_NUMBERS, (_m, id: string | undefined, phone: string | undefined) =>
    id ? maskIdNumber(id) : maskPhone(phone!)!,
  );
}

/** A secret (an API key) as it may be shown: enough to tell which one it is, never enough to use it. */
export function maskSecret(secret: string): string {
  if (secret.length < 16) return '*'.repeat(8);
  return `${secret.slice(0, 6)}…${secret.slice(-4)}`;
}

/** A caller's name shown masked: the surname (its first character) and a star for each other, 欧阳测试 → 欧***. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
}

/**
 * Where personal data leaves the API:
 * - `ticket`: a ticket, its trail (merged callers included) and ticket lists, and the result of every action;
 * - `supervisionQueue`: GET /v1/supervision/queue, a working list (open the ticket for the rest);
 * - `analytics`: hot spots (repeat callers, place clusters) and stored reports as JSON, CSV and HTML;
 * - `importJob`: an import's rejected rows and failure (a row's text can be quoted in a message).
 */
export const OUTPUTS = ['ticket', 'supervisionQueue', 'analytics', 'importJob'] as const;
export type Output = (typeof OUTPUTS)[number];
/** `numbersInText`: phone and ID-card numbers written in any text field (content, address, notes, replies, messages). */
export const PERSONAL_FIELDS = ['callerName', 'callerPhone', 'numbersInText'] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];
export type Shown = 'full' | 'masked';

const FULL: Record<PersonalField, Shown> = { callerName: 'full', callerPhone: 'full', numbersInText: 'full' };
const MASKED: Record<PersonalField, Shown> = { callerName: 'masked', callerPhone: 'masked', numbersInText: 'masked' };

/**
 * THE rule: which role sees which personal field in which output (PIPL's "minimum necessary").
 * The hotline center (agents, who call citizens back; supervisors, who settle dissatisfaction;
 * admins) sees a ticket as the citizen gave it. A unit handles the matter, not the person: it sees
 * the caller's name (to address them in its reply) but the phone, and any number in the text,
 * masked; the center calls back. Lists built for work or figures show everything masked, for every role.
 */
export const DISCLOSURE: Record<Output, Record<Role, Record<PersonalField, Shown>>> = {
  ticket: { agent: FULL, supervisor: FULL, admin: FULL, unit: { callerName: 'full', callerPhone: 'masked', numbersInText: 'masked' } },
  supervisionQueue: { agent: MASKED, supervisor: MASKED, admin: MASKED, unit: MASKED },
  analytics: { agent: MASKED, supervisor: MASKED, admin: MASKED, unit: MASKED },
  importJob: { agent: MASKED, supervisor: MASKED, admin: MASKED, unit: MASKED },
};

const isPhoneField = (name: string) => /phone/i.test(name);
const isNameField = (name: string, parent: string | undefined) => name === 'callerName' || (name === 'name' && parent === 'caller');

/**
 * `value` (a response body or part of one) as `role` may see it in `output`: fields named like a
 * phone (phone, callerPhone) and a caller's name (caller.name, callerName) by their rule, every
 * other text by the rule for numbers in text. Nothing else changes.
 */
export function disclose<T>(output: Output, role: Role, value: T): T {
  const rule = DISCLOSURE[output][role];
  if (rule.callerName === 'full' && rule.callerPhone === 'full' && rule.numbersInText === 'full') return value;
  const walk = (v: unknown, name: string | undefined, parent: string | undefined, depth: number): unknown => {
    if (typeof v === 'string') {
      if (name !== undefined && isPhoneField(name)) return rule.callerPhone === 'masked' ? maskPhone(v) : v;
      if (name !== undefined && isNameField(name, parent)) return rule.callerName === 'masked' ? maskName(v) : v;
      return rule.numbersInText === 'masked' ? maskPersonalNumbers(v) : v;
    }
    if (v === null || typeof v !== 'object' || depth > 20) return v;
    if (Array.isArray(v)) return v.map((item) => walk(item, name, parent, depth + 1));
    return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, k, name, depth + 1)]));
  };
  return walk(value, undefined, undefined, 0) as T;
}
