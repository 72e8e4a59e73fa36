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
