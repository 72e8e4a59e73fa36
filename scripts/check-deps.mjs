// The dependency rule of DESIGN.md §1, enforced: exits 1 and lists every import that breaks it,
// every forbidden use (process.env outside lambdas/config, timers in core) and every import circle.
//
//   entrypoints → composition → adapters → core → ports → model
//                  config (read once; validated)                ↑ lib (CDK) may import model only
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? resolve(dirname(new URL(import.meta.url).pathname), '..'));
const NODE_BUILTIN =
  /^(node:|(fs|http|https|net|tls|os|path|child_process|worker_threads|crypto|zlib|util)$)/;
const AWS = [/^@aws-sdk\//, /^@middy\//, /^aws-lambda$/, /^@aws-lambda-powertools\//];
const PROCESS_ENV = { re: /process\.env/, why: 'process.env (read it in lambdas/config/)' };
// Core waits only through the Clock port, so that it is deterministic given its ports.
const TIMERS = { re: /\b(setTimeout|setInterval|setImmediate)\s*\(/, why: 'timers (use the Clock port)' };
const LAMBDAS = ['model', 'ports', 'core', 'adapters', 'composition', 'config', 'entrypoints'].map(
  (d) => `lambdas/${d}`,
);
const except = (...allowed) => [...LAMBDAS, 'lib', 'bin'].filter((d) => !allowed.includes(d));

/** For each layer: packages it may not import, folders it may not import from, text it may not hold. */
const layers = {
  'lambdas/model': {
    forbid: [...AWS, NODE_BUILTIN],
    forbidDirs: except('lambdas/model'),
    forbidText: [PROCESS_ENV],
  },
  'lambdas/ports': {
    forbid: [...AWS, NODE_BUILTIN],
    forbidDirs: except('lambdas/model', 'lambdas/ports'),
    forbidText: [PROCESS_ENV],
  },
  'lambdas/core': {
    forbid: [...AWS, NODE_BUILTIN],
    forbidDirs: except('lambdas/model', 'lambdas/ports', 'lambdas/core'),
    forbidText: [PROCESS_ENV, TIMERS],
  },
  'lambdas/adapters': {
    forbid: [],
    forbidDirs: ['lambdas/composition', 'lambdas/entrypoints', 'lambdas/config', 'lib', 'bin'],
    forbidText: [PROCESS_ENV],
  },
  'lambdas/config': {
    forbid: [],
    forbidDirs: ['lambdas/adapters', 'lambdas/composition', 'lambdas/entrypoints', 'lib', 'bin'],
    forbidText: [],
  },
  'lambdas/composition': {
    forbid: [],
    forbidDirs: ['lambdas/entrypoints', 'lib', 'bin'],
    forbidText: [PROCESS_ENV],
  },
  // Entry points translate: they reach adapters only through composition.
  'lambdas/entrypoints': {
    forbid: [],
    forbidDirs: ['lambdas/adapters', 'lib', 'bin'],
    forbidText: [PROCESS_ENV],
  },
  // CDK references runtime code by file path, never by import; the model (data, schemas, defaults) it may share.
  lib: { forbid: [], forbidDirs: except('lambdas/model', 'lib'), forbidText: [] },
  bin: { forbid: [], forbidDirs: except('lambdas/model', 'lib', 'bin'), forbidText: [] },
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

/** Comments removed, so that a comment naming process.env or setTimeout is not a use. */
const code = (text) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');

const IMPORT =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
const SOURCE = /\.(ts|mts|js|mjs)$/;
const problems = [];
/** file → files it imports (relative imports, type-only included: a type circle is still a knot). */
const graph = new Map();

const resolveImport = (from, spec) => {
  const base = resolve(dirname(from), spec);
  for (const candidate of [
    base,
    `${base}.ts`,
    `${base}.mts`,
    `${base}.mjs`,
    `${base}.js`,
    join(base, 'index.ts'),
  ])
    try {
      if (statSync(candidate).isFile() && SOURCE.test(candidate)) return candidate;
    } catch {}
  return undefined;
};

for (const [layer, rule] of Object.entries(layers)) {
  for (const file of files(join(root, layer))) {
    const text = code(readFileSync(file, 'utf8'));
    const rel = relative(root, file);
    const edges = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (rule.forbid.some((re) => re.test(spec))) problems.push(`${rel}: ${layer} may not import ${spec}`);
      if (spec.startsWith('.')) {
        const target = relative(root, resolve(dirname(file), spec));
        const bad = rule.forbidDirs.find((d) => target === d || target.startsWith(`${d}/`));
        if (bad) problems.push(`${rel}: ${layer} may not import from ${bad} (${spec})`);
        const to = resolveImport(file, spec);
        if (to) edges.push(to);
      }
    }
    graph.set(file, edges);
    for (const { re, why } of rule.forbidText)
      if (re.test(text)) problems.push(`${rel}: ${layer} may not use ${why}`);
  }
}

// Import circles: strongly connected components of more than one file (Tarjan), each reported once.
let counter = 0;
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const circles = [];
const visit = (v) => {
  index.set(v, counter);
  low.set(v, counter++);
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!index.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) === index.get(v)) {
    const scc = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      scc.push(relative(root, w));
    } while (w !== v);
    if (scc.length > 1) circles.push(scc.sort());
  }
};
for (const v of graph.keys()) if (!index.has(v)) visit(v);
for (const c of circles) problems.push(`import circle: ${c.join(' ↔ ')}`);

if (problems.length > 0) {
  console.error(`dependency rule broken (DESIGN.md §1):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`dependency rule: ok (${graph.size} files, no circles)`);
