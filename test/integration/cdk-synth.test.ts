import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/processes';

// `npx cdk synth` as a user runs it: offline, no Docker, no credentials, with every handler
// bundled by the local esbuild; then cfn-lint on what it wrote.

const out = mkdtempSync(join(tmpdir(), 'throughline-synth-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npx cdk synth', () => {
  it('synthesizes the stack with bundled handlers, and cfn-lint finds nothing', { timeout: 180_000 }, () => {
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
      CDK_DISABLE_VERSION_CHECK: '1',
    };
    const synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-o', out], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(synth.status, `${synth.stdout}\n${synth.stderr}`).toBe(0);
    const template = JSON.parse(readFileSync(join(out, 'Throughline.template.json'), 'utf8'));
    const functions = Object.values(
      template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
    ).filter((r) => r.Type === 'AWS::Lambda::Function' && (r.Properties.Runtime as string) === 'nodejs22.x');
    // Fifteen API handlers, five run functions, the webhook notifier (monitoring.webhook.enabled), the
    // CDN invalidation worker and the CDN signing key's custom resource (cache.cdn.enabled, ADR 006).
    expect(functions).toHaveLength(23);
    const manifest = JSON.parse(readFileSync(join(out, 'Throughline.assets.json'), 'utf8'));
    const bundled = Object.values(
      manifest.files as Record<string, { source: { path: string; packaging?: string } }>,
    ).filter((f) => f.source.packaging === 'zip');
    // Our handlers, the signing key's custom resource included, are the ESM bundles (index.mjs); CDK's
    // own custom resources ship other assets.
    const ours = bundled.filter((f) => existsSync(join(out, f.source.path, 'index.mjs')));
    expect(ours).toHaveLength(23);
    for (const f of ours)
      expect(readFileSync(join(out, f.source.path, 'index.mjs'), 'utf8')).toContain('handler');
    // The Fargate worker image is staged (its build context and Dockerfile), not built: no Docker here.
    const images = Object.values(
      (manifest.dockerImages ?? {}) as Record<string, { source: { directory: string; dockerFile?: string } }>,
    );
    expect(images).toHaveLength(1);
    const image = images[0]?.source;
    expect(existsSync(join(out, image?.directory ?? '', image?.dockerFile ?? 'Dockerfile'))).toBe(true);

    const lint = spawnSync(
      join(ROOT, '.venv/bin/cfn-lint'),
      ['--config-file', join(ROOT, '.cfnlintrc'), '--', join(out, 'Throughline.template.json')],
      {
        encoding: 'utf8',
      },
    );
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);
  });
});
