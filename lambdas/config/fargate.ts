import { parseSegment } from '../core/load/segment';
import { type Env, fail, type Problems } from './parse';

/** The Fargate worker's assignment, from the container overrides the state machine sets. */
export function fargateJob(env: Env = process.env): {
  testId: string;
  segment: string;
  worker: number;
  startAtMs: number;
} {
  const problems: Problems = [];
  const text = (name: string, pattern: RegExp) => {
    const v = env[name] ?? '';
    if (!pattern.test(v)) problems.push(`${name}=${JSON.stringify(v)} is not valid`);
    return v;
  };
  const job = {
    testId: text('THROUGHLINE_TEST_ID', /^[\w-]{1,64}$/),
    segment: text('THROUGHLINE_SEGMENT', /^[\d/:@]{3,64}$/),
    worker: Number(text('THROUGHLINE_WORKER', /^\d{1,6}$/)),
    startAtMs: Number(text('THROUGHLINE_START_AT_MS', /^\d{12,14}$/)),
  };
  if (problems.length === 0 && !parseSegment(job.segment))
    problems.push(`THROUGHLINE_SEGMENT=${JSON.stringify(job.segment)} is not an execution segment`);
  if (problems.length > 0) fail(problems);
  return job;
}
