// Lambda refuses a function whose environment variables exceed 4 KB in total, and CloudFormation only
// finds out mid-deploy. Values that are still tokens at synth (table names, ARNs) are counted at the
// longest they can resolve to, so a stack that synthesizes is one whose functions can be created.
import { CfnResource, type IResolvable, Stack } from 'aws-cdk-lib';
import { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import { ThroughlineConfigError } from '../../config/load-settings';

/** Lambda's limit on a function's environment, keys and values together. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/** Longest value of a pseudo parameter (partition `aws-us-gov`, a 12-digit account, …). */
const PSEUDO_BOUNDS: Readonly<Record<string, number>> = {
  'AWS::Partition': 10,
  'AWS::Region': 25,
  'AWS::AccountId': 12,
  'AWS::URLSuffix': 20,
  'AWS::StackName': 128,
};

/** An ARN in a partition and region: `arn:aws-us-gov:<service>:<region>:<account>:`. */
const ARN_PREFIX = 4 + 10 + 1 + 20 + 1 + 25 + 1 + 12 + 1;

/** Longest `Ref` of a resource, by type: its generated name or ARN (AWS's documented maxima). */
const REF_BOUNDS: Readonly<Record<string, number>> = {
  'AWS::Lambda::Function': 64,
  'AWS::DynamoDB::Table': 255,
  'AWS::S3::Bucket': 63,
  'AWS::StepFunctions::StateMachine': ARN_PREFIX + 'stateMachine:'.length + 80,
  'AWS::SNS::Topic': ARN_PREFIX + 256,
  'AWS::SecretsManager::Secret': ARN_PREFIX + 'secret:'.length + 512 + 7,
  'AWS::ApiGateway::RestApi': 10,
  // https://sqs.<region>.<url suffix>/<account>/<name of at most 80>
  'AWS::SQS::Queue': 'https://sqs.'.length + 25 + 1 + 20 + 1 + 12 + 1 + 80,
  'AWS::CloudFront::Distribution': 32,
};

/** Longest `Fn::GetAtt` of a resource attribute other than an ARN (by type and attribute). */
const GET_ATT_BOUNDS: Readonly<Record<string, number>> = {
  // `<group id, ≤ 40>.<6>.clustercfg.<region code>.cache.amazonaws.com[.cn]`: about 90 characters.
  'AWS::ElastiCache::ReplicationGroup.ConfigurationEndPoint.Address': 128,
  'AWS::ElastiCache::ReplicationGroup.ConfigurationEndPoint.Port': 5,
};

/**
 * CloudFormation names a secret it creates without a name `<logical id>-<12 characters>`
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/cfn-example_secret.html), and
 * Secrets Manager adds `-` and six characters in its ARN. Only a secret given a name of its own can
 * reach Secrets Manager's 512 characters.
 */
const generatedSecretArnBound = (logicalId: string) =>
  ARN_PREFIX + 'secret:'.length + logicalId.length + 1 + 12 + 7;
/** A reference of a kind not listed above: generous, so the check errs on the safe side. */
const UNKNOWN_BOUND = 1024;

/** The logical ids of a stack's resources: their type, and whether they are given a name of their own. */
type Resources = ReadonlyMap<string, { readonly type: string; readonly named: boolean }>;

/** Upper bound, in bytes, of what a resolved CloudFormation value can become. */
function boundOf(value: unknown, types: Resources): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).length;
  if (value === null || typeof value !== 'object') return 0;
  const [fn, args] = Object.entries(value)[0] ?? [];
  if (fn === 'Ref' && typeof args === 'string') {
    const resource = types.get(args);
    if (resource?.type === 'AWS::SecretsManager::Secret' && !resource.named)
      return generatedSecretArnBound(args);
    return PSEUDO_BOUNDS[args] ?? REF_BOUNDS[resource?.type ?? ''] ?? UNKNOWN_BOUND;
  }
  if (fn === 'Fn::Join' && Array.isArray(args)) {
    const [separator, parts] = args as [string, unknown[]];
    return (
      parts.reduce<number>((sum, part) => sum + boundOf(part, types), 0) +
      separator.length * (parts.length - 1)
    );
  }
  if (fn === 'Fn::GetAtt' && Array.isArray(args)) {
    if (args[1] === 'Arn') return ARN_PREFIX + 512;
    return GET_ATT_BOUNDS[`${types.get(String(args[0]))?.type}.${String(args[1])}`] ?? UNKNOWN_BOUND;
  }
  return UNKNOWN_BOUND;
}

/** Upper bound of the environment's size as Lambda counts it (the variables as a JSON object). */
export function environmentBytes(scope: IConstruct, environment: Readonly<Record<string, string>>): number {
  const stack = Stack.of(scope);
  const types = new Map(
    stack.node
      .findAll()
      .filter(CfnResource.isCfnResource)
      .map((r) => [
        stack.resolve((r as CfnResource).logicalId as unknown as IResolvable) as string,
        { type: r.cfnResourceType, named: r instanceof CfnSecret && stack.resolve(r.name) !== undefined },
      ]),
  );
  return Object.entries(environment).reduce(
    // `"key":"value",` around every variable, `{}` around them all.
    (sum, [key, value]) => sum + Buffer.byteLength(key) + boundOf(stack.resolve(value), types) + 6,
    2,
  );
}

/** Fails synth, naming the function and its largest variables, when its environment may not fit. */
export function assertEnvironmentFits(
  scope: IConstruct,
  functionId: string,
  environment: Readonly<Record<string, string>>,
): void {
  const bytes = environmentBytes(scope, environment);
  if (bytes <= LAMBDA_ENVIRONMENT_LIMIT_BYTES) return;
  const largest = Object.entries(environment)
    .map(([key, value]) => [key, environmentBytes(scope, { [key]: value })] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([key, size]) => `${key} ≈ ${size} bytes`)
    .join(', ');
  throw new ThroughlineConfigError([
    `the ${functionId} function's environment could reach ${bytes} bytes, over Lambda's ` +
      `${LAMBDA_ENVIRONMENT_LIMIT_BYTES}-byte limit (largest: ${largest}); register fewer monitoring targets, ` +
      'scale fewer API routes, or shorten allowedTargets (see docs/configuration.md)',
  ]);
}
