import type { Config } from '../platform/config';

/** The separate processes run against existing servers; `npm start` provides embedded ones. */
export function requireInfra(config: Config): { databaseUrl: string; temporalAddress: string } {
  if (!config.databaseUrl || !config.temporalAddress) {
    console.error('Set DATABASE_URL and TEMPORAL_ADDRESS, or run `npm start` for the embedded defaults.');
    process.exit(2);
  }
  return { databaseUrl: config.databaseUrl, temporalAddress: config.temporalAddress };
}
