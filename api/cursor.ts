/** Opaque list cursors: the keyset position of the last item, as base64url JSON, validated on the way back. */
import type { z } from '../domain/zod';
import { HttpError } from './errors';

export function cursorCodec<S extends z.ZodType>(schema: S) {
  return {
    encode: (position: z.infer<S>): string => Buffer.from(JSON.stringify(position)).toString('base64url'),
    decode(cursor: string): z.infer<S> {
      try {
        return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
      } catch {
        throw new HttpError(400, 'validation_failed', 'invalid query: cursor: not a cursor returned by this API', [
          { path: 'cursor', message: 'not a cursor returned by this API' },
        ]);
      }
    },
  };
}
