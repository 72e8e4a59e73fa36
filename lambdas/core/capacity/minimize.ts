/**
 * Bounded minimization of a smooth function of one or two variables on [0, 1]: Nelder–Mead on
 * clamped points (a coordinate outside the box is evaluated at the box), restarted from its own
 * result until it stops improving, and golden-section search for one variable. No dependency: the
 * research behind the capacity fit found off-the-shelf Levenberg–Marquardt returning its start
 * values silently on exactly these problems.
 */

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** Minimizes f over [0,1]² from `start`, with initial steps `scale` per coordinate. */
export function nelderMead2(
  f: (a: number, b: number) => number,
  start: readonly [number, number],
  scale: readonly [number, number],
): [number, number] {
  const at = (p: readonly number[]) => f(clamp01(p[0] as number), clamp01(p[1] as number));
  let best: number[] = [...start];
  let bestValue = at(best);
  for (let restart = 0; restart < 8; restart++) {
    const simplex = [
      best,
      [(best[0] as number) + scale[0], best[1] as number],
      [best[0] as number, (best[1] as number) + scale[1]],
    ];
    let values = simplex.map(at);
    for (let it = 0; it < 4_000; it++) {
      const order = [0, 1, 2].sort((i, j) => (values[i] as number) - (values[j] as number));
      const [lo, mid, hi] = order.map((i) => simplex[i] as number[]) as [number[], number[], number[]];
      const [fLo, fMid, fHi] = order.map((i) => values[i] as number) as [number, number, number];
      if (Math.abs(fHi - fLo) <= 1e-15 * (Math.abs(fLo) + 1e-300)) break;
      const centroid = [0, 1].map((k) => ((lo[k] as number) + (mid[k] as number)) / 2);
      const towards = (t: number) =>
        [0, 1].map((k) => (centroid[k] as number) + t * ((hi[k] as number) - (centroid[k] as number)));
      const reflected = towards(-1);
      const fR = at(reflected);
      let next: number[] | undefined;
      let fNext = 0;
      if (fR < fLo) {
        const expanded = towards(-2);
        const fE = at(expanded);
        [next, fNext] = fE < fR ? [expanded, fE] : [reflected, fR];
      } else if (fR < fMid) [next, fNext] = [reflected, fR];
      else {
        const contracted = fR < fHi ? towards(-0.5) : towards(0.5);
        const fC = at(contracted);
        if (fC < Math.min(fR, fHi)) [next, fNext] = [contracted, fC];
      }
      if (next) {
        simplex.splice(0, 3, lo, mid, next);
        values = [fLo, fMid, fNext];
      } else {
        // Shrink towards the best point.
        const shrunk = [mid, hi].map((p) => [0, 1].map((k) => ((lo[k] as number) + (p[k] as number)) / 2));
        simplex.splice(0, 3, lo, ...shrunk);
        values = [fLo, ...shrunk.map(at)];
      }
    }
    const i = values.indexOf(Math.min(...values));
    const found = (simplex[i] as number[]).map(clamp01);
    const value = at(found);
    const improved = value < bestValue * (1 - 1e-13);
    if (value <= bestValue) [best, bestValue] = [found, value];
    if (!improved && restart > 0) break;
    scale = [
      Math.max(Math.abs(best[0] as number) * 0.1, 1e-12),
      Math.max(Math.abs(best[1] as number) * 0.1, 1e-15),
    ];
  }
  return [best[0] as number, best[1] as number];
}

/** Minimizes f over [lo, hi] (unimodal there) to a relative width of 1e-12. */
export function goldenSection(f: (v: number) => number, lo: number, hi: number): number {
  const r = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - r * (b - a);
  let d = a + r * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < 300 && b - a > 1e-12 * Math.max(1e-300, Math.abs(a) + Math.abs(b)); i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - r * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + r * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}
