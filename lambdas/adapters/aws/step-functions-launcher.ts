import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
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
    async isRunning(id) {
      try {
        const { status } = await sfn.send(
          new DescribeExecutionCommand({ executionArn: executionArnOf(stateMachineArn, id) }),
        );
        return status === 'RUNNING';
      } catch (err) {
        if ((err as Error).name === 'ExecutionDoesNotExist') return false;
        throw err;
      }
    },
  };
}
/** The ARN of the execution named `name` of a state machine (executions are named after their test). */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

export { SFNClient };
