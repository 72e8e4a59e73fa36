import { awsRun } from '../../composition/aws';
import { awsConfig } from '../../config/aws';
import { runSegmentWorker, type SegmentJob } from '../../core/run/segment-worker';
import { logger } from './powertools';

/** Step Functions Map item → one Lambda worker: runs its segment, returns its report (ADR 003). */
const run = awsRun(awsConfig());

export async function handler(item: SegmentJob) {
  logger.appendKeys({ testId: item.testId, worker: item.worker });
  const report = await runSegmentWorker(run.worker, item);
  logger.info('worker ended', { ...report });
  return report;
}
