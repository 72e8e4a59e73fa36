import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStepFunctionsLauncher } from '../../lambdas/adapters/aws/step-functions-launcher';
import { awsClientConfig, type Moto, startMoto } from '../helpers/moto';
import { queuedTest, testLauncherContract } from './test-launcher.contract';

// The Step Functions launcher on moto's Step Functions: a run is an execution named after the test,
// with {testId} as its input.

let moto: Moto;
let sfn: SFNClient;
let stateMachineArn: string;
beforeAll(async () => {
  moto = await startMoto();
  sfn = new SFNClient(awsClientConfig(moto.endpoint));
  const made = await sfn.send(
    new CreateStateMachineCommand({
      name: 'runs',
      roleArn: 'arn:aws:iam::123456789012:role/runs',
      definition: JSON.stringify({
        StartAt: 'Wait',
        States: { Wait: { Type: 'Wait', Seconds: 60, End: true } },
      }),
    }),
  );
  stateMachineArn = made.stateMachineArn as string;
});
afterAll(async () => {
  await moto?.stop();
});

testLauncherContract('Step Functions (moto)', async () => ({
  launcher: createStepFunctionsLauncher(sfn, stateMachineArn),
  runsStarted: async (id) => {
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    return (executions ?? []).filter((e) => e.name === id).length;
  },
  brokenError: /does not exist|StateMachineDoesNotExist/i,
  broken: async () =>
    createStepFunctionsLauncher(sfn, 'arn:aws:states:us-east-1:123456789012:stateMachine:missing'),
}));

describe('Step Functions launcher (moto), beyond the contract', () => {
  it('gives the execution {testId} as its input', async () => {
    const test = queuedTest();
    await createStepFunctionsLauncher(sfn, stateMachineArn).launch(test);
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    const arn = executions?.find((e) => e.name === test.id)?.executionArn;
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(JSON.parse(described.input ?? 'null')).toEqual({ testId: test.id });
  });

  it("passes Step Functions' own error through for a state machine that does not exist, naming the ARN", async () => {
    const missing = 'arn:aws:states:us-east-1:123456789012:stateMachine:missing';
    // Only ExecutionAlreadyExists is an answer (a retried hand-off); anything else is the caller's to see.
    const err = await createStepFunctionsLauncher(sfn, missing)
      .launch(queuedTest())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateMachineDoesNotExist);
    expect(err).toMatchObject({
      name: 'StateMachineDoesNotExist',
      message: expect.stringContaining(missing),
      $metadata: { httpStatusCode: 400 },
    });
  });
});
