import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
    expect(functions).toHaveLength(7);
    const manifest = JSON.parse(readFileSync(join(out, 'Throughline.assets.json'), 'utf8'));
    const bundled = Object.values(
      manifest.files as Record<string, { source: { path: string; packaging?: string } }>,
    ).filter((f) => f.source.packaging === 'zip');
    expect(bundled).toHaveLength(7);
    for (const f of bundled)
      expect(readFileSync(join(out, f.source.path, 'index.mjs'), 'utf8')).toContain('handler');

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
