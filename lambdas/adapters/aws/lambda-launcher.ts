import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { TestLauncher } from '../../ports/test-launcher';

/**
 * Hands a test to the runner Lambda with an asynchronous invoke (the API answers at once; Lambda
 * retries the hand-off itself). Cancelling needs no call: the use case sets the stop flag in the
 * table and the runner polls it every second.
 */
export function createLambdaLauncher(lambda: LambdaClient, functionName: string): TestLauncher {
  return {
    async launch(test) {
      const res = await lambda.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify({ testId: test.id })),
        }),
      );
      if (res.StatusCode !== 202) throw new Error(`runner invoke answered ${res.StatusCode}`);
    },
    async cancel() {},
  };
}
