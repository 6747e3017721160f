/**
 * 定期报告: one report of one period, started by a schedule (daily, weekly, monthly, yearly) or
 * by a supervisor regenerating a past period. Deterministic: the period comes from the input
 * or from the time the schedule was due, never from the clock; the activity does the I/O.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type * as activities from '../activities';
import { latestEndedStart, type ReportPeriod } from '../domain/reports';

const { generateReport } = proxyActivities<ReturnType<typeof activities.createActivities>>({
  // a yearly report reads a year of tickets for its clusters and repeat callers
  startToCloseTimeout: '15 minutes',
  // then the run fails rather than hold up the schedule, which skips runs while one is going
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes', maximumAttempts: 10 },
});

/** Set by Temporal on a workflow a schedule starts: when the action was due, even if it ran late. */
const scheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export interface ReportWorkflowInput {
  period: ReportPeriod;
  /** the first day; absent when a schedule starts it: then the latest period that has ended */
  start?: string;
}

export async function reportWorkflow(input: ReportWorkflowInput): Promise<{ id: string }> {
  const start = input.start ?? latestEndedStart(input.period, scheduledTime());
  return generateReport({ period: input.period, start });
}

function scheduledTime(): Date {
  const info = workflowInfo();
  return info.typedSearchAttributes.get(scheduledStartTime) ?? info.startTime;
}
