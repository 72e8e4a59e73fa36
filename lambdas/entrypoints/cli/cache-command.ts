import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { EVICTION_POLICIES, type EvictionPolicy } from '../../core/cache/policies/memory-cache';
import { policySimulation } from '../../core/cache/simulator/simulate';
import { EXIT, UsageError } from './run-io';

export const CACHE_USAGE = `throughline cache simulate --trace <file> --capacity <N> [--policy lru|lfu|ttl|adaptive|all]

  Replays a trace (one key per line, e.g. the paths or cache keys of an access log) through the
  real L1 eviction policies with demand fill, and prints
  {"results":[{"policy","hitRatio","evictions","hits","misses"}]} as JSON, best hit ratio first.
  --policy defaults to all. The file is streamed once per policy; blank lines are skipped.`;

/** Streams the trace once through one policy: any file size, memory bounded by the capacity. */
async function replay(file: string, capacity: number, policy: EvictionPolicy) {
  const run = policySimulation(capacity, policy);
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const key = line.trim();
    if (key !== '') run.access(key);
  }
  return run.result();
}

export async function cacheCommand(argv: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') {
    out.write(`${CACHE_USAGE}\n`);
    return sub === undefined ? EXIT.error : EXIT.passed;
  }
  if (sub !== 'simulate')
    throw new UsageError(`unknown cache command ${JSON.stringify(sub)}\n\n${CACHE_USAGE}`);
  let values: { trace?: string | undefined; capacity?: string | undefined; policy?: string | undefined };
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: {
        trace: { type: 'string' },
        capacity: { type: 'string' },
        policy: { type: 'string', default: 'all' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${CACHE_USAGE}`);
  }
  const problems: string[] = [];
  if (!values.trace) problems.push('--trace <file> is required');
  const capacity = Number(values.capacity);
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > 100_000_000)
    problems.push(
      `--capacity: ${JSON.stringify(values.capacity ?? '')} is not a whole number from 1 to 100000000`,
    );
  const policy = values.policy ?? 'all';
  if (policy !== 'all' && !(EVICTION_POLICIES as readonly string[]).includes(policy))
    problems.push(`--policy: ${JSON.stringify(policy)} is not one of ${EVICTION_POLICIES.join(', ')}, all`);
  if (values.trace)
    await access(values.trace).catch(() => problems.push(`--trace: cannot read ${values.trace}`));
  if (problems.length > 0) throw new UsageError(`${problems.join('\n')}\n\n${CACHE_USAGE}`);
  const policies = policy === 'all' ? EVICTION_POLICIES : [policy as EvictionPolicy];
  const results = [];
  for (const p of policies) results.push(await replay(values.trace as string, capacity, p));
  results.sort((a, b) => b.hitRatio - a.hitRatio);
  out.write(`${JSON.stringify({ results })}\n`);
  return EXIT.passed;
}
