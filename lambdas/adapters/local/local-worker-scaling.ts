import { join } from 'node:path';
import type { ScalableTargetRef } from '../../model/scaling';
import type {
  ScalableTargetStatus,
  ScalingActivity,
  ScalingBackend,
  ScalingConfigChange,
} from '../../ports/scaling';
import { type LocalFileOptions, readJsonOrQuarantine, serialQueue, writeJsonAtomic } from './json-file';

/**
 * Local mode's scalable target: the pool of worker threads each new test is split over. Its range,
 * capacity and activities persist in the data folder, so a restart keeps what was set.
 */

export const LOCAL_WORKERS: ScalableTargetRef = {
  id: 'local-workers',
  kind: 'local-workers',
  limits: { min: 1, max: 64 },
};

interface State {
  min: number;
  max: number;
  capacity: number;
  held: boolean;
  activities: ScalingActivity[];
}

/** Activities kept (newest); Application Auto Scaling keeps six weeks, a local folder needs less. */
const KEEP_ACTIVITIES = 1_000;

export interface LocalWorkerScaling extends ScalingBackend {
  /** Worker threads the next test is split over. */
  capacity(): number;
}

export async function createLocalWorkerScaling(options: {
  readonly dataDir: string;
  /** Capacity when nothing was set yet (THROUGHLINE_WORKERS). */
  readonly initialCapacity: number;
  readonly now: () => number;
  readonly newId: () => string;
  readonly onCorrupt?: NonNullable<LocalFileOptions['onCorrupt']>;
}): Promise<LocalWorkerScaling> {
  const file = join(options.dataDir, 'scaling.json');
  const { limits } = LOCAL_WORKERS;
  const state: State = (await readJsonOrQuarantine<State>(options.dataDir, file, options)) ?? {
    min: limits.min,
    max: limits.max,
    capacity: options.initialCapacity,
    held: false,
    activities: [],
  };
  const serial = serialQueue();
  const iso = () => new Date(options.now()).toISOString();

  const status = (): ScalableTargetStatus => ({
    id: LOCAL_WORKERS.id,
    kind: LOCAL_WORKERS.kind,
    current: state.capacity,
    desired: state.capacity,
    min: state.min,
    max: state.max,
    limits,
    suspended: state.held,
    policies: [],
    schedules: [],
    activitiesInProgress: [],
  });

  /** Moves the capacity, recording an activity as the service would when capacity changes. */
  const moveTo = (capacity: number, cause: string) => {
    if (capacity === state.capacity) return;
    const at = iso();
    state.activities.unshift({
      id: options.newId(),
      target: LOCAL_WORKERS.id,
      startedAt: at,
      endedAt: at,
      status: 'Successful',
      cause,
      description: `Setting the worker pool from ${state.capacity} to ${capacity} threads per test.`,
    });
    state.activities.length = Math.min(state.activities.length, KEEP_ACTIVITIES);
    state.capacity = capacity;
  };

  const check = (target: ScalableTargetRef) => {
    if (target.id !== LOCAL_WORKERS.id) throw new Error(`local mode has no scalable target ${target.id}`);
  };

  return {
    source: 'local',
    capacity: () => state.capacity,
    async status(targets) {
      return targets.map((t) => {
        check(t);
        return status();
      });
    },
    configure: (target, change: ScalingConfigChange) =>
      serial(async () => {
        check(target);
        state.min = change.min ?? state.min;
        state.max = change.max ?? state.max;
        state.held = false;
        const clamped = Math.min(state.max, Math.max(state.min, state.capacity));
        moveTo(
          clamped,
          clamped > state.capacity
            ? `the minimum capacity was set to ${state.min}`
            : `the maximum capacity was set to ${state.max}`,
        );
        await writeJsonAtomic(file, state);
        return status();
      }),
    setCapacity: (target, capacity) =>
      serial(async () => {
        check(target);
        moveTo(capacity, `a manual capacity of ${capacity} was set`);
        state.min = capacity;
        state.max = capacity;
        state.held = true;
        await writeJsonAtomic(file, state);
        return status();
      }),
    async activities(target, query) {
      check(target);
      return state.activities
        .filter((a) => query.fromMs === undefined || Date.parse(a.startedAt) >= query.fromMs)
        .slice(0, query.limit);
    },
  };
}
