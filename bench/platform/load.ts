/**
 * One measured round: autocannon drives a ticket's sequence of HTTP requests (one request for an
 * intake, create → sign → reply → callback for a life) from N connections for D seconds, each
 * connection going through the sequence again and again; meanwhile the CPU of each process is read.
 */
import crypto from 'node:crypto';
import autocannon from 'autocannon';
import { cpuDelta, cpuMillis } from './cpu';

export interface Action {
  name: string;
  method: 'POST' | 'GET';
  /** the path; may use what earlier actions of the same ticket kept in the context */
  path(context: Record<string, unknown>): string;
  headers: Record<string, string>;
  body?(context: Record<string, unknown>): unknown;
  /** keeps what later actions need (e.g. the new ticket's id) from a 2xx answer */
  keep?(body: any, context: Record<string, unknown>): void;
  /**
   * Sent with an Idempotency-Key, and on a 503 (Temporal's deadline passed, or the API shed the
   * request) or a 409 (the first attempt still holds the key) sent again as it was, key included,
   * as a client following the API's Retry-After would (without its pause: the load is the point).
   * The refused attempts are counted in `failures`; a ticket counts once, when it gets its 2xx.
   */
  retry?: boolean;
}

export interface Scenario {
  name: string;
  url: string;
  actions: Action[];
  /** processes whose CPU is charged to this scenario, by name */
  processes: () => Record<string, number | undefined>;
}

export interface RoundResult {
  scenario: string;
  seconds: number;
  /** tickets whose whole sequence answered 2xx */
  tickets: number;
  perSecond: number;
  /** milliseconds per action: p50 and p99 of the 2xx answers */
  latency: Record<string, { count: number; p50: number; p99: number }>;
  /** answers other than 2xx, by action and status */
  failures: Record<string, number>;
  errors: number;
  /** CPU milliseconds of each process during the round */
  cpu: Record<string, number>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Runs for `seconds`, or until `amount` requests have been answered (then the sequence should be
 * one action long, e.g. bench/open-tickets.ts's N creates or its fixed sample of reads).
 */
export async function runRound(scenario: Scenario, opts: { connections: number; seconds?: number; amount?: number }): Promise<RoundResult> {
  if ((opts.seconds === undefined) === (opts.amount === undefined)) throw new Error('runRound: give seconds or amount, not both');
  const samples: Record<string, number[]> = Object.fromEntries(scenario.actions.map((a) => [a.name, []]));
  const failures: Record<string, number> = {};
  const last = scenario.actions[scenario.actions.length - 1]!;
  let tickets = 0;
  const requests = scenario.actions.map((action) => ({
    method: action.method,
    setupRequest: (req: autocannon.Request, ctx: object) => {
      const context = ctx as Record<string, unknown>;
      context[`t:${action.name}`] = performance.now();
      const again = context[`retry:${action.name}`] as autocannon.Request | undefined;
      if (again) return { ...req, ...again };
      const request = {
        method: action.method,
        path: action.path(context),
        // a copy every time: autocannon writes the body's Content-Length into the headers object it
        // is given, and actions sharing one (sign without a body, reply with one) would carry it over,
        // leaving the server waiting for a body that never comes
        headers: { ...action.headers, ...(action.retry ? { 'idempotency-key': crypto.randomUUID() } : {}) },
        body: action.body ? JSON.stringify(action.body(context)) : undefined,
      };
      if (action.retry) context[`sent:${action.name}`] = request;
      return { ...req, ...request };
    },
    onResponse: (status: number, body: string, ctx: object) => {
      const context = ctx as Record<string, unknown>;
      if (action.retry) {
        context[`retry:${action.name}`] = status === 503 || status === 409 ? context[`sent:${action.name}`] : undefined;
      }
      if (status >= 200 && status < 300) {
        samples[action.name]!.push(performance.now() - (context[`t:${action.name}`] as number));
        if (action === last) tickets += 1;
        action.keep?.(JSON.parse(body), context);
      } else {
        const key = `${action.name} ${status}`;
        // the ticket's later actions then fail too, and are counted the same way
        failures[key] = (failures[key] ?? 0) + 1;
      }
    },
  }));
  const before = cpuMillis(scenario.processes());
  const startedAt = performance.now();
  const result = await autocannon({
    url: scenario.url,
    // autocannon refuses more connections than requests (a last top-up of a few tickets)
    connections: opts.amount !== undefined ? Math.min(opts.connections, opts.amount) : opts.connections,
    ...(opts.amount !== undefined ? { amount: opts.amount } : { duration: opts.seconds! }),
    requests,
    // a slow answer is a result, not a failure: only a hang is cut off
    timeout: 60,
  });
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = cpuDelta(before, cpuMillis(scenario.processes()));
  const latency = Object.fromEntries(
    Object.entries(samples).map(([name, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return [name, { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) }];
    }),
  );
  return { scenario: scenario.name, seconds, tickets, perSecond: tickets / seconds, latency, failures, errors: result.errors + result.timeouts, cpu };
}
