import { awsRun } from '../../composition/aws';
import { awsConfig } from '../../config/aws';
import { fargateJob } from '../../config/fargate';
import { runSegmentWorker } from '../../core/run/segment-worker';

/** Fargate worker (ADR 003): the same segment worker as the Lambda one, for runs longer than 13 min. */
async function main(): Promise<number> {
  const job = fargateJob();
  const report = await runSegmentWorker(awsRun(awsConfig()).worker, job);
  process.stdout.write(`${JSON.stringify({ message: 'worker ended', ...report })}\n`);
  return report.outcome === 'completed' ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${JSON.stringify({ message: 'worker failed', error: String(err) })}\n`);
    process.exit(1);
  },
);
