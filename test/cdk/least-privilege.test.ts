import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { HandlerFunction } from '../../lib/constructs/shared/handler-function';
import { logicalIdOf, resourcesOf, synthStack } from './stack-fixture';

const { stack } = synthStack();
const template = Template.fromStack(stack);
const table = logicalIdOf(stack, stack.storage.table);
const bucket = logicalIdOf(stack, stack.storage.resultsBucket);
const runner = logicalIdOf(stack, stack.runner.handler.function);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

function statementsOf(handler: HandlerFunction): Statement[] {
  const role = logicalIdOf(stack, handler.role);
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const TABLE_WRITES = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
const BUCKET_WRITES = ['s3:PutObject', 's3:DeleteObject*'];

/** What a handler can reach, in the brief's terms. */
function accessOf(handler: HandlerFunction) {
  const grants = statementsOf(handler).filter((s) => s.Effect === 'Allow');
  const on = (logicalId: string) =>
    grants.filter((s) => JSON.stringify(s.Resource).includes(`"${logicalId}"`));
  const actions = (logicalId: string) => on(logicalId).flatMap((s) => list(s.Action));
  const tableActions = actions(table);
  const bucketActions = actions(bucket);
  return {
    tableRead: tableActions.includes('dynamodb:Query') && tableActions.includes('dynamodb:GetItem'),
    tableWrite: tableActions.some((a) => TABLE_WRITES.includes(a)),
    bucketRead: bucketActions.includes('s3:GetObject*'),
    bucketWrite: bucketActions.some((a) => BUCKET_WRITES.includes(a)),
    invokesRunner: actions(runner).includes('lambda:InvokeFunction'),
  };
}

const NONE = {
  tableRead: false,
  tableWrite: false,
  bucketRead: false,
  bucketWrite: false,
  invokesRunner: false,
};
const api = (id: string): HandlerFunction => {
  const h = stack.api.handlers.get(id);
  if (h === undefined) throw new Error(`no handler ${id}`);
  return h;
};

describe('least privilege', () => {
  it.each([
    ['CreateTest', { ...NONE, tableRead: true, tableWrite: true, invokesRunner: true }],
    ['ListTests', { ...NONE, tableRead: true }],
    ['GetTest', { ...NONE, tableRead: true }],
    ['GetResults', { ...NONE, tableRead: true, bucketRead: true }],
    ['CancelTest', { ...NONE, tableRead: true, tableWrite: true }],
    ['OpenApi', NONE],
  ])('%s gets exactly its access', (id, expected) => {
    expect(accessOf(api(id))).toEqual(expected);
  });

  it('the runner reads and writes tests and results, and starts nothing', () => {
    expect(accessOf(stack.runner.handler)).toEqual({
      ...NONE,
      tableRead: true,
      tableWrite: true,
      bucketRead: true,
      bucketWrite: true,
    });
  });

  it('only create-test may invoke the runner', () => {
    const invokers = Object.entries(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('lambda:InvokeFunction'))
      .map(([id]) => id);
    expect(invokers).toEqual([logicalIdOf(stack, api('CreateTest').role.node.findChild('DefaultPolicy'))]);
  });

  it('grants nothing beyond the handler’s own log group, the table, the bucket and the runner', () => {
    const handlers = [...stack.api.handlers.values(), stack.runner.handler];
    for (const handler of handlers) {
      const ownLogs = logicalIdOf(stack, handler.node.findChild('Logs'));
      for (const s of statementsOf(handler)) {
        const resource = JSON.stringify(s.Resource);
        if (resource === '"*"') {
          // X-Ray accepts no resource-level permissions; nothing else may use "*".
          expect(list(s.Action).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
        } else if (resource.includes(`"${ownLogs}"`)) {
          expect(list(s.Action).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
        } else {
          expect([table, bucket, runner].some((id) => resource.includes(`"${id}"`))).toBe(true);
        }
      }
    }
  });

  it('attaches no managed policies to handler roles', () => {
    for (const handler of [...stack.api.handlers.values(), stack.runner.handler]) {
      const role = resourcesOf(template, 'AWS::IAM::Role')[logicalIdOf(stack, handler.role)];
      expect(role?.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });
});
