// Shared helpers for benchmarks: free ports, a target server process, CPU time of a command.
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

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
