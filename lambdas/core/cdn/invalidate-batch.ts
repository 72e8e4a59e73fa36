import {
  type InvalidationCall,
  type InvalidationPlan,
  type InvalidationRequest,
  type PathKind,
  type PlanOptions,
  planInvalidations,
} from './invalidation-plan';

/** What the CDN port answers to one call. */
export type InvalidationResult =
  | { readonly status: 'created'; readonly id: string }
  /** CloudFront's TooManyInvalidationsInProgress: nothing was created. */
  | { readonly status: 'throttled'; readonly message: string };

/** The CDN (CloudFront CreateInvalidation); the adapter maps the SDK's errors to these results. */
export interface CdnInvalidator {
  /**
   * Invalidates `paths` at once. `requestIds` identify the requests served: the same paths for the
   * same requests are one invalidation however often they are sent (a redelivered batch).
   * Rejects on anything but success or throttling.
   */
  invalidate(paths: readonly string[], requestIds: readonly string[]): Promise<InvalidationResult>;
}

export interface InvalidationOutcome {
  /** Invalidations created, in the order they were sent. */
  readonly created: readonly { readonly id: string; readonly call: InvalidationCall }[];
  /** Ids of the requests to deliver again (SQS batch item failures), in arrival order. */
  readonly failed: readonly string[];
  readonly rejected: InvalidationPlan['rejected'];
  /** The kinds CloudFront refused because too many invalidations were in progress. */
  readonly throttled: readonly PathKind[];
  /** Calls that failed otherwise (permissions, a missing distribution, the network). */
  readonly errors: readonly { readonly call: InvalidationCall; readonly error: unknown }[];
}

/** Plans a batch and sends it; which requests must be delivered again is in `failed`. */
export async function invalidateBatch(
  requests: readonly InvalidationRequest[],
  cdn: CdnInvalidator,
  options: PlanOptions = {},
): Promise<InvalidationOutcome> {
  const plan = planInvalidations(requests, options);
  const created: { id: string; call: InvalidationCall }[] = [];
  const throttled: PathKind[] = [];
  const errors: { call: InvalidationCall; error: unknown }[] = [];
  const unsent = new Set<string>(plan.deferred);
  for (const call of plan.calls) {
    if (throttled.includes(call.kind)) {
      for (const id of call.requestIds) unsent.add(id);
      continue;
    }
    try {
      const result = await cdn.invalidate(call.paths, call.requestIds);
      if (result.status === 'created') created.push({ id: result.id, call });
      else {
        throttled.push(call.kind);
        for (const id of call.requestIds) unsent.add(id);
      }
    } catch (error) {
      errors.push({ call, error });
      for (const id of call.requestIds) unsent.add(id);
    }
  }
  for (const { id } of plan.rejected) unsent.add(id);
  return {
    created,
    failed: requests.map((r) => r.id).filter((id) => unsent.has(id)),
    rejected: plan.rejected,
    throttled,
    errors,
  };
}
