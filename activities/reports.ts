/** The activity behind the periodic reports: build one report from Postgres and store it. */
import type { Database } from '../db/client';
import { buildReport, saveReport } from '../db/reports';
import type { ReportPeriod } from '../domain/reports';
import type { Logger } from '../platform/logger';

export function createReportActivities({ database, logger }: { database: Database; logger: Logger }) {
  return {
    /** Idempotent: the report's id is its period and first day, and a stored one is replaced. */
    async generateReport({ period, start }: { period: ReportPeriod; start: string }): Promise<{ id: string }> {
      const report = await buildReport(database.db, period, start, new Date());
      await saveReport(database.db, report);
      logger.info({ reportId: report.id }, 'report generated');
      return { id: report.id };
    },
  };
}
