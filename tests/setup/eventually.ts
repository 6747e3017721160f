/**
 * Waiting for what a test checks, never for a guessed time. Workers, timers, webhooks and the
 * visibility store act asynchronously, and a loaded machine makes them slow: a test reads again
 * until the condition it checks holds, and fails with the last value read once the bound passes.
 * The bound is generous (a loaded machine is slow, a wrong value never turns right), and below
 * the temporal project's test timeout so that the failure names the condition.
 */
import { expect } from 'vitest';

export const EVENTUALLY_TIMEOUT_MS = 30_000;

/**
 * Reads `read()` until `ok` holds of its value, and returns that value. Fails the test, naming
 * `what` and showing the last value, when `ok` still does not hold after `timeoutMs`.
 */
export async function eventually<T>(
  what: string,
  read: () => T | Promise<T>,
  ok: (value: T) => boolean,
  { timeoutMs = EVENTUALLY_TIMEOUT_MS, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value) && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    value = await read();
  }
  expect(ok(value), `${what}: not reached within ${timeoutMs} ms; last read ${stringify(value)}`).toBe(true);
  return value;
}

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 2_000) ?? String(value);
  } catch {
    return String(value);
  }
}
