/**
 * Probabilistic early expiration, "XFetch" (Vattani, Chierichetti & Lowenstein, "Optimal
 * Probabilistic Cache Stampede Prevention", PVLDB 8(8), 2015): a reader refreshes a still-fresh
 * value when
 *
 *     now − δ · β · ln(random()) ≥ expiry
 *
 * δ is how long the last load took, β ≥ 0 tunes eagerness (1 is the paper's optimum; > 1 earlier).
 * −ln(random()) is exponentially distributed, so refreshes are rare far from expiry and likely
 * just before it, and slow loads start earlier. Unlike a fixed "refresh at 80 % of TTL" it spreads
 * the refreshes of many readers (and processes) without any coordination.
 */
export function shouldRefreshEarly(
  now: number,
  expiresAt: number,
  loadMs: number,
  beta: number,
  random: () => number,
): boolean {
  if (!(beta > 0) || !(loadMs > 0) || now >= expiresAt) return false;
  const r = random();
  // random() is [0, 1): ln(0) is −Infinity, which would mean "refresh now" for any entry.
  return now - loadMs * beta * Math.log(r > 0 ? r : Number.MIN_VALUE) >= expiresAt;
}
