/** Loads the demo city 新乡市 into the Postgres of DATABASE_URL (compose's opt-in `demo` profile). */
import { connectDatabase } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import { loadDemoData } from '../db/seed';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';

const config = loadConfig();
const logger = createLogger(config.logLevel);
if (!config.databaseUrl) {
  logger.fatal('set DATABASE_URL to the Postgres to load the demo data into');
  process.exit(2);
}
const url = config.databaseUrl;
(async () => {
  await migrateDatabase(url);
  const database = connectDatabase(url, { max: 1 });
  await loadDemoData(database.db);
  await database.close();
  logger.info('demo data loaded');
})().catch((err) => {
  logger.fatal({ err }, 'demo data failed to load');
  process.exit(1);
});
