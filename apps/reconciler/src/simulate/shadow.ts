import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { BASE_OUTPUTS, baseStackName, TIER_OUTPUTS, tierStackName } from '@lambdaflex/state';
import { classifyAwsError } from '../adapters/aws-errors';
import { collectSeries, metricQueries, type SeriesId } from '../adapters/cloudwatch.adapter';
import type { MetricsTarget, StackPort } from '../ports';
import type { Trace } from './trace';

/**
 * Shadow mode: a service's own request history, fetched from CloudWatch, as a trace for the simulator —
 * "what would LambdaFlex have done, and cost, over my last N days". The queries are the reconciler's
 * own (the CloudWatch adapter's API Gateway Count and ALB RequestCount), over days instead of windows.
 *
 * CloudWatch keeps 60-second datapoints for 15 days, 5-minute ones for 63 days and hourly ones for 455:
 * a longer history is read at the coarser period and spread evenly over its minutes.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** A runaway pagination ends here; what is not complete by then stays unknown (an error). */
const MAX_PAGES = 200;
const HISTORY_SERIES: SeriesId[] = ['api_count', 'alb_requests'];

/** What a history is read from: the service's API (and its ALB, if it has one). */
export type HistoryTarget = Pick<MetricsTarget, 'apiId' | 'functionName' | 'loadBalancer'>;

/** The per-minute request history of a service, API Gateway and ALB counts summed. */
export interface RequestHistory {
  trace: Trace;
  /** Requests API Gateway and the ALB counted over the span. */
  apiRequests: number;
  albRequests: number;
  /** The datapoint period CloudWatch still holds for the span's oldest minute. */
  periodSeconds: number;
}

/** Something CloudWatch did not give: a read error, or a series it did not return complete. */
export class HistoryError extends Error {
  override readonly name = 'HistoryError';
}

/** The period CloudWatch still keeps for data `ageMs` old. */
export function periodForAge(ageMs: number): number {
  if (ageMs <= 15 * DAY_MS) return 60;
  if (ageMs <= 63 * DAY_MS) return 300;
  return 3600;
}

/**
 * Reads the last `days` days before `now` (less the metric lag, on minute boundaries).
 * @throws HistoryError when CloudWatch refuses or a series does not come back complete.
 */
export async function fetchRequestHistory(
  client: CloudWatchClient,
  target: HistoryTarget,
  days: number,
  now: number,
  lagSeconds = 180,
  name = `cloudwatch-${target.apiId}`,
): Promise<RequestHistory> {
  const end = Math.floor((now - lagSeconds * 1000) / MINUTE_MS) * MINUTE_MS;
  const periodSeconds = periodForAge(now - (end - days * DAY_MS));
  const periodMs = periodSeconds * 1000;
  // Start on a period boundary, so each datapoint covers whole minutes of the span.
  const start = Math.floor((end - days * DAY_MS) / periodMs) * periodMs;
  const queries: MetricDataQuery[] = metricQueries({ ...target, targetGroup: undefined })
    .filter((q) => HISTORY_SERIES.includes(q.Id as SeriesId))
    .map((q) => ({ ...q, MetricStat: q.MetricStat && { ...q.MetricStat, Period: periodSeconds } }));

  const results: MetricDataResult[] = [];
  let token: string | undefined;
  try {
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await client.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: new Date(start),
          EndTime: new Date(end),
          ScanBy: 'TimestampAscending',
          ...(token ? { NextToken: token } : {}),
        }),
      );
      results.push(...(out.MetricDataResults ?? []));
      token = out.NextToken;
      if (!token) break;
    }
  } catch (err) {
    throw new HistoryError(`GetMetricData failed: ${classifyAwsError('GetMetricData', err).message}`);
  }
  const series = collectSeries(results);
  const minutes = Math.round((end - start) / MINUTE_MS);
  const requests = new Float64Array(minutes);
  const totals: Record<string, number> = {};
  for (const id of HISTORY_SERIES) {
    if (id === 'alb_requests' && !target.loadBalancer) continue;
    const s = series[id];
    if (!s?.complete) throw new HistoryError(`CloudWatch did not return ${id} complete (${s ? 'PartialData' : 'no result'}): try fewer days`);
    let total = 0;
    // collectSeries keys datapoints by minute; a coarser datapoint is spread evenly over its minutes.
    for (const [t, value] of s.points) {
      const first = Math.round((t - start) / MINUTE_MS);
      const span = periodSeconds / 60;
      for (let k = 0; k < span; k++) {
        const i = first + k;
        if (i >= 0 && i < minutes) requests[i] += value / span;
      }
      total += value;
    }
    totals[id] = total;
  }
  return {
    trace: { name, start, requests, filledMinutes: 0 },
    apiRequests: totals.api_count ?? 0,
    albRequests: totals.alb_requests ?? 0,
    periodSeconds,
  };
}

/**
 * The metrics target of a service deployed with LambdaFlex: its base stack's API and function, and the
 * tier's ALB if one exists now. Flags may give them instead (a service not deployed by LambdaFlex).
 * @throws HistoryError when the base stack is missing and no API id was given.
 */
export async function resolveHistoryTarget(stacks: StackPort, service: string, given: Partial<HistoryTarget>): Promise<HistoryTarget> {
  if (given.apiId) return { apiId: given.apiId, functionName: given.functionName ?? `${service}-api`, loadBalancer: given.loadBalancer };
  const base = await stacks.describe(baseStackName(service));
  const apiId = base?.outputs[BASE_OUTPUTS.apiId];
  if (!base || !apiId) throw new HistoryError(`base stack ${baseStackName(service)} not found or without an ${BASE_OUTPUTS.apiId} output: give --api-id`);
  const tier = await stacks.describe(tierStackName(service));
  return {
    apiId,
    functionName: given.functionName ?? base.outputs[BASE_OUTPUTS.functionName] ?? `${service}-api`,
    loadBalancer: given.loadBalancer ?? tier?.outputs[TIER_OUTPUTS.loadBalancerFullName],
  };
}
