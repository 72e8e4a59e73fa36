import { ThroughlineError } from '../model/errors';

/** Sends an operational notice to the people who run the platform (SNS topic on AWS, the log locally). */
export interface Notifier {
  /**
   * Delivers the notice as `prepareNotice()` makes it: the subject on one line of at most 100 characters,
   * the message whole. Resolves once the destination accepted it; rejects with a NoticeError
   * (`E_NOTICE_TOO_LARGE` before sending anything, `E_NOTICE_NOT_SENT` when the destination refused).
   */
  publish(subject: string, message: string): Promise<void>;
}

/** SNS's limits, which every adapter keeps so that a notice that works locally works on AWS. */
export const NOTICE_SUBJECT_MAX = 100;
export const NOTICE_MESSAGE_MAX_BYTES = 256 * 1024;

export type NoticeErrorCode = 'E_NOTICE_TOO_LARGE' | 'E_NOTICE_NOT_SENT';

export class NoticeError extends ThroughlineError {
  declare readonly code: NoticeErrorCode;
  constructor(
    code: NoticeErrorCode,
    message: string,
    options?: { readonly cause?: unknown; readonly details?: unknown },
  ) {
    super(code, message, options);
    // Spelled out: the Lambda bundles are minified, which renames classes (new.target.name).
    this.name = 'NoticeError';
  }
}

/**
 * The subject as it is delivered: control characters and runs of white space as one space, trimmed,
 * at most 100 characters (code points, so an emoji is never cut in half; a longer subject ends
 * with "…"). SNS rejects a longer one or one with line breaks.
 */
export function noticeSubject(subject: string): string {
  const line = subject
    .replace(/\p{Cc}/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = Array.from(line);
  return chars.length <= NOTICE_SUBJECT_MAX ? line : `${chars.slice(0, NOTICE_SUBJECT_MAX - 1).join('')}…`;
}

export interface OutgoingNotice {
  /** Absent when nothing is left of it once made one line. */
  readonly subject?: string;
  readonly message: string;
}

/**
 * What an adapter delivers for `publish(subject, message)`. An empty message becomes the subject
 * (SNS rejects an empty one), or "(empty notice)". Throws NoticeError `E_NOTICE_TOO_LARGE` for a
 * message over 256 KiB in UTF-8: SNS would refuse it, so every adapter does.
 */
export function prepareNotice(subject: string, message: string): OutgoingNotice {
  const clean = noticeSubject(subject);
  const bytes = new TextEncoder().encode(message).length;
  if (bytes > NOTICE_MESSAGE_MAX_BYTES)
    throw new NoticeError(
      'E_NOTICE_TOO_LARGE',
      `the notice "${clean}" is ${bytes} bytes of UTF-8; notices take at most ${NOTICE_MESSAGE_MAX_BYTES}`,
      { details: { bytes, maxBytes: NOTICE_MESSAGE_MAX_BYTES } },
    );
  return {
    ...(clean ? { subject: clean } : {}),
    message: message === '' ? clean || '(empty notice)' : message,
  };
}
