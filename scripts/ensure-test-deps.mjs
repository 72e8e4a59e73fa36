// Installs what the tests need and a fresh machine lacks: Debian's Chromium (HTML report test),
// redis-server and redis-tools (the cache's L3 tier and its benchmark peer), strace (the data folder's
// durability test) and,
// in .venv, moto's server (AWS APIs), cfn-lint (CloudFormation checks) and schemathesis (API fuzzing), and in .venv/checkov,
// checkov (the second IaC scanner). Runs before every `npm test`; does nothing when everything is
// present.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const PY_TOOLS = ['moto[server]==5.2.5', 'cfn-lint==1.58.0'];
const venv = join(root, '.venv');
const venvBins = ['moto_server', 'cfn-lint'].map((b) => join(venv, 'bin', b));
// checkov gets a venv of its own: pip check finds no conflict, but checkov pins boto3/botocore a
// year behind the ones moto is resolved with here (1.35 against 1.44), and moto serves the APIs of
// the botocore it runs on, so sharing one venv would quietly age moto's AWS.
const CHECKOV = 'checkov==3.3.30';
const checkovVenv = join(venv, 'checkov');
const checkovBin = join(checkovVenv, 'bin', 'checkov');

const run = (cmd, args, env = {}) =>
  execFileSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });

const pipInstall = (dir, tools) => {
  if (!existsSync(join(dir, 'bin', 'pip'))) run('python3', ['-m', 'venv', dir]);
  run(join(dir, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...tools]);
};

function fail(what, err, hint) {
  console.error(`could not install ${what}: ${err.message}\n${hint}`);
  process.exit(1);
}

const works = (cmd, args) => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const debs = [
  { pkg: 'chromium', present: () => existsSync('/usr/bin/chromium') },
  // ElastiCache stands in as redis-server (standalone and cluster); redis-tools brings redis-benchmark.
  { pkg: 'redis-server', present: () => existsSync('/usr/bin/redis-server') },
  { pkg: 'redis-tools', present: () => existsSync('/usr/bin/redis-benchmark') },
  // The local stores' durability test watches the fsync/rename system calls of real writes.
  { pkg: 'strace', present: () => existsSync('/usr/bin/strace') },
  // Debian splits venv/ensurepip out of python3.
  {
    pkg: 'python3-venv',
    present: () => existsSync(venv) || works('python3', ['-c', 'import ensurepip, venv']),
  },
].filter((n) => !n.present());
if (debs.length > 0) {
  const pkgs = debs.map((n) => n.pkg);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const apt = (args, env) =>
    sudo.length ? run(sudo[0], [...sudo.slice(1), ...args], env) : run(args[0], args.slice(1), env);
  console.log(`installing ${pkgs.join(', ')} with apt-get (needed by the tests)…`);
  try {
    apt(['apt-get', 'update', '-qq']);
    apt(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
      DEBIAN_FRONTEND: 'noninteractive',
    });
  } catch (err) {
    fail(
      pkgs.join(', '),
      err,
      `Install them yourself (apt-get install ${pkgs.join(' ')}) and run npm test again.`,
    );
  }
}

if (!venvBins.every((b) => existsSync(b))) {
  console.log(`installing ${PY_TOOLS.join(', ')} into .venv (needed by the tests)…`);
  try {
    pipInstall(venv, PY_TOOLS);
  } catch (err) {
    fail(
      PY_TOOLS.join(', '),
      err,
      `Create it yourself: python3 -m venv .venv && .venv/bin/pip install ${PY_TOOLS.map((t) => `'${t}'`).join(' ')}`,
    );
  }
  const still = venvBins.filter((b) => !existsSync(b));
  if (still.length > 0) fail('the Python tools', new Error(`still missing: ${still.join(', ')}`), '');
}

if (!existsSync(checkovBin)) {
  console.log(`installing ${CHECKOV} into .venv/checkov (needed by the tests)…`);
  try {
    pipInstall(checkovVenv, [CHECKOV]);
  } catch (err) {
    fail(
      CHECKOV,
      err,
      `Create it yourself: python3 -m venv .venv/checkov && .venv/checkov/bin/pip install '${CHECKOV}'`,
    );
  }
  if (!existsSync(checkovBin)) fail(CHECKOV, new Error(`still missing: ${checkovBin}`), '');
}

// schemathesis fuzzes the API from its own OpenAPI document (test/integration/api-fuzz.test.ts).
// A list of its own, installed after the tools above: it only adds packages beside them (`pip check`
// passes with moto[server] and cfn-lint), so it shares their venv.
const FUZZ_TOOLS = ['schemathesis==4.32.5'];
const fuzzBin = join(venv, 'bin', 'schemathesis');
if (!existsSync(fuzzBin)) {
  console.log(`installing ${FUZZ_TOOLS.join(', ')} into .venv (needed by the API fuzz test)…`);
  try {
    pipInstall(venv, FUZZ_TOOLS);
  } catch (err) {
    fail(
      FUZZ_TOOLS.join(', '),
      err,
      `Install it yourself: .venv/bin/pip install '${FUZZ_TOOLS.join("' '")}'`,
    );
  }
  if (!existsSync(fuzzBin)) fail('schemathesis', new Error(`still missing: ${fuzzBin}`), '');
}
