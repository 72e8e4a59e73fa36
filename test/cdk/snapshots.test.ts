// One scrubbed snapshot per construct ThroughlineStack composes (DESIGN.md §6.8): its resources as
// the template has them, in test/cdk/__snapshots__/constructs/<construct>.json. The intent tests
// say what must hold; these show every other change a diff brings (review it, then `npx vitest run
// test/cdk/snapshots.test.ts -u`). Synthesized with every feature on (FULL_SETTINGS), so that no
// construct is empty.
//
// Scrubbed, because it differs between machines, checkouts or runs without a change of ours:
// - asset hashes (64 hex digits: the S3 keys of Lambda bundles, the Fargate image's tag), which CDK
//   derives from the checkout's absolute path and, for the image, from every file it copies;
// - the content hash CDK appends to the logical ids of Lambda versions and API deployments (32 hex
//   digits after the 8 of the path hash), which follows the asset hashes, in ids and references;
// - CDK's version and path metadata (AWS::CDK::Metadata, aws:cdk:path, aws:asset:*), absent from a
//   test synth today, dropped should that change.
import { CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct, type IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/project-paths';
import type { ThroughlineStack } from '../../lib/stacks/throughline-stack';
import { FULL_SETTINGS, synthStack } from './stack-fixture';

type Resources = Record<string, Record<string, unknown>>;

const ASSET_HASH = /\b[0-9a-f]{64}\b/g;
const CONTENT_HASHED_ID = /\b([A-Za-z0-9]+[0-9A-F]{8})[0-9a-f]{32}\b/g;

/** Object keys sorted at every depth (arrays keep their order): creation order is not a change. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}

function withoutCdkMetadata(resource: Record<string, unknown>): Record<string, unknown> {
  const metadata = resource.Metadata as Record<string, unknown> | undefined;
  if (metadata === undefined) return resource;
  const kept = Object.fromEntries(
    Object.entries(metadata).filter(([k]) => k !== 'aws:cdk:path' && !k.startsWith('aws:asset:')),
  );
  const { Metadata: _, ...rest } = resource;
  return Object.keys(kept).length === 0 ? rest : { ...rest, Metadata: kept };
}

function scrub(resources: Resources): string {
  const kept = Object.fromEntries(
    Object.entries(resources)
      .filter(([, r]) => r.Type !== 'AWS::CDK::Metadata')
      .map(([id, r]) => [id, withoutCdkMetadata(r)]),
  );
  return `${JSON.stringify(sortKeys(kept), null, 2)}\n`
    .replace(ASSET_HASH, '<asset-hash>')
    .replace(CONTENT_HASHED_ID, '$1<content-hash>');
}

/** `PerformanceApi` → `performance-api`; `Custom::VpcRestrictDefaultSG…` → `custom-vpc-restrict-default-sg-…`. */
const kebab = (id: string) =>
  id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();

/**
 * Each top-level construct of the stack with the subtrees it owns: its own, and where it builds
 * resources inside another construct's (ApiConcurrencyScaling's scalable targets hang under the
 * API's aliases, as CDK's `addAutoScaling` puts them). A resource belongs to the owner of the
 * deepest subtree it is in.
 */
function owners(stack: ThroughlineStack): Map<string, IConstruct[]> {
  const extra: Record<string, IConstruct[]> = {
    [stack.apiScaling.node.id]: [...stack.apiScaling.targets.values()].filter(Construct.isConstruct),
  };
  const out = new Map<string, IConstruct[]>();
  for (const child of stack.node.children) {
    const roots = [child, ...(extra[child.node.id] ?? [])];
    if (roots.some((r) => r.node.findAll().some(CfnResource.isCfnResource))) out.set(child.node.id, roots);
  }
  return out;
}

function snapshots(stack: ThroughlineStack): { byOwner: Map<string, Resources>; unowned: string[] } {
  const template = Template.fromStack(stack).toJSON() as { Resources: Resources };
  const roots = [...owners(stack)].flatMap(([owner, rs]) => rs.map((root) => ({ owner, root })));
  const byOwner = new Map<string, Resources>([...owners(stack).keys()].map((o) => [o, {}]));
  const unowned: string[] = [];
  for (const resource of stack.node.findAll().filter(CfnResource.isCfnResource)) {
    // The resolved id: CDK renames versions and deployments with their content hash at synth.
    const logicalId = stack.resolve(resource.logicalId) as string;
    const inside = roots.filter(
      ({ root }) =>
        resource.node.path === root.node.path || resource.node.path.startsWith(`${root.node.path}/`),
    );
    const deepest = inside.sort((a, b) => b.root.node.path.length - a.root.node.path.length)[0];
    const body = template.Resources[logicalId];
    if (deepest === undefined || body === undefined) unowned.push(logicalId);
    else (byOwner.get(deepest.owner) as Resources)[logicalId] = body;
  }
  return { byOwner, unowned };
}

const { stack } = synthStack({ settings: FULL_SETTINGS });
const { byOwner, unowned } = snapshots(stack);

describe('construct snapshots', () => {
  it('cover every resource of the template, each in exactly one construct’s snapshot', () => {
    expect(unowned).toEqual([]);
    const all = Object.keys(Template.fromStack(stack).toJSON().Resources as Resources).sort();
    expect([...byOwner.values()].flatMap((r) => Object.keys(r)).sort()).toEqual(all);
  });

  it('are one per construct the stack composes (and CDK’s own provider of the default-SG cleanup)', () => {
    expect([...byOwner.keys()].sort()).toEqual([
      'AlarmNotifications',
      'Alarms',
      'ApiScaling',
      'Cache',
      'Cdn',
      'CdnInvalidation',
      'Custom::VpcRestrictDefaultSGCustomResourceProvider',
      'Dashboard',
      'LoadTest',
      'Logs',
      'PerformanceApi',
      'Storage',
      'TargetScaling',
    ]);
    for (const [owner, resources] of byOwner)
      expect(Object.keys(resources).length, `${owner} has resources`).toBeGreaterThan(0);
  });

  it('hold nothing of this machine or checkout, and come out the same from a second synth', () => {
    const second = snapshots(synthStack({ settings: FULL_SETTINGS }).stack).byOwner;
    for (const [owner, resources] of byOwner) {
      const text = scrub(resources);
      expect(text).not.toContain(PROJECT_ROOT);
      expect(text).not.toMatch(/\b[0-9a-f]{64}\b/);
      expect(scrub(second.get(owner) ?? {})).toBe(text);
    }
  });

  it.each([...byOwner.keys()])('%s matches its snapshot', async (owner) => {
    await expect(scrub(byOwner.get(owner) ?? {})).toMatchFileSnapshot(
      `./__snapshots__/constructs/${kebab(owner)}.json`,
    );
  });
});
