/**
 * Personal data (个人信息, PIPL) on the way out of the system: how a caller's phone, an ID-card
 * number or a secret is masked, and which role sees which personal field in which output
 * (DISCLOSURE, stated once here and in the README). Pure functions, no I/O.
 */

/** A caller's phone as it may appear anywhere outside the tickets table: 138****5678. */
export function maskPhone(phone: string | undefined): string | undefined {
  if (!phone) return phone;
  const digits = phone.replace(/\D/g, '');
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
