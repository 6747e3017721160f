import type { Config } from '../platform/config';
import type { Infra } from '../platform/runtime';

/** The separate processes run against existing servers and keys; `npm start` provides embedded ones. */
export function requireInfra(config: Config): Infra {
  if (!config.databaseUrl || !config.temporalAddress) {
    console.error('Set DATABASE_URL and TEMPORAL_ADDRESS, or run `npm start` for the embedded defaults.');
    process.exit(2);
  }
  if (!config.payloadKeys) {
    // never a default key: payloads sealed with a key everyone knows are not sealed
    console.error('Set PAYLOAD_ENCRYPTION_KEYS (id:base64key[,…], newest first; see README → Payload encryption).');
    process.exit(2);
  }
  return { databaseUrl: config.databaseUrl, temporalAddress: config.temporalAddress, payloadKeys: config.payloadKeys };
}
