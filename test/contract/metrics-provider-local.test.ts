import { setTimeout as delay } from 'node:timers/promises';
import { startProcessMetrics } from '../../lambdas/adapters/local/process-metrics';
import { metricsProviderContract } from './metrics-provider.contract';

// The local sampler of this very process, sampling every 100 ms so the suite has data quickly.
metricsProviderContract('local process and machine', async () => {
  const sampled = startProcessMetrics({ intervalMs: 100 });
  const start = Math.floor(Date.now() / 1_000) * 1_000;
  await delay(1_500);
  return {
    provider: sampled.provider,
    group: 'memory',
    window: (stat) => ({ startMs: start, endMs: start + 60_000, periodSeconds: 1, stat }),
    cleanup: async () => sampled.stop(),
  };
});
