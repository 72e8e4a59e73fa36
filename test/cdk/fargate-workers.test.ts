import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { stateMachineDefinition } from './asl';
import { logicalIdOf, resourcesOf, synthStack } from './stack-fixture';

const { stack } = synthStack({ settings: { logRetentionDays: 14 } });
const template = Template.fromStack(stack);
const { fargate } = stack.orchestrator;

describe('Fargate worker network', () => {
  const vpc = logicalIdOf(stack, fargate.vpc);
  const inVpc = (r: { Properties: Record<string, unknown> }, key = 'VpcId') =>
    JSON.stringify(r.Properties[key]) === JSON.stringify({ Ref: vpc });

  it('is two AZs of public subnets only: no NAT gateway, no private subnet', () => {
    // (the cache tier's VPC, ADR 006, has neither: its one internet gateway is this VPC's)
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 1);
    const subnets = Object.values(resourcesOf(template, 'AWS::EC2::Subnet')).filter((s) => inVpc(s));
    expect(subnets).toHaveLength(2);
    for (const subnet of subnets) expect(subnet.Properties).toMatchObject({ MapPublicIpOnLaunch: true });
    const azs = new Set(subnets.map((s) => JSON.stringify(s.Properties.AvailabilityZone)));
    expect(azs.size).toBe(2);
  });

  it('logs every flow to an encrypted log group', () => {
    const flowLogs = Object.values(resourcesOf(template, 'AWS::EC2::FlowLog')).filter((l) =>
      inVpc(l, 'ResourceId'),
    );
    expect(flowLogs).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({
          ResourceId: { Ref: logicalIdOf(stack, fargate.vpc) },
          ResourceType: 'VPC',
          TrafficType: 'ALL',
          LogDestinationType: 'cloud-watch-logs',
        }),
      }),
    ]);
    const group = (flowLogs[0]!.Properties.LogGroupName as { Ref: string }).Ref;
    expect(resourcesOf(template, 'AWS::Logs::LogGroup')[group]?.Properties).toMatchObject({
      KmsKeyId: expect.anything(),
      RetentionInDays: 14,
    });
  });

  it('admits no inbound traffic to the workers', () => {
    const sg = resourcesOf(template, 'AWS::EC2::SecurityGroup')[logicalIdOf(stack, fargate.securityGroup)];
    expect(sg?.Properties).not.toHaveProperty('SecurityGroupIngress');
    const workers = JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(stack, fargate.securityGroup), 'GroupId'] });
    expect(
      Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')).filter(
        (r) => JSON.stringify(r.Properties.GroupId) === workers,
      ),
    ).toEqual([]);
  });
});

describe('Fargate worker task', () => {
  const taskDef = resourcesOf(template, 'AWS::ECS::TaskDefinition')[
    logicalIdOf(stack, fargate.taskDefinition)
  ];

  it('runs in a cluster with Container Insights and the Fargate capacity providers', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: Match.arrayWith(['FARGATE', 'FARGATE_SPOT']),
    });
  });

  it('is an ARM64 Fargate task, 2 vCPU and 4 GB by default', () => {
    expect(taskDef?.Properties).toMatchObject({
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      Cpu: '2048',
      Memory: '4096',
      TaskRoleArn: { 'Fn::GetAtt': [logicalIdOf(stack, fargate.taskDefinition.taskRole), 'Arn'] },
    });
  });

  it('takes its size from the settings', () => {
    const custom = synthStack({ settings: { fargate: { cpu: 4096, memoryMiB: 16_384 } } }).stack;
    Template.fromStack(custom).hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '4096',
      Memory: '16384',
    });
  });

  it('runs the worker image with the Lambda worker’s environment, logging to an encrypted group', () => {
    const [container] = taskDef!.Properties.ContainerDefinitions as Record<string, unknown>[];
    expect(container).toMatchObject({
      Name: 'worker',
      Essential: true,
      ReadonlyRootFilesystem: true,
      Image: { 'Fn::Sub': expect.stringContaining('container-assets') },
      LogConfiguration: {
        LogDriver: 'awslogs',
        Options: expect.objectContaining({ 'awslogs-stream-prefix': 'worker', mode: 'non-blocking' }),
      },
    });
    const env = Object.fromEntries(
      (container!.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
    );
    const fn = resourcesOf(template, 'AWS::Lambda::Function')[
      logicalIdOf(stack, stack.orchestrator.functions.handlers.segmentWorker.function)
    ];
    const lambdaEnv = (fn!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env).toEqual({ ...lambdaEnv, AWS_REGION: { Ref: 'AWS::Region' } });
    const logs = container!.LogConfiguration as { Options: { 'awslogs-group': { Ref: string } } };
    expect(
      resourcesOf(template, 'AWS::Logs::LogGroup')[logs.Options['awslogs-group'].Ref]?.Properties,
    ).toMatchObject({
      KmsKeyId: expect.anything(),
    });
  });

  it('runs on Fargate Spot when the settings say so', () => {
    const spot = synthStack({ settings: { fargate: { spot: true } } }).stack;
    const states = JSON.stringify(stateMachineDefinition(Template.fromStack(spot)));
    expect(states).toContain('"CapacityProviderStrategy":[{"CapacityProvider":"FARGATE_SPOT","Weight":1}]');
    expect(states).not.toContain('"LaunchType"');
  });
});
