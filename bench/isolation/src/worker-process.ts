/**
 * One worker pool replica as its own OS process (the benchmark runs the priority and the standard pool as
 * separate processes, as they are separate Deployments in the cluster). Configured by environment, validated
 * with zod; prints `READY` on stdout once polling so the orchestrator can start the clock.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { z } from 'zod';
import { createSyntheticActivities } from './synthetic-audit/activities.js';

const envSchema = z.object({
  BENCH_TEMPORAL_ADDRESS: z.string().min(1),
  BENCH_TASK_QUEUE: z.string().min(1),
  BENCH_WORKFLOW_BUNDLE: z.string().min(1),
  BENCH_MAX_ACTIVITIES: z.coerce.number().int().positive().default(20),
  BENCH_MAX_WORKFLOW_TASKS: z.coerce.number().int().positive().default(40),
});

async function main(): Promise<void> {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`invalid bench worker environment: ${fields}`);
  }
  const env = parsed.data;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: env.BENCH_TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue: env.BENCH_TASK_QUEUE,
    workflowBundle: { codePath: env.BENCH_WORKFLOW_BUNDLE },
    activities: createSyntheticActivities(),
    maxConcurrentActivityTaskExecutions: env.BENCH_MAX_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: env.BENCH_MAX_WORKFLOW_TASKS,
    shutdownGraceTime: '2s',
  });
  const running = worker.run();
  process.stdout.write('READY\n');
  const stop = (): void => worker.shutdown();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await running;
  await connection.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`bench worker failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
