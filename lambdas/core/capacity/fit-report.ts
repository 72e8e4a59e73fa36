import type { CapacityFitReport, PerCoefficient, ScalabilityPoint } from '../../model/capacity';
import { kneedle } from './knee';
import { type Estimate, fitUsl } from './usl';

export function capacityFitReport(input: readonly ScalabilityPoint[]): CapacityFitReport {
  const points = [...input].sort((a, b) => a.n - b.n);
  const result = fitUsl(points);
  if (!result.ok) return { fitted: false, points, reason: result.reason };
  const { fit } = result;
  const knee = kneedle(
    points.map((p) => p.n),
    points.map((p) => p.x),
  );
  const pick = <T>(get: (e: Estimate) => T | undefined): PerCoefficient<T> => {
    const out: { sigma?: T; kappa?: T; lambda?: T } = {};
    for (const name of ['sigma', 'kappa', 'lambda'] as const) {
      const v = get(fit[name]);
      if (v !== undefined) out[name] = v;
    }
    return out;
  };
  return {
    fitted: true,
    points,
    sigma: fit.sigma.value,
    kappa: fit.kappa.value,
    lambda: fit.lambda.value,
    standardErrors: pick((e) => e.standardError),
    intervals95: pick((e) => e.interval95),
    residualStandardError: fit.residualStandardError,
    ...(fit.nMax === undefined ? {} : { nMax: fit.nMax, xMax: fit.xMax as number }),
    ...(fit.nOpt === undefined ? {} : { nOpt: fit.nOpt, xRoof: fit.xRoof as number }),
    ...(knee === undefined ? {} : { knee }),
    warnings: fit.warnings,
  };
}

/**
 * `N,X` rows (a header line, blank lines and `#` comments allowed; comma, semicolon, tab or spaces
 * between the two numbers). Every bad line is reported, with its number.
 */
export function parsePoints(text: string): { points: ScalabilityPoint[]; problems: string[] } {
  const points: ScalabilityPoint[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const cells = line.split(/\s*[,;\t]\s*|\s+/);
    const [n, x] = cells.map(Number);
    if (cells.length === 2 && Number.isFinite(n) && Number.isFinite(x))
      points.push({ n: n as number, x: x as number });
    else if (!(points.length === 0 && problems.length === 0 && /[a-z]/i.test(line)))
      problems.push(`line ${i + 1}: ${JSON.stringify(raw.slice(0, 80))} is not two numbers N,X`);
  });
  return { points, problems };
}
