/**
 * The bare-Temporal baseline of bench/intake.ts and bench/lifecycle.ts: the least a ticket can cost
 * on the platform. Created by update-with-start; each step is one update whose handler runs one
 * activity doing one INSERT; the callback ends the workflow. No lifecycle rules, no timers.
 */
import { condition, defineUpdate, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type * as activities from './activities';

export const stepUpdate = defineUpdate<number, [string]>('step');

const { insertStep } = proxyActivities<typeof activities>({ startToCloseTimeout: '30 seconds' });

export async function bareTicket(content: string): Promise<void> {
  const id = workflowInfo().workflowId;
  let seq = 0;
  let closed = false;
  setHandler(stepUpdate, async (step) => {
    seq += 1;
    await insertStep({ ticketId: id, seq, step, content: step === 'received' ? content : '' });
    if (step === 'callback') closed = true;
    return seq;
  });
  await condition(() => closed);
}
