/**
 * Where clients send their requests after a weight change. Route53 answers by weight; a client keeps its
 * answer for the TTL, so a minute's traffic mixes answers given over the last TTL: at 60 s, half of a
 * minute's requests still follow the weights of the minute before. A share of clients (resolvers that
 * stretch TTLs, runtimes that cache for the process's life) keeps its answer far longer, spread evenly
 * up to `stickySeconds`. The ALB's share of minute m is then Σ_j K(j) × share published at m − j.
 */

/** The weights a minute's requests follow, by age in minutes: K[j] is the share answered j minutes before. */
export function answerAgeKernel(ttlSeconds: number, stickyShare: number, stickySeconds: number): Float64Array {
  const normal = ageKernel(ttlSeconds / 60);
  const sticky = ageKernel(Math.max(ttlSeconds, stickySeconds) / 60);
  const k = new Float64Array(Math.max(normal.length, sticky.length));
  for (let j = 0; j < k.length; j++) k[j] = (1 - stickyShare) * (normal[j] ?? 0) + stickyShare * (sticky[j] ?? 0);
  return k;
}

/**
 * A request at m + τ (τ uniform in a minute) uses an answer of age A, uniform in [0, T): the answer was
 * given in minute floor(τ − A) relative to m. Integrated numerically (exact enough at 1/400 minute).
 */
function ageKernel(tMinutes: number): Float64Array {
  const T = Math.max(tMinutes, 1e-6);
  const k = new Float64Array(Math.ceil(T) + 1);
  const steps = 400;
  for (let a = 0; a < steps; a++) {
    const tau = (a + 0.5) / steps;
    for (let b = 0; b < steps; b++) {
      const age = ((b + 0.5) / steps) * T;
      k[Math.floor(age - tau) + 1] += 1 / (steps * steps);
    }
  }
  return k;
}

/** The ALB share weighted records give: its weight over both; no ALB record, no share; both 0, half. */
export function albShareOf(apiWeight: number | undefined, albWeight: number | undefined): number {
  if (albWeight === undefined) return 0;
  const api = apiWeight ?? 0;
  if (api + albWeight === 0) return 0.5; // Route53 splits evenly when every weight is 0
  return albWeight / (api + albWeight);
}
