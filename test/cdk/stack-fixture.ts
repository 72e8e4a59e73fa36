// Builds the stack the way bin/throughline.ts does, for assertions: cdk.json's context (feature
// flags and settings), bundling skipped for every stack (the handler entry files only have to
// exist) and CDK's built-in template validation off (cfn-lint.test.ts runs the real linter
// instead), so a synth takes a second or two.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type AppProps, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { loadSettings } from '../../lib/config/load-settings';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { ThroughlineStack } from '../../lib/stacks/throughline-stack';

export const CDK_JSON = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};

export interface FixtureOptions {
  /** The `throughline` context block; cdk.json's block when absent. */
  readonly settings?: unknown;
  readonly outdir?: string;
}

export function synthStack(options: FixtureOptions = {}): { app: App; stack: ThroughlineStack } {
  const context: Record<string, unknown> = { ...CDK_JSON.context, 'aws:cdk:bundling-stacks': [] };
  if ('settings' in options) context.throughline = options.settings;
  const props: AppProps = {
    context,
    builtinCloudFormationValidation: false,
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
  };
  const app = new App(props);
  const stack = new ThroughlineStack(app, 'Throughline', { settings: loadSettings(app) });
  return { app, stack };
}

export const templateOf = (options: FixtureOptions = {}): Template =>
  Template.fromStack(synthStack(options).stack);

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DependsOn?: unknown;
}

/** Logical id → resource (with `Properties` always present), for one resource type. */
export const resourcesOf = (template: Template, type: string): Record<string, Resource> =>
  Object.fromEntries(
    Object.entries(template.findResources(type)).map(([id, r]): [string, Resource] => [
      id,
      { ...r, Type: type, Properties: r.Properties ?? {} },
    ]),
  );

/** The logical id of a construct's CloudFormation resource. */
export const logicalIdOf = (stack: ThroughlineStack, construct: IConstruct): string =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);

/**
 * Settings that use every monitoring and scaling feature: emails (one also as alarmEmail), the
 * webhook, a target of every kind, schedules on every kind of scalable target.
 */
export const FULL_SETTINGS = {
  alarmEmail: 'oncall@example.com',
  monitoring: {
    emails: ['platform@example.com', 'oncall@example.com'],
    webhook: { enabled: true },
    targets: {
      lambdaFunctions: ['orders-api'],
      ecsServices: [{ cluster: 'shop', service: 'checkout' }],
      elasticacheClusters: [
        { replicationGroupId: 'sessions', clusterIds: ['sessions-0001-001', 'sessions-0001-002'] },
        { replicationGroupId: 'catalog-cache' },
      ],
      databases: [{ instance: 'orders-db' }, { cluster: 'catalog-aurora' }],
      apiGatewayStages: [{ apiName: 'shop-api', stage: 'prod' }],
      cloudfrontDistributions: ['E2QWRUHAPOMQZL'],
    },
  },
  scaling: {
    api: {
      schedules: [
        { name: 'office-hours', schedule: 'cron(0 8 ? * MON-FRI *)', min: 5, timezone: 'Europe/Berlin' },
        { name: 'evening', schedule: 'cron(0 19 ? * MON-FRI *)', min: 1, timezone: 'Europe/Berlin' },
      ],
    },
    elasticache: [
      {
        replicationGroupId: 'sessions',
        shards: {
          min: 1,
          max: 4,
          targetCpuPercent: 55,
          schedules: [{ name: 'nightly-batch', schedule: 'cron(0 1 * * ? *)', min: 3 }],
        },
        replicas: { min: 1, max: 3 },
      },
    ],
    ecsServices: [
      {
        cluster: 'shop',
        service: 'checkout',
        min: 2,
        max: 20,
        targetCpuPercent: 50,
        schedules: [{ name: 'sale', schedule: 'at(2030-11-27T06:00:00)', min: 10, max: 40 }],
      },
    ],
  },
} as const;

/** The CDN on a domain of its own, without the cache tier (ADR 006). */
export const CDN_ONLY = {
  cache: {
    enabled: false,
    cdn: {
      domainNames: ['perf.example.com'],
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
    },
  },
} as const;

/** A template's Fn::Join / Ref / GetAtt values with every reference replaced by `<logicalId>`. */
export function flattenTokens(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  const [fn, args] = Object.entries(value)[0] ?? [];
  if (fn === 'Ref') return `<${String(args)}>`;
  if (fn === 'Fn::GetAtt') return `<${(args as string[]).join('.')}>`;
  if (fn === 'Fn::Join') {
    const [separator, parts] = args as [string, unknown[]];
    return parts.map(flattenTokens).join(separator);
  }
  return JSON.stringify(value);
}
