/**
 * The API request an action comes from, carried in the Temporal headers of what it causes: the
 * workflow start, update or signal the API sends, and from there the activities, child workflows
 * and signals the workflow issues while handling it. Every process logs it as `requestId`, so one
 * grep of a request id finds the API's line and the worker's lines of that action. Headers are
 * not workflow commands' arguments: replaying a history recorded without them changes nothing.
 */
import { defaultPayloadConverter, type Headers } from '@temporalio/common';

export const REQUEST_ID_HEADER = 'hotline-request-id';

/** The headers with the request id added (unchanged without one). */
export function withRequestId(headers: Headers, requestId: string | undefined): Headers {
  return requestId ? { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) } : headers;
}

/** The request id the headers carry, if any (a header that is not a short string is ignored). */
export function requestIdOf(headers: Headers | undefined): string | undefined {
  const payload = headers?.[REQUEST_ID_HEADER];
  if (!payload) return undefined;
  try {
    const value: unknown = defaultPayloadConverter.fromPayload(payload);
    return typeof value === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
