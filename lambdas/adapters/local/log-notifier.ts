import type { Log } from '../../ports/log';
import { NoticeError, type Notifier, prepareNotice } from '../../ports/notifier';

/**
 * Local mode's notices: one `notice` line in the server's log, with the subject and message as
 * they would reach the SNS topic on AWS (same cleaning and limits, see `prepareNotice()`).
 */
export function createLogNotifier(log: Log): Notifier {
  return {
    async publish(subject, message) {
      const n = prepareNotice(subject, message);
      try {
        log.info('notice', { ...n });
      } catch (err) {
        throw new NoticeError(
          'E_NOTICE_NOT_SENT',
          `writing the notice to the log failed: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err, details: { destination: 'log' } },
        );
      }
    },
  };
}
