/**
 * An API client that behaves as the README asks of one: every state-changing request carries an
 * Idempotency-Key and is retried with the same key on 409 idempotency_in_progress, 429, 503 and
 * network errors, honouring Retry-After, with a bounded backoff. Anything else is the answer.
 */
import { sleep } from './servers';

export interface Attempt {
  /** HTTP status, or 0 for a network error (refused, reset, client timeout) */
  status: number;
  code?: string;
  error?: string;
  ms: number;
}

export interface Answer {
  status: number;
  body: any;
  attempts: Attempt[];
  /** retried until the client's deadline without a final answer */
  gaveUp: boolean;
}

/** Statuses and error codes after which the same request is sent again with the same key. */
export function retryable(status: number, code: string | undefined): boolean {
  return status === 0 || status === 503 || status === 429 || (status === 409 && code === 'idempotency_in_progress');
}

const MAX_RETRY_AFTER_MS = 10_000;
const MAX_BACKOFF_MS = 4_000;

export class RetryingClient {
  /** requests sent but not yet answered, and failures seen, for the fault injector to observe */
  inFlight = 0;
  retriesSeen = 0;
  readonly retriesByStatus = new Map<string, number>();
  /** set when retrying is pointless (a server process died on its own): clients stop retrying */
  abandoned?: string;

  constructor(
    private readonly baseUrl: string,
    private readonly opts: { deadline: number; attemptTimeoutMs: number },
  ) {}

  async post(path: string, apiKey: string, idempotencyKey: string, body?: unknown): Promise<Answer> {
    const attempts: Attempt[] = [];
    for (let n = 0; ; n++) {
      const started = Date.now();
      let status = 0;
      let parsed: any;
      let retryAfter: string | null = null;
      let error: string | undefined;
      this.inFlight += 1;
      try {
        const res = await fetch(this.baseUrl + path, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${apiKey}`,
            'idempotency-key': idempotencyKey,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.opts.attemptTimeoutMs),
        });
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        const text = await res.text();
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      } catch (err) {
        status = 0;
        error = `${(err as Error).name}: ${(err as Error).message}${(err as { cause?: { code?: string } }).cause?.code ? ` (${(err as { cause: { code: string } }).cause.code})` : ''}`;
      } finally {
        this.inFlight -= 1;
      }
      const code: string | undefined = parsed?.error?.code;
      attempts.push({ status, code, error, ms: Date.now() - started });
      if (!retryable(status, code)) return { status, body: parsed, attempts, gaveUp: false };
      this.retriesSeen += 1;
      const label = status === 0 ? 'network' : `${status}${code ? ` ${code}` : ''}`;
      this.retriesByStatus.set(label, (this.retriesByStatus.get(label) ?? 0) + 1);
      const wait = retryAfter && /^\d+$/.test(retryAfter) ? Math.min(Number(retryAfter) * 1000, MAX_RETRY_AFTER_MS) : backoff(n);
      if (Date.now() + wait > this.opts.deadline || this.abandoned) return { status, body: parsed, attempts, gaveUp: true };
      await sleep(wait);
    }
  }

  async get(path: string, apiKey: string): Promise<{ status: number; body: any }> {
    const res = await fetch(this.baseUrl + path, { headers: { authorization: `Bearer ${apiKey}` }, signal: AbortSignal.timeout(this.opts.attemptTimeoutMs) });
    return { status: res.status, body: await res.json() };
  }
}

/** 200 ms doubling to 4 s, with jitter so that retries of many clients do not line up. */
function backoff(n: number): number {
  const base = Math.min(200 * 2 ** n, MAX_BACKOFF_MS);
  return base / 2 + Math.random() * (base / 2);
}

/** A short account of the attempts: "503 unavailable ×3, 0 network ×1, 200". */
export function describeAttempts(attempts: Attempt[]): string {
  const parts: string[] = [];
  let last = '';
  let count = 0;
  for (const a of attempts) {
    const label = a.status === 0 ? `network (${a.error})` : `${a.status}${a.code ? ` ${a.code}` : ''}`;
    if (label === last) count += 1;
    else {
      if (last) parts.push(count > 1 ? `${last} ×${count}` : last);
      last = label;
      count = 1;
    }
  }
  if (last) parts.push(count > 1 ? `${last} ×${count}` : last);
  return parts.join(', ');
}
