import { describe, expect, it } from 'vitest';
import { classifyError } from '../../lambdas/adapters/node/http-errors';
import { runWorker } from '../../lambdas/core/load/engine';
import { buildResults } from '../../lambdas/core/load/results';
import { FULL_SEGMENT } from '../../lambdas/core/load/segment';
import { parseTestDefinition } from '../../lambdas/core/load/validate';
import { aggregate } from '../../lambdas/core/stats/aggregate';
import type { WindowSnapshot } from '../../lambdas/model/window';
import type { Clock } from '../../lambdas/ports/clock';
import type { HttpResult, HttpTransport } from '../../lambdas/ports/http';

// The engine on virtual time: a fake clock and a transport double whose "server" stalls, so the
// latencies the engine reports can be compared with exact expected values.

class FakeClock implements Clock {
  private t = 0;
  private sleepers: { due: number; wake: () => void }[] = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((wake) => {
      const sleeper = { due: this.t + ms, wake };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', () => wake(), { once: true });
    });
  }
  /** Moves virtual time to `end`, waking sleepers in order and letting the engine run between. */
  async runUntil(end: number, done: () => boolean): Promise<void> {
    while (!done()) {
      await new Promise((r) => setImmediate(r));
      this.sleepers.sort((a, b) => a.due - b.due);
      const next = this.sleepers[0];
      if (!next || next.due > end) break;
      this.sleepers.shift();
      this.t = Math.max(this.t, next.due);
      next.wake();
    }
  }
}

/** Every response takes 10 ms; requests that arrive in [1000, 1500) wait until 1500 first. */
function stallingTransport(clock: FakeClock): HttpTransport {
  const ok: HttpResult = { status: 200, headers: {}, body: '', bytesIn: 100, bytesOut: 50 };
  return {
    createClient: () => ({
      async send() {
        const now = clock.now();
        const start = now >= 1_000 && now < 1_500 ? 1_500 : now;
        await clock.sleep(start + 10 - now);
        return ok;
      },
      close() {},
    }),
  };
}

/** 100 arrivals/s for 2 s against the stalling transport, from `startAtMs`, on a fresh fake clock. */
async function runOnFakeClock(startAtMs: number) {
  const clock = new FakeClock();
  const { definition } = parseTestDefinition({
    scenarios: {
      s: {
        executor: 'constant-arrival-rate',
        rate: 100,
        duration: '2s',
        preAllocatedVUs: 100,
        requests: [{ url: 'http://127.0.0.1:1/' }],
      },
    },
  });
  const windows: WindowSnapshot[] = [];
  let finished = false;
  const outcome = runWorker({
    definition,
    segment: FULL_SEGMENT,
    worker: 0,
    startAtMs,
    transport: stallingTransport(clock),
    clock,
    onWindow: (w) => windows.push(w),
    stop: new AbortController().signal,
  }).finally(() => {
    finished = true;
  });
  await clock.runUntil(10_000, () => finished);
  return { outcome: await outcome, windows };
}

describe('engine on a fake clock', () => {
  it('measures open-model latency from the intended start, exactly', async () => {
    const { windows } = await runOnFakeClock(0);
    const r = buildResults(aggregate(windows), {
      name: 't',
      status: 'passed',
      startedAtMs: 0,
      endedAtMs: 2_000,
      thresholds: [],
      workers: { planned: 1, completed: 1, failed: 0, failures: [], maxStartLagMs: 0, skippedIterations: 0 },
    });
    // 200 arrivals every 10 ms; the 50 inside the stall wait (1500 - t) + 10: 500 ms down to 20 ms.
    expect(r.totals.requests).toBe(200);
    expect(r.latencyMs.p50).toBeCloseTo(10, 1);
    expect(r.latencyMs.max).toBeCloseTo(510, -1);
    // p90: 10 % of users (20) waited more than the value: the 20 earliest stalled arrivals, so ~310 ms.
    expect(r.latencyMs.p90).toBeGreaterThan(290);
    expect(r.latencyMs.p90).toBeLessThan(330);
    // Windows count requests by completion time: the stalled ones all complete at 1510 ms.
    expect(r.timeseries.map((w) => w.requests)).toEqual([99, 100, 1]);
  });
});

describe('transport error classification', () => {
  const err = (code: string, message = code) => Object.assign(new Error(message), { code });
  it('maps socket errors to the kinds a report counts', () => {
    expect(classifyError(err('ECONNREFUSED'))).toBe('refused');
    expect(classifyError(err('ENOTFOUND'))).toBe('dns');
    expect(classifyError(err('EAI_AGAIN'))).toBe('dns');
    expect(classifyError(err('ETIMEDOUT'))).toBe('timeout');
    expect(classifyError(err('ECONNRESET'))).toBe('reset');
    expect(classifyError(err('EPIPE'))).toBe('reset');
    expect(classifyError(err('DEPTH_ZERO_SELF_SIGNED_CERT'))).toBe('tls');
    expect(classifyError(err('ERR_SSL_WRONG_VERSION_NUMBER'))).toBe('tls');
    expect(classifyError(err('EWHATEVER'))).toBe('other');
  });
});

describe('a worker that starts late', () => {
  const run = async (startAtMs: number) => {
    const { outcome, windows } = await runOnFakeClock(startAtMs);
    return { outcome, requests: aggregate(windows).select().requests };
  };

  it('skips the arrivals it missed and says how many, instead of firing them in a burst', async () => {
    // The common start was 500 ms before this worker could begin: 50 of its 200 arrivals are gone.
    const { outcome, requests } = await run(-500);
    expect(outcome).toEqual({ startLagMs: 500, skippedIterations: 50 });
    expect(requests).toBe(150);
  });

  it('fires overdue arrivals when it is only a little late (a scheduling hiccup)', async () => {
    const { outcome, requests } = await run(-50);
    expect(outcome).toEqual({ startLagMs: 50, skippedIterations: 0 });
    expect(requests).toBe(200);
  });
});
