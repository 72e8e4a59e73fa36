import { IgnoreMode, Stack, Validations } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  type ISecurityGroup,
  type IVpc,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  AwsLogDriverMode,
  Cluster,
  type ContainerDefinition,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  FargateTaskDefinition,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import { type IPrincipal, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { FargateSettings } from '../../config/run-settings';
import { PROJECT_ROOT } from '../../project-paths';
import type { EncryptedLogs } from '../observability/encrypted-logs';
import { CDK_PROVIDER_SKIPS, skipCheckovOnCdkProvider } from '../shared/checkov';
import type { Grantee, TestStorage } from '../storage/test-storage';

/** The worker image's Dockerfile, relative to the project root (the build context). */
export const WORKER_DOCKERFILE = 'lambdas/entrypoints/fargate/Dockerfile';

/**
 * What of the project the image build sees: only what the Dockerfile copies. Everything else is
 * left out of the staged context, so the asset hash (and with it a new image and task definition
 * revision) changes only when the worker's code or dependencies do, and synth copies ~1 MB rather
 * than the whole repository. test/cdk checks every COPY source of the Dockerfile is in the context.
 */
export const WORKER_IMAGE_CONTEXT = ['package.json', 'package-lock.json', 'lambdas'] as const;

/** The container the state machine overrides the environment of. */
export const WORKER_CONTAINER_NAME = 'worker';

export interface FargateWorkersProps {
  readonly settings: FargateSettings;
  readonly logs: EncryptedLogs;
  readonly storage: TestStorage;
  /** Environment of the Lambda worker; the container gets the same. */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * Where Fargate workers run: an ARM64 task of the configured size in a cluster with Container
 * Insights, in a VPC of public subnets only. Load generators need egress to the targets and no
 * inbound traffic at all, so tasks get a public IP and a security group without a single inbound
 * rule: no NAT gateway to pay for (per hour and per GB of load) or to saturate. Flow logs record
 * every connection in an encrypted log group.
 */
export class FargateWorkers extends Construct {
  readonly vpc: Vpc;
  readonly cluster: Cluster;
  readonly taskDefinition: FargateTaskDefinition;
  readonly container: ContainerDefinition;
  readonly securityGroup: ISecurityGroup;
  readonly subnets: SubnetSelection = { subnetType: SubnetType.PUBLIC };

  constructor(scope: Construct, id: string, props: FargateWorkersProps) {
    super(scope, id);
    this.vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      // /18 per AZ: 16,000 addresses, one per task, far above any run's worker count.
      subnetConfiguration: [{ name: 'Workers', subnetType: SubnetType.PUBLIC, cidrMask: 18 }],
      flowLogs: {
        All: {
          destination: FlowLogDestination.toCloudWatchLogs(props.logs.logGroup(this, 'FlowLogs')),
          trafficType: FlowLogTrafficType.ALL,
        },
      },
    });
    // The VPC brings CDK's stack-wide provider that strips its default security group of all rules.
    skipCheckovOnCdkProvider(this, 'Custom::VpcRestrictDefaultSGCustomResourceProvider', CDK_PROVIDER_SKIPS);
    // (jsii's optional properties trip exactOptionalPropertyTypes, hence the assertions)
    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc as IVpc,
      description: 'Throughline Fargate workers: no inbound traffic; outbound to load-test targets',
      allowAllOutbound: true,
    });
    this.cluster = new Cluster(this, 'Cluster', {
      vpc: this.vpc as IVpc,
      containerInsightsV2: ContainerInsights.ENABLED,
      enableFargateCapacityProviders: true,
    });

    const taskRole = new Role(this, 'TaskRole', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Throughline Fargate worker: reads tests (stop flag), reads and writes results',
    });
    this.taskDefinition = new FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.settings.cpu,
      memoryLimitMiB: props.settings.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: CpuArchitecture.ARM64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
      taskRole,
    });
    this.container = this.taskDefinition.addContainer('Worker', {
      containerName: WORKER_CONTAINER_NAME,
      image: ContainerImage.fromAsset(PROJECT_ROOT, {
        file: WORKER_DOCKERFILE,
        ignoreMode: IgnoreMode.DOCKER,
        exclude: ['*', ...WORKER_IMAGE_CONTEXT.map((path) => `!${path}`)],
        platform: Platform.LINUX_ARM64,
      }),
      essential: true,
      // The worker writes to S3 and DynamoDB only; nothing in the container needs to change.
      readonlyRootFilesystem: true,
      // Fargate sets AWS_REGION on platform 1.4, but the worker's configuration requires it: say so.
      environment: { ...props.environment, AWS_REGION: Stack.of(this).region },
      logging: LogDrivers.awsLogs({
        logGroup: props.logs.logGroup(this, 'Logs'),
        streamPrefix: 'worker',
        // A load generator must never block on its own logging.
        mode: AwsLogDriverMode.NON_BLOCKING,
      }),
    });

    const grantee = roleGrantee(taskRole);
    props.storage.grantSegmentWorker(grantee);
    this.acknowledgeFindings();
  }

  private acknowledgeFindings(): void {
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment holds the table and bucket names, the target allow-list and quotas, and the ' +
        'region; none is a secret, and the per-run values come from the state machine as overrides.',
    });
    const executionRole = this.taskDefinition.obtainExecutionRole();
    Validations.of(executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The execution role pulls the worker image from the CDK assets repository: ecr:GetAuthorizationToken ' +
        'supports no resource-level permissions; the pull actions themselves are scoped to that repository.',
    });
  }
}

/** A grantee for a role that is not a HandlerFunction: acknowledgements are recorded on the role. */
function roleGrantee(role: Role): Grantee {
  return {
    get grantPrincipal(): IPrincipal {
      return role;
    },
    acknowledge: (id, reason) => Validations.of(role).acknowledge({ id, reason }),
  };
}
