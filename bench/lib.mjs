// Shared helpers for benchmarks: free ports, a target server process, CPU time of a command.
import { execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = `${ROOT}dist/throughline.mjs`;

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts the bundled demo target in its own process; resolves when it listens. */
export async function startTarget(args = []) {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'target', '--port', String(port), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`target exited with ${code}`)));
    child.stdout.on('data', (d) => String(d).includes('listening') && resolve());
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

/** Runs a shell command and returns its stdout and the CPU seconds (user + sys) of its processes. */
export function cpuOf(command) {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['-c', `${command}\ntimes >&2`],
      { maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && err.code !== 0 && err.code !== 99) return reject(new Error(`${command}\n${stderr}`));
        const lines = stderr.trim().split('\n');
        const children = lines[lines.length - 1];
        const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
        resolve({ stdout, stderr, cpuSeconds: (secs[0] ?? 0) + (secs[1] ?? 0) });
      },
    );
  });
}

export const round = (v, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

/**
 * Bundles our TypeScript for a benchmark: `exports` are `export … from '<path from the repo root>'`
 * lines; the bundle is written into `dir` and imported. The real code, not a copy.
 */
export async function importBundled(dir, exports) {
  const entry = join(dir, 'entry.ts');
  await writeFile(entry, exports.map((line) => line.replace("from '", `from '${ROOT}`)).join('\n'));
  const out = join(dir, 'bundle.mjs');
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return import(pathToFileURL(out).href);
}
