import type { OpenSchedule } from './executors';
import { type ScenarioContext, VirtualUser } from './iteration';

/** Launches are batched: an arrival due within this many ms is started without sleeping. */
const EARLY_MS = 0.25;

/**
 * Runs an open-model schedule: each arrival takes a free VU (creating one up to maxVUs) at its
 * planned instant, whatever the earlier iterations are doing. With no VU free it is dropped and
 * counted. Latency counts from the planned instant.
 */
export async function runOpen(
  schedule: OpenSchedule,
  ctx: ScenarioContext,
  startMs: number,
  vuIdBase: number,
  stop: AbortSignal,
  /** Arrivals planned before this instant are skipped (a worker that started late); returns how many. */
  skipBeforeMs = Number.NEGATIVE_INFINITY,
): Promise<number> {
  const { clock, recorder, scenario } = ctx;
  const free: VirtualUser[] = [];
  const all: VirtualUser[] = [];
  const newVu = () => {
    const vu = new VirtualUser(vuIdBase + all.length, ctx);
    all.push(vu);
    return vu;
  };
  for (let i = 0; i < schedule.preAllocatedVus; i++) free.push(newVu());
  const inflight = new Set<Promise<void>>();
  const iterations = new AbortController();
  const onStop = () => iterations.abort();
  stop.addEventListener('abort', onStop, { once: true });
  let busy = 0;

  const launch = (vu: VirtualUser, intendedAt: number) => {
    busy++;
    recorder.setActiveVus(scenario, busy, clock.now());
    const p = vu.run(iterations.signal, intendedAt).then(
      (completed) => {
        recorder.iteration(scenario, completed, clock.now());
        busy--;
        recorder.setActiveVus(scenario, busy, clock.now());
        free.push(vu);
        inflight.delete(p);
      },
      () => {
        // run() does not reject; should it ever, the VU still goes back and the iteration is counted.
        recorder.iteration(scenario, false, clock.now());
        busy--;
        free.push(vu);
        inflight.delete(p);
      },
    );
    inflight.add(p);
  };

  const arrivals = schedule.arrivals();
  let skipped = 0;
  for (let next = arrivals.next(); !next.done && !stop.aborted; next = arrivals.next()) {
    const at = startMs + next.value;
    if (at < skipBeforeMs) {
      skipped++;
      continue;
    }
    const wait = at - clock.now();
    if (wait > EARLY_MS) await clock.sleep(wait, stop);
    if (stop.aborted) break;
    const vu = free.pop() ?? (all.length < schedule.maxVus ? newVu() : undefined);
    if (vu) launch(vu, at);
    else recorder.dropped(scenario, clock.now());
  }

  // Running iterations get until the end of gracefulStop, then are interrupted.
  const hardStop = startMs + schedule.durationMs + schedule.gracefulStopMs - clock.now();
  if (inflight.size > 0 && !stop.aborted) {
    const drainedFirst = new AbortController();
    const drained = (async () => {
      while (inflight.size > 0) await Promise.race(inflight);
    })();
    await Promise.race([drained, clock.sleep(Math.max(0, hardStop), drainedFirst.signal)]);
    drainedFirst.abort();
  }
  iterations.abort();
  while (inflight.size > 0) await Promise.race(inflight);
  stop.removeEventListener('abort', onStop);
  for (const vu of all) vu.close();
  recorder.setActiveVus(scenario, 0, clock.now());
  return skipped;
}
