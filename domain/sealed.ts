/**
 * What the worker's payload codec hands the workflow in place of a payload it cannot open: one
 * not sealed with this installation's key (sent straight to Temporal, e.g. with the CLI), or
 * whose ciphertext was changed. Decoding never throws in the worker — a throw would fail the
 * workflow task again and again and leave the ticket stuck — so the payload becomes this value,
 * which the update validators refuse and the signal handlers ignore. No I/O: the workflow imports it.
 */
export const UNSEALED_FIELD = '$unsealedPayload';

export interface Unsealed {
  [UNSEALED_FIELD]: string;
}

/** True for the stand-in of a payload the codec could not open. */
export function isUnsealed(value: unknown): value is Unsealed {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[UNSEALED_FIELD] === 'string';
}

/** The refusal's message: names the problem without echoing what was sent. */
export function unsealedRefusal(value: Unsealed): string {
  return `refused: the arguments are not sealed with this installation's payload key (${value[UNSEALED_FIELD]})`;
}

/** The error type of that refusal; the API never sees it (its own calls are sealed). */
export const UNSEALED_ARGUMENTS = 'UnsealedArguments';
