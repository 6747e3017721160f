/**
 * Text Postgres can hold. It refuses NUL (U+0000) in text and jsonb, and a lone UTF-16 surrogate
 * in jsonb; such a step could never be written, however often it is retried. Pure, so the
 * workflow uses it too.
 */

/** The type of the non-retryable failure of an activity whose write Postgres refused for its data. */
export const DATA_ERROR = 'DataError';

/** A UTF-16 surrogate without its pair: it cannot be written as UTF-8. */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const UNSTORABLE = new RegExp(`\\u0000|${LONE_SURROGATE.source}`, 'g');

export function hasUnstorableText(value: unknown): boolean {
  if (typeof value === 'string') return new RegExp(UNSTORABLE.source).test(value);
  if (Array.isArray(value)) return value.some(hasUnstorableText);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) => hasUnstorableText(k) || hasUnstorableText(v));
  }
  return false;
}

/** A copy of a JSON-like value with every NUL and lone surrogate in its strings replaced by U+FFFD. */
export function storable<T>(value: T): T {
  if (typeof value === 'string') return value.replace(UNSTORABLE, '\uFFFD') as T;
  if (Array.isArray(value)) return value.map(storable) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storable(v)])) as T;
  }
  return value;
}
