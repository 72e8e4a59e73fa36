// The cache tier (ADR 006), asserted by intent: a cluster-mode Valkey group that fails over across
// two AZs, encrypted in transit and at rest, behind AUTH, reachable on 6379 from the cache routes'
// functions only, in a VPC whose only ways out are endpoints naming this stack's resources.
import { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../lib/constructs/api/routes';
import { cacheReplicationGroupId } from '../../lib/constructs/cache/cache-cluster';
import { CACHE_PORT } from '../../lib/constructs/cache/cache-network';
import { flattenTokens, logicalIdOf, resourcesOf, synthStack } from './stack-fixture';

const { stack } = synthStack({ settings: { logRetentionDays: 14 } });
const template = Template.fromStack(stack);
const cache = stack.cache;
if (cache === undefined) throw new Error('the cache tier is on by default');
const id = (c: Parameters<typeof logicalIdOf>[1]) =>
  c instanceof CfnElement ? stack.getLogicalId(c) : logicalIdOf(stack, c);
const group = resourcesOf(template, 'AWS::ElastiCache::ReplicationGroup')[id(cache.cluster.replicationGroup)];
const functions = resourcesOf(template, 'AWS::Lambda::Function');
const CACHE_ROUTES = [
  'ListTests',
  'GetTest',
  'GetResults',
  'GetCacheStats',
  'PostCacheInvalidations',
  'PostCacheWarm',
];

describe('the replication group', () => {
  it('is Valkey in cluster mode: one shard of a primary and a replica by default, with its parameter group', () => {
    expect(group?.Properties).toMatchObject({
      ReplicationGroupId: 'throughline-cache',
      Engine: 'valkey',
      EngineVersion: '8.1',
      CacheParameterGroupName: 'default.valkey8.cluster.on',
      CacheNodeType: 'cache.t4g.micro',
      ClusterMode: 'enabled',
      NumNodeGroups: 1,
      ReplicasPerNodeGroup: 1,
      Port: CACHE_PORT,
      AutoMinorVersionUpgrade: true,
    });
    expect(cache.cluster.nodeIds).toEqual(['throughline-cache-0001-001', 'throughline-cache-0001-002']);
  });

  it('fails over on its own across Availability Zones', () => {
    expect(group?.Properties).toMatchObject({ MultiAZEnabled: true, AutomaticFailoverEnabled: true });
  });

  it('requires TLS and encrypts at rest with a rotating key of its own', () => {
    expect(group?.Properties).toMatchObject({
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AtRestEncryptionEnabled: true,
      KmsKeyId: { 'Fn::GetAtt': [id(cache.cluster.key), 'Arn'] },
    });
    expect(resourcesOf(template, 'AWS::KMS::Key')[id(cache.cluster.key)]?.Properties).toMatchObject({
      EnableKeyRotation: true,
    });
  });

  it('requires AUTH with a token generated into Secrets Manager, handed over by dynamic reference only', () => {
    expect(flattenTokens(group?.Properties.AuthToken)).toBe(
      `{{resolve:secretsmanager:<${id(cache.cluster.authToken)}>:SecretString:::}}`,
    );
    expect(
      resourcesOf(template, 'AWS::SecretsManager::Secret')[id(cache.cluster.authToken)]?.Properties,
    ).toMatchObject({
      // 16-128 characters, none of / " @ or a space: letters and digits only.
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/"AuthToken":"[^{]/);
  });

  it('lives in a subnet group of the private isolated subnets, behind its own security group', () => {
    const subnetGroup = Object.entries(resourcesOf(template, 'AWS::ElastiCache::SubnetGroup'));
    expect(subnetGroup).toHaveLength(1);
    expect(group?.Properties.CacheSubnetGroupName).toEqual({ Ref: subnetGroup[0]?.[0] });
    expect(subnetGroup[0]?.[1].Properties.SubnetIds).toEqual(
      cache.network.subnets.map((s) => ({ Ref: id(s) })),
    );
    expect(group?.Properties.SecurityGroupIds).toEqual([
      { 'Fn::GetAtt': [id(cache.network.securityGroup), 'GroupId'] },
    ]);
  });

  it('delivers its slow and engine logs as JSON to encrypted log groups', () => {
    const deliveries = group?.Properties.LogDeliveryConfigurations as {
      LogType: string;
      LogFormat: string;
      DestinationType: string;
      DestinationDetails: { CloudWatchLogsDetails: { LogGroup: { Ref: string } } };
    }[];
    expect(deliveries.map((d) => [d.LogType, d.LogFormat, d.DestinationType])).toEqual([
      ['slow-log', 'json', 'cloudwatch-logs'],
      ['engine-log', 'json', 'cloudwatch-logs'],
    ]);
    for (const d of deliveries) {
      const logGroup = resourcesOf(template, 'AWS::Logs::LogGroup')[
        d.DestinationDetails.CloudWatchLogsDetails.LogGroup.Ref
      ];
      expect(logGroup?.Properties).toMatchObject({
        LogGroupName: `/aws/vendedlogs/elasticache/throughline-cache/${d.LogType}`,
        KmsKeyId: expect.anything(),
        RetentionInDays: 14,
      });
    }
  });

  it('keeps a daily snapshot for a day, apart from the weekly maintenance window; retain takes a final one', () => {
    expect(group?.Properties).toMatchObject({
      SnapshotRetentionLimit: 1,
      SnapshotWindow: '03:00-04:00',
      PreferredMaintenanceWindow: 'sun:05:00-sun:06:00',
    });
    expect(group).toMatchObject({ DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
    const destroyed = Template.fromStack(synthStack({ settings: { removalPolicy: 'destroy' } }).stack);
    expect(Object.values(resourcesOf(destroyed, 'AWS::ElastiCache::ReplicationGroup'))[0]).toMatchObject({
      DeletionPolicy: 'Delete',
    });
  });

  it('takes its size, version and windows from the settings', () => {
    const { stack: custom } = synthStack({
      settings: {
        cache: {
          nodeType: 'cache.r7g.large',
          shards: 3,
          replicasPerShard: 2,
          engineVersion: '7.2',
          snapshotRetentionDays: 7,
          snapshotWindow: '01:00-02:00',
          maintenanceWindow: 'wed:10:00-wed:11:30',
        },
      },
    });
    const props = Object.values(
      resourcesOf(Template.fromStack(custom), 'AWS::ElastiCache::ReplicationGroup'),
    )[0]?.Properties;
    expect(props).toMatchObject({
      CacheNodeType: 'cache.r7g.large',
      NumNodeGroups: 3,
      ReplicasPerNodeGroup: 2,
      EngineVersion: '7.2',
      CacheParameterGroupName: 'default.valkey7.cluster.on',
      SnapshotRetentionLimit: 7,
      SnapshotWindow: '01:00-02:00',
      PreferredMaintenanceWindow: 'wed:10:00-wed:11:30',
    });
    expect(custom.cache?.cluster.nodeIds).toHaveLength(9);
    expect(custom.cache?.cluster.nodeIds.at(-1)).toBe('throughline-cache-0003-003');
  });

  it('is named after the stack within ElastiCache’s 40 lowercase characters', () => {
    expect(cacheReplicationGroupId('Throughline')).toBe('throughline-cache');
    expect(cacheReplicationGroupId('Perf-Staging')).toBe('perf-staging-cache');
    expect(cacheReplicationGroupId('2nd--Stack_')).toBe('nd-stack-cache');
    const long = cacheReplicationGroupId(`A${'b'.repeat(60)}`);
    expect(long.length).toBeLessThanOrEqual(40);
    expect(long).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
  });
});

describe('the split into CacheNetwork and CacheCluster', () => {
  // The replication group has a fixed ReplicationGroupId: under a new logical id CloudFormation would
  // create a second group of that name before deleting the first, which ElastiCache refuses.
  it('keeps the logical ids the resources had when CacheTier built them itself', () => {
    const { network, cluster } = cache;
    expect({
      vpc: id(network.vpc),
      functions: id(network.functionSecurityGroup),
      cache: id(network.securityGroup),
      endpoints: id(network.endpointSecurityGroup),
      key: id(cluster.key),
      token: id(cluster.authToken),
      group: id(cluster.replicationGroup),
    }).toEqual({
      vpc: 'CacheVpc77F48AFC',
      functions: 'CacheFunctionSecurityGroup57B85031',
      cache: 'CacheSecurityGroup79A9F160',
      endpoints: 'CacheEndpointSecurityGroupD56677B0',
      key: 'CacheKeyCDF9DE27',
      token: 'CacheAuthToken04672416',
      group: 'CacheReplicationGroupBFE59FF3',
    });
    for (const logicalId of ['CacheSubnetGroup355C216D', 'CacheSlowLog43E55961', 'CacheEngineLogFEAEB291'])
      expect(template.toJSON().Resources).toHaveProperty(logicalId);
  });
});

describe('the cache network', () => {
  const vpc = id(cache.network.vpc);
  const sg = (c: Parameters<typeof logicalIdOf>[1]) => JSON.stringify({ 'Fn::GetAtt': [id(c), 'GroupId'] });

  it('is a VPC of two private isolated subnets in two AZs: no internet gateway, no NAT, every flow logged', () => {
    expect(resourcesOf(template, 'AWS::EC2::VPC')[vpc]?.Properties).toMatchObject({
      CidrBlock: '10.64.0.0/16',
    });
    const subnets = Object.values(resourcesOf(template, 'AWS::EC2::Subnet')).filter(
      (s) => JSON.stringify(s.Properties.VpcId) === JSON.stringify({ Ref: vpc }),
    );
    expect(subnets).toHaveLength(2);
    for (const s of subnets) expect(s.Properties).toMatchObject({ MapPublicIpOnLaunch: false });
    expect(new Set(subnets.map((s) => JSON.stringify(s.Properties.AvailabilityZone))).size).toBe(2);
    const attachments = Object.values(resourcesOf(template, 'AWS::EC2::VPCGatewayAttachment'));
    expect(attachments.filter((a) => JSON.stringify(a.Properties.VpcId).includes(`"${vpc}"`))).toEqual([]);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    // No route in the cache VPC leads anywhere but to its own range and the gateway endpoints.
    const tables = new Set(
      cache.network.subnets.map((s) => s.routeTable.routeTableId).map((t) => JSON.stringify(t)),
    );
    const routes = Object.values(resourcesOf(template, 'AWS::EC2::Route')).filter((r) =>
      tables.has(JSON.stringify(r.Properties.RouteTableId)),
    );
    expect(routes).toEqual([]);
    const flowLog = Object.values(resourcesOf(template, 'AWS::EC2::FlowLog')).find(
      (l) => JSON.stringify(l.Properties.ResourceId) === JSON.stringify({ Ref: vpc }),
    );
    expect(flowLog?.Properties).toMatchObject({ TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
  });

  it("admits 6379 to the cache from the functions' security group and nothing else", () => {
    const cacheGroup = resourcesOf(template, 'AWS::EC2::SecurityGroup')[id(cache.network.securityGroup)];
    expect(cacheGroup?.Properties).not.toHaveProperty('SecurityGroupIngress');
    const ingress = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')).filter(
      (r) => JSON.stringify(r.Properties.GroupId) === sg(cache.network.securityGroup),
    );
    expect(ingress.map((r) => r.Properties)).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 6379,
        ToPort: 6379,
        SourceSecurityGroupId: { 'Fn::GetAtt': [id(cache.network.functionSecurityGroup), 'GroupId'] },
      }),
    ]);
    // Nothing leaves the cache's group (CDK's placeholder rule matches no traffic).
    expect(cacheGroup?.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '255.255.255.255/32', IpProtocol: 'icmp' }),
    ]);
  });

  it('lets the functions out to Valkey and to HTTPS (the endpoints) only, and the endpoints in from them only', () => {
    const functionGroup = resourcesOf(template, 'AWS::EC2::SecurityGroup')[
      id(cache.network.functionSecurityGroup)
    ];
    expect(functionGroup?.Properties).not.toHaveProperty('SecurityGroupIngress');
    expect(functionGroup?.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    ]);
    const egress = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupEgress')).filter(
      (r) => JSON.stringify(r.Properties.GroupId) === sg(cache.network.functionSecurityGroup),
    );
    expect(egress.map((r) => r.Properties)).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 6379,
        ToPort: 6379,
        DestinationSecurityGroupId: { 'Fn::GetAtt': [id(cache.network.securityGroup), 'GroupId'] },
      }),
    ]);
    const endpointIngress = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')).filter(
      (r) => JSON.stringify(r.Properties.GroupId) === sg(cache.network.endpointSecurityGroup),
    );
    expect(endpointIngress.map((r) => r.Properties)).toEqual([
      expect.objectContaining({
        FromPort: 443,
        ToPort: 443,
        SourceSecurityGroupId: { 'Fn::GetAtt': [id(cache.network.functionSecurityGroup), 'GroupId'] },
      }),
    ]);
  });

  it('reaches AWS through endpoints whose policies name only this stack’s resources, for this account', () => {
    const endpoints = Object.values(resourcesOf(template, 'AWS::EC2::VPCEndpoint'))
      .filter((e) => JSON.stringify(e.Properties.VpcId) === JSON.stringify({ Ref: vpc }))
      .map((e) => {
        const p = e.Properties as {
          ServiceName: unknown;
          VpcEndpointType: string;
          PrivateDnsEnabled?: boolean;
          SecurityGroupIds?: unknown[];
          PolicyDocument: {
            Statement: { Action: string | string[]; Resource: unknown; Condition: unknown }[];
          };
        };
        const [statement, ...more] = p.PolicyDocument.Statement;
        expect(more).toEqual([]);
        expect(statement?.Condition).toEqual({
          StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } },
        });
        return {
          service: flattenTokens(p.ServiceName).replace(/^.*<AWS::Region>\./, ''),
          type: p.VpcEndpointType,
          actions: [statement?.Action].flat(),
          resources: [statement?.Resource].flat().map(flattenTokens),
          ...(p.VpcEndpointType === 'Interface'
            ? { privateDns: p.PrivateDnsEnabled, groups: p.SecurityGroupIds }
            : {}),
        };
      });
    const table = id(stack.storage.table);
    const bucket = id(stack.storage.resultsBucket);
    const interfaceGroup = [{ 'Fn::GetAtt': [id(cache.network.endpointSecurityGroup), 'GroupId'] }];
    expect(endpoints.sort((a, b) => a.service.localeCompare(b.service))).toEqual([
      {
        service: 'dynamodb',
        type: 'Gateway',
        actions: expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']),
        resources: [`<${table}.Arn>`, `<${table}.Arn>/index/*`],
      },
      {
        service: 's3',
        type: 'Gateway',
        actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket'],
        resources: [`<${bucket}.Arn>`, `<${bucket}.Arn>/*`],
      },
      {
        service: 'secretsmanager',
        type: 'Interface',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [`<${id(cache.cluster.authToken)}>`],
        privateDns: true,
        groups: interfaceGroup,
      },
      {
        service: 'sqs',
        type: 'Interface',
        actions: ['sqs:SendMessage'],
        resources: [`<${id(stack.invalidations?.queue ?? stack)}.Arn>`],
        privateDns: true,
        groups: interfaceGroup,
      },
    ]);
    // The cache routes only read tests: no write reaches the table through its endpoint.
    expect(endpoints[0]?.actions.some((a) => /Put|Update|Delete|Write/.test(String(a)))).toBe(false);
  });
});

describe('the functions on the cache tier', () => {
  const onCache = ROUTES.filter((r) => r.cache).map((r) => r.id);

  it('are the read paths and the cache endpoints; GET /metrics stays outside (ADR 006)', () => {
    expect(onCache).toEqual(CACHE_ROUTES);
  });

  it('run in the cache subnets with the functions’ security group; no other function is in the VPC', () => {
    const inVpc = Object.entries(functions).filter(([, f]) => f.Properties.VpcConfig !== undefined);
    const expected = onCache.map((r) => id(stack.api.handlers.get(r)?.function ?? stack));
    expect(inVpc.map(([logicalId]) => logicalId).sort()).toEqual(expected.sort());
    for (const [, f] of inVpc)
      expect(f.Properties.VpcConfig).toEqual({
        SubnetIds: cache.network.subnets.map((s) => ({ Ref: id(s) })),
        SecurityGroupIds: [{ 'Fn::GetAtt': [id(cache.network.functionSecurityGroup), 'GroupId'] }],
      });
  });

  it('are told the configuration endpoint, TLS and the AUTH secret, and nothing of the CDN', () => {
    for (const route of onCache) {
      const fn = functions[id(stack.api.handlers.get(route)?.function ?? stack)];
      const env =
        (fn?.Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
      expect(env).toMatchObject({
        THROUGHLINE_CACHE_TLS: 'true',
        THROUGHLINE_CACHE_AUTH_SECRET_ARN: { Ref: id(cache.cluster.authToken) },
      });
      expect(flattenTokens(env.THROUGHLINE_CACHE_ENDPOINT)).toBe(
        `<${id(cache.cluster.replicationGroup)}.ConfigurationEndPoint.Address>:<${id(cache.cluster.replicationGroup)}.ConfigurationEndPoint.Port>`,
      );
      // The CDN reads published reports from S3: no API handler is behind it any more.
      expect(env).not.toHaveProperty('THROUGHLINE_CDN_RESULTS_TTL_SECONDS');
    }
    for (const [route, handler] of stack.api.handlers)
      if (!onCache.includes(route))
        expect(handler.environment).not.toHaveProperty('THROUGHLINE_CACHE_ENDPOINT');
  });

  it('have the platform cache’s nodes watched like registered ones', () => {
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.AlarmName as string,
    );
    for (const node of cache.cluster.nodeIds)
      for (const what of ['cpu', 'memory', 'evictions', 'connections'])
        expect(alarms).toContain(`Throughline/elasticache-${node}-${what}`);
  });
});

describe('without the cache tier (cache.enabled false)', () => {
  const { stack: off } = synthStack({ settings: { cache: { enabled: false } } });
  const t = Template.fromStack(off);

  it('deploys no cache, no cache VPC, and keeps every function out of a VPC', () => {
    expect(off.cache).toBeUndefined();
    t.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 0);
    t.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    t.resourceCountIs('AWS::EC2::VPC', 1);
    for (const f of Object.values(resourcesOf(t, 'AWS::Lambda::Function')))
      expect(f.Properties).not.toHaveProperty('VpcConfig');
    for (const handler of off.api.handlers.values())
      expect(Object.keys(handler.environment).filter((k) => k.startsWith('THROUGHLINE_CACHE_'))).toEqual([]);
  });

  it('still has the CDN, which does not need it', () => {
    t.resourceCountIs('AWS::CloudFront::Distribution', 1);
  });
});
