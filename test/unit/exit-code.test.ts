import { describe, expect, it } from 'vitest';
import { exitCode } from '../../lambdas/entrypoints/cli/run-io';
import type { TestResults, TestStatus } from '../../lambdas/model/results';

// Protects the CI contract of DESIGN.md §3: 0 passed, 99 thresholds, 1 run error, 130 interrupted.
const results = (status: TestStatus, thresholdOk = true): TestResults =>
  ({
    status,
    thresholds: [
      { metric: 'http_req_failed', expression: 'rate<0.01', ok: thresholdOk, value: 0, abortOnFail: false },
    ],
  }) as unknown as TestResults;

describe('exit codes', () => {
  it.each([
    ['passed', true, 0],
    ['failed', false, 99],
    ['aborted', false, 99],
    ['degraded', false, 99],
    ['degraded', true, 1],
    ['error', false, 1],
    ['error', true, 1],
    ['interrupted', false, 130],
    ['cancelled', true, 130],
  ] as const)('%s with thresholds ok=%s exits %i', (status, ok, code) => {
    expect(exitCode(results(status, ok))).toBe(code);
  });
});
