/**
 * Test presets sized as the product brief sets them. Each yields a plain definition (as a user
 * would write it), so overrides, validation and workers treat presets and files alike.
 */

export const PRESET_NAMES = [
  'smoke',
  'baseline',
  'stress',
  'spike',
  'soak',
  'volume',
  'step',
  'enterprise-baseline',
  'enterprise-stress',
  'enterprise-spike',
] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export interface PresetOptions {
  /** Full URL of the endpoint to load. */
  readonly target: string;
  /** Peak VUs (closed presets) — stages scale to it. */
  readonly vus?: number;
  /** Total duration in ms — stages scale to it. */
  readonly durationMs?: number;
  /** Base arrival rate per second (step preset: plateaus at 1×…5× this). */
  readonly rate?: number;
  /** Request body size for the volume preset, in KiB. */
  readonly payloadKiB?: number;
}

type Stage = { duration: number; target: number };
const s = (seconds: number, target: number): Stage => ({ duration: seconds * 1_000, target });

interface Shape {
  readonly stages: readonly Stage[];
  readonly description: string;
}

const CLOSED_SHAPES: Readonly<Record<Exclude<PresetName, 'step' | 'volume'>, Shape>> = {
  smoke: { stages: [s(0.001, 5), s(60, 5)], description: '5 VUs for 1 minute: does it work at all' },
  baseline: { stages: [s(0.001, 20), s(300, 20)], description: '20 VUs for 5 minutes: normal load' },
  stress: {
    stages: [s(60, 50), s(180, 50), s(60, 100), s(180, 100), s(60, 150), s(180, 150), s(60, 0)],
    description: '50 → 100 → 150 VUs in ramped plateaus: behaviour past normal load',
  },
  spike: {
    stages: [s(30, 10), s(10, 200), s(60, 200), s(10, 10), s(60, 10), s(10, 0)],
    description: 'a sudden surge to 200 VUs, then recovery',
  },
  soak: { stages: [s(60, 30), s(7_080, 30), s(60, 0)], description: '30 VUs for 2 hours: leaks and drift' },
  'enterprise-baseline': {
    stages: [s(120, 1_000), s(480, 1_000)],
    description: '1,000 users for 10 minutes with a 2-minute ramp',
  },
  'enterprise-stress': {
    stages: [s(180, 5_000), s(540, 5_000), s(180, 0)],
    description: '5,000 users for 15 minutes',
  },
  'enterprise-spike': {
    stages: [s(30, 10_000), s(120, 10_000), s(30, 0)],
    description: '10,000 users within 30 seconds',
  },
};

function scale(stages: readonly Stage[], vus: number | undefined, durationMs: number | undefined): Stage[] {
  const peak = Math.max(...stages.map((x) => x.target));
  const total = stages.reduce((ms, x) => ms + x.duration, 0);
  return stages.map((x) => ({
    duration: Math.max(1, Math.round(x.duration * ((durationMs ?? total) / total))),
    target: Math.round(x.target * ((vus ?? peak) / peak)),
  }));
}

/** Whole milliseconds, at least 1: `${1e-7}` or `${1e21}` would print as exponents, which no duration parses. */
const fmt = (ms: number) => `${Math.max(1, Math.round(ms))}ms`;

/** A preset as a plain test definition. */
export function presetDefinition(name: PresetName, o: PresetOptions): Record<string, unknown> {
  const request = {
    name: name === 'volume' ? 'upload' : 'target',
    method: name === 'volume' ? 'POST' : 'GET',
    url: o.target,
  };
  const thresholds = { http_req_failed: ['rate<0.01'] };
  if (name === 'step') {
    const base = o.rate ?? 50;
    const plateau = Math.round((o.durationMs ?? 300_000) / 5);
    const stages = [1, 2, 3, 4, 5].flatMap((k) => [
      { duration: fmt(Math.min(10_000, Math.round(plateau / 6))), target: base * k },
      { duration: fmt(plateau - Math.min(10_000, Math.round(plateau / 6))), target: base * k },
    ]);
    return {
      name: 'step',
      scenarios: {
        step: {
          executor: 'ramping-arrival-rate',
          startRate: base,
          timeUnit: '1s',
          // VU counts are whole numbers, whatever the rate.
          preAllocatedVUs: Math.max(10, Math.ceil(base)),
          maxVUs: Math.max(100, Math.ceil(base * 5 * 4)),
          stages,
          requests: [request],
        },
      },
      thresholds,
    };
  }
  if (name === 'volume') {
    const kib = o.payloadKiB ?? 256;
    const body = { payload: 'x'.repeat(kib * 1_024 - 16) };
    return {
      name: 'volume',
      scenarios: {
        volume: {
          executor: 'constant-vus',
          vus: o.vus ?? 20,
          duration: fmt(o.durationMs ?? 300_000),
          requests: [{ ...request, body }],
        },
      },
      thresholds,
    };
  }
  const stages = scale(CLOSED_SHAPES[name].stages, o.vus, o.durationMs);
  return {
    name,
    scenarios: {
      [name]: {
        executor: 'ramping-vus',
        startVUs: 0,
        gracefulRampDown: '10s',
        stages: stages.map((x) => ({ duration: fmt(x.duration), target: x.target })),
        requests: [request],
      },
    },
    thresholds,
  };
}

export const presetDescription = (name: PresetName): string =>
  name === 'step'
    ? 'five rising plateaus of arrival rate (1×…5× --rate): where latency bends, for capacity planning'
    : name === 'volume'
      ? '20 VUs for 5 minutes posting large bodies (256 KiB by default)'
      : CLOSED_SHAPES[name].description;
