/** Every activity the worker registers, built from the process's dependencies. */
import type { Database } from '../db/client';
import type { PlatformEndpoints, WebhookDeliveryPolicy } from '../platform/config';
import type { Logger } from '../platform/logger';
import type { SecretBox } from '../platform/secret-box';
import { failingFastOnDataErrors } from './data-errors';
import { createClassifierTrainingActivities } from './classifier-training';
import { createIntakeActivities } from './intake';
import { createNotificationActivities } from './notifications';
import { createSupervisionActivities } from './supervision';
import { createReportActivities } from './reports';
import { createTicketActivities } from './tickets';

export interface ActivityDeps {
  database: Database;
  logger: Logger;
  /** opens the units' webhook secrets, to sign notifications with */
  secretBox: SecretBox;
  /** the retries of a notification's delivery */
  webhookDelivery: WebhookDeliveryPolicy;
  /** where tickets are handed back to the provincial and national platforms (config, PROVINCIAL_PLATFORM_URL …) */
  platforms?: PlatformEndpoints;
  fetchImpl?: typeof fetch;
}

export function createActivities(deps: ActivityDeps) {
  // one rule for all: a write Postgres refuses for its data fails at once instead of retrying forever
  return failingFastOnDataErrors(
    {
      ...createTicketActivities(deps),
      ...createReportActivities(deps),
      ...createSupervisionActivities(deps),
      ...createNotificationActivities(deps),
      ...createIntakeActivities(deps),
      ...createClassifierTrainingActivities(deps),
    },
    deps.logger,
  );
}
