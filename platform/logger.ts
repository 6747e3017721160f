/**
 * Structured JSON logs (pino). No caller's phone or ID-card number reaches a log line: every
 * line, as written (message, fields, error messages and stacks, Temporal's own forwarded logs,
 * a database error quoting its query parameters), has the numbers in it masked just before it is
 * written (domain/privacy.ts); request bodies are not logged at all.
 */
import pino from 'pino';
import { maskPersonalNumbers, maskPhone } from '../domain/privacy';
import { logContext } from './request-context';

export type Logger = pino.Logger;
export { maskSecret } from '../domain/privacy';

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'hotline' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // the request being served (and its trace), on every line written while serving it
      mixin: logContext,
      // on the serialized line, so no field, nesting or serializer (err's stack) escapes it;
      // JSON keeps digits, "+", "-", spaces and CJK text as they are, so the patterns match there too
      hooks: { streamWrite: maskPersonalNumbers },
      formatters: {
        // a field named phone is masked whatever its format (say "138 1234-5678 转 8")
        log: (object) => maskPhoneFields(object) as Record<string, unknown>,
      },
    },
    destination,
  );
}

function maskPhoneFields(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskPhoneFields(v, depth + 1));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = /phone/i.test(k) && typeof v === 'string' ? maskPhone(v) : maskPhoneFields(v, depth + 1);
  }
  return out;
}
