// Where the CDK app finds the runtime code it deploys. `lib/` references handlers by path only
// (DESIGN.md §1). The project root is found by walking up to cdk.json, because this module also
// runs from the esbuild bundle scripts/cdk-app.mjs writes under node_modules/.cache.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'cdk.json'))) return dir;
    if (dirname(dir) === dir)
      throw new Error(`no cdk.json above ${from}: cannot locate the Throughline project`);
  }
}

export const PROJECT_ROOT = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

/** The npm lock file NodejsFunction bundling resolves dependencies against. */
export const LOCK_FILE = join(PROJECT_ROOT, 'package-lock.json');

/** The folder of the Lambda entry points (`lambdas/entrypoints/lambda/*.ts`). */
export const LAMBDA_ENTRY_DIR = join(PROJECT_ROOT, 'lambdas', 'entrypoints', 'lambda');
