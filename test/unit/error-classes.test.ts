import { describe, expect, it } from 'vitest';
import { CloudFrontInvalidationError } from '../../lambdas/adapters/aws/cloudfront-invalidator';
import { ScalingJournalError } from '../../lambdas/adapters/aws/dynamo-scaling-journal';
import { WebhookSecretError } from '../../lambdas/adapters/aws/webhook-secret';
import { WebhookError } from '../../lambdas/adapters/node/webhook-poster';
import { NotifierError } from '../../lambdas/composition/notifier';
import { UnsendableRequestError } from '../../lambdas/core/load/request';
import { hasCode, ThroughlineError } from '../../lambdas/model/errors';

// Every module's errors extend the one base (DESIGN.md §6.4): a stable code, the message as
// given, the cause kept, and a name that survives minified bundles.

const cause = new Error('underlying');
const cases: readonly [string, Error, string][] = [
  ['NotifierError', new NotifierError('2 of 3 notifications failed'), 'E_NOTIFY_FAILED'],
  ['WebhookError', new WebhookError('E_WEBHOOK_REJECTED', 'webhook refused', 404), 'E_WEBHOOK_REJECTED'],
  ['WebhookSecretError', new WebhookSecretError('no URL yet', { cause }), 'E_WEBHOOK_SECRET'],
  [
    'ScalingJournalError',
    new ScalingJournalError('E_DUPLICATE_JOURNAL_ID', 'entry exists', { cause }),
    'E_DUPLICATE_JOURNAL_ID',
  ],
  ['CloudFrontInvalidationError', new CloudFrontInvalidationError('failed', { cause }), 'E_CDN_INVALIDATION'],
  [
    'UnsendableRequestError',
    new UnsendableRequestError('header X-A must not contain control characters'),
    'E_UNSENDABLE_REQUEST',
  ],
];

describe('error classes', () => {
  it.each(cases)('%s extends ThroughlineError with its code', (name, err, code) => {
    expect(err).toBeInstanceOf(ThroughlineError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe(name);
    expect(hasCode(err, code)).toBe(true);
    expect(err.message.length).toBeGreaterThan(0);
  });

  it('keeps the cause where there is one, and the webhook status as a property and detail', () => {
    expect(new WebhookSecretError('x', { cause }).cause).toBe(cause);
    expect(new ScalingJournalError('E_DUPLICATE_JOURNAL_ID', 'x', { cause }).cause).toBe(cause);
    expect(new CloudFrontInvalidationError('x', { cause }).cause).toBe(cause);
    const webhook = new WebhookError('E_WEBHOOK_FAILED', 'x', 503);
    expect(webhook).toMatchObject({ status: 503, details: { status: 503 } });
    expect(webhook.cause).toBeUndefined();
    expect(new WebhookError('E_WEBHOOK_URL', 'x').details).toBeUndefined();
  });
});
