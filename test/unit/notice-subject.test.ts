import { describe, expect, it } from 'vitest';
import {
  NOTICE_MESSAGE_MAX_BYTES,
  NoticeError,
  noticeSubject,
  prepareNotice,
} from '../../lambdas/ports/notifier';

// The Notifier port's notice rules as pure functions; test/contract/notifier.contract.ts checks that
// every adapter delivers what they give.

describe('noticeSubject', () => {
  it('leaves a clean short subject alone', () => {
    expect(noticeSubject('Scaling: cache-shards now 3')).toBe('Scaling: cache-shards now 3');
  });

  it('trims to 100 code points without splitting an emoji', () => {
    const s = noticeSubject(`${'🚀'.repeat(150)}`);
    expect(Array.from(s)).toHaveLength(100);
    expect(s.endsWith('🚀…')).toBe(true);
    expect(s).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('turns control characters into single spaces', () => {
    expect(noticeSubject('  a\n\nb\u0000c\u007f d  ')).toBe('a b c d');
    expect(noticeSubject('\n\t')).toBe('');
  });
});

describe('prepareNotice', () => {
  it('counts the message limit in UTF-8 bytes', () => {
    expect(prepareNotice('s', 'a'.repeat(NOTICE_MESSAGE_MAX_BYTES)).message).toHaveLength(
      NOTICE_MESSAGE_MAX_BYTES,
    );
    expect(() => prepareNotice('s', `${'a'.repeat(NOTICE_MESSAGE_MAX_BYTES - 1)}é`)).toThrow(NoticeError);
  });
});
