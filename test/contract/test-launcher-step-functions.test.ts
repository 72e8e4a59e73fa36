import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll } from 'vitest';
import { createStepFunctionsLauncher } from '../../lambdas/adapters/aws/step-functions-launcher';
import { awsClientConfig, type Moto, startMoto } from '../helpers/moto';
import { testLauncherContract } from './test-launcher.contract';

// The Step Functions launcher on moto's Step Functions: a run is an execution named after the test.

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
