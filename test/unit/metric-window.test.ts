import { describe, expect, it } from 'vitest';
import { parseMetricWindow, roundUpPeriod } from '../../lambdas/core/observability/metric-window';
import { applyStat, rollup } from '../../lambdas/core/observability/rollup';
import { PlatformError } from '../../lambdas/core/tests/errors';

const NOW = Date.parse('2026-11-29T10:00:30.000Z');
const cloudwatch = { minPeriodSeconds: 60 };
const local = { minPeriodSeconds: 1, defaultPeriodSeconds: 10 };

const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PlatformError);
    return ((err as PlatformError).details as { problems: string[] }).problems;
  }
  throw new Error('expected a PlatformError');
};

describe('parseMetricWindow', () => {
  it('defaults to the last hour at the source default period, aligned to whole periods', () => {
    expect(parseMetricWindow({}, NOW, cloudwatch)).toEqual({
      startMs: Date.parse('2026-11-29T09:00:00.000Z'),
      endMs: Date.parse('2026-11-29T10:01:00.000Z'),
      periodSeconds: 60,
      stat: 'Average',
    });
    expect(parseMetricWindow({}, NOW, local).periodSeconds).toBe(10);
  });

  it('reads ISO times, epoch ms, now and relative durations', () => {
    const w = parseMetricWindow({ start: '-3h', end: 'now', stat: 'p99.9' }, NOW, cloudwatch);
    expect(w.startMs).toBe(Date.parse('2026-11-29T07:00:00.000Z'));
    expect(w.stat).toBe('p99.9');
    const iso = parseMetricWindow(
      { start: '2026-11-29T09:30:00Z', end: String(Date.parse('2026-11-29T09:40:00Z')), period: '300' },
      NOW,
      cloudwatch,
    );
    expect(iso).toMatchObject({ startMs: Date.parse('2026-11-29T09:30:00Z'), periodSeconds: 300 });
  });

  it('widens the default period so a long window stays within 1,440 points', () => {
    const w = parseMetricWindow({ start: '-168h' }, NOW, cloudwatch);
    expect(w.periodSeconds).toBe(420);
    expect((w.endMs - w.startMs) / 1_000 / w.periodSeconds).toBeLessThanOrEqual(1_441);
  });

  it('lists every problem at once', () => {
    expect(
      problems(() => parseMetricWindow({ start: 'yesterday', period: '45', stat: 'mean' }, NOW, cloudwatch)),
    ).toEqual([
      expect.stringMatching(/^start=/),
      expect.stringMatching(/^stat=/),
      expect.stringMatching(/^period=/),
    ]);
    expect(problems(() => parseMetricWindow({ period: '30' }, NOW, cloudwatch))).toEqual([
      "period=30: this source's shortest period is 60 s",
    ]);
    expect(problems(() => parseMetricWindow({ end: '-10m', start: '-5m' }, NOW, cloudwatch))).toContain(
      'start must be before end',
    );
    expect(problems(() => parseMetricWindow({ end: '2027-01-01T00:00:00Z' }, NOW, cloudwatch))).toContain(
      'end is more than 5 minutes in the future',
    );
    expect(problems(() => parseMetricWindow({ start: '-48h', period: '60' }, NOW, cloudwatch))[0]).toMatch(
      /more than 1440 points per series over this window; use 120 or more/,
    );
    expect(problems(() => parseMetricWindow({ stat: 'p101' }, NOW, cloudwatch))).toHaveLength(1);
  });

  // A value not in a documented form is a 400; a window the values make that the source cannot
  // answer is a 422 (E_INVALID_WINDOW): the API fuzz test found such windows refused as malformed.
  it('tells a value not in its form (E_INVALID_REQUEST) from a window it cannot answer (E_INVALID_WINDOW)', () => {
    const codeOf = (query: Record<string, string>) => {
      try {
        parseMetricWindow(query, NOW, cloudwatch);
      } catch (err) {
        return (err as PlatformError).code;
      }
      return undefined;
    };
    expect(codeOf({ start: 'yesterday' })).toBe('E_INVALID_REQUEST');
    expect(codeOf({ period: '3600000000' })).toBe('E_INVALID_REQUEST');
    for (const q of [{ end: '-10m', start: '-5m' }, { period: '30' }, { start: '-48h', period: '60' }])
      expect(codeOf(q), JSON.stringify(q)).toBe('E_INVALID_WINDOW');
    // Both kinds at once: the 400, listing every problem.
    expect(codeOf({ stat: 'mean', period: '30' })).toBe('E_INVALID_REQUEST');
    expect(problems(() => parseMetricWindow({ stat: 'mean', period: '30' }, NOW, cloudwatch))).toHaveLength(
      2,
    );
  });

  it('refuses a window that starts before what CloudWatch keeps (455 days)', () => {
    expect(problems(() => parseMetricWindow({ end: '-70783502h' }, NOW, cloudwatch))).toEqual([
      'start is more than 455 days ago: CloudWatch keeps nothing older',
    ]);
    // 454 days back is still kept.
    expect(parseMetricWindow({ start: '-10896h' }, NOW, cloudwatch).periodSeconds).toBe(27_240);
  });

  it('rounds periods up to ones CloudWatch accepts', () => {
    expect([1, 2, 6, 11, 31, 61, 119].map(roundUpPeriod)).toEqual([1, 5, 10, 30, 60, 120, 120]);
  });
});

describe('rollup', () => {
  const window = { startMs: 0, endMs: 30_000, periodSeconds: 10, stat: 'Average' as const };
  const samples = [
    { t: 0, v: 1 },
    { t: 5_000, v: 3 },
    { t: 10_000, v: 10 },
    { t: 25_000, v: 7 },
    { t: 30_000, v: 99 },
  ];

  it('gives one point per period with samples, oldest first, leaving empty periods and outsiders out', () => {
    expect(rollup(samples, window)).toEqual([
      { timestamp: new Date(0).toISOString(), value: 2 },
      { timestamp: new Date(10_000).toISOString(), value: 10 },
      { timestamp: new Date(20_000).toISOString(), value: 7 },
    ]);
    expect(rollup(samples, window, 'Sum').map((p) => p.value)).toEqual([4, 10, 7]);
  });

  it('applies each statistic (nearest-rank percentiles)', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(applyStat(values, 'Minimum')).toBe(1);
    expect(applyStat(values, 'Maximum')).toBe(10);
    expect(applyStat(values, 'SampleCount')).toBe(10);
    expect(applyStat(values, 'p50')).toBe(5);
    expect(applyStat(values, 'p90')).toBe(9);
    expect(applyStat(values, 'p99')).toBe(10);
  });
});
