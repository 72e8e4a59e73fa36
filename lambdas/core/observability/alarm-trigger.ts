/**
 * The condition of a CloudWatch metric alarm, from the `Trigger` of its SNS message, in words:
 * "p95 Latency > 500 ms for 3 of 3 periods of 60 s". Single metrics, metric math and anomaly
 * bands (ThresholdMetricId) are all read; a field that is missing or malformed is left out.
 */

export interface NoticeMetric {
  readonly namespace?: string;
  /** Metric name, or the label of a metric-math expression. */
  readonly name?: string;
  readonly statistic?: string;
  readonly expression?: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly periodSeconds?: number;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
}

export interface NoticeThreshold {
  /** CloudWatch's ComparisonOperator, e.g. `GreaterThanThreshold`. */
  readonly comparison: string;
  /** Absent for anomaly-detection alarms, which compare against `band`. */
  readonly value?: number;
  readonly band?: string;
  readonly unit?: string;
}

export interface MetricCondition {
  /** In words, e.g. "p95 Latency > 500 ms for 3 of 3 periods of 60 s". */
  readonly summary: string;
  readonly metric: NoticeMetric;
  readonly threshold: NoticeThreshold;
}

export type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (o: Json, key: string): string | undefined => {
  const v = o[key];
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
};
export const num = (o: Json, key: string): number | undefined => {
  const v = o[key];
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};
export const opt = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

const STATISTICS: Readonly<Record<string, string>> = {
  AVERAGE: 'Average',
  SUM: 'Sum',
  SAMPLE_COUNT: 'SampleCount',
  MINIMUM: 'Minimum',
  MAXIMUM: 'Maximum',
};
const UNITS: Readonly<Record<string, string>> = {
  Seconds: 's',
  Milliseconds: 'ms',
  Microseconds: 'µs',
  Bytes: 'B',
  Kilobytes: 'KB',
  Megabytes: 'MB',
  Gigabytes: 'GB',
  Terabytes: 'TB',
  Percent: '%',
  'Bytes/Second': 'B/s',
  'Count/Second': '/s',
  Count: '',
  None: '',
};
/** Alarms rarely set Unit; these metrics have one documented unit, so the threshold can say it. */
const KNOWN_UNITS: Readonly<Record<string, string>> = {
  'AWS/ApiGateway Latency': 'ms',
  'AWS/ApiGateway IntegrationLatency': 'ms',
  'AWS/Lambda Duration': 'ms',
  'AWS/States ExecutionTime': 'ms',
  'AWS/DynamoDB SuccessfulRequestLatency': 'ms',
  'AWS/CloudFront OriginLatency': 'ms',
  'AWS/CloudFront 5xxErrorRate': '%',
  'AWS/CloudFront TotalErrorRate': '%',
  'AWS/ApplicationELB TargetResponseTime': 's',
  'AWS/EC2 CPUUtilization': '%',
  'AWS/ECS CPUUtilization': '%',
  'AWS/ECS MemoryUtilization': '%',
  'AWS/RDS CPUUtilization': '%',
  'AWS/ElastiCache CPUUtilization': '%',
  'AWS/ElastiCache EngineCPUUtilization': '%',
  'AWS/ElastiCache DatabaseMemoryUsagePercentage': '%',
  'Throughline LatencyP95': 'ms',
  'Throughline ErrorRate': '%',
};
const COMPARISONS: Readonly<Record<string, string>> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '≥',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
  GreaterThanUpperThreshold: 'above the expected band',
  LessThanLowerThreshold: 'below the expected band',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside the expected band',
};

function dimensionsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  // SNS alarm messages spell dimension keys in lower case; the API spells them Name/Value.
  if (Array.isArray(v))
    for (const d of v.filter(isObject)) {
      const name = str(d, 'name') ?? str(d, 'Name');
      const value = str(d, 'value') ?? str(d, 'Value');
      if (name && value !== undefined) out[name] = value;
    }
  return out;
}

interface Evaluated {
  readonly metric: Omit<NoticeMetric, 'periodSeconds' | 'evaluationPeriods' | 'datapointsToAlarm'>;
  readonly label: string;
  readonly unit?: string;
  readonly periodSeconds?: number;
}

function unitOf(raw: string | undefined, namespace?: string, name?: string): string | undefined {
  const unit = raw === undefined ? undefined : (UNITS[raw] ?? raw);
  return unit || KNOWN_UNITS[`${namespace} ${name}`] || undefined;
}

function singleMetric(t: Json): Evaluated | undefined {
  const name = str(t, 'MetricName');
  if (!name) return undefined;
  const namespace = str(t, 'Namespace');
  const raw = str(t, 'ExtendedStatistic') ?? str(t, 'Statistic');
  const statistic = raw && (STATISTICS[raw] ?? raw);
  return {
    metric: {
      name,
      dimensions: dimensionsOf(t.Dimensions),
      ...opt('namespace', namespace),
      ...opt('statistic', statistic),
    },
    label: statistic ? `${statistic} ${name}` : name,
    ...opt('unit', unitOf(str(t, 'Unit'), namespace, name)),
  };
}

/** Metric math: the query the threshold (or the anomaly band, ThresholdMetricId) is compared with. */
function mathMetric(queries: readonly Json[], band: Json | undefined): Evaluated | undefined {
  const bandOf = /^\s*ANOMALY_DETECTION_BAND\s*\(\s*(\w+)/i.exec(
    band ? (str(band, 'Expression') ?? '') : '',
  )?.[1];
  const q =
    queries.find((x) => bandOf !== undefined && str(x, 'Id') === bandOf) ??
    queries.find((x) => x !== band && x.ReturnData === true) ??
    queries.find((x) => x !== band);
  if (!q) return undefined;
  const stat = isObject(q.MetricStat) ? q.MetricStat : undefined;
  const m = stat && isObject(stat.Metric) ? stat.Metric : undefined;
  const periodSeconds = (stat && num(stat, 'Period')) ?? num(q, 'Period');
  if (stat && m && str(m, 'MetricName')) {
    const name = str(m, 'MetricName');
    const namespace = str(m, 'Namespace');
    const statistic = str(stat, 'Stat');
    return {
      metric: {
        dimensions: dimensionsOf(m.Dimensions),
        ...opt('name', name),
        ...opt('namespace', namespace),
        ...opt('statistic', statistic),
      },
      label: statistic ? `${statistic} ${name}` : String(name),
      ...opt('unit', unitOf(str(stat, 'Unit'), namespace, name)),
      ...opt('periodSeconds', periodSeconds),
    };
  }
  const expression = str(q, 'Expression');
  const label = str(q, 'Label');
  return {
    metric: { dimensions: {}, ...opt('name', label), ...opt('expression', expression) },
    label: label ?? expression ?? str(q, 'Id') ?? 'expression',
    ...opt('periodSeconds', periodSeconds),
  };
}

export function formatNumber(n: number): string {
  return Number(n.toPrecision(6)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

export function formatPeriod(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 120 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

export function describeTrigger(t: Json): MetricCondition | undefined {
  const comparison = str(t, 'ComparisonOperator');
  if (!comparison) return undefined;
  const queries = Array.isArray(t.Metrics) ? t.Metrics.filter(isObject) : [];
  const bandId = str(t, 'ThresholdMetricId');
  const band = bandId === undefined ? undefined : queries.find((q) => str(q, 'Id') === bandId);
  const evaluated = queries.length > 0 ? mathMetric(queries, band) : singleMetric(t);
  if (!evaluated) return undefined;
  const value = num(t, 'Threshold');
  const threshold: NoticeThreshold = {
    comparison,
    ...(bandId ? { band: (band && str(band, 'Expression')) ?? bandId } : opt('value', value)),
    ...opt('unit', evaluated.unit),
  };
  const periodSeconds = num(t, 'Period') ?? evaluated.periodSeconds;
  const evaluationPeriods = num(t, 'EvaluationPeriods');
  const datapoints = num(t, 'DatapointsToAlarm') ?? evaluationPeriods;
  const words = COMPARISONS[comparison] ?? comparison;
  const against = threshold.band
    ? `${words} (${threshold.band})`
    : `${words} ${value === undefined ? '?' : formatNumber(value)}${threshold.unit ? ` ${threshold.unit}` : ''}`;
  const every = periodSeconds === undefined ? '' : ` of ${formatPeriod(periodSeconds)}`;
  const span =
    evaluationPeriods === undefined
      ? ''
      : evaluationPeriods === 1 && datapoints === 1
        ? ` for 1 period${every}`
        : ` for ${datapoints} of ${evaluationPeriods} periods${every}`;
  return {
    summary: `${evaluated.label} ${against}${span}`,
    metric: {
      ...evaluated.metric,
      ...opt('periodSeconds', periodSeconds),
      ...opt('evaluationPeriods', evaluationPeriods),
      ...opt('datapointsToAlarm', datapoints),
    },
    threshold,
  };
}
