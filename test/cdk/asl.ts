// The synthesized state machine definition as plain ASL. CloudFormation gets it as an Fn::Join of
// string pieces and references (function ARNs, the topic, the cluster …); this resolves every
// reference to a placeholder of the right shape, so the result parses as JSON and can be
// asserted on, or executed locally (aws-local-stepfunctions) with the task states overridden.
//
// Placeholders: account 123456789012, region us-east-1, partition aws; a resource's Ref/GetAtt
// becomes an ARN (or id) of its type that names its logical id, e.g. the Arn of function
// `LoadTestFunctionsPlanRun…` → `arn:aws:lambda:us-east-1:123456789012:function:LoadTestFunctionsPlanRun…`.
import type { Template } from 'aws-cdk-lib/assertions';

export const PLACEHOLDER_ACCOUNT = '123456789012';
export const PLACEHOLDER_REGION = 'us-east-1';

const PSEUDO: Record<string, string> = {
  'AWS::AccountId': PLACEHOLDER_ACCOUNT,
  'AWS::Region': PLACEHOLDER_REGION,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'Throughline',
};

const arn = (service: string, resource: string) =>
  `arn:aws:${service}:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:${resource}`;

/** What `{Ref}` returns, by resource type (CloudFormation's documented return values). */
const REF: Record<string, (id: string) => string> = {
  'AWS::Lambda::Function': (id) => id,
  'AWS::SNS::Topic': (id) => arn('sns', id),
  'AWS::ECS::Cluster': (id) => id,
  'AWS::ECS::TaskDefinition': (id) => arn('ecs', `task-definition/${id}:1`),
  'AWS::EC2::Subnet': (id) => `subnet-${id}`,
  'AWS::EC2::SecurityGroup': (id) => `sg-${id}`,
  'AWS::S3::Bucket': (id) => id.toLowerCase(),
  'AWS::DynamoDB::Table': (id) => id,
  'AWS::StepFunctions::StateMachine': (id) => arn('states', `stateMachine:${id}`),
};

/** What `{Fn::GetAtt: [id, attribute]}` returns, by resource type and attribute. */
const GET_ATT: Record<string, (id: string) => string> = {
  'AWS::Lambda::Function.Arn': (id) => arn('lambda', `function:${id}`),
  'AWS::ECS::Cluster.Arn': (id) => arn('ecs', `cluster/${id}`),
  'AWS::EC2::SecurityGroup.GroupId': (id) => `sg-${id}`,
  'AWS::SNS::Topic.TopicArn': (id) => arn('sns', id),
  'AWS::S3::Bucket.Arn': (id) => `arn:aws:s3:::${id.toLowerCase()}`,
  'AWS::DynamoDB::Table.Arn': (id) => arn('dynamodb', `table/${id}`),
  'AWS::IAM::Role.Arn': (id) => `arn:aws:iam::${PLACEHOLDER_ACCOUNT}:role/${id}`,
};

type Resources = Record<string, { Type: string }>;

/** Resolves the intrinsics CDK puts into a definition; throws on one it does not know. */
export function resolveIntrinsics(value: unknown, resources: Resources): unknown {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, resources));
  if (value === null || typeof value !== 'object') throw new Error(`unexpected value ${String(value)}`);
  const entries = Object.entries(value);
  const [key, arg] = entries[0] ?? [];
  if (entries.length !== 1 || key === undefined || !(key === 'Ref' || key.startsWith('Fn::')))
    return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, resources)]));
  const type = (id: string) => {
    const t = resources[id]?.Type;
    if (t === undefined) throw new Error(`no resource ${id} in the template`);
    return t;
  };
  switch (key) {
    case 'Ref': {
      const id = arg as string;
      const pseudo = PSEUDO[id];
      if (pseudo !== undefined) return pseudo;
      return (REF[type(id)] ?? ((x: string) => x))(id);
    }
    case 'Fn::GetAtt': {
      const [id, attribute] = (typeof arg === 'string' ? arg.split('.') : arg) as [string, string];
      return (GET_ATT[`${type(id)}.${attribute}`] ?? ((x: string) => `${x}.${attribute}`))(id);
    }
    case 'Fn::Join': {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((p) => resolveIntrinsics(p, resources)).join(separator);
    }
    case 'Fn::Select': {
      const [index, list] = arg as [number, unknown];
      return (resolveIntrinsics(list, resources) as unknown[])[index];
    }
    case 'Fn::Split': {
      const [separator, source] = arg as [string, unknown];
      return String(resolveIntrinsics(source, resources)).split(separator);
    }
    default:
      throw new Error(`unsupported intrinsic ${key} in the state machine definition`);
  }
}

/** The template's one state machine definition, parsed, with placeholders for its references. */
export function stateMachineDefinition(template: Template): Record<string, unknown> {
  const { Resources } = template.toJSON() as {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
  const machines = Object.values(Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  const definition = resolveIntrinsics(machines[0]?.Properties?.DefinitionString, Resources);
  return JSON.parse(String(definition)) as Record<string, unknown>;
}
