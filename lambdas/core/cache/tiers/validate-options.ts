import { COMPRESSION_ALGORITHMS } from '../../../ports/compressor';
import { validateMemoryCacheOptions } from '../policies/create-memory-cache';
import { type CacheProblem, describeValue } from './cache-error';

/** Every problem, not the first: options often come from configuration, where types prove nothing. */
export function validateTieredCacheOptions(options: unknown): CacheProblem[] {
  if (typeof options !== 'object' || options === null)
    return [{ path: '(root)', message: 'must be an object' }];
  const o = options as Record<string, unknown>;
  const problems: CacheProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  const check = (path: string, value: unknown, ok: (v: number) => boolean, what: string) => {
    if (value !== undefined && !(typeof value === 'number' && ok(value))) {
      problem(path, `must be ${what}, got ${describeValue(value)}`);
    }
  };
  const positive = (path: string, value: unknown) =>
    check(path, value, (v) => v > 0 && v < Infinity, 'a number > 0');
  const nonNegative = (path: string, value: unknown) =>
    check(path, value, (v) => v >= 0 && v < Infinity, 'a number ≥ 0');
  const count = (path: string, value: unknown) =>
    check(path, value, (v) => Number.isSafeInteger(v) && v > 0, 'an integer > 0');
  const hasMethods = (path: string, value: unknown, methods: readonly string[], required: boolean) => {
    if (value === undefined && !required) return;
    const missing = methods.filter(
      (m) => typeof (value as Record<string, unknown> | null)?.[m] !== 'function',
    );
    if (typeof value !== 'object' || value === null || missing.length > 0) {
      problem(
        path,
        `must implement ${methods.join(', ')}${value === undefined ? '' : ` (missing ${missing.join(', ')})`}`,
      );
    }
  };

  hasMethods('clock', o.clock, ['now', 'sleep'], true);
  if (o.random !== undefined && typeof o.random !== 'function') problem('random', 'must be a function');
  if (o.instanceId !== undefined && !(typeof o.instanceId === 'string' && o.instanceId.length > 0)) {
    problem('instanceId', `must be a non-empty string, got ${describeValue(o.instanceId)}`);
  }
  positive('ttlMs', o.ttlMs);
  nonNegative('graceMs', o.graceMs);
  nonNegative('graceBackoffMs', o.graceBackoffMs);
  nonNegative('earlyRefreshBeta', o.earlyRefreshBeta);
  if (o.staleWhileRevalidate !== undefined && typeof o.staleWhileRevalidate !== 'boolean') {
    problem('staleWhileRevalidate', `must be a boolean, got ${describeValue(o.staleWhileRevalidate)}`);
  }
  // L1 is checked by the memory cache's own rules, reported under our option names.
  const l1Paths: Record<string, string> = {
    policy: 'l1Policy',
    maxEntries: 'l1MaxEntries',
    maxBytes: 'l1MaxBytes',
  };
  const l1 = validateMemoryCacheOptions({
    policy: o.l1Policy ?? 'lru',
    maxEntries: o.l1MaxEntries ?? (o.l1MaxBytes === undefined ? 10_000 : undefined),
    maxBytes: o.l1MaxBytes,
    now: () => 0,
  });
  for (const p of l1) problem(l1Paths[p.path] ?? `l1.${p.path}`, p.message);
  positive('l1TtlMs', o.l1TtlMs);
  for (const name of ['l2', 'l3'] as const) {
    const t = o[name];
    if (t === undefined) continue;
    if (typeof t !== 'object' || t === null) {
      problem(name, 'must be an object with a driver');
      continue;
    }
    const tier = t as Record<string, unknown>;
    hasMethods(`${name}.driver`, tier.driver, DRIVER_METHODS, true);
    positive(`${name}.timeoutMs`, tier.timeoutMs);
    count(`${name}.failureThreshold`, tier.failureThreshold);
    count(`${name}.timeoutThreshold`, tier.timeoutThreshold);
    nonNegative(`${name}.cooldownMs`, tier.cooldownMs);
    positive(`${name}.ttlMs`, tier.ttlMs);
    if (tier.shared !== undefined && typeof tier.shared !== 'boolean')
      problem(`${name}.shared`, 'must be a boolean');
  }
  hasMethods('lock', o.lock, ['acquire', 'release'], false);
  if (o.lock !== undefined && o.l3 === undefined) problem('lock', 'needs l3: waiters find the value in L3');
  positive('lockLeaseMs', o.lockLeaseMs);
  positive('lockWaitMs', o.lockWaitMs);
  positive('lockPollMs', o.lockPollMs);
  positive('lockPollMaxMs', o.lockPollMaxMs);
  hasMethods('bus', o.bus, ['publish', 'subscribe'], false);
  if (o.busChannel !== undefined && !(typeof o.busChannel === 'string' && o.busChannel.length > 0)) {
    problem('busChannel', 'must be a non-empty string');
  }
  hasMethods('compressor', o.compressor, ['compress', 'decompress'], false);
  const algorithms: readonly unknown[] = [...COMPRESSION_ALGORITHMS, 'none'];
  if (o.compression !== undefined && !algorithms.includes(o.compression)) {
    problem('compression', `must be one of ${algorithms.join(', ')}, got ${describeValue(o.compression)}`);
  } else if (o.compression !== undefined && o.compression !== 'none' && o.compressor === undefined) {
    problem('compression', `${String(o.compression)} needs a compressor`);
  }
  nonNegative('compressionThresholdBytes', o.compressionThresholdBytes);
  count('popularKeysCapacity', o.popularKeysCapacity);
  count('warmConcurrency', o.warmConcurrency);
  return problems;
}

const DRIVER_METHODS = [
  'get',
  'set',
  'delete',
  'deletePattern',
  'addToSet',
  'setMembers',
  'deleteSet',
  'clear',
] as const;
