// The synthesized templates pass cfn-lint (the real linter, from .venv; `npm test` installs it via
// scripts/ensure-test-deps.mjs). Rules are those of .cfnlintrc, which explains its one exception.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { CDN_ONLY, FULL_SETTINGS, synthStack } from './stack-fixture';

const CFN_LINT = join(PROJECT_ROOT, '.venv', 'bin', 'cfn-lint');
const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** Synthesizes the stack into a fresh cloud assembly and returns the template's path. */
function synthTemplate(settings: unknown): string {
  const outdir = mkdtempSync(join(tmpdir(), 'throughline-cdk-out-'));
  outdirs.push(outdir);
  const { app, stack } = synthStack({ settings, outdir });
  return join(app.synth().directory, stack.templateFile);
}

describe('cfn-lint', () => {
  it('finds no error or warning in the templates (default settings, every feature with removalPolicy destroy, the CDN alone)', () => {
    expect(existsSync(CFN_LINT), `${CFN_LINT} is missing: run node scripts/ensure-test-deps.mjs`).toBe(true);
    const templates = [
      synthTemplate(undefined),
      synthTemplate({ ...FULL_SETTINGS, removalPolicy: 'destroy' }),
      synthTemplate(CDN_ONLY),
    ];
    const lint = spawnSync(
      CFN_LINT,
      ['--config-file', join(PROJECT_ROOT, '.cfnlintrc'), '--', ...templates],
      {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
      },
    );
    expect(lint.error).toBeUndefined();
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);
  });
});
