import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../lambdas/adapters/node/clock';
import {
  createMemoryCacheBus,
  createMemoryCacheDriver,
  createMemoryLock,
} from '../../lambdas/adapters/node/memory-cache-driver';
import { createZlibCompressor } from '../../lambdas/adapters/node/zlib-compressor';
import { globMatcher, MAX_GLOB_LENGTH } from '../../lambdas/core/cache/invalidation/glob';
import { cascade } from '../../lambdas/core/cache/invalidation/invalidation';
import { CircuitBreaker } from '../../lambdas/core/cache/tiers/circuit-breaker';
import {
  decodeEntry,
  type EntryMeta,
  encodeEntry,
  serializeValue,
} from '../../lambdas/core/cache/tiers/entry-codec';
import { PopularKeys } from '../../lambdas/core/cache/tiers/popular-keys';
import { bounded } from '../../lambdas/core/cache/tiers/remote-tier';
import { shouldRefreshEarly } from '../../lambdas/core/cache/tiers/xfetch';
import { after } from '../../lambdas/core/timing';
import { FakeClock, seededRandom } from './cache-fakes';

// The tiered cache's parts on their own: entry codec, compressor, glob, breaker, XFetch, top-k,
// cascade, the timeout race, and the in-memory driver, lock and bus the other tests stand on.

const meta: EntryMeta = {
  createdAt: 1_000,
  expiresAt: 2_000,
  graceUntil: 3_000,
  tags: ['a', 'b'],
  dependsOn: ['parent'],
  loadMs: 12.5,
  size: 0,
};

describe('entry codec', () => {
  const compressor = createZlibCompressor();
  const compression = { compressor, algorithm: 'gzip', thresholdBytes: 100 } as const;

  it('round-trips JSON values and bytes with their metadata, compressed or not', async () => {
    const value = { list: Array.from({ length: 50 }, (_, i) => `item-${i}`), n: null, ok: true };
    for (const settings of [undefined, compression]) {
      const encoded = await encodeEntry(meta, serializeValue(value), settings);
      const { entry, storedPayloadBytes } = await decodeEntry(encoded.bytes, compressor);
      expect(entry).toEqual({ ...meta, value });
      expect(storedPayloadBytes).toBe(encoded.storedPayloadBytes);
      expect(encoded.algorithm).toBe(settings === undefined ? undefined : 'gzip');
    }
    const bytes = Uint8Array.from([9, 8, 7]);
    const { entry } = await decodeEntry(
      (await encodeEntry(meta, serializeValue(bytes), undefined)).bytes,
      undefined,
    );
    expect(entry.value).toEqual(bytes);
  });

  it('rejects anything that is not a whole entry of this version', async () => {
    const good = (await encodeEntry(meta, serializeValue('x'), undefined)).bytes;
    const variants = [
      good.subarray(0, 5),
      good.subarray(0, good.byteLength - 1 - 3),
      Uint8Array.from([...good.subarray(0, 2), 9, ...good.subarray(3)]),
      new TextEncoder().encode('"just json"'),
    ];
    for (const bytes of variants) await expect(decodeEntry(bytes, compressor)).rejects.toThrow();
    const packed = (await encodeEntry(meta, serializeValue('y'.repeat(500)), compression)).bytes;
    await expect(decodeEntry(packed, undefined)).rejects.toThrow(/no compressor/);
  });
});

describe('zlib compressor', () => {
  it('round-trips gzip and brotli on both the sync and async paths', async () => {
    const small = createZlibCompressor();
    const asyncAlways = createZlibCompressor({ syncBelowBytes: 0 });
    const text = new TextEncoder().encode('the quick brown fox '.repeat(400));
    for (const c of [small, asyncAlways]) {
      for (const algorithm of ['gzip', 'brotli'] as const) {
        const packed = await c.compress(text, algorithm);
        expect(packed.byteLength).toBeLessThan(text.byteLength / 10);
        expect(Buffer.from(await c.decompress(packed, algorithm)).equals(Buffer.from(text))).toBe(true);
      }
    }
  });

  it('refuses output beyond its cap, unknown algorithms and bad options', async () => {
    const capped = createZlibCompressor({ maxOutputBytes: 1_000 });
    const bomb = gzipSync(new Uint8Array(100_000));
    await expect(capped.decompress(bomb, 'gzip')).rejects.toThrow();
    await expect(capped.compress(new Uint8Array(1), 'lz4' as 'gzip')).rejects.toThrow(/unknown compression/);
    expect(() => createZlibCompressor({ gzipLevel: 12, brotliQuality: -1 })).toThrow(
      /gzipLevel.*brotliQuality/,
    );
  });
});

describe('glob (Redis dialect)', () => {
  it.each([
    ['user:*', 'user:42', true],
    ['user:*', 'order:1', false],
    ['h?llo', 'hello', true],
    ['h?llo', 'hllo', false],
    ['h[ae]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false],
    ['h[a-b]llo', 'hbllo', true],
    ['h[z-a]llo', 'hcllo', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['a.b', 'axb', false],
    ['[unclosed', '[unclosed', true],
    ['exact', 'exact', true],
    ['line*', 'line\nbreak', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['*a?', 'xxaab', true],
    ['**x', 'x', true],
    ['[^]', '\n', true],
    ['[]]', ']', true],
    ['[a-]', '-', true],
    ['a\\', 'a\\', true],
  ])('%s matches %s: %s', (pattern, key, expected) => {
    expect(globMatcher(pattern)(key)).toBe(expected);
  });

  it('agrees with the RegExp translation it replaced on random patterns and keys', () => {
    const alphabet = ['a', 'b', '-', '*', '?', '[', ']', '^', '\\', '\n'];
    let seed = 7;
    const pick = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return alphabet[seed % alphabet.length] as string;
    };
    const text = (n: number) => Array.from({ length: n }, pick).join('');
    for (let i = 0; i < 3_000; i++) {
      const pattern = text(1 + (i % 7));
      const key = text(i % 6);
      expect(globMatcher(pattern)(key), `${JSON.stringify(pattern)} on ${JSON.stringify(key)}`).toBe(
        oldGlobRegExp(pattern).test(key),
      );
    }
  });

  // Regression: this pattern became /^.*..*..*..*..*..*.#$/s, which backtracks polynomially (seconds
  // on 100 characters, a minute on 200). The bound is generous; the old code misses it 15-fold.
  it('matches a pathological pattern in linear time (no backtracking RegExp)', () => {
    const matcher = globMatcher('*?*?*?*?*?*?#');
    const started = performance.now();
    expect(matcher('a'.repeat(100))).toBe(false);
    expect(performance.now() - started).toBeLessThan(200);
    expect(matcher(`${'a'.repeat(10_000)}#`)).toBe(true);
  });

  it('refuses patterns longer than MAX_GLOB_LENGTH', () => {
    expect(() => globMatcher('*'.repeat(MAX_GLOB_LENGTH + 1))).toThrow(/at most 1024 characters/);
    expect(globMatcher(`${'?'.repeat(MAX_GLOB_LENGTH - 1)}*`)('x'.repeat(MAX_GLOB_LENGTH))).toBe(true);
  });
});

/** The pre-ReDoS-fix translation, kept only as an oracle for the matcher's semantics. */
function oldGlobRegExp(pattern: string): RegExp {
  const esc = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const escClass = (c: string) => c.replace(/[\]\\^-]/g, '\\$&');
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '\\' && i + 1 < pattern.length) out += esc(pattern[++i] as string);
    else if (c === '[') {
      let end = -1;
      for (let j = i + 1; j < pattern.length; j++) {
        if (pattern[j] === '\\') j++;
        else if (pattern[j] === ']' && j > i + 1) {
          end = j;
          break;
        }
      }
      if (end < 0) out += '\\[';
      else {
        const body = pattern.slice(i + 1, end);
        const negate = body.startsWith('^');
        let cls = '';
        for (let k = negate ? 1 : 0; k < body.length; k++) {
          let lo = body[k] as string;
          if (lo === '\\' && k + 1 < body.length) lo = body[++k] as string;
          if (body[k + 1] === '-' && k + 2 < body.length) {
            k += 2;
            let hi = body[k] as string;
            if (hi === '\\' && k + 1 < body.length) hi = body[++k] as string;
            cls += lo <= hi ? `${escClass(lo)}-${escClass(hi)}` : `${escClass(hi)}-${escClass(lo)}`;
          } else cls += escClass(lo);
        }
        out += `[${negate ? '^' : ''}${cls}]`;
        i = end;
      }
    } else out += esc(c);
  }
  return new RegExp(`^${out}$`, 's');
}

describe('circuit breaker', () => {
  it('counts timeouts separately and lower, resets on success, and keeps the last transitions', () => {
    let now = 0;
    const breaker = new CircuitBreaker(
      { failureThreshold: 3, timeoutThreshold: 2, cooldownMs: 100 },
      () => now,
    );
    breaker.failure('error');
    breaker.failure('error');
    breaker.success();
    breaker.failure('error');
    breaker.failure('timeout');
    expect(breaker.state).toBe('closed');
    breaker.failure('timeout');
    expect(breaker.snapshot()).toMatchObject({ state: 'open', opens: 1 });
    expect(breaker.allow()).toBe(false);
    expect(breaker.usable()).toBe(false);
    now = 100;
    expect(breaker.usable()).toBe(true);
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(false);
    breaker.success();
    expect(breaker.allow()).toBe(true);
    for (let i = 0; i < 30; i++) {
      breaker.failure('timeout');
      breaker.failure('timeout');
      now += 100;
      breaker.allow();
      breaker.success();
    }
    expect(breaker.snapshot().transitions).toHaveLength(20);
  });
});

describe('XFetch', () => {
  it('refreshes when now − δβ·ln(r) reaches expiry, never past expiry or with β or δ of 0', () => {
    const half = () => 0.5; // −ln(0.5) ≈ 0.693
    expect(shouldRefreshEarly(930, 1_000, 100, 1, half)).toBe(false);
    expect(shouldRefreshEarly(931, 1_000, 100, 1, half)).toBe(true);
    expect(shouldRefreshEarly(965, 1_000, 100, 0.5, half)).toBe(false);
    expect(shouldRefreshEarly(966, 1_000, 100, 0.5, half)).toBe(true);
    expect(shouldRefreshEarly(862, 1_000, 100, 2, half)).toBe(true);
    expect(shouldRefreshEarly(999, 1_000, 0, 1, half)).toBe(false);
    expect(shouldRefreshEarly(999, 1_000, 100, 0, half)).toBe(false);
    expect(shouldRefreshEarly(1_000, 1_000, 100, 1, half)).toBe(false);
    expect(shouldRefreshEarly(0, 1_000, 100, 1, () => 0)).toBe(true);
  });
});

describe('popular keys (space-saving)', () => {
  it('finds the heavy hitters of a skewed stream in bounded memory', () => {
    const random = seededRandom(1);
    const top = new PopularKeys(100);
    for (let i = 0; i < 20_000; i++) {
      // 10 hot keys take half the traffic; 5,000 cold keys share the rest.
      const key =
        random() < 0.5 ? `hot-${Math.floor(random() * 10)}` : `cold-${Math.floor(random() * 5_000)}`;
      top.record(key);
    }
    const keys = top.top(10).map((k) => k.key);
    expect(keys.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `hot-${i}`).sort());
    expect(top.top(1_000).length).toBe(100);
  });

  it('ages counts so today’s popular keys overtake yesterday’s', () => {
    // Capacity 10: counts halve every 100 records.
    const top = new PopularKeys(10);
    for (let i = 0; i < 60; i++) top.record('old');
    for (let i = 0; i < 39; i++) top.record('new');
    expect(top.top(2)).toEqual([
      { key: 'old', count: 60 },
      { key: 'new', count: 39 },
    ]);
    top.record('new');
    expect(top.top(2)).toEqual([
      { key: 'old', count: 30 },
      { key: 'new', count: 20 },
    ]);
    // 31 against 30: without aging it would be 51 against 60.
    for (let i = 0; i < 11; i++) top.record('new');
    expect(top.top(2).map((k) => k.key)).toEqual(['new', 'old']);
  });
});

describe('cascade', () => {
  it('visits every dependent once, through cycles', async () => {
    const edges: Record<string, string[]> = { a: ['b', 'c'], b: ['d'], c: ['d', 'a'], d: ['b'] };
    const asked: string[] = [];
    const { reached, parents } = await cascade(['a'], async (key) => {
      asked.push(key);
      return edges[key] ?? [];
    });
    expect(reached.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(asked.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(parents.sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('bounded (tier timeout)', () => {
  it('returns the outcome or a timeout, and cancels its timer either way', async () => {
    const clock = new FakeClock();
    expect(await bounded(async () => 5, 100, clock)).toEqual({ ok: true, value: 5 });
    expect(await bounded(() => Promise.reject(new Error('x')), 100, clock)).toEqual({
      ok: false,
      reason: 'error',
    });
    const driverTimeout = Object.assign(new Error('slow'), { code: 'E_CACHE_TIMEOUT' });
    expect(await bounded(() => Promise.reject(driverTimeout), 100, clock)).toMatchObject({
      reason: 'timeout',
    });
    expect(
      await bounded(
        () => {
          throw new Error('sync');
        },
        100,
        clock,
      ),
    ).toMatchObject({ reason: 'error' });
    expect(clock.pendingSleeps).toBe(0);
    const hung = bounded(() => new Promise(() => {}), 100, clock);
    expect(await clock.drive(hung)).toEqual({ ok: false, reason: 'timeout' });
  });

  it('on the system clock: a bare timer, called off when the call settles first', async () => {
    const fired: string[] = [];
    const cancel = after(systemClock, 5, () => fired.push('late'));
    cancel();
    after(systemClock, 5, () => fired.push('on time'));
    expect(await bounded(async () => 'fast', 1_000, systemClock)).toEqual({ ok: true, value: 'fast' });
    expect(await bounded(() => new Promise(() => {}), 20, systemClock)).toEqual({
      ok: false,
      reason: 'timeout',
    });
    expect(fired).toEqual(['on time']);
  });
});

describe('in-memory driver, lock and bus', () => {
  it('expires values and sets, extends set expiry only upward, and deletes values by glob', async () => {
    const clock = new FakeClock();
    const d = createMemoryCacheDriver({ now: () => clock.now() });
    await d.set('a:1', Uint8Array.of(1), 100);
    await d.set('a:2', Uint8Array.of(2));
    await d.set('b:1', Uint8Array.of(3));
    await d.addToSet('a:tags', ['x'], 1_000);
    await d.addToSet('a:tags', ['y'], 10);
    expect(await d.getMany(['a:1', 'nope', 'b:1'])).toEqual([Uint8Array.of(1), undefined, Uint8Array.of(3)]);
    await clock.advance(100);
    expect(await d.get('a:1')).toBeUndefined();
    expect((await d.setMembers('a:tags')).sort()).toEqual(['x', 'y']);
    expect(await d.deletePattern('a:*')).toBe(1);
    expect(await d.setMembers('a:tags')).toHaveLength(2);
    await clock.advance(900);
    expect(await d.setMembers('a:tags')).toEqual([]);
    expect(await d.delete(['b:1', 'b:1', 'zz'])).toBe(1);
    const stored = Uint8Array.of(7);
    await d.set('copy', stored);
    stored[0] = 8;
    expect(await d.get('copy')).toEqual(Uint8Array.of(7));
    await d.disconnect();
    await expect(d.get('copy')).rejects.toThrow(/disconnected/);
  });

  it('lock: one holder at a time, released only by its token, lapses after its lease', async () => {
    const clock = new FakeClock();
    const lock = createMemoryLock({ now: () => clock.now() });
    const token = await lock.acquire('k', 100);
    expect(token).toBeDefined();
    expect(await lock.acquire('k', 100)).toBeUndefined();
    expect(await lock.release('k', 'not-mine')).toBe(false);
    await clock.advance(100);
    const next = await lock.acquire('k', 100);
    expect(next).toBeDefined();
    expect(await lock.release('k', token as string)).toBe(false);
    expect(await lock.release('k', next as string)).toBe(true);
  });

  it('bus: asynchronous delivery to every subscriber, publisher included, until unsubscribed', async () => {
    const bus = createMemoryCacheBus();
    const got: string[] = [];
    const off = await bus.subscribe('c', (m) => got.push(`1:${m}`));
    await bus.subscribe('c', () => {
      throw new Error('a bad subscriber harms nobody else');
    });
    await bus.subscribe('other', (m) => got.push(`x:${m}`));
    const published = bus.publish('c', 'hello');
    expect(got).toEqual([]);
    await published;
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual(['1:hello']);
    await off();
    await bus.publish('c', 'again');
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual(['1:hello']);
  });
});
