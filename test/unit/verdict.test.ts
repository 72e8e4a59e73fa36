import { describe, expect, it } from 'vitest';
import { measuredStatus, stoppedBeforeStart, stopReason } from '../../lambdas/core/run/verdict';
import type { TestRecord } from '../../lambdas/ports/test-store';

const ok = { metric: 'http_req_duration', expression: 'p(95)<200', ok: true, value: 10, abortOnFail: false };
const bad = { ...ok, ok: false, value: 300 };
const record = (flags: Partial<TestRecord> = {}): TestRecord => ({
  id: 't',
  name: 't',
  status: 'running',
  createdAt: '2026-12-07T00:00:00.000Z',
  updatedAt: '2026-12-07T00:00:00.000Z',
  tags: {},
  definition: {},
  ...flags,
});

describe('the verdict: how every run ends, on every runtime', () => {
  it('reads why a run stopped from its record: an abort outranks an interrupt, which outranks a cancel', () => {
    expect(stopReason(record())).toBeUndefined();
    expect(stopReason(record({ cancelRequested: true }))).toBe('cancel');
    expect(stopReason(record({ cancelRequested: true, interruptRequested: true }))).toBe('interrupt');
    expect(stopReason(record({ cancelRequested: true, interruptRequested: true, abortedBy: [bad] }))).toBe(
      'abort',
    );
  });

  it.each([
    ['nothing measured is an error, whatever else happened', 3, 0, 'abort', [bad], 'error'],
    ['an abortOnFail threshold', 3, 3, 'abort', [bad], 'aborted'],
    ['the platform stopping it (shutdown, Ctrl-C)', 3, 2, 'interrupt', [ok], 'interrupted'],
    ["a user's cancel", 3, 3, 'cancel', [ok], 'cancelled'],
    ['a lost worker', 3, 2, undefined, [ok], 'degraded'],
    ['every threshold met', 3, 3, undefined, [ok], 'passed'],
    ['a failed threshold', 3, 3, undefined, [ok, bad], 'failed'],
    ['no thresholds at all', 1, 1, undefined, [], 'passed'],
  ] as const)('%s', (_why, planned, completed, stop, thresholds, status) => {
    expect(measuredStatus({ plannedWorkers: planned, completedWorkers: completed, stop, thresholds })).toBe(
      status,
    );
  });

  it('a test stopped before it was planned is cancelled, or interrupted when the platform stopped it', () => {
    expect(stoppedBeforeStart(record({ cancelRequested: true }), 'now').status).toBe('cancelled');
    expect(
      stoppedBeforeStart(record({ cancelRequested: true, interruptRequested: true }), 'now').status,
    ).toBe('interrupted');
  });
});
