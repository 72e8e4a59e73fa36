import { awsRun } from '../../composition/aws';
import { awsConfig } from '../../config/aws';
import { type MonitorEvent, monitorStep } from '../../core/run/monitor';

/** Step Functions task "Monitor": live figures and abortOnFail across all workers, ≤ 14 min a call. */
const run = awsRun(awsConfig());

export const handler = (event: MonitorEvent) => monitorStep(run, event, 14 * 60_000);
