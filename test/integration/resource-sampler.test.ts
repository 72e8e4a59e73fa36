import { describe, expect, it } from 'vitest';
import { processSampler, threadSampler } from '../../lambdas/adapters/node/resource-sampler';

// What a worker report says about its CPU: a saturated worker must read as one, an idle one must not.

const busyFor = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {}
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each([
  ['processSampler', processSampler],
  ['threadSampler', threadSampler],
])('%s', (_name, sampler) => {
  it('reads a busy second as near one full core, an idle one as little, with its RSS', async () => {
    const stop = sampler.start();
    busyFor(1_300);
    await sleep(1_200);
    const busy = stop();
    expect(busy.cpuPercentMax).toBeGreaterThan(70);
    expect(busy.rssMbMax).toBeGreaterThan(10);

    const idle = sampler.start();
    await sleep(2_200);
    expect(idle().cpuPercentMax).toBeLessThan(50);
  });
});
