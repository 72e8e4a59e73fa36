import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CacheDriverError } from '../../lambdas/adapters/node/cache-driver-error';
import { keySlot } from '../../lambdas/adapters/node/key-slot';
import {
  createRedisBus,
  createRedisCacheDriver,
  createRedisLock,
  type RedisCacheBus,
  type RedisCacheDriver,
  type RedisCacheDriverOptions,
} from '../../lambdas/adapters/node/redis-cache-driver';
import { type RedisCluster, type RedisServer, startRedis, startRedisCluster } from '../helpers/redis';

/**
 * The DistributedLock and CacheBus over real redis-servers (standalone and a 3-master cluster), and
 * how the driver behaves when its server dies or hangs. Every client here is a separate connection,
 * as separate Lambda environments would have.
 */

let standalone: RedisServer | undefined;
let cluster: RedisCluster | undefined;
beforeAll(async () => {
  [standalone, cluster] = await Promise.all([startRedis(), startRedisCluster(3)]);
});
afterAll(async () => {
  await Promise.allSettled([standalone?.stop(), cluster?.stop()]);
});

type Topology = RedisCacheDriverOptions extends infer O
  ? O extends unknown
    ? Omit<O, 'keyPrefix'>
    : never
  : never;
const topologies: { name: string; options: () => Topology }[] = [
  { name: 'standalone', options: () => ({ mode: 'standalone', url: (standalone as RedisServer).url }) },
  { name: 'cluster', options: () => ({ mode: 'cluster', nodes: (cluster as RedisCluster).seeds }) },
];

/** Polls `check` until it holds (bounded), for what arrives asynchronously. */
async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await delay(20);
  }
}

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe.each(topologies)('lock and bus: $name', ({ name, options }) => {
  const drivers: RedisCacheDriver[] = [];
  const buses: RedisCacheBus[] = [];
  const connect = (keyPrefix: string) => {
    const d = createRedisCacheDriver({ ...options(), keyPrefix } as RedisCacheDriverOptions);
    drivers.push(d);
    return d;
  };
  const busOn = (d: RedisCacheDriver) => {
    const b = createRedisBus(d);
    buses.push(b);
    return b;
  };
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
    await Promise.all(drivers.splice(0).map((d) => d.disconnect()));
  });

  it('only one of many concurrent acquirers wins each lock', async () => {
    const prefix = `lock:${randomUUID()}:`;
    const locks = Array.from({ length: 5 }, () => createRedisLock(connect(prefix)));
    // Several keys, so in cluster mode the locks live on different nodes.
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) {
      const tokens = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          (locks[i % locks.length] as (typeof locks)[number]).acquire(key, 10_000),
        ),
      );
      expect(
        tokens.filter((t) => t !== undefined),
        key,
      ).toHaveLength(1);
    }
  });

  it('release needs the holder token; afterwards the lock is free', async () => {
    const prefix = `lock:${randomUUID()}:`;
    const [one, two] = [createRedisLock(connect(prefix)), createRedisLock(connect(prefix))];
    const token = await one.acquire('k', 10_000);
    expect(token).toEqual(expect.any(String));
    expect(await two.release('k', 'not-the-token')).toBe(false);
    expect(await two.acquire('k', 10_000)).toBeUndefined();
    expect(await one.release('k', token as string)).toBe(true);
    expect(await one.release('k', token as string)).toBe(false);
    expect(await two.acquire('k', 10_000)).toEqual(expect.any(String));
  });

  it('expiry frees a lock, and the late holder cannot release its successor', async () => {
    const prefix = `lock:${randomUUID()}:`;
    const [one, two] = [createRedisLock(connect(prefix)), createRedisLock(connect(prefix))];
    const late = (await one.acquire('k', 100)) as string;
    expect(await two.acquire('k', 100)).toBeUndefined();
    let next: string | undefined;
    await eventually('the expired lock is acquired again', async () => {
      next = await two.acquire('k', 10_000);
      return next !== undefined;
    });
    expect(await one.release('k', late)).toBe(false);
    expect(await two.release('k', next as string)).toBe(true);
  });

  it('locks of different namespaces do not exclude each other', async () => {
    const a = createRedisLock(connect(`lock:${randomUUID()}:`));
    const b = createRedisLock(connect(`lock:${randomUUID()}:`));
    expect(await a.acquire('same', 10_000)).toBeDefined();
    expect(await b.acquire('same', 10_000)).toBeDefined();
  });

  it('a message published on one connection reaches the subscribers on others', async () => {
    const prefix = `bus:${randomUUID()}:`;
    const publisher = busOn(connect(prefix));
    const listeners = [busOn(connect(prefix)), busOn(connect(prefix))];
    const channels = Array.from({ length: 12 }, (_, i) => `invalidate:${i}`);
    if (name === 'cluster') {
      // redis-cli splits the slots evenly in three: these channels live on all three nodes.
      const thirds = new Set(channels.map((c) => Math.floor(keySlot(`${prefix}b:${c}`) / 5_462)));
      expect(thirds.size).toBe(3);
    }
    const received = listeners.map(() => [] as string[]);
    for (const [i, bus] of listeners.entries())
      for (const channel of channels)
        await bus.subscribe(channel, (m) => received[i]?.push(`${channel}=${m}`));
    for (const channel of channels) await publisher.publish(channel, `key:${channel}`);
    const expected = channels.map((c) => `${c}=key:${c}`).sort();
    await eventually('every subscriber got every message', () =>
      received.every((r) => r.length >= expected.length),
    );
    for (const r of received) expect([...r].sort()).toEqual(expected);
  });

  it('unsubscribing stops delivery to that listener only; other namespaces hear nothing', async () => {
    const prefix = `bus:${randomUUID()}:`;
    const publisher = busOn(connect(prefix));
    const listener = busOn(connect(prefix));
    const stranger = busOn(connect(`bus:${randomUUID()}:`));
    const got = { first: [] as string[], second: [] as string[], stranger: [] as string[] };
    const stopFirst = await listener.subscribe('inv', (m) => got.first.push(m));
    await listener.subscribe('inv', (m) => got.second.push(m));
    await stranger.subscribe('inv', (m) => got.stranger.push(m));
    await publisher.publish('inv', 'one');
    await eventually(
      'both listeners got the first message',
      () => got.first.length + got.second.length === 2,
    );
    await stopFirst();
    await stopFirst();
    await publisher.publish('inv', 'two');
    await eventually('the remaining listener got the second message', () => got.second.length === 2);
    expect(got).toEqual({ first: ['one'], second: ['one', 'two'], stranger: [] });
  });
});

describe('fault behaviour (standalone server SIGKILLed, SIGSTOPped, restarted on the same port)', () => {
  let server: RedisServer | undefined;
  const drivers: RedisCacheDriver[] = [];
  const buses: RedisCacheBus[] = [];
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await Promise.allSettled(buses.map((b) => b.close()));
    await Promise.allSettled(drivers.map((d) => d.disconnect()));
    if (server) process.kill(server.pid, 'SIGCONT');
    await server?.stop();
  });
  const COMMAND_TIMEOUT_MS = 300;
  const connect = () => {
    const d = createRedisCacheDriver({
      mode: 'standalone',
      url: (server as RedisServer).url,
      keyPrefix: 'fault:',
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      connectTimeoutMs: 1_000,
    });
    drivers.push(d);
    return d;
  };
  const codeOf = (e: unknown) =>
    e instanceof CacheDriverError ? e.code : `not a CacheDriverError: ${String(e)}`;

  it('rejects every call at once while the server is dead, then recovers by itself after the restart', async () => {
    const s = server as RedisServer;
    const driver = connect();
    const lock = createRedisLock(driver);
    const publisher = createRedisBus(connect());
    const listener = createRedisBus(driver);
    buses.push(publisher, listener);
    const heard: string[] = [];
    await listener.subscribe('inv', (m) => heard.push(m));
    await driver.set('before', Uint8Array.of(1));

    await s.kill();
    const started = Date.now();
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 50 }, (_, i) => driver.get(`k${i}`)),
      ...Array.from({ length: 50 }, (_, i) => driver.set(`k${i}`, Uint8Array.of(i))),
      driver.getMany(['a', 'b']),
      lock.acquire('l', 1_000),
      publisher.publish('inv', 'lost'),
    ]);
    const elapsed = Date.now() - started;
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    const codes = new Set(outcomes.map((o) => (o.status === 'rejected' ? codeOf(o.reason) : 'resolved')));
    expect([...codes].every((c) => c === 'E_CACHE_UNAVAILABLE' || c === 'E_CACHE_TIMEOUT')).toBe(true);
    // Bounded by the command timeout (plus scheduling slack on a busy machine), never queued.
    expect(elapsed).toBeLessThan(COMMAND_TIMEOUT_MS + 1_000);

    await s.restart();
    await eventually(
      'the same driver writes again after the restart',
      async () => (await rejection(driver.set('after', Uint8Array.of(2)))) === undefined,
      10_000,
    );
    expect(await driver.get('after')).toEqual(Buffer.from([2]));
    // The restarted server is empty (no persistence): this really is a new process.
    expect(await driver.get('before')).toBeUndefined();
    expect(await lock.acquire('l', 1_000)).toEqual(expect.any(String));
    await eventually(
      'the subscription is back (resubscribed on reconnect)',
      async () => {
        await rejection(publisher.publish('inv', 'after-restart'));
        return heard.includes('after-restart');
      },
      10_000,
    );
  });

  it('a hung server (SIGSTOP) fails calls with E_CACHE_TIMEOUT after commandTimeoutMs', async () => {
    const s = server as RedisServer;
    const driver = connect();
    await driver.set('k', Uint8Array.of(1));
    process.kill(s.pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const [get, set] = await Promise.all([
        rejection(driver.get('k')),
        rejection(driver.set('k', Uint8Array.of(2))),
      ]);
      const elapsed = Date.now() - started;
      expect([codeOf(get), codeOf(set)]).toEqual(['E_CACHE_TIMEOUT', 'E_CACHE_TIMEOUT']);
      expect(elapsed).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 20);
      expect(elapsed).toBeLessThan(COMMAND_TIMEOUT_MS + 1_000);
    } finally {
      process.kill(s.pid, 'SIGCONT');
    }
    await eventually(
      'the driver answers again once the server resumes',
      async () => (await rejection(driver.get('k'))) === undefined,
    );
  });

  // Last: it kills a master of the cluster the tests above share.
  it('cluster: a dead master fails only the keys of its slots, fast; they work again after its restart', async () => {
    const c = cluster as RedisCluster;
    const victim = c.nodes[1] as RedisServer;
    const prefix = `fault:${randomUUID()}:`;
    const driver = createRedisCacheDriver({
      mode: 'cluster',
      nodes: c.seeds,
      keyPrefix: prefix,
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
    });
    drivers.push(driver);
    const raw = new Redis(victim.port, victim.host);
    // CLUSTER SLOTS: [first slot, last slot, [master host, master port, id], …replicas] per range.
    const ranges = (await raw.cluster('SLOTS'))
      .filter(([, , master]) => master?.[1] === victim.port)
      .map(([from, to]) => [from, to] as const);
    raw.disconnect();
    const keys = Array.from({ length: 60 }, (_, i) => `k${i}`);
    const victimOwns = (k: string) => {
      const slot = keySlot(`${prefix}v:${k}`);
      return ranges.some(([from, to]) => slot >= from && slot <= to);
    };
    const onVictim = keys.filter(victimOwns);
    const elsewhere = keys.filter((k) => !victimOwns(k));
    expect(onVictim.length).toBeGreaterThan(5);
    await Promise.all(keys.map((k) => driver.set(k, Uint8Array.of(1))));

    await victim.kill();
    const started = Date.now();
    const lost = await Promise.allSettled(onVictim.map((k) => driver.get(k)));
    expect(Date.now() - started).toBeLessThan(COMMAND_TIMEOUT_MS + 1_000);
    expect(lost.every((o) => o.status === 'rejected' && codeOf(o.reason) !== 'E_CACHE_BACKEND')).toBe(true);
    expect((await driver.getMany(elsewhere)).every((v) => v?.[0] === 1)).toBe(true);

    await victim.restart();
    // Back with its slots (nodes.conf) but empty (no persistence): reads resolve as misses again.
    await eventually(
      "the restarted master's keys answer again through the same driver",
      async () => (await rejection(driver.set(onVictim[0] as string, Uint8Array.of(2)))) === undefined,
      15_000,
    );
    expect((await driver.get(onVictim[0] as string))?.[0]).toBe(2);
  });
});
