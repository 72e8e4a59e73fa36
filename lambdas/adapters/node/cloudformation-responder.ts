import { setTimeout as delay } from 'node:timers/promises';
import { ThroughlineError } from '../../model/errors';
import type { CustomResourceResponder } from '../../ports/custom-resource-responder';

/**
 * The response to CloudFormation: a PUT of the JSON body to the request's pre-signed S3 URL, with an
 * empty Content-Type (the URL is signed without one). Network errors and 5xx answers are tried
 * again, with doubling pauses; a 4xx is final (an expired or altered URL does not get better).
 */

export class CustomResourceResponseError extends ThroughlineError {
  constructor(message: string, cause?: unknown) {
    super('E_CFN_RESPONSE', message, cause === undefined ? undefined : { cause });
    this.name = 'CustomResourceResponseError';
  }
}

export interface CloudFormationResponderOptions {
  /** Tries in all. @default 3 */
  readonly attempts?: number;
  /** Pause before the second try, doubled before each further one. @default 1000 */
  readonly retryDelayMs?: number;
  /** How long one try may take. @default 10000 */
  readonly timeoutMs?: number;
}

/** The URL without its query (the pre-signed credentials), for messages. */
const where = (url: string) => (URL.canParse(url) ? `${new URL(url).origin}${new URL(url).pathname}` : url);

export function createCloudFormationResponder(
  options: CloudFormationResponderOptions = {},
): CustomResourceResponder {
  const attempts = options.attempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async send(responseUrl, response) {
      const body = JSON.stringify(response);
      let last = '';
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (attempt > 1) await delay(retryDelayMs * 2 ** (attempt - 2));
        try {
          const res = await fetch(responseUrl, {
            method: 'PUT',
            body,
            headers: { 'content-type': '' },
            signal: AbortSignal.timeout(timeoutMs),
          });
          await res.arrayBuffer();
          if (res.ok) return;
          last = `HTTP ${res.status}`;
          if (res.status < 500)
            throw new CustomResourceResponseError(
              `CloudFormation did not take the response at ${where(responseUrl)}: ${last}`,
            );
        } catch (err) {
          if (err instanceof CustomResourceResponseError) throw err;
          last = err instanceof Error ? err.message : String(err);
        }
      }
      throw new CustomResourceResponseError(
        `CloudFormation did not take the response at ${where(responseUrl)} after ${attempts} tries: ${last}`,
      );
    },
  };
}
