import { type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { REPORTS_PREFIX } from '../../../lambdas/model/published-reports';
import type { RemovalMode } from '../../config/settings';
import { CDK_PROVIDER_SKIPS, skipCheckov, skipCheckovOnCdkProvider } from '../shared/checkov';
import { toRemovalPolicy } from '../shared/removal-policy';

/**
 * Who a grant goes to: a principal, and where the cdk-nag acknowledgements of that grant's
 * wildcards are recorded (a HandlerFunction is one).
 */
export interface Grantee extends IGrantable {
  acknowledge(id: string, reason: string): void;
}

/** Partition keys of the scaling journal (manual and configuration changes made through the API). */
export const SCALING_JOURNAL_KEY_PREFIX = 'SCALING#';

/** The item actions a handler may be granted on the test table (see grantTestItems). */
export type TestItemAction = 'GetItem' | 'PutItem' | 'UpdateItem';

/** The kinds of object in the results bucket and their keys (lambdas/adapters/aws/s3-run-store.ts, s3-results.ts). */
export const RUN_OBJECTS = {
  spec: 'runs/*/spec.json',
  plan: 'runs/*/plan/items.json',
  windows: 'runs/*/windows/*',
  reports: 'runs/*/workers/*',
  results: 'results/*',
  published: `${REPORTS_PREFIX}/*`,
} as const;
export type RunObject = keyof typeof RUN_OBJECTS;

/** The kinds of object a stage lists (windows and reports are found by listing), with their prefixes. */
const LISTED_PREFIXES = { windows: 'runs/*/windows/', reports: 'runs/*/workers/' } as const;
export type ListedRunObject = keyof typeof LISTED_PREFIXES;

const RUN_OBJECT_REASONS: Readonly<Record<RunObject, string>> = {
  spec: "A run's spec (runs/<testId>/spec.json) is the test validated at submission, which every stage reads.",
  plan: "A run's plan (runs/<testId>/plan/items.json) is written by plan-run and read by the Map and aggregate.",
  windows:
    "A run's histogram windows (runs/<testId>/windows/<index>/<worker>.json.gz) are written by the workers and read by monitor and aggregate.",
  reports:
    "A run's worker reports (runs/<testId>/workers/<worker>.json) are written by the workers and read by monitor and aggregate.",
  results:
    "A test's results document (results/<testId>.json) is written by aggregate, which also reads a baseline's.",
  published:
    "A finished test's published reports (reports/<testId>/<file>) are written by aggregate for the CDN, which reads them through Origin Access Control.",
};

/** The table's secondary indexes: name → key attributes (the runtime adapter queries them by name). */
export const TEST_TABLE_INDEXES = {
  byCreated: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  byName: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  byStatus: { partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
} as const;

export interface TestStorageProps {
  readonly removalPolicy: RemovalMode;
  /** Days results objects and their noncurrent versions are kept. */
  readonly resultsRetentionDays: number;
  /** Days S3 server access logs of the results bucket are kept. */
  readonly accessLogRetentionDays: number;
}

/** Why the table uses the AWS-managed key (aws/dynamodb) rather than one of our own. */
export const TABLE_KEY_REASON =
  'The table uses the AWS-managed key (aws/dynamodb): encrypted at rest with every key use in CloudTrail, no ' +
  'key policy to get wrong, no monthly key charge, and a retained table can never be orphaned by a ' +
  'customer-managed key that was deleted with the stack. It holds test definitions and live counters, no secrets.';

/**
 * Why log buckets keep no versions: the S3 and CloudFront log deliveries only ever add new objects,
 * which the lifecycle rule expires.
 */
export const LOG_BUCKET_VERSIONING_REASON =
  'A log bucket: the log delivery only ever adds objects under new keys and nothing overwrites or deletes ' +
  'them before the lifecycle rule expires them, so versions would only keep copies of expired logs.';

/**
 * Where tests live: one DynamoDB table (single-table design: test records, live counters and stop
 * flags under `pk`/`sk`) and one S3 bucket of results (histograms, reports). See TABLE_KEY_REASON
 * for the table's key.
 */
export class TestStorage extends Construct {
  readonly table: Table;
  readonly resultsBucket: Bucket;
  readonly accessLogsBucket: Bucket;

  constructor(scope: Construct, id: string, props: TestStorageProps) {
    super(scope, id);
    const removalPolicy = toRemovalPolicy(props.removalPolicy);
    const destroy = props.removalPolicy === 'destroy';

    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'expiresAt',
      removalPolicy,
      deletionProtection: !destroy,
    });
    skipCheckov(this.table, [{ id: 'CKV_AWS_119', reason: TABLE_KEY_REASON }]);
    for (const [indexName, keys] of Object.entries(TEST_TABLE_INDEXES)) {
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: keys.partitionKey, type: AttributeType.STRING },
        sortKey: { name: keys.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }

    const secure = {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      autoDeleteObjects: destroy,
    } as const;
    // Access-log target buckets only support SSE-S3, hence S3-managed keys for both buckets. (cdk-nag's
    // S1 exempts a bucket that is itself a log destination, so this one needs no logging of its own.)
    this.accessLogsBucket = new Bucket(this, 'AccessLogsBucket', {
      ...secure,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(props.accessLogRetentionDays) }],
    });
    skipCheckov(this.accessLogsBucket, [
      {
        id: 'CKV_AWS_18',
        reason:
          'This bucket is the target of the S3 server access logs of the results and CDN log buckets; logging ' +
          'its own access would write logs about log deliveries, into itself or into yet another bucket.',
      },
      { id: 'CKV_AWS_21', reason: LOG_BUCKET_VERSIONING_REASON },
    ]);

    const retention = Duration.days(props.resultsRetentionDays);
    this.resultsBucket = new Bucket(this, 'ResultsBucket', {
      ...secure,
      versioned: true,
      // (jsii's optional properties trip exactOptionalPropertyTypes, hence the assertion)
      serverAccessLogsBucket: this.accessLogsBucket as IBucket,
      serverAccessLogsPrefix: 'results-bucket/',
      lifecycleRules: [
        {
          id: 'expire-results',
          expiration: retention,
          noncurrentVersionExpiration: retention,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        // Expiration leaves delete markers behind; remove them once no version is left under them.
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
    });
    // With removalPolicy destroy, autoDeleteObjects brings CDK's stack-wide object-deleting provider.
    skipCheckovOnCdkProvider(this, 'Custom::S3AutoDeleteObjectsCustomResourceProvider', CDK_PROVIDER_SKIPS);
  }

  /** Read access to test records and their indexes. */
  grantReadTests(handler: Grantee): void {
    this.table.grantReadData(handler);
    this.acknowledgeIndexes(handler);
  }

  /** Read and write access to test records and their indexes. */
  grantReadWriteTests(handler: Grantee): void {
    this.table.grantReadWriteData(handler);
    this.acknowledgeIndexes(handler);
  }

  /**
   * Exactly the item actions a handler calls on the table, and (`queryIndexes`) Query on its
   * indexes: no Scan, no deletes, no batches. A TransactWriteItems needs the action of each of its
   * parts (a Put needs PutItem), so it is covered by the actions listed.
   */
  grantTestItems(
    handler: Grantee,
    actions: readonly TestItemAction[],
    options: { readonly queryIndexes?: boolean } = {},
  ): void {
    Grant.addToPrincipal({
      grantee: handler,
      actions: actions.map((a) => `dynamodb:${a}`),
      resourceArns: [this.table.tableArn],
    });
    if (options.queryIndexes !== true) return;
    Grant.addToPrincipal({
      grantee: handler,
      actions: ['dynamodb:Query'],
      resourceArns: [`${this.table.tableArn}/index/*`],
    });
    handler.acknowledge(
      `AwsSolutions-IAM5[Resource::<${logicalId(this.table)}.Arn>/index/*]`,
      "Query on the table's own indexes (byCreated, byName, byStatus), which history, baseline and " +
        'active-test lookups read; index/* names no other table, and Query is the only action granted on it.',
    );
  }

  /**
   * Writing a run's spec (the test validated at submission, `runs/<id>/spec.json`) and nothing
   * else of the bucket: what create-test stores for every later stage of the run to read.
   */
  grantPutRunSpecs(handler: Grantee): void {
    this.grantRunObjects(handler, { read: [], put: ['spec'] });
  }

  /**
   * What a segment worker (Lambda or Fargate) calls: GetItem of its test's record (the stop flag),
   * GetObject of the run's spec, PutObject of its windows and its report. Nothing it could use to
   * overwrite the plan, the results or another test's record.
   */
  grantSegmentWorker(handler: Grantee): void {
    this.grantTestItems(handler, ['GetItem']);
    this.grantRunObjects(handler, { read: ['spec'], put: ['windows', 'reports'] });
  }

  /** Read access to results objects. */
  grantReadResults(handler: Grantee): void {
    this.resultsBucket.grantRead(handler);
    this.acknowledgeBucket(handler, ['s3:GetObject*', 's3:GetBucket*', 's3:List*']);
  }

  /**
   * GetObject on the named kinds of object, PutObject on others, and (`list`) listing the
   * prefixes of the listable ones, nothing else: no deletes (no stage deletes; expiry is the
   * lifecycle rules' job), no versions, no ACLs. See RUN_OBJECTS for the keys.
   */
  grantRunObjects(
    handler: Grantee,
    access: {
      readonly read: readonly RunObject[];
      readonly put: readonly RunObject[];
      readonly list?: readonly ListedRunObject[];
    },
  ): void {
    const grant = (action: string, objects: readonly RunObject[]) => {
      if (objects.length === 0) return;
      Grant.addToPrincipal({
        grantee: handler,
        actions: [action],
        resourceArns: objects.map((o) => this.resultsBucket.arnForObjects(RUN_OBJECTS[o])),
      });
    };
    grant('s3:GetObject', access.read);
    grant('s3:PutObject', access.put);
    const list = access.list ?? [];
    if (list.length > 0)
      Grant.addToPrincipal({
        grantee: handler,
        actions: ['s3:ListBucket'],
        resourceArns: [this.resultsBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': list.map((o) => LISTED_PREFIXES[o]) } },
      });
    for (const object of new Set([...access.read, ...access.put]))
      handler.acknowledge(
        `AwsSolutions-IAM5[Resource::<${logicalId(this.resultsBucket)}.Arn>/${RUN_OBJECTS[object]}]`,
        `${RUN_OBJECT_REASONS[object]} The key holds the test id (and worker or window numbers), known only ` +
          'at run time; the wildcard stands for those alone and reaches no other kind of object.',
      );
  }

  /**
   * Reading or appending to the scaling journal: items whose partition key starts `SCALING#`, on
   * the table itself (not its indexes), and nothing else of the table. `dynamodb:LeadingKeys` holds
   * GetItem and Query to those keys; a Scan has no leading key and is refused.
   */
  grantScalingJournal(handler: Grantee, access: 'read' | 'append'): void {
    Grant.addToPrincipal({
      grantee: handler,
      actions: access === 'read' ? ['dynamodb:GetItem', 'dynamodb:Query'] : ['dynamodb:PutItem'],
      resourceArns: [this.table.tableArn],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${SCALING_JOURNAL_KEY_PREFIX}*`] },
      },
    });
  }

  /**
   * Lets one CloudFront distribution (Origin Access Control, SigV4 as `cloudfront.amazonaws.com`)
   * read the published reports, and only them: GetObject on `reports/*`, bound to that
   * distribution's ARN. No listing: a report not yet published answers 403, not a key list.
   */
  allowDistributionToReadReports(distributionArn: string): void {
    this.resultsBucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CdnReadsPublishedReports',
        principals: [new ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [this.resultsBucket.arnForObjects(RUN_OBJECTS.published)],
        conditions: { StringEquals: { 'AWS:SourceArn': distributionArn } },
      }),
    );
  }

  private acknowledgeIndexes(handler: Grantee): void {
    handler.acknowledge(
      `AwsSolutions-IAM5[Resource::<${logicalId(this.table)}.Arn>/index/*]`,
      "The table's data grant covers its own indexes (byCreated, byName, byStatus), which history and " +
        'status queries read; index/* names no other table.',
    );
  }

  private acknowledgeBucket(handler: Grantee, actions: readonly string[]): void {
    const reason =
      "CDK's bucket grant, scoped to the results bucket: object keys are per test id, so they cannot be " +
      'listed at deploy time, and the wildcard actions are the object-level read/write family S3 needs.';
    for (const action of actions) handler.acknowledge(`AwsSolutions-IAM5[Action::${action}]`, reason);
    handler.acknowledge(`AwsSolutions-IAM5[Resource::<${logicalId(this.resultsBucket)}.Arn>/*]`, reason);
  }
}

const logicalId = (construct: Table | Bucket): string =>
  Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
