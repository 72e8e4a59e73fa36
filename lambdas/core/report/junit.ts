import type { TestResults } from '../../model/results';

/** JUnit XML for CI: one test case per threshold, plus one for the run itself. */

const xml = (text: string) =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

export function renderJunit(r: TestResults): string {
  const seconds = (r.durationMs / 1_000).toFixed(3);
  const cases: string[] = r.thresholds.map((t) => {
    const name = xml(`${t.metric}: ${t.expression}`);
    const body = t.ok
      ? ''
      : `<failure message="${xml(`${t.expression} failed: value ${t.value}`)}" type="threshold">${xml(
          `${t.metric} ${t.expression} — measured ${t.value}${t.abortOnFail ? ' (abortOnFail)' : ''}`,
        )}</failure>`;
    return `    <testcase classname="${xml(`throughline.${r.name}.thresholds`)}" name="${name}" time="${seconds}">${body}</testcase>`;
  });
  const runOk = r.status === 'passed' || r.status === 'failed';
  const runProblem =
    r.status === 'degraded'
      ? `lost workers: ${r.workers.failures.map((f) => `#${f.worker} (${f.segment}): ${f.error}`).join('; ')}`
      : `run ended with status ${r.status}`;
  cases.push(
    `    <testcase classname="${xml(`throughline.${r.name}`)}" name="run completed" time="${seconds}">${
      runOk ? '' : `<error message="${xml(runProblem)}" type="${xml(r.status)}"/>`
    }</testcase>`,
  );
  const failures = r.thresholds.filter((t) => !t.ok).length;
  const errors = runOk ? 0 : 1;
  const summary = `requests=${r.totals.requests} rps=${r.totals.rps} errorRate=${r.totals.errorRate} p95=${r.latencyMs.p95}ms p99=${r.latencyMs.p99}ms`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="throughline" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${seconds}">`,
    `  <testsuite name="${xml(r.name)}" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${seconds}" timestamp="${r.startedAt}">`,
    ...cases,
    `    <system-out>${xml(summary)}</system-out>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
