/**
 * What masking phone and ID-card numbers in every log line costs: pino writing typical lines (a
 * request line, a workflow step, an error with its stack and a failed query's parameters) to a
 * discarding destination, with the masking hook (platform/logger.ts) and with plain pino.
 *
 *   npx tsx bench/log-masking.ts
 */
import pino from 'pino';
import { createLogger } from '../platform/logger';

const sink = { write: () => undefined };
const failed = new Error(
  'Failed query: insert into "tickets" ("id", "caller_name", "caller_phone", "content") values ($1, $2, $3, $4)\nparams: 12345-20261202-000042,李女士,13912345678,我的身份证号41070219900307123X，小区停水两天了',
);
const lines: [string, (l: pino.Logger) => void][] = [
  ['request line', (l) => l.info({ method: 'POST', path: '/v1/tickets/12345-20261202-000042/sign', status: 200, ms: 37, ticketId: '12345-20261202-000042', principal: 'key-0a1b2c3d4e5f', requestId: '6f1c3a52-8e0d-4c55-9a51-2b1f0e6d7c88' }, 'request')],
  ['workflow step', (l) => l.info({ ticketId: '12345-20261202-000042', activity: 'recordEvent', seq: 7, type: 'progress' }, 'step recorded')],
  ['error with stack', (l) => l.error({ err: failed, activity: 'recordEvent' }, 'activity failed')],
];

function perLine(logger: pino.Logger, log: (l: pino.Logger) => void, n: number): number {
  for (let i = 0; i < 2_000; i++) log(logger);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) log(logger);
  return Number(process.hrtime.bigint() - start) / n / 1000;
}

const masked = createLogger('info', sink);
const plain = pino({ level: 'info', base: { service: 'hotline' }, timestamp: pino.stdTimeFunctions.isoTime }, sink);
console.log('line'.padEnd(18), 'plain pino µs', 'masked µs', ' extra µs');
for (const [name, log] of lines) {
  const runs = [0, 1, 2, 3, 4].map(() => [perLine(plain, log, 50_000), perLine(masked, log, 50_000)] as const);
  const median = (i: 0 | 1) => runs.map((r) => r[i]).sort((a, b) => a - b)[2]!;
  const [p, m] = [median(0), median(1)];
  console.log(name.padEnd(18), p.toFixed(2).padStart(13), m.toFixed(2).padStart(9), (m - p).toFixed(2).padStart(9));
}
