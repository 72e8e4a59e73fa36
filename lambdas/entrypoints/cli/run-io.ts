import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { requestsCsv, timeseriesCsv } from '../../core/report/csv';
import { renderHtml } from '../../core/report/html';
import { renderJunit } from '../../core/report/junit';
import { ThroughlineError } from '../../model/errors';
import type { TestResults } from '../../model/results';

/** What a local and a remote `throughline run` share: the input file, the outputs, the exit code. */

export const EXIT = { passed: 0, error: 1, thresholds: 99, interrupted: 130 } as const;

/** A problem with the command line or the input: exit code 1 with this message. */
export class UsageError extends ThroughlineError {
  constructor(message: string) {
    super('E_USAGE', message);
    this.name = 'UsageError';
  }
}

export async function loadInput(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const yaml = ['.yaml', '.yml'].includes(extname(file).toLowerCase());
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid ${yaml ? 'YAML' : 'JSON'}: ${(err as Error).message}`);
  }
}

export function exitCode(r: TestResults): number {
  if (r.status === 'interrupted' || r.status === 'cancelled') return EXIT.interrupted;
  if (r.status === 'error') return EXIT.error;
  if (r.status === 'failed' || r.status === 'aborted' || r.thresholds.some((t) => !t.ok))
    return EXIT.thresholds;
  // degraded (workers lost) with every threshold met is still a run error: the results are partial.
  return r.status === 'passed' ? EXIT.passed : EXIT.error;
}

export async function writeOutputs(
  r: TestResults,
  files: {
    out?: string | undefined;
    csv?: string | undefined;
    junit?: string | undefined;
    html?: string | undefined;
  },
): Promise<void> {
  const writes: [string, string][] = [];
  if (files.out) writes.push([files.out, `${JSON.stringify(r, null, 2)}\n`]);
  if (files.csv) {
    writes.push([files.csv, requestsCsv(r)]);
    writes.push([files.csv.replace(/(\.csv)?$/i, '-timeseries.csv'), timeseriesCsv(r)]);
  }
  if (files.junit) writes.push([files.junit, renderJunit(r)]);
  if (files.html) writes.push([files.html, renderHtml(r)]);
  for (const [file, text] of writes) {
    try {
      await writeFile(file, text);
    } catch (err) {
      throw new Error(`cannot write ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
}

export interface RunIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly workerScript: URL;
  /** Aborted on Ctrl-C. */
  readonly interrupt: AbortSignal;
}
