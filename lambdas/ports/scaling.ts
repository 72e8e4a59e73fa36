import type { ScalableTargetRef } from '../model/scaling';

/** Scaling port: Application Auto Scaling on AWS, the local worker pool locally. */

export interface ScalingPolicySummary {
  readonly name: string;
  readonly type: 'TargetTrackingScaling' | 'StepScaling' | 'PredictiveScaling';
  /** Predefined metric type or `namespace/metric` of a customized one. */
  readonly metric?: string;
  readonly targetValue?: number;
  readonly scaleInCooldownSeconds?: number;
  readonly scaleOutCooldownSeconds?: number;
  readonly disableScaleIn?: boolean;
}

export interface ScheduleSpec {
  readonly name: string;
  /** `cron(…)`, `rate(…)` or `at(yyyy-mm-ddThh:mm:ss)`, as Application Auto Scaling takes them. */
  readonly schedule: string;
  readonly timezone?: string;
  readonly min?: number;
  readonly max?: number;
}

export interface ScalingActivity {
  readonly id: string;
  readonly target: string;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly endedAt?: string;
  /** Application Auto Scaling's status codes, plus `NotScaled` for activities that did not scale. */
  readonly status:
    | 'Pending'
    | 'InProgress'
    | 'Successful'
    | 'Overridden'
    | 'Unfulfilled'
    | 'Failed'
    | 'NotScaled';
  readonly cause: string;
  readonly description: string;
  readonly statusMessage?: string;
  /** Why scaling did not happen (IncludeNotScaledActivities), e.g. `AlreadyAtMaxCapacity`. */
  readonly notScaledReasons?: readonly {
    readonly code: string;
    readonly currentCapacity?: number;
    readonly min?: number;
    readonly max?: number;
  }[];
}

export interface ScalableTargetStatus {
  readonly id: string;
  readonly kind: ScalableTargetRef['kind'];
  readonly serviceNamespace?: string;
  readonly resourceId?: string;
  readonly scalableDimension?: string;
  /** Capacity the resource has now; null when the service does not say. */
  readonly current: number | null;
  /** Capacity being moved to; equals current when nothing is in progress. */
  readonly desired: number | null;
  readonly min: number;
  readonly max: number;
  readonly limits: ScalableTargetRef['limits'];
  /** Scaling-in and -out suspended (e.g. while a manual capacity holds). */
  readonly suspended: boolean;
  readonly policies: readonly ScalingPolicySummary[];
  readonly schedules: readonly ScheduleSpec[];
  readonly activitiesInProgress: readonly ScalingActivity[];
  /** What could not be read (the status is still given with what could). */
  readonly warnings?: readonly string[];
}

/** A validated configuration change (core/scaling checks limits before it reaches a backend). */
export interface ScalingConfigChange {
  readonly min?: number;
  readonly max?: number;
  /** Target-tracking target value (same unit as the policy's metric). */
  readonly targetValue?: number;
  readonly scaleInCooldownSeconds?: number;
  readonly scaleOutCooldownSeconds?: number;
  /** Replaces every schedule of the target when given ([] removes them). */
  readonly schedules?: readonly ScheduleSpec[];
}

export interface ScalingBackend {
  readonly source: 'application-autoscaling' | 'local';
  /** Status of every configured target, in the configured order. */
  status(targets: readonly ScalableTargetRef[]): Promise<readonly ScalableTargetStatus[]>;
  /** Applies min/max, policy target and cooldowns, and schedules; returns the new status. */
  configure(target: ScalableTargetRef, change: ScalingConfigChange): Promise<ScalableTargetStatus>;
  /** Sets the capacity now and holds it (min = max = capacity) until the next configure. */
  setCapacity(target: ScalableTargetRef, capacity: number): Promise<ScalableTargetStatus>;
  /** The service's own activities, newest first (with the not-scaled ones). */
  activities(
    target: ScalableTargetRef,
    query: { readonly fromMs?: number; readonly limit: number },
  ): Promise<readonly ScalingActivity[]>;
}

/** What a person did through the API: manual capacity and configuration changes, with their reasons. */
export interface ScalingJournalEntry {
  readonly id: string;
  readonly target: string;
  /** ISO 8601. */
  readonly at: string;
  readonly action: 'manual' | 'config';
  /** Who asked (IAM principal on AWS, `local` locally). */
  readonly actor: string;
  readonly reason?: string;
  /** Manual: the capacity set; config: the change applied. */
  readonly capacity?: number;
  readonly change?: ScalingConfigChange;
  /** min/max/current before the action, so history shows what it replaced. */
  readonly before: { readonly min: number; readonly max: number; readonly current: number | null };
}

export interface ScalingJournal {
  /** Appends one entry (never overwrites one with the same id: ids are unique). */
  record(entry: ScalingJournalEntry): Promise<void>;
  /** Entries newest first, of one target or all, at or after `fromMs`, at most `limit`. */
  list(query: {
    readonly target?: string;
    readonly fromMs?: number;
    readonly limit: number;
  }): Promise<readonly ScalingJournalEntry[]>;
}
