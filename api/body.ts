/**
 * The JSON body parser. The contract says UTF-8: the raw bytes are decoded strictly, since the
 * lenient decoder would turn a broken byte into U+FFFD and store it as if the caller had sent it.
 * Nesting is bounded, so nothing downstream that walks a body (the Idempotency-Key hash, the
 * text checks, validation) can run out of stack on a body of a million brackets.
 */
import express, { type RequestHandler } from 'express';
import { HttpError } from './errors';

/** Far deeper than any request of the API, far shallower than a stack. */
export const MAX_JSON_DEPTH = 64;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether JSON text nests objects and arrays deeper than `max`; brackets inside strings do not count. */
function nestsDeeperThan(json: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

const refuse = (status: number, code: string, message: string) => new HttpError(status, code, `the body ${message}`, [{ path: 'body', message }]);

export function jsonBody(limit: string): RequestHandler {
  return express.json({
    limit,
    verify: (_req, _res, raw, encoding) => {
      if (encoding.toLowerCase().replace('-', '') !== 'utf8') throw refuse(415, 'unsupported_encoding', `must be UTF-8, not ${encoding}`);
      try {
        strictUtf8.decode(raw);
      } catch {
        throw refuse(400, 'malformed_json', 'is not valid UTF-8');
      }
      if (nestsDeeperThan(raw, MAX_JSON_DEPTH)) throw refuse(400, 'malformed_json', `nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`);
    },
  });
}
