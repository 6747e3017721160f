/** The baseline's worker process: DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE. */
import { NativeConnection, Worker } from '@temporalio/worker';
import * as activities from './activities';

async function main() {
  activities.useDatabase(process.env.DATABASE_URL!);
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection,
    taskQueue: process.env.TEMPORAL_TASK_QUEUE!,
    workflowsPath: require.resolve('./workflows'),
    activities: { insertStep: activities.insertStep },
  });
  console.log(JSON.stringify({ msg: 'worker running' }));
  await worker.run();
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
