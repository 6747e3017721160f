/**
 * 分类模型训练: one training run of the classifier, started by the nightly schedule or by an
 * admin's request. The run's id is the workflow's, so a retried activity finds its own row.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities';

const { trainClassifierModel } = proxyActivities<ReturnType<typeof activities.createActivities>>({
  // tokenizing and fitting some ten thousand tickets takes a minute or two on a busy worker
  startToCloseTimeout: '20 minutes',
  retry: { initialInterval: '30 seconds', maximumInterval: '5 minutes', maximumAttempts: 5 },
});

export interface ClassifierTrainingInput {
  /** absent when the schedule starts it: then the workflow id */
  id?: string;
  requestedBy: string;
}

export async function classifierTrainingWorkflow(input: ClassifierTrainingInput): Promise<{ id: string; status: string }> {
  return trainClassifierModel({ id: input.id ?? workflowInfo().workflowId, requestedBy: input.requestedBy });
}
