import { CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  IpAddresses,
  type ISubnet,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { CfnReplicationGroup, CfnSubnetGroup } from 'aws-cdk-lib/aws-elasticache';
import { AnyPrincipal, Grant, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CacheSettings } from '../../config/cache-settings';
import type { RemovalMode } from '../../config/settings';
import type { EncryptedLogs } from '../observability/encrypted-logs';
import type { FunctionNetwork } from '../shared/handler-function';
import { toRemovalPolicy } from '../shared/removal-policy';

/** Valkey's port: the only one the cache's security group opens. */
export const CACHE_PORT = 6379;

/** The cache VPC's range: apart from the Fargate workers' default 10.0.0.0/16, so either can be peered. */
export const CACHE_VPC_CIDR = '10.64.0.0/16';

/**
 * The replication group's id, fixed so its nodes' ids (`<id>-0001-001`, …), which CloudWatch
 * metrics and the alarms name, are known at synth: `<stack>-cache`, lowercased, within 40 characters.
 */
export function cacheReplicationGroupId(stackName: string): string {
  const slug = stackName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 34)
    .replace(/-+$/, '');
  return `${slug || 'throughline'}-cache`;
}

export interface CacheTierProps {
  readonly settings: Omit<CacheSettings, 'enabled' | 'cdn'>;
  readonly logs: EncryptedLogs;
  readonly removalPolicy: RemovalMode;
}

/**
 * The shared cache tier (L3, ADR 006): ElastiCache for Valkey with cluster mode enabled, every
 * shard a primary and replicas spread over two Availability Zones with automatic failover, TLS
 * required, encrypted at rest with its own rotating key, and an AUTH token generated into Secrets
 * Manager (CloudFormation hands it to ElastiCache by dynamic reference; it is never in the template).
 *
 * It lives in a VPC of two private isolated subnets: no internet gateway and no NAT gateway. The
 * functions that use the cache are attached to the same subnets and reach AWS through VPC
 * endpoints added with `reachTable`, `reachBucket`, `reachQueue` and `reachMetrics`, each with a
 * policy naming only this stack's resources. The cache's security group admits 6379 from the
 * functions' group and nothing else. Slow and engine logs go to encrypted log groups; flow logs
 * record every connection.
 */
export class CacheTier extends Construct {
  readonly vpc: Vpc;
  /** The subnets of the cache nodes, the functions and the interface endpoints. */
  readonly subnets: readonly ISubnet[];
  /** The security group of every function that uses the cache. */
  readonly functionSecurityGroup: SecurityGroup;
  /** The cache's own security group: 6379 from the functions only. */
  readonly securityGroup: SecurityGroup;
  /** The interface endpoints' security group: 443 from the functions only. */
  readonly endpointSecurityGroup: SecurityGroup;
  readonly replicationGroup: CfnReplicationGroup;
  readonly replicationGroupId: string;
  /** The AUTH token (a bare string of 64 letters and digits). */
  readonly authToken: Secret;
  /** Encrypts the nodes' storage and snapshots. */
  readonly key: Key;
  /** `host:port` of the configuration endpoint (cluster mode: clients discover the shards from it). */
  readonly endpoint: string;
  /** Every node's id (CacheClusterId), shard by shard: CloudWatch publishes per node. */
  readonly nodeIds: readonly string[];

  constructor(scope: Construct, id: string, props: CacheTierProps) {
    super(scope, id);
    const s = props.settings;
    const removalPolicy = toRemovalPolicy(props.removalPolicy);
    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(CACHE_VPC_CIDR),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Cache', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 22 }],
      flowLogs: {
        All: {
          destination: FlowLogDestination.toCloudWatchLogs(props.logs.logGroup(this, 'FlowLogs')),
          trafficType: FlowLogTrafficType.ALL,
        },
      },
    });
    this.subnets = this.vpc.isolatedSubnets;
    // (jsii's optional properties trip exactOptionalPropertyTypes, hence the assertions)
    const vpc = this.vpc as IVpc;
    this.functionSecurityGroup = new SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc,
      description: 'Throughline functions that use the cache: out to Valkey and the VPC endpoints only',
      allowAllOutbound: false,
    });
    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'Throughline cache (Valkey): 6379 from the platform functions only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc,
      description: 'Throughline VPC interface endpoints: HTTPS from the platform functions only',
      allowAllOutbound: false,
    });
    const valkey = Port.tcp(CACHE_PORT);
    this.securityGroup.addIngressRule(
      this.functionSecurityGroup,
      valkey,
      'Valkey (TLS) from the platform functions',
    );
    this.functionSecurityGroup.addEgressRule(this.securityGroup, valkey, 'Valkey (TLS)');
    this.endpointSecurityGroup.addIngressRule(
      this.functionSecurityGroup,
      Port.tcp(443),
      'HTTPS from the platform functions',
    );
    // The subnets route nowhere but to the gateway endpoints (S3, DynamoDB prefix lists) and the
    // interface endpoints; CloudFormation cannot look prefix-list ids up, hence any IPv4 address.
    this.functionSecurityGroup.addEgressRule(
      Peer.anyIpv4(),
      Port.tcp(443),
      'HTTPS to the VPC endpoints (the subnets have no route to the internet)',
    );

    this.key = new Key(this, 'Key', {
      description: 'Throughline: encrypts the cache tier at rest (nodes and snapshots)',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.authToken = new Secret(this, 'AuthToken', {
      description: 'Throughline: AUTH token of the cache tier (Valkey); functions read it when they start',
      // 16-128 printable characters without / " @ or spaces: letters and digits are always safe.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy,
    });
    Validations.of(this.authToken).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'An AUTH token is rotated by ModifyReplicationGroup in two steps (ROTATE: old and new token both valid; ' +
        'then SET once every client uses the new one), which a Secrets Manager rotation function cannot ' +
        'coordinate with running clients; the runbook is in ADR 006. The token never leaves Secrets Manager ' +
        'and the cache accepts it only over TLS from the functions security group.',
    });

    this.replicationGroupId = cacheReplicationGroupId(Stack.of(this).stackName);
    const subnetGroup = new CfnSubnetGroup(this, 'SubnetGroup', {
      description: 'Throughline cache: the private isolated subnets of the cache VPC',
      subnetIds: this.subnets.map((subnet) => subnet.subnetId),
    });
    const logDelivery = (logType: 'slow-log' | 'engine-log') => ({
      destinationType: 'cloudwatch-logs',
      logFormat: 'json',
      logType,
      destinationDetails: {
        cloudWatchLogsDetails: {
          logGroup: props.logs.logGroup(
            this,
            logType === 'slow-log' ? 'SlowLog' : 'EngineLog',
            // A vended-logs name keeps CloudWatch Logs' account-wide resource policy from growing per group.
            `/aws/vendedlogs/elasticache/${this.replicationGroupId}/${logType}`,
          ).logGroupName,
        },
      },
    });
    const major = s.engineVersion.split('.')[0];
    this.replicationGroup = new CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupId: this.replicationGroupId,
      replicationGroupDescription: 'Throughline cache tier (L3) of the performance API',
      engine: 'valkey',
      engineVersion: s.engineVersion,
      cacheParameterGroupName: `default.valkey${major}.cluster.on`,
      cacheNodeType: s.nodeType,
      clusterMode: 'enabled',
      numNodeGroups: s.shards,
      replicasPerNodeGroup: s.replicasPerShard,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      port: CACHE_PORT,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      networkType: 'ipv4',
      ipDiscovery: 'ipv4',
      atRestEncryptionEnabled: true,
      kmsKeyId: this.key.keyArn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      authToken: this.authToken.secretValue.unsafeUnwrap(),
      snapshotRetentionLimit: s.snapshotRetentionDays,
      snapshotWindow: s.snapshotWindow,
      preferredMaintenanceWindow: s.maintenanceWindow,
      autoMinorVersionUpgrade: true,
      logDeliveryConfigurations: [logDelivery('slow-log'), logDelivery('engine-log')],
    });
    // The cache holds copies only: `retain` keeps a final snapshot (and the key it is encrypted
    // with), not a running, billed cluster.
    this.replicationGroup.applyRemovalPolicy(
      props.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.SNAPSHOT,
    );
    this.endpoint = `${this.replicationGroup.attrConfigurationEndPointAddress}:${this.replicationGroup.attrConfigurationEndPointPort}`;
    this.nodeIds = Array.from({ length: s.shards }, (_, shard) =>
      Array.from(
        { length: 1 + s.replicasPerShard },
        (_, node) =>
          `${this.replicationGroupId}-${String(shard + 1).padStart(4, '0')}-${String(node + 1).padStart(3, '0')}`,
      ),
    ).flat();
    this.reachSecret();
  }

  /** Where the functions that use the cache are attached. */
  get network(): FunctionNetwork {
    // (jsii's optional properties trip exactOptionalPropertyTypes, hence the assertion)
    return { vpc: this.vpc as IVpc, subnets: this.subnets, securityGroup: this.functionSecurityGroup };
  }

  /**
   * What a function needs to connect: the configuration endpoint of a cluster-mode group (the seed
   * from which the client discovers every shard; always cluster mode), TLS, and the secret holding
   * the AUTH token.
   */
  get environment(): Readonly<Record<string, string>> {
    return {
      THROUGHLINE_CACHE_ENDPOINT: this.endpoint,
      THROUGHLINE_CACHE_TLS: 'true',
      THROUGHLINE_CACHE_AUTH_SECRET_ARN: this.authToken.secretArn,
    };
  }

  /** Reading the AUTH token (the AWS-managed key decrypts on the reader's behalf: no KMS grant). */
  grantConnect(grantee: IGrantable): void {
    Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.authToken.secretArn],
    });
  }

  /** DynamoDB through a gateway endpoint (free), for this table and its indexes only. */
  reachTable(table: Table, access: 'read' | 'readWrite'): void {
    const reads = ['GetItem', 'BatchGetItem', 'Query', 'Scan', 'ConditionCheckItem', 'DescribeTable'];
    const writes = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'];
    this.vpc
      .addGatewayEndpoint('DynamoDbEndpoint', {
        service: GatewayVpcEndpointAwsService.DYNAMODB,
        subnets: [{ subnets: [...this.subnets] }],
      })
      .addToPolicy(
        this.ownAccount(
          [...reads, ...(access === 'readWrite' ? writes : [])].map((a) => `dynamodb:${a}`),
          [table.tableArn, `${table.tableArn}/index/*`],
        ),
      );
  }

  /** S3 through a gateway endpoint (free), reading this bucket's objects only. */
  reachBucket(bucket: Bucket): void {
    this.vpc
      .addGatewayEndpoint('S3Endpoint', {
        service: GatewayVpcEndpointAwsService.S3,
        subnets: [{ subnets: [...this.subnets] }],
      })
      .addToPolicy(
        this.ownAccount(
          ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket'],
          [bucket.bucketArn, bucket.arnForObjects('*')],
        ),
      );
  }

  /** SQS through an interface endpoint, sending to this queue only. */
  reachQueue(queue: IQueue): void {
    this.interfaceEndpoint(
      'SqsEndpoint',
      InterfaceVpcEndpointAwsService.SQS,
      ['sqs:SendMessage'],
      [queue.queueArn],
    );
  }

  /** CloudWatch metrics through an interface endpoint (GetMetricData names no resources). */
  reachMetrics(): void {
    this.interfaceEndpoint(
      'CloudWatchEndpoint',
      InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
      ['cloudwatch:GetMetricData'],
      ['*'],
    );
  }

  /** Outputs of the cache's endpoint and secret. */
  addOutputs(scope: Construct): void {
    new CfnOutput(scope, 'CacheEndpoint', {
      description:
        'Configuration endpoint (host:port) of the cache tier: Valkey, cluster mode, TLS and AUTH required',
      value: this.endpoint,
    });
    new CfnOutput(scope, 'CacheAuthSecretArn', {
      description: 'Secret holding the AUTH token of the cache tier',
      value: this.authToken.secretArn,
    });
  }

  private reachSecret(): void {
    this.interfaceEndpoint(
      'SecretsManagerEndpoint',
      InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      ['secretsmanager:GetSecretValue'],
      [this.authToken.secretArn],
    );
  }

  private interfaceEndpoint(
    id: string,
    service: InterfaceVpcEndpointAwsService,
    actions: string[],
    resources: string[],
  ): void {
    this.vpc
      .addInterfaceEndpoint(id, {
        service,
        subnets: { subnets: [...this.subnets] },
        securityGroups: [this.endpointSecurityGroup],
        // Only the endpoint group's own rule (443 from the functions), not the whole VPC range.
        open: false,
        privateDnsEnabled: true,
      })
      .addToPolicy(this.ownAccount(actions, resources));
  }

  /** An endpoint policy statement: these actions on these resources, by principals of this account. */
  private ownAccount(actions: string[], resources: string[]): PolicyStatement {
    return new PolicyStatement({
      principals: [new AnyPrincipal()],
      actions,
      resources,
      conditions: { StringEquals: { 'aws:PrincipalAccount': Stack.of(this).account } },
    });
  }
}
