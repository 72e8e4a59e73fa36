// The `app` command of cdk.json. Node 20 cannot run TypeScript and the project ships no tsx or
// ts-node, so this bundles bin/throughline.ts (and lib/) with the installed esbuild, keeping every
// package external (aws-cdk-lib, constructs, cdk-nag and zod load from node_modules as usual), then
// runs the bundle in this process. Offline, no Docker, about a second.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
// Inside this checkout (cdk.out: ignored by git and Biome), so that the bundle's bare imports resolve
// to the project's packages and lib/project-paths.ts, walking up from the bundle, finds this
// checkout's cdk.json. Not under node_modules: a checkout whose node_modules is a link to another
// checkout's would then bundle that checkout's handlers, and share one app.mjs with it.
const outdir = join(root, 'cdk.out', '.throughline-app');
const outfile = join(outdir, 'app.mjs');
mkdirSync(outdir, { recursive: true });

await build({
  entryPoints: [join(root, 'bin', 'throughline.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});

// Errors from the app (construct errors) then point at the TypeScript sources.
process.setSourceMapsEnabled(true);
try {
  await import(pathToFileURL(outfile).href);
} catch (err) {
  // Invalid settings are the user's to fix, not a crash: the message lists every problem, no stack.
  if (err?.code !== 'E_INVALID_CONFIG') throw err;
  console.error(err.message);
  process.exit(1);
}
