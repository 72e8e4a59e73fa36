import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { capacityFitReport, parsePoints } from '../../core/capacity/fit-report';
import type { CapacityBlock } from '../../model/capacity';
import { EXIT, UsageError } from './run-io';

export const CAPACITY_USAGE = `throughline capacity <results.json>

  <results.json> (from run --out, or GET /tests/{id}/results) of a stepped test (the step preset, or
  one ramping-arrival-rate / ramping-vus scenario that holds levels): prints its capacity block —
  per plateau the offered load, achieved throughput, mean/p95/p99 latency, errors, concurrency
  (Little's law) and whether it met the test's thresholds; the USL fit over the plateaus; and the
  max sustainable throughput (the highest plateau that met them). Exit 1 when there is no fit.

throughline capacity fit --points <file.csv>

  Fits the Universal Scalability Law X(N) = λN / (1 + σ(N−1) + κN(N−1)) to measured points
  (one "N,X" row each: concurrency and throughput; a header, blank lines and # comments are
  allowed) and prints JSON: sigma, kappa, lambda with standard errors and 95 % intervals, nMax and
  xMax (where throughput peaks), nOpt and xRoof (the Amdahl limit), knee (Kneedle), warnings.
  At least 4 distinct N are needed; fewer, or a non-positive value, prints the reason and exits 1.`;

export async function capacityCommand(argv: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') {
    out.write(`${CAPACITY_USAGE}\n`);
    return sub === undefined ? EXIT.error : EXIT.passed;
  }
  if (sub !== 'fit') {
    if (rest.length > 0 || sub.startsWith('-'))
      throw new UsageError(
        `unknown capacity command ${JSON.stringify([sub, ...rest].join(' '))}\n\n${CAPACITY_USAGE}`,
      );
    return printCapacityOf(sub, out);
  }
  let file: string | undefined;
  try {
    ({
      values: { points: file },
    } = parseArgs({ args: [...rest], options: { points: { type: 'string' } }, strict: true }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${CAPACITY_USAGE}`);
  }
  if (!file) throw new UsageError(`--points <file.csv> is required\n\n${CAPACITY_USAGE}`);
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`--points: cannot read ${file} (${err.code ?? err.message})`);
  });
  const { points, problems } = parsePoints(text);
  if (problems.length > 0) throw new UsageError(`${file}:\n  ${problems.join('\n  ')}`);
  const report = capacityFitReport(points);
  out.write(`${JSON.stringify(report, null, 2)}\n`);
  return report.fitted ? EXIT.passed : EXIT.error;
}

/** The capacity block a run stored in its results (computed by the aggregate step). */
async function printCapacityOf(file: string, out: NodeJS.WritableStream): Promise<number> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file} (${err.code ?? err.message})`);
  });
  let results: { capacity?: CapacityBlock; timeseries?: unknown };
  try {
    results = JSON.parse(text) as typeof results;
  } catch (err) {
    throw new UsageError(`${file} is not JSON: ${(err as Error).message}`);
  }
  if (typeof results !== 'object' || results === null || !Array.isArray(results.timeseries))
    throw new UsageError(`${file} is not a Throughline results document`);
  const capacity: CapacityBlock = results.capacity ?? {
    model: 'none',
    reason:
      'these results hold no capacity block: the test was not stepped, or ran before capacity was computed',
  };
  out.write(`${JSON.stringify(capacity, null, 2)}\n`);
  return capacity.model !== 'none' && capacity.fit.fitted ? EXIT.passed : EXIT.error;
}
