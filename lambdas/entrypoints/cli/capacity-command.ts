import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { capacityFitReport, parsePoints } from '../../core/capacity/fit-report';
import { EXIT, UsageError } from './run-io';

export const CAPACITY_USAGE = `throughline capacity fit --points <file.csv>

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
  if (sub !== 'fit')
    throw new UsageError(`unknown capacity command ${JSON.stringify(sub)}\n\n${CAPACITY_USAGE}`);
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
