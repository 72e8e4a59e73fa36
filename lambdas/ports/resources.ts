/** Samples this process's resource use while a worker runs (CPU, memory, event-loop delay). */
export interface ResourceSampler {
  /** Starts sampling once a second; the returned function stops it and gives the summary. */
  start(): () => ResourceSummary;
}

export interface ResourceSummary {
  readonly cpuPercentMax: number;
  readonly cpuPercentMean: number;
  readonly rssMbMax: number;
  readonly eventLoopDelayP99Ms: number;
}
