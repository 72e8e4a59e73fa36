// Bundles the CLI and its worker-thread entry with esbuild (fast, no type-check: `npm run lint` does that).
import { build } from 'esbuild';

await build({
  entryPoints: {
    throughline: 'lambdas/entrypoints/cli/main.ts',
    worker: 'lambdas/entrypoints/local/worker-thread.ts',
  },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
});
