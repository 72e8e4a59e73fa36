import type { Flow, Scenario, ThinkTime } from '../../model/definition';
import { seriesKey } from '../../model/window';
import type { Clock } from '../../ports/clock';
import type { HttpClient, HttpRequest, HttpTransport } from '../../ports/http';
import type { WindowRecorder } from '../stats/recorder';
import { capture, evaluateCheck, JsonBody } from './checks';
import { type CompiledStep, type CompileOptions, compileStep } from './request';

/** One scenario's flows compiled, and how a VU runs one iteration of them. */

export interface CompiledFlow {
  readonly name: string;
  readonly weight: number;
  readonly steps: readonly KeyedStep[];
}
type KeyedStep = CompiledStep & { readonly key: string };

export interface ScenarioContext {
  readonly scenario: string;
  readonly flows: readonly CompiledFlow[];
  readonly totalWeight: number;
  readonly thinkTime: ThinkTime | undefined;
  readonly clock: Clock;
  readonly recorder: WindowRecorder;
  readonly transport: HttpTransport;
}

export function compileScenario(
  scenario: string,
  config: Scenario,
  options: CompileOptions,
  deps: Pick<ScenarioContext, 'clock' | 'recorder' | 'transport'>,
): ScenarioContext {
  const flows = config.flows.map((f: Flow) => ({
    name: f.name,
    weight: f.weight,
    steps: f.requests.map((r) => {
      const step = compileStep(r, options);
      return { ...step, key: seriesKey(scenario, step.name, step.method) };
    }),
  }));
  return {
    scenario,
    flows,
    totalWeight: flows.reduce((w, f) => w + f.weight, 0),
    thinkTime: config.thinkTime,
    ...deps,
  };
}

/** Small fast seeded PRNG (mulberry32): runs are reproducible per VU. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class VirtualUser {
  iteration = 0;
  private readonly vars: Record<string, string>;
  private http: HttpClient | undefined;
  readonly random: () => number;

  constructor(
    readonly id: number,
    private readonly ctx: ScenarioContext,
  ) {
    this.vars = { __VU: String(id), __ITER: '0' };
    this.random = seededRandom(id * 2654435761 + ctx.scenario.length);
  }

  private client(): HttpClient {
    this.http ??= this.ctx.transport.createClient();
    return this.http;
  }

  close(): void {
    this.http?.close();
    this.http = undefined;
  }

  private pickFlow(): CompiledFlow {
    const { flows, totalWeight } = this.ctx;
    if (flows.length === 1) return flows[0] as CompiledFlow;
    let r = this.random() * totalWeight;
    for (const f of flows) {
      r -= f.weight;
      if (r < 0) return f;
    }
    return flows[flows.length - 1] as CompiledFlow;
  }

  private thinkMs(own: ThinkTime | undefined): number {
    const t = own ?? this.ctx.thinkTime;
    if (t === undefined) return 0;
    if (typeof t === 'number') return t;
    return t.min + this.random() * Math.max(0, t.max - t.min);
  }

  /**
   * Runs one iteration. `intendedStartMs` is when the open model planned it: the first request's
   * latency counts from then, so time spent waiting to send is not hidden (no coordinated omission).
   * Returns false when the signal interrupted it.
   */
  async run(signal: AbortSignal, intendedStartMs?: number): Promise<boolean> {
    const { clock, recorder, scenario } = this.ctx;
    this.vars.__ITER = String(this.iteration++);
    const flow = this.pickFlow();
    for (let i = 0; i < flow.steps.length; i++) {
      if (signal.aborted) return false;
      const step = flow.steps[i] as KeyedStep;
      let request: HttpRequest;
      try {
        request = step.request(this.vars);
      } catch {
        // A request that cannot be built (a URL from a capture that matched nothing) fails this
        // iteration, counted as a failed request; it never takes the VU or the worker down.
        const at = clock.now();
        recorder.request(
          {
            key: step.key,
            scenario,
            name: step.name,
            method: step.method,
            latencyUs: undefined,
            failed: true,
            errorKind: 'other',
            bytesIn: 0,
            bytesOut: 0,
          },
          at,
        );
        return true;
      }
      const sentAt = clock.now();
      const from = i === 0 && intendedStartMs !== undefined ? Math.min(intendedStartMs, sentAt) : sentAt;
      const res = await this.client().send(request, signal);
      const end = clock.now();
      if (signal.aborted && res.status === 0) return false;
      const durationMs = end - from;
      const sample = {
        key: step.key,
        scenario,
        name: step.name,
        method: step.method,
        latencyUs: res.status > 0 || res.errorKind === 'timeout' ? durationMs * 1_000 : undefined,
        failed: res.status === 0 || res.status >= 400,
        errorKind: res.errorKind,
        bytesIn: res.bytesIn,
        bytesOut: res.bytesOut,
      };
      recorder.request(sample, end);
      const { capture: captures, thinkTime } = step.step;
      if (step.checks.length > 0 || captures) {
        const json = new JsonBody(res.body);
        for (const c of step.checks)
          recorder.check(sample, c.name, evaluateCheck(c.check, res, durationMs, json), end);
        for (const [name, c] of Object.entries(captures ?? {})) {
          const value = capture(c, res, json);
          if (value !== undefined) this.vars[name] = value;
        }
      }
      const think = this.thinkMs(thinkTime);
      if (think > 0) await clock.sleep(think, signal);
    }
    return !signal.aborted;
  }
}
