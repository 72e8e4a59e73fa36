// The stack deploys these files (bundled by path, never imported: DESIGN.md §1). With bundling
// skipped the other CDK tests only need them to exist; this test holds them to the contract the
// functions are configured with (`handler: 'handler'`): every entry exists and exports `handler`.
// The Fargate worker image is built at deploy time from a staged context, so its Dockerfile must
// only copy what the context holds.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../lib/constructs/api/routes';
import { INVALIDATION_WORKER_ENTRY } from '../../lib/constructs/cache/cdn-invalidation';
import { SIGNING_KEY_ENTRY } from '../../lib/constructs/cache/cdn-signing-key';
import { WORKER_DOCKERFILE, WORKER_IMAGE_CONTEXT } from '../../lib/constructs/load-test/fargate-workers';
import { RUN_FUNCTIONS } from '../../lib/constructs/load-test/run-functions';
import { LAMBDA_ENTRY_DIR, PROJECT_ROOT } from '../../lib/project-paths';
import { synthStack } from './stack-fixture';

const ENTRY_FILES = [
  ...ROUTES.map((r) => r.entry),
  ...Object.values(RUN_FUNCTIONS).map((f) => f.entry),
  // The alarm notifier (AlarmNotifications, with monitoring.webhook.enabled).
  'notify-alarm.ts',
  // The CDN invalidation worker (CdnInvalidation, with cache.cdn.enabled).
  INVALIDATION_WORKER_ENTRY,
  // The CDN signing key's custom resource (CdnSigningKey, with cache.cdn.enabled).
  SIGNING_KEY_ENTRY,
];

describe('Lambda entry files', () => {
  it.each(ENTRY_FILES)('lambdas/entrypoints/lambda/%s exists and exports handler', (file) => {
    const path = join(LAMBDA_ENTRY_DIR, file);
    expect(existsSync(path), `${path} is missing`).toBe(true);
    expect(readFileSync(path, 'utf8')).toMatch(
      /export\s+(const|let|async\s+function|function)\s+handler\b|export\s*\{[^}]*\bhandler\b[^}]*\}/,
    );
  });
});

describe('Fargate worker image', () => {
  const dockerfile = join(PROJECT_ROOT, WORKER_DOCKERFILE);

  it('has its Dockerfile and entry point', () => {
    expect(existsSync(dockerfile), `${dockerfile} is missing`).toBe(true);
    expect(existsSync(join(PROJECT_ROOT, 'lambdas', 'entrypoints', 'fargate', 'main.ts'))).toBe(true);
  });

  it('is staged with exactly the context its Dockerfile copies from, and builds for arm64', () => {
    const { app } = synthStack();
    const assembly = app.synth();
    const manifest = JSON.parse(
      readFileSync(join(assembly.directory, 'Throughline.assets.json'), 'utf8'),
    ) as {
      dockerImages: Record<string, { source: { directory: string; dockerFile: string; platform: string } }>;
    };
    const images = Object.values(manifest.dockerImages);
    expect(images).toHaveLength(1);
    const source = images[0]?.source;
    expect(source).toMatchObject({ dockerFile: WORKER_DOCKERFILE, platform: 'linux/arm64' });
    const staged = join(assembly.directory, source?.directory ?? '');
    expect(readdirSync(staged).sort()).toEqual([...WORKER_IMAGE_CONTEXT].sort());

    // Every `COPY <src>… <dest>` from the build context (not `--from=` a stage) must be staged.
    const sources = readFileSync(dockerfile, 'utf8')
      .split('\n')
      .filter((line) => /^COPY\s/i.test(line) && !/--from=/i.test(line))
      .flatMap((line) => line.trim().split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) expect(existsSync(join(staged, src)), `COPY ${src} is not staged`).toBe(true);
  });
});
