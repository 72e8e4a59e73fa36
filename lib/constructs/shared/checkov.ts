// checkov (the second IaC scanner, test/cdk/checkov.test.ts) reads suppressions from a resource's
// CloudFormation metadata: `Metadata: { checkov: { skip: [{ id, comment }] } }`. Constructs record
// theirs here, next to their cdk-nag acknowledgements, each with the reason the check does not fit
// that resource; the test rejects thin reasons and skips whose check no longer fails there.
import { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** One checkov check (`CKV_AWS_116`) that does not fit a resource, and why. */
export interface CheckovSkip {
  readonly id: string;
  readonly reason: string;
}

/** The metadata key checkov reads. */
export const CHECKOV_METADATA_KEY = 'checkov';

interface SkipEntry {
  readonly id: string;
  readonly comment: string;
}

/**
 * Records checkov skips on `construct`'s CloudFormation resource (the construct itself, or its
 * default child), merged with the skips it already has. Skipping the same check twice with the same
 * reason is a no-op (two owners of a shared CDK singleton); with another reason it throws: one
 * resource, one reason per check.
 */
export function skipCheckov(construct: IConstruct, skips: readonly CheckovSkip[]): void {
  const resource = cfnResourceOf(construct);
  const existing = resource.getMetadata(CHECKOV_METADATA_KEY) as { skip?: SkipEntry[] } | undefined;
  const entries: SkipEntry[] = [...(existing?.skip ?? [])];
  for (const { id, reason } of skips) {
    const same = entries.find((e) => e.id === id);
    if (same === undefined) entries.push({ id, comment: reason });
    else if (same.comment !== reason)
      throw new Error(`${construct.node.path}: checkov ${id} is already skipped, for another reason`);
  }
  resource.addMetadata(CHECKOV_METADATA_KEY, { ...existing, skip: entries });
}

/**
 * Skips on the handler function of one of aws-cdk-lib's stack-wide custom resource providers
 * (`Custom::S3AutoDeleteObjectsCustomResourceProvider`, …), which exists once per stack however
 * many constructs use it; nothing when the stack has none.
 */
export function skipCheckovOnCdkProvider(
  scope: IConstruct,
  providerId: string,
  skips: readonly CheckovSkip[],
): void {
  const handler = Stack.of(scope).node.tryFindChild(providerId)?.node.tryFindChild('Handler');
  if (handler !== undefined) skipCheckov(handler, skips);
}

function cfnResourceOf(construct: IConstruct): CfnResource {
  if (construct instanceof CfnResource) return construct;
  const child = construct.node.defaultChild;
  if (child instanceof CfnResource) return child;
  throw new Error(`${construct.node.path} has no CloudFormation resource to record checkov skips on`);
}

/** The checkov checks of a Lambda function this stack skips where they do not fit (see each owner). */
export const LAMBDA_CHECKS = {
  /** Function-level concurrent execution limit (reserved concurrency). */
  concurrency: 'CKV_AWS_115',
  /** Dead-letter queue. */
  deadLetterQueue: 'CKV_AWS_116',
  /** Inside a VPC. */
  vpc: 'CKV_AWS_117',
  /** Environment variables encrypted with a customer-managed key. */
  environmentKey: 'CKV_AWS_173',
} as const;

/** Why no function of the stack reserves concurrency, whatever else bounds it (each owner says what). */
export const NO_RESERVATION =
  'A reservation is withheld from the account’s pool whether used or not, and Lambda refuses one that leaves ' +
  'fewer than 100 executions unreserved, so the stack could not deploy into an account still at the quota of ' +
  '10 that new accounts get.';

/**
 * The findings on the handler of an aws-cdk-lib custom resource provider (the S3 auto-delete and
 * the default security group restriction): code CDK owns and CloudFormation runs only during stack
 * operations.
 */
export const CDK_PROVIDER_SKIPS: readonly CheckovSkip[] = [
  {
    id: LAMBDA_CHECKS.concurrency,
    reason:
      'An aws-cdk-lib custom resource provider: CloudFormation invokes it only while a stack operation creates, ' +
      `updates or deletes a resource that uses it, a handful of calls per deployment. ${NO_RESERVATION}`,
  },
  {
    id: LAMBDA_CHECKS.deadLetterQueue,
    reason:
      'An aws-cdk-lib custom resource provider: CloudFormation waits for its answer, so a failed invocation fails ' +
      'the stack operation with the handler’s log in the stack events; a dead-letter message would tell nothing ' +
      'new, and nothing would consume it.',
  },
  {
    id: LAMBDA_CHECKS.vpc,
    reason:
      'An aws-cdk-lib custom resource provider that calls only the S3 or EC2 API (emptying a bucket, or ' +
      'restricting a VPC’s default security group) and CloudFormation’s presigned response URL, through public ' +
      'endpoints; in a VPC it would need a NAT gateway, which neither of the stack’s VPCs has.',
  },
];
