/**
 * The baseline's API process: the same HTTP shape as the project's (JSON in, JSON out, one Temporal
 * call per request), PORT, TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE.
 *   POST /tickets           update-with-start: starts the workflow, answers once `received` is inserted
 *   POST /tickets/:id/:step one update (sign, reply, callback), answers once its row is inserted
 */
import express from 'express';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { stepUpdate } from './workflows';

async function main() {
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const client = new Client({ connection });
  const taskQueue = process.env.TEMPORAL_TASK_QUEUE!;
  let next = 0;
  const app = express();
  app.use(express.json());
  app.post('/tickets', async (req, res) => {
    const id = `bare-${process.pid}-${Date.now()}-${++next}`;
    const start = new WithStartWorkflowOperation('bareTicket', {
      workflowId: id,
      taskQueue,
      args: [String(req.body.content ?? '')],
      workflowIdConflictPolicy: 'FAIL',
    });
    const seq = await client.workflow.executeUpdateWithStart(stepUpdate, { args: ['received'], startWorkflowOperation: start });
    res.status(201).json({ id, seq });
  });
  app.post('/tickets/:id/:step', async (req, res) => {
    const seq = await client.workflow.getHandle(req.params.id).executeUpdate(stepUpdate, { args: [req.params.step] });
    res.json({ id: req.params.id, seq });
  });
  app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(JSON.stringify({ msg: 'API listening' })));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
