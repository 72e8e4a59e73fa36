/** Alarm states: CloudWatch alarms of this deployment on AWS; local rules over the process locally. */

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmState {
  readonly name: string;
  readonly type: 'metric' | 'composite' | 'anomaly';
  readonly state: AlarmStateValue;
  readonly reason: string;
  /** ISO 8601 (UTC, `toISOString()`) time of the last state change; never in the future. */
  readonly updatedAt: string;
  readonly description?: string;
  /** `namespace/metric` (or the local metric) of a metric alarm. */
  readonly metric?: string;
  readonly threshold?: number;
  readonly comparison?: string;
  /** Whether the alarm notifies (actions enabled). */
  readonly actionsEnabled: boolean;
}

export interface AlarmReader {
  readonly source: 'cloudwatch' | 'local';
  /**
   * Every alarm of this deployment and no other (paginated underneath), each once, sorted by name
   * (code-unit order); with `state`, exactly those in that state. Callers that show the list put
   * `ALARM` first themselves (GET /performance/alarms does).
   */
  list(query: { readonly state?: AlarmStateValue }): Promise<readonly AlarmState[]>;
}
