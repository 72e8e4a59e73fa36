import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { CacheSettings } from '../../config/cache-settings';
import type { RemovalMode } from '../../config/settings';
import type { CacheClientAccess } from '../api/performance-api';
import type { EncryptedLogs } from '../observability/encrypted-logs';
import type { FunctionNetwork } from '../shared/handler-function';
import { CacheCluster } from './cache-cluster';
import { CacheNetwork } from './cache-network';

export interface CacheTierProps {
  readonly settings: Omit<CacheSettings, 'enabled' | 'cdn'>;
  readonly logs: EncryptedLogs;
  readonly removalPolicy: RemovalMode;
}

/**
 * The shared cache tier (L3, ADR 006): a Valkey cluster (CacheCluster) in a network of its own
 * (CacheNetwork) whose only ways out are VPC endpoints naming this stack's resources; the AUTH
 * token's endpoint it adds itself, the others come with the routes that need them
 * (cache-access.ts). Functions that use the cache get `functionNetwork`, `environment` and
 * `grantConnect`.
 *
 * Both parts sit on construct paths named `Default`, which CDK leaves out of logical ids: the
 * network is `Cache/Default` and the cluster, placed in it, `Cache/Default/Default`. Their resources
 * therefore keep the logical ids they had when this construct built them itself, so a deployed
 * stack updates in place (a new id would create a second replication group under the same fixed
 * ReplicationGroupId, which ElastiCache refuses, before deleting the first).
 */
export class CacheTier extends Construct implements CacheClientAccess {
  readonly network: CacheNetwork;
  readonly cluster: CacheCluster;

  constructor(scope: Construct, id: string, props: CacheTierProps) {
    super(scope, id);
    this.network = new CacheNetwork(this, 'Default', { logs: props.logs });
    this.cluster = new CacheCluster(this.network, 'Default', {
      settings: props.settings,
      logs: props.logs,
      removalPolicy: props.removalPolicy,
      subnets: this.network.subnets,
      securityGroup: this.network.securityGroup,
    });
    this.network.reachSecret(this.cluster.authToken);
  }

  /** Where the functions that use the cache are attached. */
  get functionNetwork(): FunctionNetwork {
    return this.network.functionNetwork;
  }

  /** The configuration endpoint, TLS and the AUTH token's secret (CacheCluster.environment). */
  get environment(): Readonly<Record<string, string>> {
    return this.cluster.environment;
  }

  grantConnect(grantee: IGrantable): void {
    this.cluster.grantConnect(grantee);
  }

  addOutputs(scope: Construct): void {
    this.cluster.addOutputs(scope);
  }
}
