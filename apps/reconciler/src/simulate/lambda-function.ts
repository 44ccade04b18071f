/**
 * One Lambda function behind API Gateway, minute by minute: how many requests it serves, throttles and
 * cold-starts. Concurrency is the minute's mean rate × the request duration; execution environments
 * warm in the last `idleMinutes` are reused, new ones are cold starts, and Lambda adds at most
 * `scalingPer10Seconds` environments every 10 s up to the concurrency limit: a surge faster than that
 * is throttled for the part of the minute before capacity catches up. API Gateway's own throttle
 * (requests per second) refuses the excess before Lambda sees it.
 */
export interface LambdaLimits {
  durationMs: number;
  concurrencyLimit: number;
  scalingPer10Seconds: number;
  idleMinutes: number;
  apiThrottleRps: number;
}

/** What one minute did. */
export interface LambdaMinute {
  served: number;
  throttled: number;
  coldStarts: number;
}

const SLOTS = 6; // 10-second slots in a minute: Lambda's scaling step

export class LambdaFunction {
  /** Environments in use each of the last `idleMinutes` minutes, newest last. */
  private readonly recent: number[] = [];

  constructor(private readonly limits: LambdaLimits) {}

  /** Environments still warm: the most used in any minute of the idle window. */
  warm(): number {
    let w = 0;
    for (const e of this.recent) if (e > w) w = e;
    return w;
  }

  serve(requests: number): LambdaMinute {
    const l = this.limits;
    const warm = this.warm();
    const admitted = Math.min(requests, l.apiThrottleRps * 60);
    let throttled = requests - admitted;
    const concurrency = (admitted / 60) * (l.durationMs / 1000);
    let used = 0;
    if (admitted > 0) {
      const needed = Math.ceil(concurrency - 1e-9);
      // Each 10-second slot serves what the environments available in it can carry.
      let refused = 0;
      for (let k = 0; k < SLOTS; k++) {
        const capacity = Math.min(l.concurrencyLimit, warm + l.scalingPer10Seconds * (k + 1));
        if (capacity < concurrency) refused += (admitted / SLOTS) * (1 - capacity / concurrency);
      }
      const served = admitted - refused;
      throttled += refused;
      used = Math.min(needed, l.concurrencyLimit, warm + l.scalingPer10Seconds * SLOTS);
      this.push(used);
      return { served, throttled, coldStarts: Math.max(0, used - warm) };
    }
    this.push(used);
    return { served: 0, throttled, coldStarts: 0 };
  }

  private push(used: number) {
    this.recent.push(used);
    if (this.recent.length > this.limits.idleMinutes) this.recent.shift();
  }
}
