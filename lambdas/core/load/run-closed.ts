import { every } from '../timing';
import type { ClosedSchedule } from './executors';
import { type ScenarioContext, VirtualUser } from './iteration';

const TICK_MS = 50;

interface Running {
  abort: AbortController;
  rampedAt: number | undefined;
}

/**
 * Runs a closed-model schedule: VU k loops iterations while k is below the active count. A VU that
 * ramping removes finishes its iteration within gracefulRampDown; at the end, running iterations
 * get gracefulStop; the stop signal interrupts at once. One timer per scenario watches them all.
 */
export async function runClosed(
  schedule: ClosedSchedule,
  ctx: ScenarioContext,
  startMs: number,
  vuIdBase: number,
  stop: AbortSignal,
): Promise<void> {
  const { clock, recorder, scenario } = ctx;
  let sharedLeft =
    schedule.iterations && 'shared' in schedule.iterations ? schedule.iterations.shared : Infinity;
  const perVu = schedule.iterations && 'perVu' in schedule.iterations ? schedule.iterations.perVu : Infinity;
  const hardStopAt = startMs + schedule.durationMs + schedule.gracefulStopMs;
  const running = new Map<number, Running>();

  const abortAll = () => {
    for (const r of running.values()) r.abort.abort();
  };
  stop.addEventListener('abort', abortAll, { once: true });
  const stopWatchdog = every(clock, TICK_MS, () => {
    const now = clock.now();
    const t = now - startMs;
    if (now >= hardStopAt) return abortAll();
    if (t >= schedule.durationMs) {
      // Past the stages, VUs ramped away before the end keep their gracefulRampDown deadline (k6).
      for (const r of running.values())
        if (r.rampedAt !== undefined && now - r.rampedAt >= schedule.gracefulRampDownMs) r.abort.abort();
      return recorder.setActiveVus(scenario, running.size, clock.now());
    }
    const active = schedule.activeVus(t);
    // k6's `vus`: the VUs the profile has switched on (plus ramped-away ones still finishing).
    let finishing = 0;
    for (const k of running.keys()) if (k >= active) finishing++;
    recorder.setActiveVus(scenario, Math.min(schedule.maxVus, active) + finishing, clock.now());
    for (const [k, r] of running) {
      if (k < active) r.rampedAt = undefined;
      else if (r.rampedAt === undefined) r.rampedAt = now;
      else if (now - r.rampedAt >= schedule.gracefulRampDownMs) r.abort.abort();
    }
  });

  const loop = async (k: number) => {
    const vu = new VirtualUser(vuIdBase + k, ctx);
    const r: Running = { abort: new AbortController(), rampedAt: undefined };
    let done = 0;
    try {
      while (!stop.aborted && done < perVu) {
        const t = clock.now() - startMs;
        if (t >= schedule.durationMs) break;
        if (k >= schedule.activeVus(t)) {
          // Ramped down or not yet ramped up: wait for the profile to reach this VU.
          await clock.sleep(TICK_MS, stop);
          continue;
        }
        if (sharedLeft <= 0) break;
        sharedLeft--;
        // One controller and record per VU, renewed only once aborted: no allocation per iteration.
        if (r.abort.signal.aborted) r.abort = new AbortController();
        r.rampedAt = undefined;
        running.set(k, r);
        let completed = false;
        try {
          completed = await vu.run(r.abort.signal);
        } catch {
          // run() does not reject; should it ever, the iteration counts as interrupted, the VU goes on.
        }
        running.delete(k);
        recorder.iteration(scenario, completed, clock.now());
        done++;
      }
    } finally {
      vu.close();
    }
  };

  try {
    await Promise.all(Array.from({ length: schedule.maxVus }, (_, k) => loop(k)));
  } finally {
    stopWatchdog();
    stop.removeEventListener('abort', abortAll);
    recorder.setActiveVus(scenario, 0, clock.now());
  }
}
