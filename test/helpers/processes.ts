import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Test helpers for processes: free ports, the built CLI, servers started and stopped by PID. */

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = `${ROOT}dist/throughline.mjs`;
export const WORKER = new URL('../../dist/worker.mjs', import.meta.url);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface Target {
  readonly url: string;
  readonly pid: number;
  stop(): void;
}

/** Starts the bundled demo target in its own process (`throughline target`) on a free port. */
export async function startTargetProcess(args: readonly string[] = []): Promise<Target> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'target', '--port', String(port), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('target did not start within 10 s')), 10_000);
    child.once('exit', (code) => reject(new Error(`target exited with ${code}`)));
    child.stdout?.on('data', (d: Buffer) => {
      if (String(d).includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const pid = child.pid as number;
  return { url: `http://127.0.0.1:${port}`, pid, stop: () => killPid(pid) };
}

export function killPid(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the CLI to completion (bounded by timeoutMs); `onStart` gets the child, e.g. to send SIGINT;
 * `env` replaces the environment; `ms` is how long it ran.
 */
export function runCli(
  args: readonly string[],
  options: {
    timeoutMs?: number;
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    onStart?: (child: ChildProcess) => void;
  } = {},
): Promise<CliResult & { readonly ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.env ? { env: options.env } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      killPid(child.pid as number);
      reject(new Error(`CLI ${args.join(' ')} did not finish in time\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
    options.onStart?.(child);
  });
}

/** Bundles a test helper program (TypeScript under test/helpers) into `outfile`, for tests to spawn as a child. */
export async function bundleChild(entry: string, outfile: string): Promise<string> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [`${ROOT}${entry}`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  return outfile;
}
