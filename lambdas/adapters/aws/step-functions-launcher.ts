import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { TestLauncher } from '../../ports/test-launcher';

/**
 * Starts the distributed run (ADR 003). The execution is named after the test, so a retried
 * hand-off cannot start a second run. Cancelling needs no call: the stop flag in the table stops
 * the workers and the execution ends after storing the results so far.
 */
export function createStepFunctionsLauncher(sfn: SFNClient, stateMachineArn: string): TestLauncher {
  return {
    async launch(test) {
      try {
        await sfn.send(
          new StartExecutionCommand({
            stateMachineArn,
            name: test.id,
            input: JSON.stringify({ testId: test.id }),
          }),
        );
      } catch (err) {
        if ((err as Error).name !== 'ExecutionAlreadyExists') throw err;
      }
    },
    async cancel() {},
  };
}
export { SFNClient };
