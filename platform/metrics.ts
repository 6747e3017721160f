/**
 * Prometheus metrics (prom-client). Two kinds:
 * - counters and histograms of what happens in this process (tickets received, timer lag, actions,
 *   webhook deliveries, classifier proposals, dispatches, imports): module-level in
 *   `domainRegistry`, because the activities and the API record them without being handed a
 *   registry; in the embedded all-in-one process the API's /metrics shows them with its own;
 * - gauges of what stands in Postgres now (open tickets by status and unit level, overdue,
 *   near-due, whether next year's calendar is loaded), read when Prometheus scrapes the API.
 * The Temporal SDK's own worker metrics are served by its Core runtime on
 * TEMPORAL_METRICS_BIND_ADDRESS (platform/temporal-runtime.ts), not here.
 */
import http from 'node:http';
import client from 'prom-client';
import type { Database } from '../db/client';
import { OPEN_STATUSES } from '../domain/lifecycle';
import { nextYearCalendarNotice } from '../db/policy';

export const domainRegistry = new client.Registry();

export const ticketsReceived = new client.Counter({
  name: 'hotline_tickets_received_total',
  help: 'Tickets received (受理), by channel',
  labelNames: ['channel'],
  registers: [domainRegistry],
});

export const timerLag = new client.Histogram({
  name: 'hotline_timer_lag_seconds',
  help: "How late a deadline's step (sign_overdue, near_due, overdue, escalated, callback_missed, the system's urge) was recorded after its deadline",
  labelNames: ['step'],
  buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
  registers: [domainRegistry],
});

export const actionDuration = new client.Histogram({
  name: 'hotline_action_duration_seconds',
  help: 'Ticket actions through the API (sign, reply, callback, ...), by action and result (ok or the error code)',
  labelNames: ['action', 'result'],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [domainRegistry],
});

export const webhookDeliveries = new client.Counter({
  name: 'hotline_webhook_deliveries_total',
  help: "Attempts to notify a unit's webhook, by result (delivered, failed, no_webhook)",
  labelNames: ['kind', 'result'],
  registers: [domainRegistry],
});

export const classifierProposals = new client.Counter({
  name: 'hotline_classifier_proposals_total',
  help: "The classifier's proposals at receipt, by outcome (routed, unrouted, knowledge_base, out_of_scope)",
  labelNames: ['outcome'],
  registers: [domainRegistry],
});

export const dispatches = new client.Counter({
  name: 'hotline_dispatches_total',
  help: 'First dispatches (转办), by mode: auto (自动派单, by the system) or agent; their ratio is the auto-dispatch share',
  labelNames: ['mode'],
  registers: [domainRegistry],
});

export const classificationCorrections = new client.Counter({
  name: 'hotline_classification_corrections_total',
  help: "Agents' classifications that differ from the classifier's proposal, by field (type, topic, category)",
  labelNames: ['field'],
  registers: [domainRegistry],
});

export const importRows = new client.Counter({
  name: 'hotline_import_rows_total',
  help: 'Rows of historical ticket imports, by result (imported, already_present, rejected)',
  labelNames: ['result'],
  registers: [domainRegistry],
});

/** How long a scrape may wait for Postgres: a slow database shows as stale gauges, not a hung scrape. */
const GAUGE_QUERY_TIMEOUT = '2s';
/** Scrapes within this share one query (each gauge's collect would otherwise ask again). */
const GAUGE_CACHE_MS = 1000;

interface OpenCount {
  status: string;
  level: string;
  open: number;
  overdue: number;
  near_due: number;
}

/** The counts behind the open-ticket gauges: one grouped query (statuses × 4 levels rows at most). */
async function openCounts(database: Database): Promise<OpenCount[]> {
  return database.sql.begin(async (tx) => {
    await tx.unsafe(`set local statement_timeout = '${GAUGE_QUERY_TIMEOUT}'`);
    return tx<OpenCount[]>`
      select t.status, coalesce(u.level, 'none') as level, count(*)::int as open,
             (count(*) filter (where t.overdue))::int as overdue,
             (count(*) filter (where t.near_due and not t.overdue))::int as near_due
      from tickets t left join units u on u.id = t.unit_id
      where t.status in ${tx(OPEN_STATUSES as string[])} and not t.imported
      group by 1, 2`;
  }) as Promise<OpenCount[]>;
}

export interface MetricsOptions {
  /** the Postgres whose open tickets the gauges count; without it (unit tests) they are left out */
  database?: Database;
  /** the clock of the next-year calendar gauge (tests set the date) */
  now?: () => Date;
}

export function createMetrics(options: MetricsOptions = {}) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const httpDuration = new client.Histogram({
    name: 'hotline_http_request_duration_seconds',
    help: 'HTTP request latency by route template (with /v1) and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const { database, now = () => new Date() } = options;
  if (database) {
    let cached: { at: number; rows: Promise<OpenCount[]> } | undefined;
    const counts = () => {
      if (!cached || Date.now() - cached.at > GAUGE_CACHE_MS) cached = { at: Date.now(), rows: openCounts(database) };
      return cached.rows;
    };
    const gauge = (name: string, help: string, labelNames: string[], set: (g: client.Gauge, rows: OpenCount[]) => void) =>
      new client.Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        // Postgres unavailable or slow: the gauge keeps its last values rather than failing the scrape
        async collect() {
          const rows = await counts().catch(() => undefined);
          if (!rows) return;
          this.reset();
          set(this, rows);
        },
      });
    gauge('hotline_tickets_open', 'Open tickets now, by status and the level of their unit (none before dispatch)', ['status', 'level'], (g, rows) => {
      for (const r of rows) g.set({ status: r.status, level: r.level }, r.open);
    });
    gauge('hotline_tickets_overdue', 'Open tickets past their due time now (逾期, red card), by unit level', ['level'], (g, rows) => {
      for (const [level, n] of sumBy(rows, 'overdue')) g.set({ level }, n);
    });
    gauge('hotline_tickets_near_due', 'Open tickets near their due time now (临期, yellow card) and not yet overdue, by unit level', ['level'], (g, rows) => {
      for (const [level, n] of sumBy(rows, 'near_due')) g.set({ level }, n);
    });
    new client.Gauge({
      name: 'hotline_calendar_next_year_missing',
      help: "1 from 1 November on while the working-day calendar holds no data for next year (load the State Council's notice)",
      registers: [registry],
      async collect() {
        const notice = await nextYearCalendarNotice(database.db, now()).then((n) => n !== undefined, () => undefined);
        if (notice !== undefined) this.set(notice ? 1 : 0);
      },
    });
  }
  return {
    registry,
    httpDuration,
    /** this process's metrics: the registry's and the domain counters */
    async scrape(): Promise<{ contentType: string; body: string }> {
      const merged = client.Registry.merge([registry, domainRegistry]);
      return { contentType: merged.contentType, body: await merged.metrics() };
    },
  };
}

function sumBy(rows: OpenCount[], field: 'overdue' | 'near_due'): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) out.set(r.level, (out.get(r.level) ?? 0) + r[field]);
  return out;
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * The worker's /metrics (its domain counters and process metrics) on METRICS_PORT, for a worker
 * that runs apart from the API. Returns a function that closes it.
 */
export async function serveMetrics(port: number, metrics: Metrics): Promise<() => Promise<void>> {
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.scrape().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
