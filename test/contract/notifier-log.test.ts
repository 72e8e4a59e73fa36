import { createLogNotifier } from '../../lambdas/adapters/local/log-notifier';
import type { Log } from '../../lambdas/ports/log';
import { type DeliveredNotice, notifierContract } from './notifier.contract';

// The local notifier writes to the Log port; the destination here is a Log that keeps its lines
// (what `npm start` prints them with is the entry point's business, not the adapter's). The
// refusing one throws as a log over a closed stream would.

notifierContract('log (local)', async () => {
  const lines: { readonly message: string; readonly data?: Record<string, unknown> }[] = [];
  let read = 0;
  const log: Log = {
    info: (message, data) => lines.push({ message, ...(data ? { data } : {}) }),
    error: (message, data) => lines.push({ message, ...(data ? { data } : {}) }),
  };
  const closed: Log = {
    info: () => {
      throw new Error('write after end');
    },
    error: () => {
      throw new Error('write after end');
    },
  };
  return {
    notifier: createLogNotifier(log),
    refusing: createLogNotifier(closed),
    refusingDestination: 'log',
    async delivered() {
      const fresh = lines.slice(read);
      read = lines.length;
      return fresh.map((line): DeliveredNotice => {
        if (line.message !== 'notice') throw new Error(`not a notice line: ${line.message}`);
        const { subject, message, ...rest } = line.data ?? {};
        if (Object.keys(rest).length > 0)
          throw new Error(`unexpected fields ${Object.keys(rest).join(', ')}`);
        return { ...(typeof subject === 'string' ? { subject } : {}), message: String(message) };
      });
    },
    cleanup: async () => {},
  };
});
