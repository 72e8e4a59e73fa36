import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, progressLine } from '../../lambdas/entrypoints/cli/progress';
import type { LiveStatus } from '../../lambdas/model/live';

// Protects the live display the issue asks for: its figures, and the TTY / plain-line split.
const status = (elapsedMs: number, over: Partial<LiveStatus> = {}): LiveStatus => ({
  elapsedMs,
  plannedMs: 60_000,
  vus: 40,
  rps: 812,
  p95Ms: 12.345,
  p95SoFarMs: 11.5,
  requests: 10_000,
  errors: 25,
  errorRate: 0.0025,
  droppedIterations: 0,
  atRisk: [],
  workers: { running: 2, failed: 0 },
  ...over,
});

function capture(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const w = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return {
    stream: Object.assign(w, { isTTY, columns: 200 }) as unknown as NodeJS.WriteStream,
    text: () => text,
  };
}

describe('progress display', () => {
  it('shows elapsed / planned, VUs, rate, p95, errors, thresholds at risk and lost workers', () => {
    const line = progressLine(
      status(30_000, {
        droppedIterations: 7,
        atRisk: [
          { metric: 'http_req_duration', expression: 'p(95)<10', ok: false, value: 12.3, abortOnFail: false },
        ],
        workers: { running: 1, failed: 1 },
      }),
    );
    expect(line).toBe(
      '30s / 1m  vus 40  rate 812/s  p95 12.3ms  errors 25 (0.25%)  dropped 7  at risk: http_req_duration p(95)<10  workers lost: 1',
    );
  });

  it('redraws one line on a terminal', () => {
    const out = capture(true);
    const p = createProgress(out.stream, false);
    p.update(status(1_000));
    p.update(status(2_000));
    p.done();
    expect(out.text().split('\r\x1b[K')).toHaveLength(3);
    expect(out.text().endsWith('\n')).toBe(true);
    expect(out.text().split('\n')).toHaveLength(2);
  });

  it('prints a plain line every 5 seconds elsewhere, and nothing when quiet', () => {
    const out = capture(false);
    const p = createProgress(out.stream, false);
    for (let s = 1; s <= 12; s++) p.update(status(s * 1_000));
    expect(out.text().trim().split('\n')).toHaveLength(3); // at 1 s, 6 s and 11 s
    expect(out.text()).not.toContain('\x1b');
    const quiet = capture(false);
    createProgress(quiet.stream, true).update(status(1_000));
    expect(quiet.text()).toBe('');
  });
});
