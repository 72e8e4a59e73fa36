import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasCode, ThroughlineError } from '../../lambdas/model/errors';
import { NOTICE_MESSAGE_MAX_BYTES, NOTICE_SUBJECT_MAX, type Notifier } from '../../lambdas/ports/notifier';

/**
 * The Notifier contract (DESIGN.md §6.2): what reaches the people on call is the same whether the
 * notice went to the SNS topic or to the local log. Each test gets a fresh destination from `make()`.
 */

export interface DeliveredNotice {
  readonly subject?: string;
  readonly message: string;
}

export interface NotifierFixture {
  readonly notifier: Notifier;
  /** A notifier of the same adapter whose destination refuses every notice. */
  readonly refusing: Notifier;
  /** What the refusing notifier's error must name so an operator knows where to look. */
  readonly refusingDestination: string;
  /**
   * The notices that reached the destination since the last call, as the destination holds them
   * (in any order: an SNS topic's queue need not keep it); waits, boundedly, until `atLeast` arrived.
   */
  delivered(atLeast: number): Promise<readonly DeliveredNotice[]>;
  cleanup(): Promise<void>;
}

const codePoints = (s: string | undefined) => Array.from(s ?? '').length;
/** By message, since destinations need not keep the order notices were published in. */
const sorted = (notices: readonly DeliveredNotice[]) =>
  [...notices].sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));

export function notifierContract(name: string, make: () => Promise<NotifierFixture>): void {
  describe(`Notifier contract: ${name}`, () => {
    let f: NotifierFixture;
    beforeEach(async () => {
      f = await make();
    });
    afterEach(async () => {
      await f?.cleanup();
    });

    it('delivers subject and message as given, and resolves once the notice is accepted', async () => {
      const message =
        'local-workers set to 12 by ops (was 4, range 1–64).\nReason: launch day 🚀\n\ttabs stay';
      await expect(f.notifier.publish('Throughline: local-workers set to 12 by hand', message)).resolves.toBe(
        undefined,
      );
      expect(await f.delivered(1)).toEqual([
        { subject: 'Throughline: local-workers set to 12 by hand', message },
      ]);
    });

    it('delivers each publish once', async () => {
      for (const n of [1, 2, 3]) await f.notifier.publish(`notice ${n}`, `body ${n}`);
      expect(sorted(await f.delivered(3))).toEqual(
        [1, 2, 3].map((n) => ({ subject: `notice ${n}`, message: `body ${n}` })),
      );
      expect(await f.delivered(0)).toEqual([]);
    });

    it('delivers a long message whole', async () => {
      const line = 'p99 latency 812 ms > 500 ms — ünïcödé, "quotes", <angle> & {braces}\n';
      const message = line.repeat(Math.ceil(48_000 / line.length));
      await f.notifier.publish('long', message);
      const [got] = await f.delivered(1);
      expect(got?.message).toBe(message);
    });

    it('keeps a 100-character subject and cuts a longer one to 100, ending with …', async () => {
      const exact = 'x'.repeat(NOTICE_SUBJECT_MAX);
      await f.notifier.publish(exact, 'a');
      await f.notifier.publish('y'.repeat(NOTICE_SUBJECT_MAX + 50), 'b');
      // By code point: an emoji (two UTF-16 units) is never cut in half.
      await f.notifier.publish('🚀'.repeat(NOTICE_SUBJECT_MAX + 1), 'c');
      const [a, b, c] = sorted(await f.delivered(3));
      expect(a).toEqual({ subject: exact, message: 'a' });
      expect(b).toEqual({ subject: `${'y'.repeat(NOTICE_SUBJECT_MAX - 1)}…`, message: 'b' });
      expect(codePoints(c?.subject)).toBe(NOTICE_SUBJECT_MAX);
      expect(c?.subject).toBe(`${'🚀'.repeat(NOTICE_SUBJECT_MAX - 1)}…`);
    });

    it('makes a subject one line: control characters and runs of white space become one space', async () => {
      await f.notifier.publish('  Alarm\r\nfired:\t\tapi-5xx\u0007 ', 'body');
      expect(await f.delivered(1)).toEqual([{ subject: 'Alarm fired: api-5xx', message: 'body' }]);
    });

    it('leaves out a subject that is blank once made one line', async () => {
      await f.notifier.publish('\n\t ', 'only a body');
      expect(await f.delivered(1)).toEqual([{ message: 'only a body' }]);
    });

    it('sends the subject as the message when the message is empty', async () => {
      await f.notifier.publish('Throughline: cache-shards set to 3 by hand', '');
      await f.notifier.publish('', '');
      expect(sorted(await f.delivered(2))).toEqual([
        { message: '(empty notice)' },
        {
          subject: 'Throughline: cache-shards set to 3 by hand',
          message: 'Throughline: cache-shards set to 3 by hand',
        },
      ]);
    });

    it('refuses a message over 256 KiB of UTF-8 with E_NOTICE_TOO_LARGE and sends nothing', async () => {
      // Under the limit in characters, over it in bytes: the limit is SNS's, in UTF-8 bytes.
      const message = 'é'.repeat(NOTICE_MESSAGE_MAX_BYTES / 2 + 1);
      const err = await f.notifier.publish('too big', message).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ThroughlineError);
      expect(hasCode(err, 'E_NOTICE_TOO_LARGE')).toBe(true);
      expect((err as Error).message).toContain(String(NOTICE_MESSAGE_MAX_BYTES));
      await f.notifier.publish('after', 'still works');
      expect(await f.delivered(1)).toEqual([{ subject: 'after', message: 'still works' }]);
    });

    it('rejects with E_NOTICE_NOT_SENT naming the destination, cause kept, when it refuses', async () => {
      const err = await f.refusing.publish('lost', 'never delivered').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ThroughlineError);
      expect(hasCode(err, 'E_NOTICE_NOT_SENT')).toBe(true);
      expect((err as Error).message).toContain(f.refusingDestination);
      expect((err as Error).cause).toBeInstanceOf(Error);
      expect(await f.delivered(0)).toEqual([]);
    });
  });
}
