import { writeEveryKind } from './data-dir-writer';

// Child process of test/integration/data-dir-files.test.ts, run under strace.
await writeEveryKind(process.argv[2] as string);
