import { awsRun } from '../../composition/aws';
import { awsConfig } from '../../config/env';
import { type MonitorPlan, monitorRun } from '../../core/platform/run-monitor';

/** Step Functions task "Monitor": live figures and abortOnFail across all workers, ≤ 14 min a call. */
const run = awsRun(awsConfig(process.env));
const CALL_MS = 14 * 60_000;

export async function handler(event: MonitorPlan & { readonly testId: string; readonly deadlineMs: number }) {
  const until = Math.min(event.deadlineMs, run.clock.now() + CALL_MS);
  const state = await monitorRun(run, event.testId, event, until);
  // Past the deadline the workers are lost or done: stop looping, Aggregate names what is missing.
  return {
    ...event,
    state: state === 'continue' && run.clock.now() >= event.deadlineMs ? 'finished' : state,
  };
}
