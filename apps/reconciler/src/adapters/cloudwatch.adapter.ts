import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type { MetricsRequest, Policy } from '@lambdaflex/state';
import type Bottleneck from 'bottleneck';
import type { MetricsPort, MetricsTarget, RetryableAwsError, ServiceMetrics, TerminalAwsError } from '../ports';
import { classifyAwsError } from './aws-errors';
import { throughLimiter } from './rate-limits';

const MINUTE_MS = 60_000;
/** A runaway pagination (an endpoint that always returns a token) ends here: the rest is a gap. */
const MAX_PAGES = 10;
/** The most queries GetMetricData takes in one call. */
const MAX_QUERIES_PER_CALL = 500;

/** How late CloudWatch is, and who hears about a failed read (which the machine only sees as gaps). */
export interface CloudWatchAdapterOptions {
  /** Seconds left out at the end: CloudWatch publishes API Gateway and ALB metrics 1–3 minutes late. Default 180. */
  lagSeconds?: number;
  /** Told of a GetMetricData call that failed after the SDK's retries; the figures are then unknown. */
  onError?: (err: RetryableAwsError | TerminalAwsError) => void;
  /** The process's CloudWatch limiter (rate-limits.ts): every GetMetricData call waits its turn. */
  limiter?: Bottleneck;
}

/** The query ids, one per series (GetMetricData wants them lower-case first and unique). */
export type SeriesId =
  | 'api_count'
  | 'fn_invocations'
  | 'fn_concurrency'
  | 'fn_throttles'
  | 'alb_requests'
  | 'alb_5xx'
  | 'alb_elb_5xx'
  | 'alb_rejected'
  | 'alb_p95'
  | 'alb_per_target'
  | 'alb_healthy';

/**
 * The span one read covers, `[start, end)` in epoch ms on minute boundaries, and each figure's window
 * in whole minutes, each ending at `end` (the last settled minute).
 */
export interface MetricWindows {
  start: number;
  end: number;
  upMinutes: number;
  downMinutes: number;
  stepMinutes: number;
  drainMinutes: number;
  /** The last few settled minutes, over which the tier's capacity is judged against the demand. */
  capacityMinutes: number;
}

/** Minutes the capacity figures look back: long enough to smooth one noisy minute, short enough to react. */
export const CAPACITY_MINUTES = 3;

/** One series: values by minute start (epoch ms), and whether CloudWatch said it returned all of them. */
export interface Series {
  complete: boolean;
  points: Map<number, number>;
}

/** The series of one read, by id; an id absent did not come back (or was not asked for). */
export type SeriesById = Partial<Record<SeriesId, Series>>;

/** A window of `seconds` in whole minutes, one at least. */
function minutes(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}

/** The windows of a read at `now`: `end` is `now - lag` down to the minute, `start` the longest window before. */
export function metricWindows(policy: Policy, now: number, lagSeconds: number): MetricWindows {
  const end = Math.floor((now - lagSeconds * 1000) / MINUTE_MS) * MINUTE_MS;
  const w = {
    upMinutes: minutes(policy.scaleUp.windowSeconds),
    downMinutes: minutes(policy.scaleDown.windowSeconds),
    stepMinutes: minutes(policy.dual.stepHoldSeconds),
    // As long as a resolver may still send a request to the ALB after its weight went to 0, and 5 minutes at least.
    drainMinutes: minutes(Math.max(2 * policy.dns.ttlSeconds, 300)),
    capacityMinutes: CAPACITY_MINUTES,
  };
  return { start: end - Math.max(w.upMinutes, w.downMinutes, w.stepMinutes, w.drainMinutes, w.capacityMinutes) * MINUTE_MS, end, ...w };
}

/**
 * Every query of a read, and only what the decision reads: API Gateway's count and Lambda's throttles
 * always; Lambda's invocations and concurrency and the ALB's series only while the tier has an ALB.
 * Lambda's invocations beyond API Gateway's count are the requests the tasks handed to it directly
 * (the instant spill), and with its concurrency they make the capacity figures, which the machine
 * reads only while the tier serves (dual, fargate): without an ALB they are left unknown, not asked.
 */
export function metricQueries(target: MetricsTarget): MetricDataQuery[] {
  const q = (Id: SeriesId, Namespace: string, MetricName: string, Stat: string, dims: Record<string, string>): MetricDataQuery => ({
    Id,
    MetricStat: {
      Metric: { Namespace, MetricName, Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })) },
      Period: 60,
      Stat,
    },
    ReturnData: true,
  });
  const api = { ApiId: target.apiId };
  const fn = { FunctionName: target.functionName };
  const queries = [q('api_count', 'AWS/ApiGateway', 'Count', 'Sum', api)];
  if (target.loadBalancer) {
    queries.push(q('fn_invocations', 'AWS/Lambda', 'Invocations', 'Sum', fn), q('fn_concurrency', 'AWS/Lambda', 'ConcurrentExecutions', 'Maximum', fn));
  }
  queries.push(q('fn_throttles', 'AWS/Lambda', 'Throttles', 'Sum', fn));
  if (target.loadBalancer) {
    const lb = { LoadBalancer: target.loadBalancer };
    queries.push(
      q('alb_requests', 'AWS/ApplicationELB', 'RequestCount', 'Sum', lb),
      q('alb_5xx', 'AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', 'Sum', lb),
      q('alb_elb_5xx', 'AWS/ApplicationELB', 'HTTPCode_ELB_5XX_Count', 'Sum', lb),
      q('alb_rejected', 'AWS/ApplicationELB', 'RejectedConnectionCount', 'Sum', lb),
      q('alb_p95', 'AWS/ApplicationELB', 'TargetResponseTime', 'p95', lb),
    );
    // HealthyHostCount and RequestCountPerTarget exist only per target group.
    if (target.targetGroup) {
      const tg = { TargetGroup: target.targetGroup, LoadBalancer: target.loadBalancer };
      queries.push(
        q('alb_healthy', 'AWS/ApplicationELB', 'HealthyHostCount', 'Minimum', tg),
        q('alb_per_target', 'AWS/ApplicationELB', 'RequestCountPerTarget', 'Sum', { TargetGroup: target.targetGroup }),
      );
    }
  }
  return queries;
}

/**
 * The results of every page as series. A series split over pages is `PartialData` on all but its last
 * page, so the last status seen for an id is the one that counts.
 */
export function collectSeries(results: MetricDataResult[]): SeriesById {
  const byId: SeriesById = {};
  for (const r of results) {
    const id = r.Id as SeriesId | undefined;
    if (!id) continue;
    const series = (byId[id] ??= { complete: false, points: new Map() });
    series.complete = r.StatusCode === 'Complete';
    (r.Timestamps ?? []).forEach((t, i) => {
      const value = r.Values?.[i];
      if (value !== undefined && Number.isFinite(value)) series.points.set(Math.floor(new Date(t).getTime() / MINUTE_MS) * MINUTE_MS, value);
    });
  }
  return byId;
}

/**
 * A count series' value for each of the `minutes` minutes before `end`, oldest first. CloudWatch writes
 * no datapoint for a minute without requests, so in a complete series a missing minute is 0; a series
 * that is not complete is unknown as a whole.
 */
export function countMinutes(series: Series | undefined, end: number, minutes: number): number[] | undefined {
  if (!series?.complete) return undefined;
  return Array.from({ length: minutes }, (_, i) => series.points.get(end - (minutes - i) * MINUTE_MS) ?? 0);
}

/** A gauge's (or percentile's) datapoints in the `minutes` before `end`, oldest first; gaps are never filled. */
export function gaugeValues(series: Series | undefined, end: number, minutes: number): number[] | undefined {
  if (!series?.complete) return undefined;
  const from = end - minutes * MINUTE_MS;
  return [...series.points]
    .filter(([t]) => t >= from && t < end)
    .sort(([a], [b]) => a - b)
    .map(([, v]) => v);
}

/** A series with no datapoints that is known to be complete: the ALB's counts when there is no ALB. */
const NO_TRAFFIC: Series = { complete: true, points: new Map() };

/**
 * The machine's figures from one read's series: rates in requests per second (a minute's Sum / 60). A
 * figure whose series was not asked (Lambda's invocations and concurrency without an ALB) or did not
 * come back complete is unknown, never 0; only the ALB's own counts are a known 0 when there is no ALB.
 */
export function toServiceMetrics(series: SeriesById, w: MetricWindows, hasLoadBalancer: boolean): ServiceMetrics {
  const alb = (id: SeriesId) => (hasLoadBalancer ? series[id] : NO_TRAFFIC);
  const counts = (id: SeriesId, minutes: number) => countMinutes(id.startsWith('alb_') ? alb(id) : series[id], w.end, minutes);
  const totalRps = (minutes: number) => perSecond(addMinutes(counts('api_count', minutes), counts('alb_requests', minutes)));
  const albRequests = sum(counts('alb_requests', w.stepMinutes));
  const apiRequests = sum(counts('api_count', w.stepMinutes));
  const p95 = max(gaugeValues(alb('alb_p95'), w.end, w.stepMinutes));
  const healthy = hasLoadBalancer ? gaugeValues(series.alb_healthy, w.end, (w.end - w.start) / MINUTE_MS) : undefined;
  const recent = w.capacityMinutes;
  const apiRecent = counts('api_count', recent);
  const invocations = counts('fn_invocations', recent);
  // Invocations API Gateway did not make: the tasks handed them to Lambda.
  const spilled = invocations && apiRecent ? invocations.map((v, i) => Math.max(0, v - apiRecent[i])) : undefined;
  const overload = addMinutes(counts('alb_elb_5xx', recent), counts('alb_rejected', recent));
  return {
    totalRpsUpWindow: min(totalRps(w.upMinutes)),
    totalRpsDownWindow: max(totalRps(w.downMinutes)),
    lambdaThrottles: sum(counts('fn_throttles', w.upMinutes)),
    albRpsMax: max(perSecond(counts('alb_requests', w.drainMinutes))),
    albRequests,
    alb5xx: sum(counts('alb_5xx', w.stepMinutes)),
    // ALB reports target response time in seconds.
    albP95Ms: p95 === undefined ? undefined : p95 * 1000,
    albShare: share(albRequests, apiRequests),
    healthyTargets: healthy?.at(-1),
    stepWindowStart: w.end - w.stepMinutes * MINUTE_MS,
    demandRps: max(totalRps(recent)),
    albRpsRecent: max(perSecond(counts('alb_requests', recent))),
    spilledRps: max(perSecond(spilled)),
    albOverloadRps: max(perSecond(overload)),
    rpsPerTarget: hasLoadBalancer ? max(perSecond(gaugeValues(series.alb_per_target, w.end, recent))) : undefined,
    lambdaConcurrency: max(gaugeValues(series.fn_concurrency, w.end, recent)),
    lambdaRps: max(perSecond(invocations)),
  };
}

/** One service's part of a fleet read: its windows, and its queries with ids made unique by `s<index>_`. */
interface PlannedRead {
  index: number;
  request: MetricsRequest;
  windows: MetricWindows;
  queries: MetricDataQuery[];
}

/**
 * {@link MetricsPort} over CloudWatch: every service's series in as few GetMetricData calls as fit,
 * 500 queries each (paged only if CloudWatch pages).
 *
 *   requests ──▶ queries, ids s<i>_<series> ──▶ batches of ≤ 500 ──▶ one call each, over the widest window
 *                                                                        │
 *   figures per service ◀── its own windows ◀── results by s<i>_ prefix ◀─┘ (a failed call: gaps for its batch)
 */
export class CloudWatchAdapter implements MetricsPort {
  private readonly lagSeconds: number;

  constructor(
    private readonly client: CloudWatchClient,
    private readonly options: CloudWatchAdapterOptions = {},
  ) {
    this.lagSeconds = options.lagSeconds ?? 180;
  }

  /** Never throws: a failed call is a gap in every figure (unknown, never zero), and `onError` hears of it. */
  async read(target: MetricsTarget, policy: Policy, now: number): Promise<ServiceMetrics> {
    const [metrics] = (await this.readMany([{ service: target.functionName, target, policy }], now)).values();
    return metrics;
  }

  /**
   * Never throws: a failed call is a gap in the figures of the services of its batch (unknown, never
   * zero), and `onError` hears of it once. Each service's figures come from its own windows: the call
   * spans the widest window of its batch, and the extra minutes are not read.
   */
  async readMany(requests: readonly MetricsRequest[], now: number): Promise<Map<string, ServiceMetrics>> {
    const planned = requests.map(
      (request, index): PlannedRead => ({
        index,
        request,
        windows: metricWindows(request.policy, now, this.lagSeconds),
        queries: metricQueries(request.target).map((query) => ({ ...query, Id: `s${index}_${query.Id}` })),
      }),
    );
    const found = new Map<string, ServiceMetrics>();
    await Promise.all(
      batches(planned).map(async (batch) => {
        let results: MetricDataResult[] = [];
        try {
          const span = { start: Math.min(...batch.map((p) => p.windows.start)), end: Math.max(...batch.map((p) => p.windows.end)) };
          results = await this.fetch(batch.flatMap((p) => p.queries), span);
        } catch (err) {
          this.options.onError?.(classifyAwsError('GetMetricData', err));
        }
        const byIndex = resultsByRequest(results);
        for (const p of batch) {
          const series = collectSeries(byIndex.get(p.index) ?? []);
          found.set(p.request.service, toServiceMetrics(series, p.windows, Boolean(p.request.target.loadBalancer)));
        }
      }),
    );
    return found;
  }

  private async fetch(queries: MetricDataQuery[], span: { start: number; end: number }): Promise<MetricDataResult[]> {
    const results: MetricDataResult[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const command = new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: new Date(span.start),
        EndTime: new Date(span.end),
        ScanBy: 'TimestampAscending',
        ...(token ? { NextToken: token } : {}),
      });
      const out = await throughLimiter(this.options.limiter, () => this.client.send(command));
      results.push(...(out.MetricDataResults ?? []));
      token = out.NextToken;
      if (!token) return results;
    }
    // Still paging: whatever is not complete by now stays unknown (its last status is PartialData).
    return results;
  }
}

/** Consecutive requests packed into calls of at most 500 queries; a service's queries are never split. */
function batches(planned: PlannedRead[]): PlannedRead[][] {
  const out: PlannedRead[][] = [];
  let current: PlannedRead[] = [];
  let size = 0;
  for (const p of planned) {
    if (size + p.queries.length > MAX_QUERIES_PER_CALL && current.length) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(p);
    size += p.queries.length;
  }
  if (current.length) out.push(current);
  return out;
}

/** The results of a call by request index, with each id back to its series id (`s12_api_count` → 12, `api_count`). */
function resultsByRequest(results: MetricDataResult[]): Map<number, MetricDataResult[]> {
  const byIndex = new Map<number, MetricDataResult[]>();
  for (const r of results) {
    const match = /^s(\d+)_(.+)$/.exec(r.Id ?? '');
    if (!match) continue;
    const index = Number(match[1]);
    const own = byIndex.get(index) ?? [];
    own.push({ ...r, Id: match[2] });
    byIndex.set(index, own);
  }
  return byIndex;
}

function addMinutes(a: number[] | undefined, b: number[] | undefined): number[] | undefined {
  return a && b ? a.map((v, i) => v + (b[i] ?? 0)) : undefined;
}
function perSecond(values: number[] | undefined): number[] | undefined {
  return values?.map((v) => v / 60);
}
function sum(values: number[] | undefined): number | undefined {
  return values?.reduce((s, v) => s + v, 0);
}
function min(values: number[] | undefined): number | undefined {
  return values?.length ? Math.min(...values) : undefined;
}
function max(values: number[] | undefined): number | undefined {
  return values?.length ? Math.max(...values) : undefined;
}
function share(part: number | undefined, other: number | undefined): number | undefined {
  return part === undefined || other === undefined || part + other === 0 ? undefined : part / (part + other);
}
