// cdk-nag 3 is a policy-validation plugin, not an Aspect: its findings no longer become construct
// annotations (so `Annotations.fromStack(...).findError('*', …)` sees nothing) but a validation
// report produced at synth. These tests register the pack the way bin/throughline.ts does, synth,
// and then ask the same pack for its findings directly, errors and warnings alike.
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { CDN_ONLY, FULL_SETTINGS, synthStack } from './stack-fixture';

interface Finding {
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
}

function findings(app: IConstruct, options: { ignoreAcknowledgements: boolean }): Finding[] {
  const checks = new AwsSolutionsChecks();
  if (options.ignoreAcknowledgements) {
    // Private in cdk-nag 3.0.2; if it ever moves, fail loudly rather than test nothing.
    expect(typeof (checks as unknown as Record<string, unknown>).isAcknowledged).toBe('function');
    Object.defineProperty(checks, 'isAcknowledged', { value: () => false });
  }
  return checks.validateScope(app).violations.flatMap((v) =>
    v.violatingResources.map((r) => ({
      rule: v.ruleName,
      severity: v.severity ?? '',
      path: r.constructPath ?? '',
    })),
  );
}

/**
 * Every `Validations.acknowledge` in the tree but CDK's own: rule id, where, and why. aws-cdk-lib
 * acknowledges rules of its built-in CloudFormation validation (`CloudFormation-Validate::…`) in some
 * constructs (a stack reading its AZs, VPC flow logs); that validation is off here, cfn-lint.test.ts
 * runs the real linter.
 */
function acknowledgements(root: IConstruct) {
  return ownAndCdkAcknowledgements(root).filter((a) => !a.rule.startsWith('CloudFormation-Validate::'));
}

function ownAndCdkAcknowledgements(root: IConstruct) {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          rule: id.replace(/^annotation::/i, ''),
          path: c.node.path,
          reason,
        })),
      ),
  );
}

describe.each([
  ['removalPolicy retain', { removalPolicy: 'retain' }],
  ['removalPolicy destroy', { removalPolicy: 'destroy' }],
  // The webhook secret and notifier, targets of every kind, and their scaling.
  ['every monitoring and scaling feature', { ...FULL_SETTINGS, removalPolicy: 'destroy' }],
  // No cache tier; the CDN under a name of its own (its certificate enforces TLS 1.2: no CFR4).
  ['the CDN without the cache tier, on its own domain', CDN_ONLY],
])('cdk-nag AwsSolutions with %s', (_name, settings) => {
  const { app } = synthStack({ settings });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // In a test process the app synthesizes "in memory" and throws on any unacknowledged error.
  app.synth();

  it('leaves no unacknowledged error or warning', () => {
    expect(findings(app, { ignoreAcknowledgements: false })).toEqual([]);
  });

  it('acknowledges only real findings, each with a specific reason', () => {
    const raw = findings(app, { ignoreAcknowledgements: true });
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.rule).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(ack.reason.length, `reason for ${ack.rule} at ${ack.path}`).toBeGreaterThan(60);
      const matched = raw.some((f) => f.rule === ack.rule && `${f.path}/`.startsWith(`${ack.path}/`));
      expect(matched, `stale acknowledgement ${ack.rule} at ${ack.path}`).toBe(true);
    }
  });
});
