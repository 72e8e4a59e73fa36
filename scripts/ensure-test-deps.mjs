// Installs what the tests need and a fresh machine lacks: Debian's Chromium for the HTML report test.
// Runs before every `npm test`; does nothing when everything is present.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const needs = [{ bin: '/usr/bin/chromium', pkg: 'chromium' }].filter((n) => !existsSync(n.bin));
if (needs.length === 0) process.exit(0);

const pkgs = needs.map((n) => n.pkg);
const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
console.log(`installing ${pkgs.join(', ')} with apt-get (needed by the tests)…`);
const run = (args) =>
  execFileSync(sudo[0] ?? args[0], sudo.length ? [...sudo.slice(1), ...args] : args.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
try {
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...pkgs]);
  const still = needs.filter((n) => !existsSync(n.bin)).map((n) => n.bin);
  if (still.length > 0) throw new Error(`still missing after install: ${still.join(', ')}`);
} catch (err) {
  console.error(
    `could not install ${pkgs.join(', ')}: ${err.message}\nInstall them yourself (apt-get install ${pkgs.join(' ')}) and run npm test again.`,
  );
  process.exit(1);
}
