import { describe, expect, it } from 'vitest';
import { capacityFitReport } from '../../lambdas/core/capacity/fit-report';
import { renderSummary } from '../../lambdas/entrypoints/cli/summary';
import type { PlateauMeasure } from '../../lambdas/model/capacity';
import { sampleResults } from '../contract/test-store.fixtures';

// The terminal summary of a stepped run names where it saturates.

const plateau = (offered: number, achievedRps: number, sustained: boolean): PlateauMeasure => ({
  offered,
  fromS: 0,
  seconds: 10,
  achievedRps,
  meanMs: 5,
  p95Ms: 9,
  p99Ms: 12,
  errorRate: 0,
  droppedIterations: 0,
  concurrency: offered,
  sustained,
  failed: sustained ? [] : ['http_req_duration: p(95)<15'],
});

describe('run summary', () => {
  it('adds one capacity line for a stepped run: plateaus, max sustainable throughput, the peak', () => {
    const plateaus = [
      plateau(1, 64.9, true),
      plateau(18, 995.9, true),
      plateau(36, 1652.4, true),
      plateau(72, 1853.2, false),
    ];
    const points = [1, 18, 36, 72, 108, 144, 216].map((n, i) => ({
      n,
      x: [64.9, 995.9, 1652.4, 1853.2, 1828.9, 1775, 1702.2][i] as number,
    }));
    const text = renderSummary({
      ...sampleResults,
      capacity: {
        model: 'vus',
        plateaus,
        fit: capacityFitReport(points),
        maxSustainableRps: 1652.4,
        notes: [],
      },
    });
    expect(text).toContain(
      '  capacity  4 plateaus  max sustainable 1652.4/s  peak 1884/s at 96.5 concurrent\n',
    );
  });

  it('says when no plateau held and there is no fit, and prints nothing for a run that is not stepped', () => {
    const text = renderSummary({
      ...sampleResults,
      capacity: {
        model: 'arrival-rate',
        plateaus: [plateau(10, 5, false)],
        fit: capacityFitReport([{ n: 1, x: 5 }]),
        notes: [],
      },
    });
    expect(text).toContain(
      'capacity  1 plateaus  no plateau met the thresholds  no fit: 1 distinct concurrency levels',
    );
    expect(renderSummary(sampleResults)).not.toContain('capacity');
  });
});
