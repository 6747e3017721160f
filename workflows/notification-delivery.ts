/**
 * One notification's delivery, a workflow of its own (its id is the notification's id): the
 * ticket workflow records the notification and starts this one, abandoned, so the ticket can
 * close while a dead webhook is still being retried. The retries come from the worker's
 * configuration, read by an activity so the history keeps them. When they are exhausted the
 * notification is `failed`, for the supervision queue and an admin's redelivery (which starts
 * this workflow again with the same id).
 */
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities';
import type { DeliveryOutcome } from '../activities/notifications';

type Activities = ReturnType<typeof activities.createActivities>;

const { webhookDeliveryPolicy, markNotificationFailed } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function notificationDeliveryWorkflow({ notificationId }: { notificationId: string }): Promise<DeliveryOutcome> {
  const policy = await webhookDeliveryPolicy();
  const { deliverNotification } = proxyActivities<Activities>({
    // the receiver's time to answer, and the database writes around it
    startToCloseTimeout: policy.timeoutMs + 20_000,
    retry: {
      maximumAttempts: policy.maxAttempts,
      initialInterval: policy.initialIntervalSeconds * 1000,
      maximumInterval: policy.maximumIntervalSeconds * 1000,
      backoffCoefficient: 2,
    },
  });
  try {
    return await deliverNotification({ id: notificationId });
  } catch (err) {
    const cause = err instanceof ActivityFailure ? (err.cause ?? err) : err;
    await markNotificationFailed({ id: notificationId, error: `retries exhausted: ${(cause as Error).message}` });
    return 'failed';
  }
}
