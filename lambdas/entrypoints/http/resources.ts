import type { TestRecord } from '../../ports/test-store';

/** The public shape of a stored test (schema: testResourceSchema). Links are relative to the API root. */
export function toTestResource(r: TestRecord) {
  const self = `/performance/tests/${r.id}`;
  const active = r.status === 'queued' || r.status === 'running';
  const planned = r.live?.plannedMs ?? 0;
  const phase = !active
    ? 'finished'
    : r.status === 'queued'
      ? 'queued'
      : r.phase === 'aggregating'
        ? 'aggregating'
        : r.phase === 'waiting' || r.cancelRequested || (r.live && planned > 0 && r.live.elapsedMs > planned)
          ? 'stopping'
          : r.live
            ? 'running'
            : 'starting';
  const live = r.live && {
    elapsedMs: Math.round(r.live.elapsedMs),
    plannedMs: r.live.plannedMs,
    progress: planned > 0 ? Math.min(1, Math.round((r.live.elapsedMs / planned) * 1000) / 1000) : 0,
    vus: r.live.vus,
    rps: r.live.rps,
    p95Ms: r.live.p95Ms,
    p95SoFarMs: r.live.p95SoFarMs,
    requests: r.live.requests,
    errors: r.live.errors,
    errorRate: r.live.errorRate,
    droppedIterations: r.live.droppedIterations,
    thresholdsAtRisk: r.live.atRisk,
    workers: r.live.workers,
  };
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    phase,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(r.startedAt ? { startedAt: r.startedAt } : {}),
    ...(r.endedAt ? { endedAt: r.endedAt } : {}),
    tags: r.tags,
    ...(r.baselineId ? { baselineId: r.baselineId } : {}),
    cancelRequested: r.cancelRequested === true,
    ...(live ? { live } : {}),
    ...(r.summary ? { summary: r.summary } : {}),
    ...(r.error ? { error: r.error } : {}),
    links: { self, results: `${self}/results`, cancel: self },
  };
}
