/** Hands CDN paths to the invalidation service (an SQS queue the CloudFront worker drains). */
export interface CdnQueue {
  /** Queues the paths for invalidation; resolves with the message id once accepted. */
  enqueue(paths: readonly string[]): Promise<{ readonly messageId: string }>;
}
