// Intent assertions on the run's state machine (ADR 003), made on the ASL as Step Functions will
// read it: the definition CloudFormation gets, with its references resolved (asl.ts).
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { STATES } from '../../lib/constructs/load-test/load-test-orchestrator';
import { LAMBDA_TRANSIENT_ERRORS } from '../../lib/constructs/load-test/run-states';
import { stateMachineDefinition } from './asl';
import { logicalIdOf, resourcesOf, synthStack } from './stack-fixture';

const { stack } = synthStack({ settings: { quotas: { maxDurationSeconds: 5400 } } });
const template = Template.fromStack(stack);
const asl = stateMachineDefinition(template);
const run = stack.orchestrator.functions.handlers;

type State = Record<string, unknown> & { Type: string };
type Graph = { StartAt: string; States: Record<string, State> };

/** Every state, nested ones (Parallel branches, Map item processors) included, by name. */
function allStates(graph: Graph): Record<string, State> {
  return Object.fromEntries(
    Object.entries(graph.States).flatMap(([name, state]) => [
      [name, state],
      ...((state.Branches as Graph[] | undefined) ?? []).flatMap((b) => Object.entries(allStates(b))),
      ...(state.ItemProcessor ? Object.entries(allStates(state.ItemProcessor as Graph)) : []),
    ]),
  );
}
const states = allStates(asl as unknown as Graph);
const state = (name: string): State => {
  const s = states[name];
  if (s === undefined) throw new Error(`no state ${name}`);
  return s;
};
const lambdaArn = (h: { function: object }) =>
  `arn:aws:lambda:us-east-1:123456789012:function:${logicalIdOf(stack, h.function as never)}`;
const CAUGHT = { ErrorEquals: ['States.ALL'], ResultPath: '$.error' };

describe('the run state machine (ASL)', () => {
  it('has exactly the states of ADR 003, under stable names', () => {
    expect(Object.keys(states).sort()).toEqual(Object.values(STATES).sort());
    expect(asl.StartAt).toBe(STATES.plan);
  });

  it('plans with plan-run, then skips a test cancelled before it started', () => {
    expect(state('Plan')).toMatchObject({
      Type: 'Task',
      Resource: lambdaArn(run.planRun),
      Parameters: { 'testId.$': '$.testId' },
      Next: 'IsSkipped',
    });
    expect(state('IsSkipped')).toMatchObject({
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.skip', IsPresent: true },
            { Variable: '$.skip', BooleanEquals: true },
          ],
          Next: 'Done',
        },
      ],
      Default: 'Run',
    });
  });

  it('runs the workers and the monitor side by side, keeping the plan as the state', () => {
    const parallel = state('Run');
    expect(parallel).toMatchObject({ Type: 'Parallel', ResultPath: null, Next: 'Aggregate' });
    expect((parallel.Branches as Graph[]).map((b) => b.StartAt)).toEqual(['ChooseRuntime', 'Monitor']);
    expect(state('ChooseRuntime')).toMatchObject({
      Type: 'Choice',
      Choices: [
        { Variable: '$.runtime', StringEquals: 'lambda', Next: 'LambdaWorkers' },
        { Variable: '$.runtime', StringEquals: 'fargate', Next: 'FargateWorkers' },
      ],
      Default: 'UnknownRuntime',
    });
    expect(state('UnknownRuntime')).toMatchObject({ Type: 'Fail', Error: 'Throughline.UnknownRuntime' });
  });

  it.each(['LambdaWorkers', 'FargateWorkers'])(
    '%s is a Distributed Map over the S3 item list that no lost worker can fail',
    (name) => {
      const map = state(name);
      expect(map).toMatchObject({
        Type: 'Map',
        Label: name,
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSON' },
          Parameters: { 'Bucket.$': '$.itemsBucket', 'Key.$': '$.itemsKey' },
        },
        ToleratedFailurePercentage: 100,
        ResultPath: null,
        End: true,
      });
      // Every item runs at once (they share a start time): no concurrency limit below Step Functions'.
      expect(map).not.toHaveProperty('MaxConcurrency');
      expect(map).not.toHaveProperty('MaxConcurrencyPath');
      expect(map).not.toHaveProperty('ItemsPath');
    },
  );

  it('runs a Lambda worker per item, a failed one becoming a small result', () => {
    expect(state('LambdaWorker')).toMatchObject({
      Type: 'Task',
      Resource: lambdaArn(run.segmentWorker),
      ResultSelector: { 'worker.$': '$.worker', 'outcome.$': '$.outcome' },
      Catch: [{ ...CAUGHT, Next: 'LambdaWorkerLost' }],
      End: true,
    });
    // The item is the whole input of the worker.
    expect(state('LambdaWorker')).not.toHaveProperty('Parameters');
    expect(state('LambdaWorkerLost')).toMatchObject({
      Type: 'Pass',
      Parameters: { 'worker.$': '$.worker', outcome: 'lost', 'error.$': '$.error.Error' },
      End: true,
    });
  });

  it('runs a Fargate task per item to its end, the item as container overrides', () => {
    const { taskDefinition } = stack.orchestrator.fargate;
    expect(state('FargateWorker')).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::ecs:runTask.sync',
      TimeoutSecondsPath: '$.timeoutSeconds',
      ResultPath: null,
      Parameters: {
        Cluster: expect.stringMatching(/^arn:aws:ecs:us-east-1:123456789012:cluster\//),
        TaskDefinition: taskDefinition.family,
        LaunchType: 'FARGATE',
        NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'ENABLED' } },
        Overrides: {
          ContainerOverrides: [
            {
              Name: 'worker',
              Environment: [
                { Name: 'THROUGHLINE_TEST_ID', 'Value.$': '$.testId' },
                { Name: 'THROUGHLINE_SEGMENT', 'Value.$': '$.segment' },
                { Name: 'THROUGHLINE_WORKER', 'Value.$': 'States.JsonToString($.worker)' },
                { Name: 'THROUGHLINE_START_AT_MS', 'Value.$': 'States.JsonToString($.startAtMs)' },
              ],
            },
          ],
        },
      },
      Catch: [{ ...CAUGHT, Next: 'FargateWorkerLost' }],
      Next: 'FargateWorkerExited',
    });
    expect(state('FargateWorker').Parameters).not.toHaveProperty('CapacityProviderStrategy');
    expect(state('FargateWorkerExited')).toMatchObject({ Type: 'Pass', End: true });
    expect(state('FargateWorkerLost')).toMatchObject({
      Type: 'Pass',
      Parameters: { 'worker.$': '$.worker', outcome: 'lost' },
      End: true,
    });
  });

  it('loops the monitor until it says the run is over', () => {
    expect(state('Monitor')).toMatchObject({
      Type: 'Task',
      Resource: lambdaArn(run.monitorRun),
      Parameters: {
        'testId.$': '$.testId',
        'startAtMs.$': '$.startAtMs',
        'plannedMs.$': '$.plannedMs',
        'workers.$': '$.workers',
        'deadlineMs.$': '$.deadlineMs',
      },
      Next: 'KeepMonitoring',
    });
    expect(state('KeepMonitoring')).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.state', StringEquals: 'continue', Next: 'Monitor' }],
      Default: 'MonitorDone',
    });
    expect(state('MonitorDone').Type).toBe('Succeed');
  });

  it('aggregates, then publishes the aggregate’s message on the run topic', () => {
    expect(state('Aggregate')).toMatchObject({
      Type: 'Task',
      Resource: lambdaArn(run.aggregateRun),
      Parameters: { 'testId.$': '$.testId' },
      Next: 'Notify',
    });
    const topic = logicalIdOf(stack, stack.orchestrator.notifications.topic);
    expect(state('Notify')).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish',
      Parameters: {
        TopicArn: `arn:aws:sns:us-east-1:123456789012:${topic}`,
        'Message.$': '$.message',
        'Subject.$': "States.Format('Throughline load test {}: {}', $.testId, $.status)",
      },
      ResultPath: null,
      Next: 'Done',
    });
    expect(state('Done').Type).toBe('Succeed');
  });

  it('sends any error of Plan, Run or Aggregate to fail-run, then fails with that error', () => {
    for (const name of ['Plan', 'Run', 'Aggregate'])
      expect(state(name).Catch, name).toEqual([{ ...CAUGHT, Next: 'FailRun' }]);
    const caught = Object.entries(states).filter(([, s]) =>
      ((s.Catch as { Next: string }[] | undefined) ?? []).some((c) => c.Next === 'FailRun'),
    );
    expect(caught.map(([name]) => name).sort()).toEqual(['Aggregate', 'Plan', 'Run']);
    expect(state('FailRun')).toMatchObject({
      Type: 'Task',
      Resource: lambdaArn(run.failRun),
      Parameters: { 'testId.$': '$.testId', 'error.$': '$.error' },
      ResultPath: null,
      Next: 'Failed',
    });
    expect(state('Failed')).toEqual({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
  });

  it('retries every Lambda task on throttling and service errors, with backoff and jitter', () => {
    const lambdaTasks = Object.entries(states).filter(([, s]) =>
      String(s.Resource).startsWith('arn:aws:lambda:'),
    );
    expect(lambdaTasks.map(([name]) => name).sort()).toEqual(
      ['Aggregate', 'FailRun', 'LambdaWorker', 'Monitor', 'Plan'].sort(),
    );
    const transient = {
      ErrorEquals: LAMBDA_TRANSIENT_ERRORS,
      IntervalSeconds: 2,
      MaxAttempts: 6,
      BackoffRate: 2,
      JitterStrategy: 'FULL',
    };
    // Monitor and Aggregate are idempotent: any task failure (a throttled store call, a failed
    // read) is retried with backoff before the run is failed.
    const taskFailed = {
      ErrorEquals: ['States.TaskFailed'],
      IntervalSeconds: 2,
      MaxAttempts: 5,
      BackoffRate: 2,
      JitterStrategy: 'FULL',
    };
    for (const [name, task] of lambdaTasks)
      expect(task.Retry).toEqual(
        name === 'Monitor' || name === 'Aggregate' ? [transient, taskFailed] : [transient],
      );
    expect(LAMBDA_TRANSIENT_ERRORS).toEqual(
      expect.arrayContaining(['Lambda.TooManyRequestsException', 'Lambda.ServiceException']),
    );
    expect(state('FargateWorker').Retry).toEqual([
      expect.objectContaining({
        ErrorEquals: expect.arrayContaining(['ECS.AmazonECSException']),
        BackoffRate: 2,
        JitterStrategy: 'FULL',
        MaxDelaySeconds: 30,
      }),
    ]);
  });

  it('times out an hour after the longest test allowed', () => {
    expect(asl.TimeoutSeconds).toBe(5400 + 3600);
  });
});

describe('the run state machine (resource)', () => {
  const machine = Object.values(resourcesOf(template, 'AWS::StepFunctions::StateMachine'))[0];

  it('is STANDARD, traced, and logs every event (without data) to an encrypted log group', () => {
    expect(machine?.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [
          { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } } },
        ],
      },
    });
    const config = machine?.Properties.LoggingConfiguration as {
      Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [string] } } }[];
    };
    const group = config.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0] ?? '';
    expect(resourcesOf(template, 'AWS::Logs::LogGroup')[group]?.Properties).toMatchObject({
      LogGroupName: '/aws/vendedlogs/states/Throughline-runs',
      KmsKeyId: expect.anything(),
    });
  });

  it('follows the removal policy', () => {
    expect(machine).toMatchObject({ DeletionPolicy: 'Retain' });
    const destroyed = Template.fromStack(synthStack({ settings: { removalPolicy: 'destroy' } }).stack);
    expect(Object.values(resourcesOf(destroyed, 'AWS::StepFunctions::StateMachine'))[0]).toMatchObject({
      DeletionPolicy: 'Delete',
    });
  });
});

describe('run notifications', () => {
  it('go to a KMS-encrypted topic that refuses non-TLS publishing, with no subscriber by default', () => {
    const key = logicalIdOf(stack, stack.orchestrator.notifications.key);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    // (the alarm topic's notifier is subscribed to the other topic)
    const topic = logicalIdOf(stack, stack.orchestrator.notifications.topic);
    expect(
      Object.values(resourcesOf(template, 'AWS::SNS::Subscription')).filter(
        (s) => JSON.stringify(s.Properties.TopicArn) === JSON.stringify({ Ref: topic }),
      ),
    ).toEqual([]);
  });

  it('are emailed to alarmEmail when it is set', () => {
    const withEmail = Template.fromStack(synthStack({ settings: { alarmEmail: 'ops@example.com' } }).stack);
    withEmail.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });
});

describe('run functions', () => {
  const functions = resourcesOf(template, 'AWS::Lambda::Function');
  const props = (name: keyof typeof run) => functions[logicalIdOf(stack, run[name].function)]?.Properties;

  it('are sized for their step', () => {
    expect(props('segmentWorker')).toMatchObject({ MemorySize: 1769, Timeout: 900 });
    expect(props('monitorRun')).toMatchObject({ Timeout: 900 });
    expect(props('aggregateRun')).toMatchObject({ MemorySize: 3008, Timeout: 900 });
    expect(props('planRun')).toMatchObject({ Timeout: 120 });
    expect(props('failRun')).toMatchObject({ Timeout: 60 });
  });

  it('give plan-run the capacity overrides, with the deployed Fargate worker size', () => {
    const { stack: custom } = synthStack({
      settings: {
        fargate: { cpu: 4096, memoryMiB: 8192, spot: true },
        capacity: { fargate: { maxRps: 20_000 } },
      },
    });
    const fn = resourcesOf(Template.fromStack(custom), 'AWS::Lambda::Function')[
      logicalIdOf(custom, custom.orchestrator.functions.handlers.planRun.function)
    ];
    const env = (fn!.Properties.Environment as { Variables: Record<string, string> }).Variables;
    expect(JSON.parse(env.THROUGHLINE_CAPACITY ?? '')).toEqual({
      fargate: { maxRps: 20_000, vcpu: 4, memoryMb: 8192, spot: true },
    });
  });
});
