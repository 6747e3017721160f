/** Every activity the worker registers, built from the process's dependencies. */
import type { Database } from '../db/client';
import type { Logger } from '../platform/logger';
import { failingFastOnDataErrors } from './data-errors';
import { createClassifierTrainingActivities } from './classifier-training';
import { createIntakeActivities } from './intake';
import { createSupervisionActivities } from './supervision';
import { createReportActivities } from './reports';
import { createTicketActivities } from './tickets';

export interface ActivityDeps {
  database: Database;
  logger: Logger;
  /** signs notifications to units' webhooks */
  webhookSecret: string;
  fetchImpl?: typeof fetch;
}

export function createActivities(deps: ActivityDeps) {
  // one rule for all: a write Postgres refuses for its data fails at once instead of retrying forever
  return failingFastOnDataErrors(
    {
      ...createTicketActivities(deps),
      ...createReportActivities(deps),
      ...createSupervisionActivities(deps),
      ...createIntakeActivities(deps),
      ...createClassifierTrainingActivities(deps),
    },
    deps.logger,
  );
}
