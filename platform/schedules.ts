/**
 * The Temporal Schedules that write the periodic reports, in Asia/Shanghai time: daily at 01:00
 * (yesterday), weekly on Monday at 02:00 (last week), monthly on the 1st at 03:00 (last month),
 * yearly on 1 January at 04:00 (last year). A run still going when the next is due is not
 * doubled (overlap SKIP).
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type CalendarSpec, type Client, type ScheduleOptions } from '@temporalio/client';
import { HOTLINE_TIME_ZONE } from '../domain/time';
import { REPORT_PERIODS, REPORT_WORKFLOW, type ReportPeriod } from '../domain/reports';
import type { Logger } from './logger';

const CALENDARS: Record<ReportPeriod, CalendarSpec> = {
  day: { hour: 1, comment: '日报: yesterday' },
  week: { dayOfWeek: 'MONDAY', hour: 2, comment: '周报: last Monday to Sunday' },
  month: { dayOfMonth: 1, hour: 3, comment: '月报: last month' },
  year: { month: 'JANUARY', dayOfMonth: 1, hour: 4, comment: '年报: last year' },
};

/** One schedule per report kind and task queue, so separate deployments on one namespace keep theirs apart. */
export function reportScheduleId(taskQueue: string, period: ReportPeriod): string {
  return `${taskQueue}-report-${period}`;
}

function scheduleOptions(taskQueue: string, period: ReportPeriod): ScheduleOptions {
  return {
    scheduleId: reportScheduleId(taskQueue, period),
    spec: { calendars: [CALENDARS[period]], timezone: HOTLINE_TIME_ZONE },
    action: {
      type: 'startWorkflow',
      workflowType: REPORT_WORKFLOW,
      args: [{ period }],
      taskQueue,
      // Temporal appends the time of each run
      workflowId: reportScheduleId(taskQueue, period),
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
  };
}

/** Creates the report schedules, or brings existing ones up to date: safe at every start. */
export async function ensureReportSchedules(client: Client, taskQueue: string, logger?: Logger): Promise<void> {
  for (const period of REPORT_PERIODS) {
    const options = scheduleOptions(taskQueue, period);
    try {
      await client.schedule.create(options);
      logger?.info({ scheduleId: options.scheduleId }, 'report schedule created');
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(options.scheduleId).update((previous) => ({
        ...previous,
        spec: options.spec,
        action: options.action,
        policies: { ...previous.policies, ...options.policies },
      }));
    }
  }
}
