// The dependency rule of DESIGN.md §1, enforced: exits 1 and lists every import that breaks it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const layers = {
  'lambdas/core': {
    forbid: [
      /^@aws-sdk\//,
      /^@middy\//,
      /^aws-lambda$/,
      /^node:/,
      /^(fs|http|https|net|tls|os|path|child_process|worker_threads)$/,
    ],
    forbidDirs: ['lambdas/adapters', 'lambdas/composition', 'lambdas/entrypoints', 'lambdas/config', 'lib'],
    forbidText: [/process\.env/],
  },
  'lambdas/ports': {
    forbid: [/^@aws-sdk\//, /^@middy\//, /^node:/],
    forbidDirs: ['lambdas/adapters', 'lambdas/composition', 'lambdas/entrypoints', 'lambdas/config', 'lib'],
    forbidText: [/process\.env/],
  },
  'lambdas/adapters': {
    forbid: [],
    forbidDirs: ['lambdas/composition', 'lambdas/entrypoints', 'lib'],
    forbidText: [/process\.env/],
  },
  'lambdas/composition': { forbid: [], forbidDirs: ['lambdas/entrypoints', 'lib'], forbidText: [] },
  lib: { forbid: [], forbidDirs: ['lambdas'], forbidText: [] },
};

const files = (dir) => {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else if (/\.(ts|mts|js|mjs)$/.test(e)) out.push(p);
  }
  return out;
};

const IMPORT =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
const problems = [];
for (const [layer, rule] of Object.entries(layers)) {
  for (const file of files(join(root, layer))) {
    const text = readFileSync(file, 'utf8');
    const rel = relative(root, file);
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (rule.forbid.some((re) => re.test(spec))) problems.push(`${rel}: ${layer} may not import ${spec}`);
      if (spec.startsWith('.')) {
        const target = relative(root, resolve(dirname(file), spec));
        const bad = rule.forbidDirs.find((d) => target === d || target.startsWith(`${d}/`));
        if (bad) problems.push(`${rel}: ${layer} may not import from ${bad} (${spec})`);
      }
    }
    for (const re of rule.forbidText)
      if (re.test(text)) problems.push(`${rel}: ${layer} may not use ${re.source.replace(/\\/g, '')}`);
  }
}
if (problems.length > 0) {
  console.error(`dependency rule broken (DESIGN.md §1):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('dependency rule: ok');
