/**
 * docker-compose.yml without a Docker engine: the file is parsed and checked as `docker compose
 * config` would resolve it (merge keys, required variables), every service is checked for what
 * production needs, and the hotline's processes are run as compose runs them — the same command
 * and environment, with only the addresses of Postgres and Temporal pointed at the test's — until
 * they are ready, and stopped as compose stops them (SIGTERM), cleanly.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { NEW_TICKET_EXAMPLE } from '../../api/tickets';
import { domainRegistry } from '../../platform/metrics';
import { createMetrics } from '../../platform/metrics';
import { eventually } from '../setup/eventually';
import { freePort, Proc, REPO, tempDir } from '../fault/servers';

type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  restart?: string;
  profiles?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
};

/** The secrets an operator provides; compose refuses to start without each (`${VAR:?}`). */
const SECRETS = {
  POSTGRES_PASSWORD: 'pg-secret',
  ADMIN_API_KEY: 'hk_admin_compose_test_key_0123456789',
  WEBHOOK_SECRETS_KEY: 'ab'.repeat(32),
  REPORT_LINK_SECRET: 'report-link-secret',
  PAYLOAD_ENCRYPTION_KEYS: `compose-k1:${Buffer.alloc(32, 7).toString('base64')}`,
  GRAFANA_ADMIN_PASSWORD: 'grafana-secret',
};
const HOTLINE_PROCESSES = ['api', 'worker', 'demo-data'];
/** One-shot jobs: they finish, and what needs them waits for their successful completion. */
const JOBS = ['temporal-schema', 'temporal-namespace', 'demo-data'];

const composeText = fs.readFileSync(path.join(REPO, 'docker-compose.yml'), 'utf8');

/** `${VAR}`, `${VAR:-default}` and `${VAR:?message}` resolved as compose does; a missing required one throws. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    if (env[name]) return env[name]!;
    if (op === '?') throw new Error(`required variable ${name} is missing: ${arg}`);
    return op === '-' ? arg! : '';
  });
}

const compose = (env: Record<string, string>) => parse(interpolate(composeText, env), { merge: true }) as { services: Record<string, Service> };
const { services } = compose(SECRETS);

/** The variables platform/config.ts reads. */
const configSource = fs.readFileSync(path.join(REPO, 'platform/config.ts'), 'utf8');
// read as env.X, required('X'), or named in a table of variables (PLATFORM_ENV: { url: 'X_URL', … })
const configVariables = new Set(
  [...configSource.matchAll(/env\.([A-Z][A-Z0-9_]*)|required\('([A-Z][A-Z0-9_]*)'\)|(?:url|secrets): '([A-Z][A-Z0-9_]*)'/g)].map((m) => (m[1] ?? m[2] ?? m[3])!),
);

/** Whether `.dockerignore` leaves a file out of the image: its patterns in order, the last match decides (`!` keeps). */
function dockerIgnores(file: string): boolean {
  const patterns = fs.readFileSync(path.join(REPO, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  let ignored = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/.*)?$`);
    if (re.test(file)) ignored = !negated;
  }
  return ignored;
}

describe('docker-compose.yml', () => {
  it('refuses to start without each secret', () => {
    for (const name of Object.keys(SECRETS)) {
      const { [name as keyof typeof SECRETS]: _left, ...rest } = SECRETS;
      expect(() => compose(rest), name).toThrow(`required variable ${name} is missing`);
    }
  });

  it('runs supported, pinned images: temporalio/server with an admin-tools schema job, no auto-setup, Node LTS', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.image ?? s.build, `${name} has an image or a build`).toBeTruthy();
      if (s.image) expect(s.image, `${name} pins its image`).toMatch(/^[\w./-]+:(?!latest$)[\w.-]+$/);
    }
    expect(Object.values(services).filter((s) => s.image?.includes('auto-setup'))).toEqual([]);
    expect(services.temporal!.image).toMatch(/^temporalio\/server:/);
    expect(services['temporal-schema']!.image).toMatch(/^temporalio\/admin-tools:/);
    // the schema job and the server are one Temporal version
    expect(services['temporal-schema']!.image!.split(':')[1]).toBe(services.temporal!.image!.split(':')[1]);
    const schemaScript = fs.readFileSync(path.join(REPO, 'deploy/temporal/setup-schema.sh'), 'utf8');
    expect(schemaScript).toContain('update-schema');
    const from = fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8').match(/^FROM node:(\d+)/m);
    expect(['22', '24']).toContain(from?.[1]);
  });

  it('gives every service a restart policy and a healthcheck, and every dependency a condition', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.restart, `${name} restarts`).toMatch(JOBS.includes(name) ? /^on-failure:\d+$/ : /^unless-stopped$/);
      expect(s.healthcheck?.test?.length, `${name} has a healthcheck`).toBeGreaterThan(0);
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(services[dep], `${name} depends on ${dep}, a service`).toBeDefined();
        expect(condition, `${name} → ${dep}`).toBe(JOBS.includes(dep) ? 'service_completed_successfully' : 'service_healthy');
      }
    }
    expect(services.temporal!.depends_on!['temporal-schema']).toEqual({ condition: 'service_completed_successfully' });
    expect(services.demo!).toBeUndefined();
    expect(services['demo-data']!.profiles, 'demo data is opt-in').toEqual(['demo']);
  });

  it('publishes ports on the loopback only', () => {
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => `${name} ${p}`));
    expect(published.length).toBeGreaterThan(4);
    for (const p of published) expect(p).toMatch(/ 127\.0\.0\.1:\d+:\d+$/);
  });

  it('builds an image with the files the processes read: the starter classifier corpus, not the local state', () => {
    const corpus = fs.readdirSync(path.join(REPO, 'data/classifier')).map((f) => `data/classifier/${f}`);
    expect(corpus).toContain('data/classifier/corpus.jsonl');
    expect(corpus.filter(dockerIgnores)).toEqual([]);
    for (const local of ['node_modules/zod/package.json', 'data/postgres/PG_VERSION', 'data/photos/x.jpg', '.git/HEAD']) expect(dockerIgnores(local), local).toBe(true);
    for (const source of ['bin/api.ts', 'package-lock.json', 'patches', 'deploy/temporal/setup-schema.sh']) expect(dockerIgnores(source), source).toBe(false);
  });

  it("keeps the API's photos on a volume of their own, in a folder the image gives its user", () => {
    const api = services.api!;
    expect(api.volumes).toContain(`photos:${api.environment!.PHOTO_DIR}`);
    expect(fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8')).toContain(`chown node:node ${api.environment!.PHOTO_DIR}`);
    expect(api.environment!.PHOTO_STORE).toBe('local');
    expect(compose({ ...SECRETS, PHOTO_STORE: 's3', S3_BUCKET: 'photos' }).services.api!.environment).toMatchObject({ PHOTO_STORE: 's3', S3_BUCKET: 'photos' });
  });

  it('mounts only files that are checked in', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const volume of s.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect(fs.existsSync(path.join(REPO, source)), `${name} mounts ${source}`).toBe(true);
      }
    }
  });

  it('passes each hotline process the variables it reads, secrets included', () => {
    for (const name of HOTLINE_PROCESSES) {
      const env = services[name]!.environment!;
      const unknown = Object.keys(env).filter((v) => !configVariables.has(v));
      expect(unknown, `${name} gets only variables platform/config.ts reads`).toEqual([]);
      expect(env.DATABASE_URL).toBe(`postgres://hotline:${SECRETS.POSTGRES_PASSWORD}@postgres:5432/hotline`);
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(env.PAYLOAD_ENCRYPTION_KEYS).toBe(SECRETS.PAYLOAD_ENCRYPTION_KEYS);
      expect(env.WEBHOOK_SECRETS_KEY).toBe(SECRETS.WEBHOOK_SECRETS_KEY);
    }
    expect(services.api!.environment!.ADMIN_API_KEY).toBe(SECRETS.ADMIN_API_KEY);
    expect(services.api!.environment!.REPORT_LINK_SECRET).toBe(SECRETS.REPORT_LINK_SECRET);
    expect(services.grafana!.environment!.GF_SECURITY_ADMIN_PASSWORD).toBe(SECRETS.GRAFANA_ADMIN_PASSWORD);
  });

  it("points the Temporal UI's codec at the API's published /codec", () => {
    const apiPort = services.api!.ports![0]!.split(':').slice(0, 2).join(':');
    expect(services['temporal-ui']!.environment!.TEMPORAL_CODEC_ENDPOINT).toBe(`http://${apiPort}/codec`);
  });

  it("scrapes what the processes serve, and the dashboard charts metrics that exist", () => {
    const prometheus = parse(fs.readFileSync(path.join(REPO, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs?: { targets: string[] }[]; dns_sd_configs?: { names: string[]; port: number }[] }[];
    };
    const targets = prometheus.scrape_configs.flatMap((c) => [
      ...(c.static_configs ?? []).flatMap((s) => s.targets),
      ...(c.dns_sd_configs ?? []).flatMap((d) => d.names.map((n) => `${n}:${d.port}`)),
    ]);
    const worker = services.worker!.environment!;
    expect(targets).toEqual(
      expect.arrayContaining([
        `api:${services.api!.environment!.PORT}`,
        `worker:${worker.WORKER_METRICS_PORT}`,
        `worker:${worker.TEMPORAL_METRICS_BIND_ADDRESS!.split(':')[1]}`,
      ]),
    );
    for (const t of targets) expect(services[t.split(':')[0]!], t).toBeDefined();

    const dashboard = JSON.parse(fs.readFileSync(path.join(REPO, 'deploy/grafana/dashboards/hotline.json'), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const charted = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\b(hotline_[a-z_]+?)(?:_bucket|_count|_sum)?\b/g)].map((m) => m[1]!))));
    const metrics = createMetrics({ database: {} as never });
    const registered = new Set([...metrics.registry.getMetricsAsArray(), ...domainRegistry.getMetricsAsArray()].map((m) => m.name));
    expect([...charted].filter((m) => !registered.has(m))).toEqual([]);
    // every domain metric is on the dashboard
    expect([...registered].filter((m) => m.startsWith('hotline_') && !charted.has(m))).toEqual([]);
  });
});

describe("the API and worker run with compose's command and environment", () => {
  const dir = tempDir('hotline-compose-');
  let api: Proc;
  let worker: Proc;
  const output: Record<string, string[]> = { api: [], worker: [] };
  let apiUrl: string;
  let workerMetrics: string;
  let sdkMetrics: string;
  /** the spans the processes export, as an OTLP/HTTP collector receives them: [service, trace id, span name] */
  const spans: [string, string, string][] = [];
  let collector: http.Server;

  /** A service's command and environment, with Postgres, Temporal and the ports this machine gives. */
  function asCompose(name: 'api' | 'worker', overrides: Record<string, string>): Proc {
    const s = services[name]!;
    const [command, ...args] = s.command!;
    expect(command).toBe('node');
    const env = { ...s.environment!, DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: inject('temporalAddress'), ...overrides };
    const proc = new Proc(name, process.execPath, args, { cwd: REPO, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, logFile: path.join(dir, `${name}.log`) });
    // every line of output kept for the checks below (a counter that matches none)
    proc.count((line) => {
      output[name]!.push(line);
      return false;
    });
    return proc;
  }

  beforeAll(async () => {
    collector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const sent = JSON.parse(body) as { resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { traceId: string; name: string }[] }[] }[] };
        for (const rs of sent.resourceSpans) {
          const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          for (const ss of rs.scopeSpans) for (const span of ss.spans) spans.push([service, span.traceId, span.name]);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const traces = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}` };
    const [port, metricsPort, sdkPort] = [await freePort(), await freePort(), await freePort()];
    apiUrl = `http://127.0.0.1:${port}`;
    workerMetrics = `http://127.0.0.1:${metricsPort}/metrics`;
    sdkMetrics = `http://127.0.0.1:${sdkPort}/metrics`;
    api = asCompose('api', { ...traces, PORT: String(port), PHOTO_DIR: path.join(dir, 'photos') });
    worker = asCompose('worker', { ...traces, WORKER_METRICS_PORT: String(metricsPort), TEMPORAL_METRICS_BIND_ADDRESS: `127.0.0.1:${sdkPort}` });
    worker.start();
    api.start();
  });
  afterAll(async () => {
    await api?.stop().catch(() => undefined);
    await worker?.stop().catch(() => undefined);
    await new Promise((resolve) => collector?.close(resolve));
  });

  it('become ready, serve their metrics, and answer with request ids and /v1 route labels', async () => {
    await eventually('the API ready', () => fetch(`${apiUrl}/readyz`).then((r) => r.status, () => 0), (s) => s === 200, { timeoutMs: 90_000, intervalMs: 500 });
    await eventually('the worker /metrics', () => fetch(workerMetrics).then((r) => r.status, () => 0), (s) => s === 200, { timeoutMs: 90_000, intervalMs: 500 });
    // the Temporal SDK's own worker metrics, from its Core runtime
    const sdk = await eventually('the SDK metrics', () => fetch(sdkMetrics).then((r) => r.text(), () => ''), (t) => t.includes('temporal_'), { timeoutMs: 60_000, intervalMs: 500 });
    expect(sdk).toMatch(/temporal_worker_task_slots_available\{/);

    // refused before its endpoint ran, yet labelled with the endpoint's template, with /v1
    const res = await fetch(`${apiUrl}/v1/tickets/T-1/sign`, { method: 'POST', headers: { 'x-request-id': 'req-compose-1' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toBe('req-compose-1');
    const authed = await fetch(`${apiUrl}/v1/tickets/T-404/sign`, { method: 'POST', headers: { authorization: `Bearer ${SECRETS.ADMIN_API_KEY}` } });
    expect(authed.status).toBe(403);
    expect(authed.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const metrics = await (await fetch(`${apiUrl}/metrics`)).text();
    expect(metrics).toContain('route="/v1/tickets/:id/sign",status="401"');
    expect(metrics).toContain('route="/v1/tickets/:id/sign",status="403"');
    expect(metrics).not.toMatch(/route="\/tickets/);
    const line = await eventually('the request line', () => output.api!.map(json).find((l) => l?.requestId === 'req-compose-1'), (l) => l !== undefined);
    expect(line).toMatchObject({ msg: 'request', path: '/v1/tickets/T-1/sign', route: '/v1/tickets/:id/sign', status: 401 });
  });

  it('trace a ticket from the API request through Temporal to the activity and its Postgres write', async () => {
    const admin = { authorization: `Bearer ${SECRETS.ADMIN_API_KEY}`, 'content-type': 'application/json' };
    const key = await fetch(`${apiUrl}/v1/admin/api-keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'compose agent', role: 'agent' }) });
    expect(key.status).toBe(201);
    const agent = { authorization: `Bearer ${((await key.json()) as { key: string }).key}`, 'content-type': 'application/json' };
    const created = await fetch(`${apiUrl}/v1/tickets`, { method: 'POST', headers: agent, body: JSON.stringify(NEW_TICKET_EXAMPLE) });
    expect(created.status).toBe(201);
    const trace = await eventually(
      'the spans of one trace from the API to the worker',
      () => {
        // the create is one update-with-start; intake and the steps run as local activities
        const start = spans.find(([service, , name]) => service === 'hotline-api' && name.startsWith('UpdateWithStartWorkflow'));
        const inTrace = spans.filter(([, traceId]) => traceId === start?.[1]);
        return inTrace.map(([service, , name]) => `${service} ${name}`);
      },
      (names) => ['hotline-api POST', 'hotline-worker RunActivity:recordSteps', 'hotline-worker postgres: record ticket step'].every((n) => names.some((x) => x.startsWith(n))),
      { timeoutMs: 40_000, intervalMs: 500 },
    );
    expect(trace).toEqual(expect.arrayContaining(['hotline-worker RunActivity:admit']));
    // the worker's log lines of the ticket's steps carry the trace id of the request that created it
    const traceIds = new Set(spans.filter(([service, , name]) => service === 'hotline-api' && name.startsWith('UpdateWithStartWorkflow')).map(([, id]) => id));
    const stepLines = output.worker!.map(json).filter((l) => l?.msg === 'ticket step recorded');
    expect(stepLines.some((l) => traceIds.has(l!.traceId))).toBe(true);
  });

  it("name an action's request id on its API line and on the worker's lines of what it caused: the workflow's steps and their activities", async () => {
    const admin = { authorization: `Bearer ${SECRETS.ADMIN_API_KEY}`, 'content-type': 'application/json' };
    const key = await fetch(`${apiUrl}/v1/admin/api-keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'compose agent 2', role: 'agent' }) });
    const agent = { authorization: `Bearer ${((await key.json()) as { key: string }).key}`, 'content-type': 'application/json' };
    const created = await fetch(`${apiUrl}/v1/tickets`, { method: 'POST', headers: { ...agent, 'x-request-id': 'req-compose-create' }, body: JSON.stringify(NEW_TICKET_EXAMPLE) });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: string }).id;
    await eventually('the ticket in triage', () => fetch(`${apiUrl}/v1/tickets/${id}`, { headers: agent }).then((r) => r.json() as Promise<{ status: string }>), (t) => t.status === 'triage');
    const answer = { classification: NEW_TICKET_EXAMPLE.classification, disposition: { action: 'answer', answer: '已告知市民夜间施工须办理夜间施工许可，并可向市城市管理局举报。' } };
    const triaged = await fetch(`${apiUrl}/v1/tickets/${id}/triage`, { method: 'POST', headers: { ...agent, 'x-request-id': 'req-compose-answer' }, body: JSON.stringify(answer) });
    expect(triaged.status).toBe(200);

    const linesOf = (name: string, requestId: string) => output[name]!.map(json).filter((l) => l?.requestId === requestId);
    const steps = (requestId: string) => linesOf('worker', requestId).filter((l) => l!.ticketId === id).map((l) => `${l!.msg}: ${l!.step}`);
    // the start: the workflow's step (its log, through the Temporal runtime) and the activity that wrote it
    expect(await eventually('the worker lines of the creation', () => steps('req-compose-create'), (s) => s.includes('ticket step: received') && s.includes('ticket step recorded: received'))).not.toContain(
      'ticket step recorded: answered',
    );
    // an update: its own request id, not the start's
    const answered = await eventually('the worker lines of the answer', () => steps('req-compose-answer'), (s) => s.includes('ticket step: answered') && s.includes('ticket step recorded: answered'));
    expect(answered).not.toContain('ticket step recorded: received');
    for (const requestId of ['req-compose-create', 'req-compose-answer']) {
      const request = await eventually(`the API's line of ${requestId}`, () => linesOf('api', requestId).filter((l) => l!.msg === 'request'), (l) => l.length > 0);
      expect(request).toEqual([expect.objectContaining({ method: 'POST', requestId })]);
    }
  });

  it('stop on SIGTERM with exit code 0, every line JSON and none above info', async () => {
    await Promise.all([api.stop('SIGTERM'), worker.stop('SIGTERM')]);
    for (const name of ['api', 'worker']) {
      const lines = output[name]!.filter((l) => l.trim());
      expect(lines.length, name).toBeGreaterThan(2);
      expect(lines.filter((l) => !json(l)), `${name}: lines that are not JSON`).toEqual([]);
      expect(lines.filter((l) => json(l)!.level > 30), `${name}: lines above info`).toEqual([]);
      expect(lines.map((l) => json(l)!.msg)).toContain('shutting down');
    }
    expect(api.exitCode).toBe(0);
    expect(worker.exitCode).toBe(0);
  });
});

function json(line: string): Record<string, any> | undefined {
  try {
    const value = JSON.parse(line);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
