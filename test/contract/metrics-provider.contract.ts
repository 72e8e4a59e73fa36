import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  METRIC_GROUPS,
  type MetricGroup,
  type MetricsProvider,
  type MetricWindow,
} from '../../lambdas/ports/metrics';

/**
 * The MetricsProvider contract (DESIGN.md §6.2): the local sampler and CloudWatch answer in the
 * same shape. The fixture holds data for `group` inside `window()`; nothing may throw for a group
 * without data.
 */

export interface MetricsProviderFixture {
  readonly provider: MetricsProvider;
  /** A group that has data in the window. */
  readonly group: MetricGroup;
  window(stat: MetricWindow['stat']): MetricWindow;
  cleanup(): Promise<void>;
}

export function metricsProviderContract(name: string, make: () => Promise<MetricsProviderFixture>): void {
  describe(`MetricsProvider contract: ${name}`, () => {
    let f: MetricsProviderFixture;
    beforeAll(async () => {
      f = await make();
    });
    afterAll(async () => {
      await f?.cleanup();
    });

    it('answers every group in the same shape, with its source', async () => {
      for (const group of METRIC_GROUPS) {
        const report = await f.provider.read(group, f.window('Average'));
        expect(report.source).toBe(f.provider.source);
        expect(Array.isArray(report.warnings)).toBe(true);
        const ids = report.series.map((s) => s.id);
        expect(new Set(ids).size).toBe(ids.length);
      }
    });

    it('gives points oldest first, inside the window, on period boundaries, with the period asked', async () => {
      const window = f.window('Average');
      const report = await f.provider.read(f.group, window);
      const withData = report.series.filter((s) => s.points.length > 0);
      expect(withData.length).toBeGreaterThan(0);
      for (const s of report.series) {
        expect(s.periodSeconds).toBe(window.periodSeconds);
        expect(s.resource.name.length).toBeGreaterThan(0);
        let previous = -Infinity;
        for (const p of s.points) {
          const t = Date.parse(p.timestamp);
          expect(t).toBeGreaterThan(previous);
          expect(t).toBeGreaterThanOrEqual(window.startMs);
          expect(t).toBeLessThan(window.endMs);
          expect((t - window.startMs) % (window.periodSeconds * 1_000)).toBe(0);
          expect(Number.isFinite(p.value)).toBe(true);
          previous = t;
        }
      }
    });

    it('applies the statistic asked for unless a series fixes its own, and says which', async () => {
      const avg = await f.provider.read(f.group, f.window('Average'));
      const max = await f.provider.read(f.group, f.window('Maximum'));
      const min = await f.provider.read(f.group, f.window('Minimum'));
      for (const s of max.series) expect(['Maximum', 'Sum']).toContain(s.stat);
      for (const s of max.series.filter((x) => x.stat === 'Maximum' && x.points.length > 0)) {
        const a = avg.series.find((x) => x.id === s.id);
        const m = min.series.find((x) => x.id === s.id);
        for (const [i, p] of s.points.entries()) {
          const ap = a?.points.find((x) => x.timestamp === p.timestamp);
          const mp = m?.points[i];
          if (ap) expect(p.value).toBeGreaterThanOrEqual(ap.value);
          if (mp && mp.timestamp === p.timestamp) expect(mp.value).toBeLessThanOrEqual(p.value);
        }
      }
    });
  });
}
