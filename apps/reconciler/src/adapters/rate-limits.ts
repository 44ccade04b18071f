/**
 * Client-side rate limits, one per AWS API family, shared by every adapter of the process. AWS counts
 * requests per account, not per caller: the SDK's retries only react once AWS has said "too fast", and
 * by then people and other tools in the account are throttled too. Pacing ourselves keeps us under it.
 *
 *   adapter ──▶ limiter.schedule(send) ──▶ client.send (the SDK's own retries happen inside the turn,
 *                                                       unpaced: a throttled call's retries add to the rate)
 */
import Bottleneck from 'bottleneck';

/** Requests per second, per API family. */
export interface Rates {
  /**
   * Route53: 5 requests/s per account (newer documentation: a token bucket refilled at 10/s), shared by
   * every List, Get and Change call of everyone in the account, console included; 4 leaves room for people.
   */
  route53: number;
  /**
   * CloudFormation (DescribeStacks, CreateStack, UpdateStack, DeleteStack): AWS publishes no per-API
   * rate, only that it throttles per account ("Rate exceeded") and shares the budget with every deploy
   * (CDK, console, pipelines). 5/s is a conservative guess at a low single-digit budget, not a quota:
   * lower it if DescribeStacks is throttled.
   */
  cloudformation: number;
  /** CloudWatch GetMetricData: 50 transactions/s per account and region by default; 20 leaves the rest to dashboards and alarms. */
  cloudwatch: number;
}

/** The rates of a process that has the account to itself. */
export const DEFAULT_RATES: Readonly<Rates> = { route53: 4, cloudformation: 5, cloudwatch: 20 };

/** One limiter per API family. */
export interface RateLimits {
  route53: Bottleneck;
  cloudformation: Bottleneck;
  cloudwatch: Bottleneck;
}

/**
 * The limiters of one process (create them once per container). `overrides` lowers (or raises) a
 * family's rate: the fleet's workers share the account's budget, so each gets its share of it.
 */
export function createRateLimits(overrides: Partial<Rates> = {}): RateLimits {
  const rates = { ...DEFAULT_RATES, ...overrides };
  return {
    route53: limiterFor('route53', rates.route53),
    cloudformation: limiterFor('cloudformation', rates.cloudformation),
    cloudwatch: limiterFor('cloudwatch', rates.cloudwatch),
  };
}

/**
 * Bottleneck spaces its decisions to start a job; the job itself starts a little later (the event
 * loop's delay), so two starts can be a few ms closer than `minTime`. This much more space keeps a
 * late start and the next one's from sharing one second with a whole second's worth of others.
 */
const SPACING_MARGIN = 1.05;

/**
 * A limiter that starts at most `perSecond` requests in any one second: starts are spaced evenly
 * (`minTime`), so no burst at a window's edge doubles the rate, as a refilled reservoir could.
 */
function limiterFor(family: keyof Rates, perSecond: number): Bottleneck {
  if (!(perSecond > 0 && Number.isFinite(perSecond))) throw new RangeError(`rate-limits: ${family} must be a positive number of requests per second, got ${perSecond}`);
  return new Bottleneck({ id: family, minTime: Math.ceil((1000 / perSecond) * SPACING_MARGIN) });
}

/** Runs `call` through `limiter`, or at once without one (adapters built by tests and tools). */
export function throughLimiter<T>(limiter: Bottleneck | undefined, call: () => Promise<T>): Promise<T> {
  return limiter ? limiter.schedule(call) : call();
}
