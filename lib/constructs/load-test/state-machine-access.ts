// What the run's state machine may do beyond what the L2 task constructs grant, and the cdk-nag
// acknowledgement of every wildcard in its role, each with the reason it cannot be narrower.
import { ArnFormat, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { TestStorage } from '../storage/test-storage';
import type { RunFunctionName, RunFunctions } from './run-functions';
import type { RunNotifications } from './run-notifications';
import { STATES } from './run-states';

export interface StateMachineAccessProps {
  readonly stateMachine: StateMachine;
  readonly storage: TestStorage;
  readonly functions: RunFunctions;
  readonly notifications: RunNotifications;
}

/**
 * Grants reading the plan's items (the ItemReader's object is only known at run time), describing
 * and stopping the Distributed Maps' child executions (`execution:<state machine>/<label>:<id>`),
 * and encrypting notifications with the topic's key.
 */
export class StateMachineAccess extends Construct {
  constructor(scope: Construct, id: string, props: StateMachineAccessProps) {
    super(scope, id);
    const sm = props.stateMachine;
    sm.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [props.storage.resultsBucket.arnForObjects('runs/*/plan/items.json')],
      }),
    );
    // A policy of its own, not the role's default one: the state machine depends on that one, and
    // this one names the state machine.
    const children = new Policy(this, 'ChildExecutionsPolicy', {
      roles: [sm.role],
      statements: [
        new PolicyStatement({
          actions: ['states:DescribeExecution', 'states:StopExecution'],
          resources: [
            Stack.of(this).formatArn({
              service: 'states',
              resource: 'execution',
              resourceName: `${sm.stateMachineName}/*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      ],
    });
    props.notifications.grantEncrypt(sm);
    acknowledge(props, children);
  }
}

function acknowledge({ stateMachine: sm, storage, functions }: StateMachineAccessProps, children: Policy) {
  const ack = (scope: Construct, resource: string, reason: string) =>
    Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
  for (const name of Object.keys(functions.handlers) as RunFunctionName[])
    ack(
      sm,
      `<${functions.logicalIdOf(name)}.Arn>:*`,
      "LambdaInvoke also names the function's qualified ARNs (versions and aliases), so an alias can be " +
        'introduced without a policy change; the wildcard reaches no function but this run function.',
    );
  ack(
    sm,
    '*',
    'Three groups of actions that cannot be scoped: the CloudWatch Logs delivery actions behind state ' +
      'machine logging and the X-Ray actions support no resource-level permissions, and ecs:DescribeTasks / ' +
      'ecs:StopTask act on task ARNs that exist only once RunTask has made them (random task ids), which is ' +
      'why the ecs:runTask.sync integration needs them on *, held by an ecs:cluster condition to the run ' +
      "cluster's tasks (ClusterBoundRunTask); ecs:RunTask itself names the task definition.",
  );
  ack(
    sm,
    `<${logicalId(storage.resultsBucket)}.Arn>/runs/*/plan/items.json`,
    "The Distributed Maps' ItemReader reads each run's item list, runs/<testId>/plan/items.json; the test " +
      'id is known only at run time, and the grant is s3:GetObject on that one object name, nothing else.',
  );
  const name = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalId(sm)}"}]}]}`;
  const execution = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}`;
  ack(
    sm,
    `${execution}:*`,
    "DistributedMap's own grant of states:DescribeExecution / StopExecution on this state machine's " +
      'executions, whose names are test ids known only at run time; it reaches no other state machine.',
  );
  for (const label of [STATES.lambdaWorkers, STATES.fargateWorkers])
    ack(
      sm,
      `${execution}/${label}:*`,
      `states:RedriveExecution on the ${label} Map Run's child executions (execution:<state machine>/` +
        `${label}:<id>), so a redriven run restarts only its failed workers; ids exist only at run time.`,
    );
  ack(
    children,
    `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${logicalId(sm)}.Name>/*`,
    "A Map Run's child executions are named execution:<state machine>/<label>:<id>, made at run time; " +
      'describing and stopping them is what AWS documents for a Distributed Map role, and only for this one.',
  );
}

const logicalId = (construct: Construct): string =>
  Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
