import { lockDataDir } from '../../lambdas/adapters/local/data-dir-lock';

// A process that competes for a data folder's lock (test/integration/data-dir-lock.test.ts):
// it takes the lock on "go" from stdin, prints `won` or `lost`, holds a won lock until stdin ends.
const dir = process.argv[2] as string;
let taken = false;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  if (taken || !chunk.includes('go')) return;
  taken = true;
  lockDataDir(dir).then(
    (unlock) => {
      process.stdout.write('won\n');
      process.stdin.once('end', () => void unlock().then(() => process.exit(0)));
    },
    (err: unknown) => {
      process.stdout.write(`lost ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(0);
    },
  );
});
process.stdout.write('ready\n');
