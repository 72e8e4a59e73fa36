import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  createRedisCacheDriver,
  type RedisCacheDriver,
} from '../../lambdas/adapters/node/redis-cache-driver';
import { freePort, killPid } from './processes';

/**
 * redis-server (Debian) standing in for ElastiCache: one standalone server, or a real 3-master
 * cluster. Every server runs without persistence on free loopback ports and is stopped by PID.
 */

export const REDIS_SERVER = '/usr/bin/redis-server';
export const REDIS_CLI = '/usr/bin/redis-cli';

export interface RedisServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The PID of the current process (changes on restart). */
  readonly pid: number;
  /** SIGKILLs the server and removes its folder. */
  stop(): Promise<void>;
  /** SIGKILLs the server (fault injection); restart() brings it back on the same port, empty. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and resolves once it answers PING. */
  restart(): Promise<void>;
}

export interface RedisCluster {
  readonly nodes: readonly RedisServer[];
  /** `{ host, port }` of every master, what the cluster driver's `nodes` option takes. */
  readonly seeds: readonly { readonly host: string; readonly port: number }[];
  /** Milliseconds from the first spawn to `cluster_state:ok` on every node. */
  readonly startMs: number;
  stop(): Promise<void>;
}

// A worker that exits mid-run (a crash, a timeout) would leave servers behind: kill what is still
// running on exit. One set and one listener per process, however often this module is loaded.
const RUNNING = Symbol.for('throughline.test.redis-pids');
const registry = globalThis as { [RUNNING]?: Set<number> };
const running: Set<number> =
  registry[RUNNING] ??
  (() => {
    const pids = new Set<number>();
    registry[RUNNING] = pids;
    process.once('exit', () => {
      for (const pid of pids) killPid(pid);
    });
    return pids;
  })();

function requireRedis(): void {
  for (const bin of [REDIS_SERVER, REDIS_CLI])
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run node scripts/ensure-test-deps.mjs`);
}

/** Free ports, all distinct (two freePort() calls may, rarely, hand out the same one). */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** One command in inline form on a fresh socket; resolves with the first reply's text. */
export function redisCommand(port: number, command: string, timeoutMs = 1_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (err: Error | undefined, reply?: string) => {
      socket.destroy();
      if (err) reject(err);
      else resolve(reply ?? '');
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`no reply to ${command} on ${port}`)));
    socket.once('error', (err) => done(err));
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('utf8');
      const lineEnd = data.indexOf('\r\n');
      if (lineEnd < 0) return;
      const head = data.slice(0, lineEnd);
      if (head.startsWith('-')) return done(new Error(head.slice(1)));
      if (!head.startsWith('$')) return done(undefined, head.slice(1));
      const length = Number(head.slice(1));
      if (length < 0) return done(undefined, '');
      const body = Buffer.from(data.slice(lineEnd + 2), 'utf8');
      if (body.length >= length) done(undefined, body.subarray(0, length).toString('utf8'));
    });
  });
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what} not within ${timeoutMs} ms${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    await delay(50);
  }
}

interface Spawned {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<void>;
  stderr(): string;
}

function spawnServer(args: readonly string[]): Spawned {
  const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const pid = child.pid as number;
  running.add(pid);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(pid);
      resolve();
    }),
  );
  return { child, pid, exited, stderr: () => output };
}

async function killAndWait(s: Spawned): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) killPid(s.pid);
  await s.exited;
}

/**
 * One redis-server; `extraArgs` are appended (the cluster flags). `dir` holds what the server writes
 * (only cluster nodes.conf: persistence is off); `ownsDir` removes it on stop().
 */
async function startServer(
  port: number,
  dir: string,
  ownsDir: boolean,
  extraArgs: readonly string[] = [],
): Promise<RedisServer> {
  requireRedis();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    ...extraArgs,
  ];
  let current: Spawned;
  const launch = async () => {
    current = spawnServer(args);
    const s = current;
    try {
      await waitFor(`redis-server on ${port} answering PING`, 10_000, async () => {
        if (s.child.exitCode !== null) throw new Error(`exited with ${s.child.exitCode}\n${s.stderr()}`);
        // A server started with --requirepass answers NOAUTH: it is up.
        const reply = await redisCommand(port, 'PING').catch((err: Error) =>
          err.message.startsWith('NOAUTH') ? 'PONG' : Promise.reject(err),
        );
        return reply === 'PONG';
      });
    } catch (err) {
      await killAndWait(s);
      throw err;
    }
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    get pid() {
      return current.pid;
    },
    kill: () => killAndWait(current),
    restart: launch,
    async stop() {
      await killAndWait(current);
      if (ownsDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A standalone redis-server on a free port, no persistence; `args` are extra flags (`--requirepass`, `--user`). */
export async function startRedis(args: readonly string[] = []): Promise<RedisServer> {
  requireRedis();
  const dir = await mkdtemp(join(tmpdir(), 'throughline-redis-'));
  try {
    return await startServer(await freePort(), dir, true, args);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

function runCli(args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(REDIS_CLI, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

/**
 * `size` redis-servers joined into one cluster, masters only, slots split evenly by
 * `redis-cli --cluster create`. Each node's cluster bus port is its own free port (`--cluster-port`):
 * the default port + 10000 may be out of range or taken for ports from the ephemeral range.
 */
export async function startRedisCluster(size = 3): Promise<RedisCluster> {
  requireRedis();
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'throughline-redis-cluster-'));
  const ports = await distinctFreePorts(size * 2);
  const nodes: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < size; i++) {
      const port = ports[i] as number;
      nodes.push(
        await startServer(port, dir, false, [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '2000',
          // ElastiCache's default: the masters left keep serving their slots while one is down.
          '--cluster-require-full-coverage',
          'no',
          '--cluster-port',
          String(ports[size + i]),
        ]),
      );
    }
    await runCli(
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      30_000,
    );
    await waitFor('cluster_state:ok on every node', 30_000, async () => {
      const infos = await Promise.all(nodes.map((n) => redisCommand(n.port, 'CLUSTER INFO')));
      return infos.every((info) => info.includes('cluster_state:ok'));
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    nodes,
    seeds: nodes.map((n) => ({ host: n.host, port: n.port })),
    startMs: Date.now() - started,
    stop,
  };
}

/**
 * A contract fixture around a driver on its own prefix: cleanup clears that prefix with a fresh
 * driver (the test may have disconnected this one), then disconnects.
 */
export function redisFixture(driver: RedisCacheDriver) {
  return {
    driver,
    async cleanup() {
      const sweeper = createRedisCacheDriver({ ...driver.connection.topology, keyPrefix: driver.keyPrefix });
      try {
        await sweeper.clear();
      } finally {
        await sweeper.disconnect();
        await driver.disconnect();
      }
    },
  };
}
