import { Stack } from 'aws-cdk-lib';
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
import { AnyPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EncryptedLogs } from '../observability/encrypted-logs';
import { CDK_PROVIDER_SKIPS, skipCheckovOnCdkProvider } from '../shared/checkov';
import type { FunctionNetwork } from '../shared/handler-function';

/** Valkey's port: the only one the cache's security group opens. */
export const CACHE_PORT = 6379;

/** The cache VPC's range: apart from the Fargate workers' default 10.0.0.0/16, so either can be peered. */
export const CACHE_VPC_CIDR = '10.64.0.0/16';

export interface CacheNetworkProps {
  readonly logs: EncryptedLogs;
}

/**
 * Where the cache tier and its clients live: a VPC of two private isolated subnets (no internet
 * gateway, no NAT gateway), every flow logged. The functions that use the cache are attached to the
 * same subnets and reach AWS only through the VPC endpoints added with `reachTable`, `reachBucket`,
 * `reachQueue`, `reachMetrics` and `reachSecret`, each with a policy naming only this stack's
 * resources. Three security groups: the functions' (out to Valkey and HTTPS only), the cache's
 * (6379 from the functions only) and the interface endpoints' (443 from the functions only).
 */
export class CacheNetwork extends Construct {
  readonly vpc: Vpc;
  /** The subnets of the cache nodes, the functions and the interface endpoints. */
  readonly subnets: readonly ISubnet[];
  /** The security group of every function that uses the cache. */
  readonly functionSecurityGroup: SecurityGroup;
  /** The cache's own security group: 6379 from the functions only. */
  readonly securityGroup: SecurityGroup;
  /** The interface endpoints' security group: 443 from the functions only. */
  readonly endpointSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: CacheNetworkProps) {
    super(scope, id);
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
    // The VPC brings CDK's stack-wide provider that strips its default security group of all rules.
    skipCheckovOnCdkProvider(this, 'Custom::VpcRestrictDefaultSGCustomResourceProvider', CDK_PROVIDER_SKIPS);
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
  }

  /** Where the functions that use the cache are attached. */
  get functionNetwork(): FunctionNetwork {
    // (jsii's optional properties trip exactOptionalPropertyTypes, hence the assertion)
    return { vpc: this.vpc as IVpc, subnets: this.subnets, securityGroup: this.functionSecurityGroup };
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

  /** Secrets Manager through an interface endpoint, reading this secret only (the AUTH token). */
  reachSecret(secret: { readonly secretArn: string }): void {
    this.interfaceEndpoint(
      'SecretsManagerEndpoint',
      InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      ['secretsmanager:GetSecretValue'],
      [secret.secretArn],
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
