import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { runLocally } from '../../composition/local';
import { PRESET_NAMES, type PresetName, presetDefinition } from '../../core/load/presets';
import { parseTestDefinition } from '../../core/load/validate';
import { InvalidDefinitionError } from '../../model/definition';
import { parseDuration } from '../../model/duration';
import { createProgress } from './progress';
import { remoteRun } from './remote-run';
import { EXIT, exitCode, loadInput, type RunIo, UsageError, writeOutputs } from './run-io';
import { renderSummary } from './summary';

export const RUN_USAGE = `Usage: throughline run <test.json|test.yaml> [options]
       throughline run --preset <name> --target <url> [options]
       throughline run --api <url> <test.json|test.yaml> [--wait] [options]

Options:
  --out <file>        results JSON
  --csv <file>        per-request CSV (and <file>-timeseries.csv per second)
  --junit <file>      JUnit XML, one test case per threshold
  --html <file>       self-contained HTML report
  --workers <n>       spread the test over n worker threads (default 1)
  --quiet             no progress display and no summary
  --preset <name>     ${PRESET_NAMES.join(', ')}
  --target <url>      the URL a preset loads
  --vus <n>           preset peak VUs
  --duration <d>      preset total duration ("90s", "10m")
  --rate <n>          step preset base arrival rate per second

Through a deployed performance API (e.g. from CI):
  --api <url>         start the test there (the API root, e.g. https://{id}.execute-api.{region}.amazonaws.com/v1);
                      requests are SigV4-signed with the standard AWS credential chain
  --wait              follow it with live progress (Ctrl-C cancels it), then write the outputs here;
                      without --wait: print the test id and URL and exit 0
  --region <region>   signing region (default: from an execute-api host, else AWS_REGION)
  --idempotency-key <key>  sent with the start request (default: a random UUID)

Exit codes: 0 passed, 99 thresholds failed, 1 invalid input or run error, 130 interrupted.`;

const OPTIONS = {
  out: { type: 'string' },
  csv: { type: 'string' },
  junit: { type: 'string' },
  html: { type: 'string' },
  workers: { type: 'string' },
  quiet: { type: 'boolean' },
  preset: { type: 'string' },
  target: { type: 'string' },
  vus: { type: 'string' },
  duration: { type: 'string' },
  rate: { type: 'string' },
  api: { type: 'string' },
  wait: { type: 'boolean' },
  region: { type: 'string' },
  'idempotency-key': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function positiveInt(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new UsageError(`--${flag}: ${JSON.stringify(value)} is not a whole number from 1 to ${max}`);
  return n;
}

/** `throughline run`: parse → run the test locally → write the outputs; returns the exit code. */
export async function runCommand(argv: readonly string[], io: RunIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout.write(`${RUN_USAGE}\n`);
    return EXIT.passed;
  }
  const problems: string[] = [];
  if (values.api !== undefined) {
    if (values.workers !== undefined)
      throw new UsageError('--workers does not apply with --api: the deployed platform plans the workers');
    if (positionals.length > 1)
      throw new UsageError(`give exactly one test file (or --preset)\n\n${RUN_USAGE}`);
    return remoteRun({ ...values, api: values.api, file: positionals[0] }, io);
  }
  for (const flag of ['wait', 'region', 'idempotency-key'] as const)
    if (values[flag] !== undefined) problems.push(`--${flag} only applies with --api`);
  const workers = positiveInt('workers', values.workers, Math.max(64, availableParallelism() * 8)) ?? 1;
  let input: unknown;
  if (values.preset !== undefined) {
    if (positionals.length > 0) problems.push('give either a test file or --preset, not both');
    if (!(PRESET_NAMES as readonly string[]).includes(values.preset))
      problems.push(`--preset: ${JSON.stringify(values.preset)} is not one of ${PRESET_NAMES.join(', ')}`);
    if (values.target === undefined) problems.push('--preset needs --target <url>');
    const durationMs = values.duration === undefined ? undefined : parseDuration(values.duration);
    if (values.duration !== undefined && !durationMs)
      problems.push(`--duration: ${JSON.stringify(values.duration)} is not a duration`);
    if (problems.length > 0) throw new UsageError(problems.join('\n'));
    input = presetDefinition(values.preset as PresetName, {
      target: values.target as string,
      ...(values.vus === undefined ? {} : { vus: positiveInt('vus', values.vus, 1_000_000) as number }),
      ...(durationMs === undefined ? {} : { durationMs }),
      ...(values.rate === undefined ? {} : { rate: positiveInt('rate', values.rate, 10_000_000) as number }),
    });
  } else {
    for (const flag of ['target', 'vus', 'duration', 'rate'] as const)
      if (values[flag] !== undefined) problems.push(`--${flag} only applies with --preset`);
    if (positionals.length !== 1) problems.push('give exactly one test file (or --preset)');
    if (problems.length > 0) throw new UsageError(`${problems.join('\n')}\n\n${RUN_USAGE}`);
    input = await loadInput(positionals[0] as string);
  }
  const test = parseTestDefinition(input);

  const progress = createProgress(io.stderr, values.quiet === true);
  const results = await runLocally(io.workerScript, workers, {
    input,
    test,
    interrupt: io.interrupt,
    onLive: (live) => progress.update(live),
  });
  progress.done();
  await writeOutputs(results, values);
  if (!values.quiet) io.stdout.write(renderSummary(results));
  return exitCode(results);
}

export function describeError(err: unknown): string {
  if (err instanceof InvalidDefinitionError) return err.message;
  if (err instanceof UsageError) return err.message;
  if (err instanceof Error && 'code' in err && err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return `${err.message}\n\n${RUN_USAGE}`;
  return err instanceof Error ? err.message : String(err);
}
