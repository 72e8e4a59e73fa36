import { CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ISecurityGroup, ISubnet } from 'aws-cdk-lib/aws-ec2';
import { CfnReplicationGroup, CfnSubnetGroup } from 'aws-cdk-lib/aws-elasticache';
import { Grant, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { CacheSettings } from '../../config/cache-settings';
import type { RemovalMode } from '../../config/settings';
import type { EncryptedLogs } from '../observability/encrypted-logs';
import { toRemovalPolicy } from '../shared/removal-policy';
import { CACHE_PORT } from './cache-network';

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

export interface CacheClusterProps {
  readonly settings: Omit<CacheSettings, 'enabled' | 'cdn'>;
  readonly logs: EncryptedLogs;
  readonly removalPolicy: RemovalMode;
  /** Where the nodes go: the private isolated subnets, behind the cache's own security group. */
  readonly subnets: readonly ISubnet[];
  readonly securityGroup: ISecurityGroup;
}

/**
 * ElastiCache for Valkey with cluster mode enabled: every shard a primary and replicas spread over
 * two Availability Zones with automatic failover, TLS required, encrypted at rest with its own
 * rotating key, and an AUTH token generated into Secrets Manager under the same key (CloudFormation
 * hands it to ElastiCache by dynamic reference; it is never in the template). Slow and engine logs go as JSON
 * to encrypted log groups.
 */
export class CacheCluster extends Construct {
  readonly replicationGroup: CfnReplicationGroup;
  readonly replicationGroupId: string;
  /** The AUTH token (a bare string of 64 letters and digits). */
  readonly authToken: Secret;
  /** Encrypts the nodes' storage and snapshots, and the AUTH token. */
  readonly key: Key;
  /** `host:port` of the configuration endpoint (cluster mode: clients discover the shards from it). */
  readonly endpoint: string;
  /** Every node's id (CacheClusterId), shard by shard: CloudWatch publishes per node. */
  readonly nodeIds: readonly string[];

  constructor(scope: Construct, id: string, props: CacheClusterProps) {
    super(scope, id);
    const s = props.settings;
    const removalPolicy = toRemovalPolicy(props.removalPolicy);
    this.key = new Key(this, 'Key', {
      description: 'Throughline: encrypts the cache tier at rest (nodes, snapshots and the AUTH token)',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.authToken = new Secret(this, 'AuthToken', {
      description: 'Throughline: AUTH token of the cache tier (Valkey); functions read it when they start',
      // 16-128 printable characters without / " @ or spaces: letters and digits are always safe.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      // Reading the token then takes kms:Decrypt on the cache's key too, not only any secret reader's rights.
      encryptionKey: this.key,
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
      subnetIds: props.subnets.map((subnet) => subnet.subnetId),
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
      securityGroupIds: [props.securityGroup.securityGroupId],
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

  /** Reading the AUTH token: GetSecretValue, and decrypting with the cache's key through Secrets Manager only. */
  grantConnect(grantee: IGrantable): void {
    Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.authToken.secretArn],
    });
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
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
}
