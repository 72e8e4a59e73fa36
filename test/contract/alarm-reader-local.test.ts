import { createRecordedMetrics, type Reading } from '../../lambdas/adapters/local/recorded-metrics';
import { createLocalAlarms, LOCAL_ALARM_RULES } from '../../lambdas/core/observability/local-alarms';
import type { Clock } from '../../lambdas/ports/clock';
import { alarmReaderContract } from './alarm-reader.contract';

// The local rules over the real local metrics provider, fed readings of known values at known
// times on a manual clock: machine CPU over its 90 % (ALARM), RSS and machine memory under theirs
// (OK), no event-loop samples at all (INSUFFICIENT_DATA). The transition: a minute later the
// process's RSS is over 512 MB.

const T0 = Date.parse('2025-03-10T08:00:00.000Z');

alarmReaderContract('local rules over recorded process metrics', async () => {
  let now = T0;
  const clock: Clock = { now: () => now, sleep: async () => {} };
  const recorded = createRecordedMetrics({ intervalMs: 1_000, keep: 3_600 });
  const readings = (at: number, reading: Reading) => {
    for (const ago of [30_000, 20_000, 10_000]) recorded.record(at - ago, reading);
  };
  const steady = { HostCpu: 97, Rss: 180, HostMemoryUsed: 55, HeapUsed: 60 };
  readings(now, steady);
  const expected = {
    'local-host-cpu-high': 'ALARM',
    'local-event-loop-delay-high': 'INSUFFICIENT_DATA',
    'local-process-memory-high': 'OK',
    'local-host-memory-low': 'OK',
  } as const;
  if (Object.keys(expected).length !== LOCAL_ALARM_RULES.length)
    throw new Error('every local rule needs a state in the situation');
  return {
    reader: createLocalAlarms(recorded.provider, clock),
    source: 'local',
    expected,
    foreign: [],
    now: () => now,
    async transition() {
      now += 61_000;
      readings(now, { ...steady, Rss: 640 });
      return { name: 'local-process-memory-high', to: 'ALARM' };
    },
    cleanup: async () => {},
  };
});
