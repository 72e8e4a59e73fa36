import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cliConfig } from '../../config/cli';
import { localConfig } from '../../config/local';
import { PRESET_NAMES, presetDescription } from '../../core/load/presets';
import { parseDuration } from '../../model/duration';
import { startDemoTarget } from '../local/demo-target';
import { startLocalServer } from '../local/server';
import { cacheCommand } from './cache-command';
import { capacityCommand } from './capacity-command';
import { demoDefinition } from './demo';
import { describeError, RUN_USAGE, runCommand } from './run-command';
import { EXIT, UsageError } from './run-io';

/** `throughline` CLI entry: translates argv, signals and exit codes; the work is in the use cases. */

const USAGE = `throughline — exact load testing

Commands:
  serve                    the performance API on http://127.0.0.1:8787 (local mode) and a demo target
  run <test.json|yaml>     run a test locally with live progress (throughline run --help)
  target [--port 8080]     serve the bundled demo API on loopback (--stall-every 5s --stall-for 1s --delay 0)
  demo                     start the demo API and run a short checkout test against it
  presets                  list the presets
  cache simulate           replay a key trace through the cache eviction policies (throughline cache --help)
  capacity <results.json>  a stepped run's plateaus, USL fit and max sustainable throughput
  capacity fit --points f  fit the Universal Scalability Law to N,X points (throughline capacity --help)

${RUN_USAGE}`;

const workerScript = new URL('./worker.mjs', import.meta.url);

function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  let count = 0;
  process.on('SIGINT', () => {
    count++;
    if (count === 1) {
      process.stderr.write('\nstopping: finishing the results (Ctrl-C again to quit at once)\n');
      controller.abort();
    } else process.exit(EXIT.interrupted);
  });
  process.on('SIGTERM', () => controller.abort());
  return controller.signal;
}

async function targetCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      'stall-every': { type: 'string', default: '0' },
      'stall-for': { type: 'string', default: '0' },
      delay: { type: 'string', default: '0' },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`--port: ${values.port} is not a port`);
  const ms = (flag: 'stall-every' | 'stall-for' | 'delay') => {
    const v = parseDuration(values[flag]);
    if (v === undefined) throw new UsageError(`--${flag}: ${JSON.stringify(values[flag])} is not a duration`);
    return v;
  };
  const { server, url } = await startDemoTarget({
    port,
    host: values.host,
    stallEveryMs: ms('stall-every'),
    stallForMs: ms('stall-for'),
    delayMs: ms('delay'),
  });
  process.stdout.write(`demo target listening on ${url}\n`);
  await new Promise<void>((resolve) => {
    const close = () => server.close(() => resolve());
    process.once('SIGINT', close);
    process.once('SIGTERM', close);
  });
  server.closeAllConnections();
  return EXIT.passed;
}

const localLog = {
  info: (message: string, data?: Record<string, unknown>) =>
    process.stderr.write(`throughline: ${message}${data ? ` ${JSON.stringify(data)}` : ''}\n`),
  error: (message: string, data?: Record<string, unknown>) =>
    process.stderr.write(`throughline: error: ${message}${data ? ` ${JSON.stringify(data)}` : ''}\n`),
};

/** `throughline serve` (npm start): the API in local mode, plus the demo target to try it on. */
async function serveCommand(): Promise<number> {
  const config = localConfig();
  const api = await startLocalServer(config, workerScript, localLog);
  let target: Awaited<ReturnType<typeof startDemoTarget>> | undefined;
  if (config.demoTargetPort > 0)
    target = await startDemoTarget({
      port: config.demoTargetPort,
      host: '127.0.0.1',
      stallEveryMs: 0,
      stallForMs: 0,
      delayMs: 5,
    }).catch((err: Error) => {
      localLog.error(
        `demo target not started on port ${config.demoTargetPort}: ${err.message} (set DEMO_TARGET_PORT)`,
      );
      return undefined;
    });
  const targetUrl = target?.url ?? 'http://127.0.0.1:8080/';
  process.stdout.write(
    [
      `Throughline API (local mode) on ${api.url}/performance — OpenAPI at ${api.url}/performance/openapi.json`,
      `data in ${config.dataDir}${target ? `; demo target on ${target.url}` : ''}`,
      'Start a test:',
      `  curl -s -X POST ${api.url}/performance/tests -H 'content-type: application/json' \\`,
      `    -d '{"preset":"smoke","target":"${targetUrl}","duration":"10s"}'`,
      `Watch this process and machine: curl -s '${api.url}/performance/metrics/cpu?start=-5m'`,
      `Scale the worker pool: curl -s ${api.url}/performance/scaling/status`,
      'Ctrl-C stops the server (running tests end as interrupted, with their results).',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stderr.write('stopping: saving running tests\n');
  target?.server.close();
  target?.server.closeAllConnections();
  await api.close();
  return EXIT.passed;
}

async function demoCommand(interrupt: AbortSignal): Promise<number> {
  const { server, url } = await startDemoTarget({
    port: 0,
    host: '127.0.0.1',
    stallEveryMs: 0,
    stallForMs: 0,
    delayMs: 2,
  });
  const dir = join(cliConfig().dataDir, 'demo');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'checkout.json');
  await writeFile(file, JSON.stringify(demoDefinition(url), null, 2));
  process.stderr.write(`demo target on ${url}; running ${file}\n`);
  const outputs = [
    '--out',
    'results.json',
    '--html',
    'report.html',
    '--csv',
    'results.csv',
    '--junit',
    'junit.xml',
  ];
  const code = await runCommand(
    [file, '--workers', '2', ...outputs.map((o, i) => (i % 2 ? join(dir, o) : o))],
    { stdout: process.stdout, stderr: process.stderr, workerScript, interrupt },
  );
  server.close();
  process.stdout.write(
    `reports: ${join(dir, 'report.html')} (open in a browser), ${join(dir, 'results.json')}\n`,
  );
  return code;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest, {
        stdout: process.stdout,
        stderr: process.stderr,
        workerScript,
        interrupt: interruptSignal(),
      });
    case 'target':
      return targetCommand(rest);
    case 'serve':
      return serveCommand();
    case 'demo':
      return demoCommand(interruptSignal());
    case 'cache':
      return cacheCommand(rest, process.stdout);
    case 'capacity':
      return capacityCommand(rest, process.stdout);
    case 'presets':
      for (const p of PRESET_NAMES) process.stdout.write(`${p.padEnd(20)} ${presetDescription(p)}\n`);
      return EXIT.passed;
    case '--version':
    case 'version':
      process.stdout.write('throughline 0.1.0\n');
      return EXIT.passed;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? EXIT.error : EXIT.passed;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`throughline: ${describeError(err)}\n`);
    process.exit(EXIT.error);
  },
);
