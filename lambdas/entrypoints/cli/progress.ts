import { formatDuration } from '../../model/duration';
import type { LiveStatus } from '../../model/live';

/** Live progress: one redrawn line on a terminal, a plain line every few seconds otherwise. */

const PLAIN_EVERY_MS = 5_000;

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export function progressLine(s: LiveStatus): string {
  const elapsed = `${formatDuration(Math.min(s.elapsedMs, s.plannedMs || s.elapsedMs))} / ${formatDuration(s.plannedMs)}`;
  const risk =
    s.atRisk.length > 0 ? `  at risk: ${s.atRisk.map((t) => `${t.metric} ${t.expression}`).join(', ')}` : '';
  const lost = s.workers.failed > 0 ? `  workers lost: ${s.workers.failed}` : '';
  const dropped = s.droppedIterations > 0 ? `  dropped ${s.droppedIterations}` : '';
  return `${elapsed}  vus ${s.vus}  rate ${s.rps}/s  p95 ${s.p95Ms.toFixed(1)}ms  errors ${s.errors} (${pct(s.errorRate)})${dropped}${risk}${lost}`;
}

function bar(s: LiveStatus, width = 20): string {
  const done = s.plannedMs > 0 ? Math.min(1, s.elapsedMs / s.plannedMs) : 0;
  const n = Math.round(done * width);
  return `[${'█'.repeat(n)}${'░'.repeat(width - n)}]`;
}

export interface ProgressDisplay {
  update(status: LiveStatus): void;
  done(): void;
}

export function createProgress(stream: NodeJS.WriteStream, quiet: boolean): ProgressDisplay {
  if (quiet) return { update() {}, done() {} };
  if (stream.isTTY) {
    let drawn = false;
    return {
      update(s) {
        const line = `${bar(s)} ${progressLine(s)}`;
        const width = stream.columns ?? 120;
        stream.write(`\r\x1b[K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
        drawn = true;
      },
      done() {
        if (drawn) stream.write('\n');
      },
    };
  }
  let last = -Infinity;
  return {
    update(s) {
      if (s.elapsedMs - last < PLAIN_EVERY_MS) return;
      last = s.elapsedMs;
      stream.write(`running ${progressLine(s)}\n`);
    },
    done() {},
  };
}
