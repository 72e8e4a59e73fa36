// The stack deploys these files (bundled by path, never imported: DESIGN.md §1). With bundling
// skipped the other CDK tests only need them to exist; this test holds them to the contract the
// functions are configured with (`handler: 'handler'`): every entry exists and exports `handler`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENTRY_FILES } from '../../lib/constructs/api/routes';
import { LAMBDA_ENTRY_DIR } from '../../lib/project-paths';

describe('Lambda entry files', () => {
  it.each(ENTRY_FILES)('lambdas/entrypoints/lambda/%s exists and exports handler', (file) => {
    const path = join(LAMBDA_ENTRY_DIR, file);
    expect(existsSync(path), `${path} is missing`).toBe(true);
    expect(readFileSync(path, 'utf8')).toMatch(
      /export\s+(const|let|async\s+function|function)\s+handler\b|export\s*\{[^}]*\bhandler\b[^}]*\}/,
    );
  });
});
