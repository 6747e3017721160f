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

/** Creates a schedule, or brings an existing one up to date: safe at every start. */
async function ensureSchedule(client: Client, options: ScheduleOptions, logger?: Logger): Promise<void> {
  try {
    await client.schedule.create(options);
    logger?.info({ scheduleId: options.scheduleId }, 'schedule created');
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

/** Creates the report schedules, or brings existing ones up to date. */
export async function ensureReportSchedules(client: Client, taskQueue: string, logger?: Logger): Promise<void> {
  for (const period of REPORT_PERIODS) await ensureSchedule(client, scheduleOptions(taskQueue, period), logger);
}

export const CLASSIFIER_TRAINING_WORKFLOW = 'classifierTrainingWorkflow';

/** The classifier learns the day's agent decisions every night at 05:00, after the reports. */
export function classifierScheduleId(taskQueue: string): string {
  return `${taskQueue}-classifier-training`;
}

export async function ensureClassifierSchedule(client: Client, taskQueue: string, logger?: Logger): Promise<void> {
  const options: ScheduleOptions = {
    scheduleId: classifierScheduleId(taskQueue),
    spec: { calendars: [{ hour: 5, comment: '分类模型训练: nightly' }], timezone: HOTLINE_TIME_ZONE },
    action: {
      type: 'startWorkflow',
      workflowType: CLASSIFIER_TRAINING_WORKFLOW,
      args: [{ requestedBy: 'schedule' }],
      taskQueue,
      workflowId: classifierScheduleId(taskQueue),
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
  };
  await ensureSchedule(client, options, logger);
}
