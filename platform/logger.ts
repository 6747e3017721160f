/**
 * Structured JSON logs (pino). Callers' phone numbers never reach a log line: any field named
 * phone is masked by the serializer below, and request bodies are not logged.
 */
import pino from 'pino';
import { maskPhone } from '../domain/ticket';
import { logContext } from './request-context';

export type Logger = pino.Logger;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({
    level,
    base: { service: 'hotline' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // the request being served (and its trace), on every line written while serving it
    mixin: logContext,
    formatters: {
      log(object) {
        return maskPhones(object) as Record<string, unknown>;
      },
    },
  }, destination);
}

function maskPhones(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskPhones(v, depth + 1));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = /phone/i.test(k) && typeof v === 'string' ? maskPhone(v) : maskPhones(v, depth + 1);
  }
  return out;
}
