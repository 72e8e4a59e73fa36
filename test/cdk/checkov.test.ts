// checkov, the second IaC scanner (DESIGN.md §4), on the templates cfn-lint.test.ts lints: no check
// fails, and every check a resource skips (`Metadata.checkov.skip`, recorded by the construct that
// owns it through lib/constructs/shared/checkov.ts) says why, specifically, and still fails there
// without the skip. `npm test` installs checkov into .venv/checkov (scripts/ensure-test-deps.mjs).
//
// Offline: --skip-download and BC_SKIP_MAPPING keep it from fetching policies and guideline maps,
// CKV_SKIP_PACKAGE_UPDATE_CHECK from asking the package index for a newer version, and without an API
// key it uploads nothing (under strace it opens no network socket at all).
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKOV_METADATA_KEY } from '../../lib/constructs/shared/checkov';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { CDN_ONLY, FULL_SETTINGS, synthStack } from './stack-fixture';

const CHECKOV = join(PROJECT_ROOT, '.venv', 'checkov', 'bin', 'checkov');
/** The run over the three templates takes ~15 s of one core here, the run over their skips ~4 s. */
const RUN_TIMEOUT_MS = 150_000;

const SCENARIOS: Readonly<Record<string, unknown>> = {
  default: undefined,
  full: { ...FULL_SETTINGS, removalPolicy: 'destroy' },
  'cdn-only': CDN_ONLY,
};

/** A reason that says nothing about the resource: a placeholder, a verdict without grounds. */
const GENERIC =
  /^\s*(n\/?a|none|todo|tbd|fixme|false positive|not (needed|applicable|required|relevant)|accepted( risk)?|by design|intentional|ignored?|skip(ped)?|see (above|below|docs?))\b|\b(TODO|FIXME|TBD)\b/i;
const MIN_REASON = 60;

interface Skip {
  readonly template: string;
  readonly resource: string;
  readonly id: string;
  readonly reason: string;
}

interface CheckResult {
  readonly check_id: string;
  readonly resource: string;
  readonly file_path: string;
}

interface Report {
  readonly summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
  readonly results: {
    readonly passed_checks?: CheckResult[];
    readonly failed_checks?: CheckResult[];
    readonly skipped_checks?: CheckResult[];
  };
}

const root = mkdtempSync(join(tmpdir(), 'throughline-checkov-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `<template>: <Type>.<logicalId> <check>`, checkov's and the metadata's findings alike. */
const key = (template: string, resource: string, id: string) => `${template}: ${resource} ${id}`;
const templateOf = (r: CheckResult) => r.file_path.replace(/^.*\//, '').replace(/\.template\.json$/, '');
const keyOf = (r: CheckResult) => key(templateOf(r), r.resource, r.check_id);

/**
 * Synthesizes every scenario; writes each template as is and, in `stripped/`, only its resources
 * that skip checks, without the skips: what those checks say when nothing is skipped. Every skip
 * is of a single-resource check (CKV_AWS_…, asserted below), whose verdict depends on that
 * resource alone, so the other thousand resources need not be scanned twice. (A skip of a graph
 * check, CKV2_…, would need the whole template here.)
 */
function synthTemplates(): { asIs: string[]; stripped: string[]; skips: Skip[] } {
  const strippedDir = join(root, 'stripped');
  mkdirSync(strippedDir);
  const asIs: string[] = [];
  const stripped: string[] = [];
  const skips: Skip[] = [];
  for (const [name, settings] of Object.entries(SCENARIOS)) {
    const outdir = join(root, `cdk-out-${name}`);
    const { app, stack } = synthStack({ settings, outdir });
    const file = `${name}.template.json`;
    copyFileSync(join(app.synth().directory, stack.templateFile), join(root, file));
    asIs.push(join(root, file));
    const template = JSON.parse(readFileSync(join(root, file), 'utf8')) as {
      Resources: Record<string, { Type: string; Metadata?: Record<string, unknown> }>;
    };
    const skipping: typeof template.Resources = {};
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      const entries = (
        resource.Metadata?.[CHECKOV_METADATA_KEY] as { skip?: { id: string; comment: string }[] }
      )?.skip;
      if (entries === undefined || resource.Metadata === undefined) continue;
      for (const { id, comment } of entries)
        skips.push({ template: name, resource: `${resource.Type}.${logicalId}`, id, reason: comment });
      delete resource.Metadata[CHECKOV_METADATA_KEY];
      skipping[logicalId] = resource;
    }
    writeFileSync(join(strippedDir, file), JSON.stringify({ ...template, Resources: skipping }));
    stripped.push(join(strippedDir, file));
  }
  return { asIs, stripped, skips };
}

/** checkov's JSON report on `templates` (CloudFormation checks only, no network). */
function checkov(templates: readonly string[]): Promise<Report> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BC_SKIP_MAPPING: 'TRUE',
    CKV_SKIP_PACKAGE_UPDATE_CHECK: 'TRUE',
  };
  for (const name of ['BC_API_KEY', 'PRISMA_API_URL', 'BC_API_URL']) delete env[name];
  const args = ['--framework', 'cloudformation', '--skip-download', '--compact', '--soft-fail', '-o', 'json'];
  return new Promise((resolve, reject) => {
    const child = spawn(CHECKOV, [...args, ...templates.flatMap((t) => ['-f', t])], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: RUN_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) return reject(new Error(`checkov exited ${code ?? signal}: ${stderr.slice(-2000)}`));
      const parsed = JSON.parse(stdout) as Report | Report[];
      const reports = Array.isArray(parsed) ? parsed : [parsed];
      if (reports.length !== 1)
        return reject(new Error(`expected one CloudFormation report, got ${reports.length}`));
      resolve(reports[0] as Report);
    });
  });
}

describe('checkov (default settings, every feature with removalPolicy destroy, the CDN alone)', () => {
  let skips: Skip[] = [];
  let asIs: Report;
  let withoutSkips: Report;

  beforeAll(async () => {
    expect(existsSync(CHECKOV), `${CHECKOV} is missing: run node scripts/ensure-test-deps.mjs`).toBe(true);
    const templates = synthTemplates();
    skips = templates.skips;
    [asIs, withoutSkips] = await Promise.all([checkov(templates.asIs), checkov(templates.stripped)]);
  }, 2 * RUN_TIMEOUT_MS);

  it('parses every template and fails no check', () => {
    expect(asIs.summary.parsing_errors).toBe(0);
    expect(asIs.summary.passed).toBeGreaterThan(0);
    expect((asIs.results.failed_checks ?? []).map(keyOf).sort()).toEqual([]);
  });

  it('honours exactly the skips in the metadata', () => {
    expect(skips.length).toBeGreaterThan(0);
    expect((asIs.results.skipped_checks ?? []).map(keyOf).sort()).toEqual(
      skips.map((s) => key(s.template, s.resource, s.id)).sort(),
    );
  });

  it('skips with a specific reason each: long enough, not generic, not one text for several checks', () => {
    const problems = skips.flatMap((s) => {
      const where = key(s.template, s.resource, s.id);
      const sameText = skips.filter(
        (o) => o.template === s.template && o.resource === s.resource && o.reason === s.reason,
      );
      return [
        // A single-resource check (see synthTemplates), of the AWS checks the templates get.
        ...(/^CKV_AWS_\d+$/.test(s.id) ? [] : [`${where}: not a single-resource AWS check id`]),
        ...(s.reason.trim().length >= MIN_REASON ? [] : [`${where}: reason shorter than ${MIN_REASON}`]),
        ...(GENERIC.test(s.reason) ? [`${where}: generic reason "${s.reason}"`] : []),
        ...(sameText.length > 1
          ? [`${where}: the same reason as ${sameText.map((o) => o.id).join(', ')}`]
          : []),
      ];
    });
    expect(problems).toEqual([]);
  });

  it('skips only checks that checkov knows and that fail on that resource without the skip', () => {
    const ran = new Set(
      [...(withoutSkips.results.passed_checks ?? []), ...(withoutSkips.results.failed_checks ?? [])].map(
        (r) => r.check_id,
      ),
    );
    const failing = new Set((withoutSkips.results.failed_checks ?? []).map(keyOf));
    const problems = skips.flatMap((s) => {
      const where = key(s.template, s.resource, s.id);
      if (!ran.has(s.id)) return [`${where}: checkov ran no check ${s.id} (unknown, or not for this type)`];
      return failing.has(where) ? [] : [`${where}: stale, the check passes without the skip`];
    });
    expect(problems).toEqual([]);
  });
});
