import {
  CreateStateMachineCommand,
  ListExecutionsCommand,
  SFNClient,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStepFunctionsLauncher } from '../../lambdas/adapters/aws/step-functions-launcher';
import type { TestRecord } from '../../lambdas/ports/test-store';
import { awsClientConfig, type Moto, startMoto } from '../helpers/moto';

// The Step Functions launcher against moto's Step Functions: one execution per test, named after
// it, with {testId} as input; a retried launch starts nothing new.

let moto: Moto;
let sfn: SFNClient;
beforeAll(async () => {
  moto = await startMoto();
  sfn = new SFNClient(awsClientConfig(moto.endpoint));
});
afterAll(async () => {
  await moto?.stop();
});

const record = (id: string): TestRecord => ({
  id,
  name: 'n',
  status: 'queued',
  createdAt: '2026-11-23T00:00:00.000Z',
  updatedAt: '2026-11-23T00:00:00.000Z',
  tags: {},
  definition: {},
});

describe('Step Functions launcher (moto)', () => {
  it('starts one execution named after the test, and a retry starts no second one', async () => {
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'runs',
        roleArn: 'arn:aws:iam::123456789012:role/runs',
        definition: JSON.stringify({
          StartAt: 'Wait',
          States: { Wait: { Type: 'Wait', Seconds: 60, End: true } },
        }),
      }),
    );
    const launcher = createStepFunctionsLauncher(sfn, stateMachineArn as string);
    await launcher.launch(record('t-1'));
    await launcher.launch(record('t-1'));
    await launcher.launch(record('t-2'));
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect((executions ?? []).map((e) => e.name).sort()).toEqual(['t-1', 't-2']);
  });

  it('fails loudly for a state machine that does not exist', async () => {
    const missing = 'arn:aws:states:us-east-1:123456789012:stateMachine:missing';
    const launcher = createStepFunctionsLauncher(sfn, missing);
    // Step Functions' own error, passed through (only ExecutionAlreadyExists is an answer), naming the ARN.
    const err = await launcher.launch(record('t-3')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateMachineDoesNotExist);
    expect(err).toMatchObject({
      name: 'StateMachineDoesNotExist',
      message: expect.stringContaining(missing),
      $metadata: { httpStatusCode: 400 },
    });
  });
});
