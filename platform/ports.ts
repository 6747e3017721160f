/**
 * The ports the embedded default listens on must be free before anything starts: otherwise a
 * second installation's worker and API would quietly talk to the first one's Temporal server
 * (the dev server fails to bind, and its address answers all the same).
 */
import net from 'node:net';
import type { Config } from './config';

export interface WantedPort {
  port: number;
  /** what would listen there, e.g. "the Temporal UI" */
  what: string;
  /** the environment variable that sets it */
  env: string;
  /** the address it would bind; all interfaces when unset */
  host?: string;
}

/** The ports `npm start` listens on: the API's, and the embedded Temporal's unless TEMPORAL_ADDRESS is set. */
export function startPorts(config: Config): WantedPort[] {
  const ports: WantedPort[] = [{ port: config.port, what: 'the API', env: 'PORT' }];
  if (!config.temporalAddress) {
    ports.push(
      { port: config.temporalPort, what: 'the embedded Temporal server', env: 'TEMPORAL_PORT', host: '127.0.0.1' },
      { port: config.temporalUiPort, what: 'the Temporal UI', env: 'TEMPORAL_UI_PORT', host: '127.0.0.1' },
    );
  }
  return ports;
}

/** Throws one message naming every port in use, what wanted it and the variable to change. */
export async function assertPortsFree(wanted: WantedPort[]): Promise<void> {
  const taken: WantedPort[] = [];
  for (const w of wanted) if (!(await canListen(w.port, w.host))) taken.push(w);
  if (taken.length === 0) return;
  const lines = taken.map((t) => `  port ${t.port} (${t.what}) is already in use: set ${t.env} to a free port`);
  const temporalHint = taken.some((t) => t.env.startsWith('TEMPORAL_'))
    ? '\nIf another hotline installation runs on this machine, give this one its own ports (and DATA_DIR), or set TEMPORAL_ADDRESS to use an existing Temporal server.'
    : '';
  throw new Error(`Cannot start: ${taken.length === 1 ? 'a port is' : 'ports are'} taken.\n${lines.join('\n')}${temporalHint}`);
}

function canListen(port: number, host?: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve(false);
      else reject(err);
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}
