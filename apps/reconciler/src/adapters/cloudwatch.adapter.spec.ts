import {
  CloudWatchClient,
  CloudWatchServiceException,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataQuery,
  type MetricDataResult,
  type StatusCode,
} from '@aws-sdk/client-cloudwatch';
import { parsePolicy, type MetricsRequest } from '@lambdaflex/state';
import { mockClient } from 'aws-sdk-client-mock';
import { RetryableAwsError, type MetricsTarget } from '../ports';
import { CloudWatchAdapter, metricWindows, type SeriesId } from './cloudwatch.adapter';

const cw = mockClient(CloudWatchClient);
const adapter = new CloudWatchAdapter(new CloudWatchClient({ region: 'eu-west-1' }));

// Windows in minutes: up 3, down 10, step hold 2, drain check max(2 × 60 s, 300 s) = 5. The read spans 10.
const policy = parsePolicy({
  service: 'shop',
  scaleUp: { windowSeconds: 180 },
  scaleDown: { windowSeconds: 600 },
  dual: { stepHoldSeconds: 120 },
  dns: { ttlSeconds: 60 },
});
const NOW = Date.parse('2025-03-01T12:00:30Z');
// now − 180 s lag = 11:57:30, down to the minute.
const END = Date.parse('2025-03-01T11:57:00Z');
const START = Date.parse('2025-03-01T11:47:00Z');
const minute = (i: number) => new Date(START + i * 60_000);

const withAlb: MetricsTarget = {
  apiId: 'a1b2c3',
  functionName: 'lambdaflex-shop-api',
  loadBalancer: 'app/lambdaflex-shop-tier/50dc6c495c0c9188',
  targetGroup: 'targetgroup/lambdaflex-shop-tier/73e2d6bc24d8a067',
};
const lambdaOnly: MetricsTarget = { apiId: 'a1b2c3', functionName: 'lambdaflex-shop-api' };

/**
 * A result as GetMetricData returns it; `points` maps minute index (0 = START) to value; missing minutes
 * are gaps. Its id carries the request's prefix: `s0_` for a single read.
 */
function result(id: SeriesId, points: Record<number, number>, StatusCode: StatusCode = 'Complete', prefix = 's0_'): MetricDataResult {
  const entries = Object.entries(points).map(([i, v]) => [Number(i), v] as const);
  const Id = `${prefix}${id}`;
  return { Id, Label: Id, Timestamps: entries.map(([i]) => minute(i)), Values: entries.map(([, v]) => v), StatusCode, Messages: [] };
}

/** Every series complete, with the given points; those not given have no datapoints at all. */
function answer(points: Partial<Record<SeriesId, Record<number, number>>>, statuses: Partial<Record<SeriesId, StatusCode>> = {}) {
  const ids: SeriesId[] = [
    'api_count', 'fn_invocations', 'fn_concurrency', 'fn_throttles', 'alb_requests', 'alb_5xx', 'alb_elb_5xx', 'alb_rejected', 'alb_p95', 'alb_healthy', 'alb_per_target',
  ];
  return { MetricDataResults: ids.map((id) => result(id, points[id] ?? {}, statuses[id])), Messages: [] };
}

afterEach(() => cw.reset());

describe('the request', () => {
  it('asks for every series in one call over the settled window, minute by minute, oldest first', async () => {
    // Arrange
    cw.on(GetMetricDataCommand).resolves(answer({}));

    // Act
    await adapter.read(withAlb, policy, NOW);

    // Assert
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(1);
    const input = cw.commandCalls(GetMetricDataCommand)[0].args[0].input;
    expect(input).toMatchObject({ StartTime: new Date(START), EndTime: new Date(END), ScanBy: 'TimestampAscending' });
    const queries = (input.MetricDataQueries ?? []).map((q) => ({
      id: q.Id?.replace(/^s0_/, ''),
      metric: `${q.MetricStat?.Metric?.Namespace} ${q.MetricStat?.Metric?.MetricName}`,
      dimensions: Object.fromEntries((q.MetricStat?.Metric?.Dimensions ?? []).map((d) => [d.Name, d.Value])),
      stat: q.MetricStat?.Stat,
      period: q.MetricStat?.Period,
    }));
    const api = { ApiId: 'a1b2c3' };
    const fn = { FunctionName: 'lambdaflex-shop-api' };
    const lb = { LoadBalancer: withAlb.loadBalancer };
    expect(queries).toEqual([
      { id: 'api_count', metric: 'AWS/ApiGateway Count', dimensions: api, stat: 'Sum', period: 60 },
      { id: 'fn_invocations', metric: 'AWS/Lambda Invocations', dimensions: fn, stat: 'Sum', period: 60 },
      { id: 'fn_concurrency', metric: 'AWS/Lambda ConcurrentExecutions', dimensions: fn, stat: 'Maximum', period: 60 },
      { id: 'fn_throttles', metric: 'AWS/Lambda Throttles', dimensions: fn, stat: 'Sum', period: 60 },
      { id: 'alb_requests', metric: 'AWS/ApplicationELB RequestCount', dimensions: lb, stat: 'Sum', period: 60 },
      { id: 'alb_5xx', metric: 'AWS/ApplicationELB HTTPCode_Target_5XX_Count', dimensions: lb, stat: 'Sum', period: 60 },
      { id: 'alb_elb_5xx', metric: 'AWS/ApplicationELB HTTPCode_ELB_5XX_Count', dimensions: lb, stat: 'Sum', period: 60 },
      { id: 'alb_rejected', metric: 'AWS/ApplicationELB RejectedConnectionCount', dimensions: lb, stat: 'Sum', period: 60 },
      { id: 'alb_p95', metric: 'AWS/ApplicationELB TargetResponseTime', dimensions: lb, stat: 'p95', period: 60 },
      {
        id: 'alb_healthy',
        metric: 'AWS/ApplicationELB HealthyHostCount',
        dimensions: { TargetGroup: withAlb.targetGroup, LoadBalancer: withAlb.loadBalancer },
        stat: 'Minimum',
        period: 60,
      },
      { id: 'alb_per_target', metric: 'AWS/ApplicationELB RequestCountPerTarget', dimensions: { TargetGroup: withAlb.targetGroup }, stat: 'Sum', period: 60 },
    ]);
  });

  it('asks only for API Gateway count and Lambda throttles when the tier has no load balancer, and counts its traffic as 0', async () => {
    // Arrange
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [result('api_count', { 8: 600, 9: 600 }), result('fn_throttles', {})],
    });

    // Act
    const metrics = await adapter.read(lambdaOnly, policy, NOW);

    // Assert
    const ids = cw.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries?.map((q) => q.Id);
    expect(ids).toEqual(['s0_api_count', 's0_fn_throttles']);
    expect(metrics).toMatchObject({
      totalRpsUpWindow: 0,
      totalRpsDownWindow: 10,
      lambdaThrottles: 0,
      albRpsMax: 0,
      albRequests: 0,
      alb5xx: 0,
      albP95Ms: undefined,
      albShare: 0,
      healthyTargets: undefined,
      // Not asked: the capacity figures Lambda's invocations and concurrency make are unknown, not 0.
      spilledRps: undefined,
      lambdaConcurrency: undefined,
      lambdaRps: undefined,
    });
  });

  it('follows NextToken with the same queries and joins a series split over pages', async () => {
    // Arrange: the first page ends api_count early (PartialData), the second completes it
    const first = answer({ api_count: { 0: 60, 1: 60 } }, { api_count: 'PartialData' });
    const second = { MetricDataResults: [result('api_count', { 7: 600, 8: 600, 9: 600 })] };
    cw.on(GetMetricDataCommand).resolvesOnce({ ...first, NextToken: 'page-2' }).resolvesOnce(second);

    // Act
    const metrics = await adapter.read(withAlb, policy, NOW);

    // Assert
    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1].args[0].input).toEqual({ ...calls[0].args[0].input, NextToken: 'page-2' });
    expect(metrics.totalRpsUpWindow).toBe(10);
    expect(metrics.totalRpsDownWindow).toBe(10);
  });
});

describe('the figures', () => {
  it('reads the demand of both tiers and the signs of a saturated tier over the last three settled minutes', async () => {
    // Arrange: minutes 7–9 are the capacity window. API Gateway 600/min; Lambda invoked 900/min (300 handed
    // over by the tasks); the ALB received 1,200/min, answered 60 itself and rejected 30 connections.
    cw.on(GetMetricDataCommand).resolves(
      answer({
        api_count: { 7: 600, 8: 600, 9: 600 },
        fn_invocations: { 7: 600, 8: 900, 9: 900 },
        fn_concurrency: { 7: 2, 8: 3, 9: 2 },
        alb_requests: { 7: 600, 8: 1200, 9: 1200 },
        alb_elb_5xx: { 9: 60 },
        alb_rejected: { 9: 30 },
        alb_per_target: { 7: 300, 8: 600, 9: 600 },
        alb_healthy: { 9: 2 },
      }),
    );

    // Act
    const m = await adapter.read(withAlb, policy, NOW);

    // Assert
    expect(m).toMatchObject({
      stepWindowStart: END - 2 * 60_000, // the step hold's two minutes
      demandRps: 30, // (600 + 1,200) / 60
      albRpsRecent: 20,
      spilledRps: 5, // 300 / 60
      albOverloadRps: 1.5, // (60 + 30) / 60
      rpsPerTarget: 10,
      lambdaConcurrency: 3,
      lambdaRps: 15,
      healthyTargets: 2,
    });
  });

  it('gives the lowest total rate over the up-window and the highest over the down-window', async () => {
    // Arrange: totals per minute 2, 5, 20, 10, 10, 10, 10, 10, 12, 11 requests per second
    cw.on(GetMetricDataCommand).resolves(
      answer({
        api_count: { 0: 120, 1: 300, 2: 1200, 3: 600, 4: 600, 5: 600, 6: 600, 7: 540, 8: 600, 9: 600 },
        alb_requests: { 7: 60, 8: 120, 9: 60 },
      }),
    );

    // Act
    const metrics = await adapter.read(withAlb, policy, NOW);

    // Assert
    expect(metrics.totalRpsUpWindow).toBe(10);
    expect(metrics.totalRpsDownWindow).toBe(20);
    expect(metrics.albRpsMax).toBe(2);
  });

  it('counts a missing minute of a complete count series as 0', async () => {
    // Arrange: requests only in the last minute; throttles once inside the up-window and once before it
    cw.on(GetMetricDataCommand).resolves(answer({ api_count: { 9: 600 }, fn_throttles: { 2: 50, 8: 3 } }));

    // Act
    const metrics = await adapter.read(withAlb, policy, NOW);

    // Assert
    expect(metrics).toMatchObject({ totalRpsUpWindow: 0, totalRpsDownWindow: 10, lambdaThrottles: 3, albRpsMax: 0, albRequests: 0, alb5xx: 0 });
  });

  it('leaves every figure that depends on a PartialData series unknown, never zero', async () => {
    // Arrange
    cw.on(GetMetricDataCommand).resolves(
      answer(
        { api_count: { 7: 600, 8: 600, 9: 600 }, alb_requests: { 9: 60 }, alb_5xx: { 9: 1 }, alb_p95: { 9: 0.2 }, fn_throttles: {} },
        { alb_requests: 'PartialData', alb_p95: 'InternalError' },
      ),
    );

    // Act
    const metrics = await adapter.read(withAlb, policy, NOW);

    // Assert
    expect(metrics).toMatchObject({
      totalRpsUpWindow: undefined,
      totalRpsDownWindow: undefined,
      albRpsMax: undefined,
      albRequests: undefined,
      albShare: undefined,
      albP95Ms: undefined,
    });
    expect(metrics).toMatchObject({ lambdaThrottles: 0, alb5xx: 1 });
  });

  it('leaves the figures unknown when a series did not come back at all', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [result('alb_requests', { 9: 60 })] });

    const metrics = await adapter.read(withAlb, policy, NOW);

    expect(metrics).toMatchObject({ totalRpsUpWindow: undefined, lambdaThrottles: undefined, albRequests: 60, albShare: undefined });
  });

  it('gives the ALB share, 5xx and p95 in ms over the step-hold window', async () => {
    // Arrange: the step-hold window is minutes 8 and 9; minutes before it must not count
    cw.on(GetMetricDataCommand).resolves(
      answer({
        api_count: { 3: 6000, 8: 600, 9: 600 },
        alb_requests: { 3: 6000, 8: 120, 9: 60 },
        alb_5xx: { 3: 100, 8: 2, 9: 1 },
        alb_p95: { 5: 3.0, 8: 0.25, 9: 0.4 },
      }),
    );

    // Act
    const metrics = await adapter.read(withAlb, policy, NOW);

    // Assert
    expect(metrics.albRequests).toBe(180);
    expect(metrics.alb5xx).toBe(3);
    expect(metrics.albP95Ms).toBeCloseTo(400);
    expect(metrics.albShare).toBeCloseTo(180 / 1380);
  });

  it('has no ALB share when neither tier served a request', async () => {
    cw.on(GetMetricDataCommand).resolves(answer({}));
    await expect(adapter.read(withAlb, policy, NOW)).resolves.toMatchObject({ albShare: undefined, albRequests: 0, albP95Ms: undefined });
  });

  it('takes healthy targets from the latest datapoint, and knows none without one', async () => {
    cw.on(GetMetricDataCommand).resolvesOnce(answer({ alb_healthy: { 3: 2, 8: 3 } })).resolvesOnce(answer({}));

    await expect(adapter.read(withAlb, policy, NOW)).resolves.toMatchObject({ healthyTargets: 3 });
    await expect(adapter.read(withAlb, policy, NOW)).resolves.toMatchObject({ healthyTargets: undefined });
  });

  it('turns a failed call into unknown figures and tells onError, without throwing', async () => {
    // Arrange
    const errors: Error[] = [];
    const reporting = new CloudWatchAdapter(new CloudWatchClient({ region: 'eu-west-1' }), { onError: (e) => errors.push(e) });
    const throttled = new CloudWatchServiceException({
      name: 'Throttling',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 5, totalRetryDelay: 4000 },
      message: 'Rate exceeded',
    });
    cw.on(GetMetricDataCommand).rejects(throttled);

    // Act
    const metrics = await reporting.read(withAlb, policy, NOW);

    // Assert
    const { stepWindowStart, ...figures } = metrics;
    expect(Object.values(figures).every((v) => v === undefined)).toBe(true);
    expect(stepWindowStart).toBe(END - 2 * 60_000);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RetryableAwsError);
  });
});

describe('metricWindows', () => {
  it('ends at now minus the lag, down to the minute, and rounds each window up to whole minutes', () => {
    const odd = parsePolicy({ service: 'shop', scaleUp: { windowSeconds: 90 }, scaleDown: { windowSeconds: 400 }, dual: { stepHoldSeconds: 61 } });

    const w = metricWindows(odd, Date.parse('2025-03-01T12:00:59Z'), 0);

    expect(w).toEqual({
      capacityMinutes: 3,
      start: Date.parse('2025-03-01T11:53:00Z'),
      end: Date.parse('2025-03-01T12:00:00Z'),
      upMinutes: 2,
      downMinutes: 7,
      stepMinutes: 2,
      drainMinutes: 5,
    });
  });
});

describe('readMany', () => {
  const request = (i: number, target: MetricsTarget = { apiId: `api-${i}`, functionName: `svc-${i}-api` }, p = policy): MetricsRequest => ({
    service: `svc-${i}`,
    target,
    policy: p,
  });
  const dimension = (q: MetricDataQuery, name: string) => q.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === name)?.Value;
  const ids = (call: number) => (cw.commandCalls(GetMetricDataCommand)[call].args[0].input.MetricDataQueries ?? []).map((q) => q.Id);

  /** Answers every query complete; API Gateway's count of service i is i requests per second in every minute. */
  function countsByApi(input: GetMetricDataCommandInput) {
    return {
      MetricDataResults: (input.MetricDataQueries ?? []).map((q): MetricDataResult => {
        const i = Number(dimension(q, 'ApiId')?.replace('api-', ''));
        const values = q.Id?.endsWith('_api_count') ? Array.from({ length: 10 }, () => i * 60) : [];
        return { Id: q.Id, Timestamps: values.map((_, m) => minute(m)), Values: values, StatusCode: 'Complete' };
      }),
    };
  }

  it('reads 1,200 services in calls of at most 500 queries, ids unique in each, and maps each figure back to its service', async () => {
    // Arrange: lambda-phase services ask 2 series each, so 2,400 queries make 5 calls
    cw.on(GetMetricDataCommand).callsFake(countsByApi);
    const requests = Array.from({ length: 1200 }, (_, i) => request(i));

    // Act
    const metrics = await adapter.readMany(requests, NOW);

    // Assert
    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(5);
    for (const [n] of calls.entries()) {
      expect(ids(n).length).toBeLessThanOrEqual(500);
      expect(new Set(ids(n)).size).toBe(ids(n).length);
    }
    expect(calls.flatMap((_, n) => ids(n))).toHaveLength(2400);
    expect(metrics.size).toBe(1200);
    for (const i of [0, 1, 249, 250, 777, 1199]) {
      expect(metrics.get(`svc-${i}`)).toMatchObject({ totalRpsUpWindow: i, totalRpsDownWindow: i, lambdaThrottles: 0 });
    }
  });

  it('asks exactly 2 series of a lambda-phase service and all 11 of a service whose tier has an ALB', async () => {
    // Arrange
    cw.on(GetMetricDataCommand).callsFake(countsByApi);

    // Act
    await adapter.readMany([request(0), request(1, withAlb)], NOW);

    // Assert
    expect(ids(0).filter((id) => id?.startsWith('s0_'))).toEqual(['s0_api_count', 's0_fn_throttles']);
    expect(ids(0).filter((id) => id?.startsWith('s1_'))).toHaveLength(11);
  });

  it('spans the widest window of the batch, and reads each service over its own windows', async () => {
    // Arrange: a down-window of 20 minutes starts the call 10 minutes before START; a surge there counts for it only
    const wide = parsePolicy({ service: 'wide', scaleUp: { windowSeconds: 180 }, scaleDown: { windowSeconds: 1200 }, dual: { stepHoldSeconds: 120 } });
    cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
      MetricDataResults: (input.MetricDataQueries ?? []).map((q): MetricDataResult => {
        const surge = q.Id?.endsWith('_api_count') ? { Timestamps: [minute(-5), minute(9)], Values: [6000, 60] } : { Timestamps: [], Values: [] };
        return { Id: q.Id, ...surge, StatusCode: 'Complete' };
      }),
    }));

    // Act
    const metrics = await adapter.readMany([request(0), request(1, undefined, wide)], NOW);

    // Assert
    expect(cw.commandCalls(GetMetricDataCommand)[0].args[0].input).toMatchObject({ StartTime: new Date(END - 20 * 60_000), EndTime: new Date(END) });
    expect(metrics.get('svc-0')?.totalRpsDownWindow).toBe(1);
    expect(metrics.get('svc-1')?.totalRpsDownWindow).toBe(100);
  });

  it('follows NextToken across the batch and joins each series split over pages', async () => {
    // Arrange
    cw.on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [result('api_count', { 9: 60 }), result('fn_throttles', {}), result('api_count', { 0: 120 }, 'PartialData', 's1_'), result('fn_throttles', {}, 'Complete', 's1_')],
        NextToken: 'page-2',
      })
      .resolvesOnce({ MetricDataResults: [result('api_count', { 8: 120, 9: 120 }, 'Complete', 's1_')] });

    // Act
    const metrics = await adapter.readMany([request(0), request(1)], NOW);

    // Assert
    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1].args[0].input).toEqual({ ...calls[0].args[0].input, NextToken: 'page-2' });
    expect(metrics.get('svc-0')?.totalRpsDownWindow).toBe(1);
    expect(metrics.get('svc-1')?.totalRpsDownWindow).toBe(2);
  });

  it('gives gaps only to the services of a batch whose call failed, tells onError once, and never throws', async () => {
    // Arrange: 300 services, 600 queries: the call with the first 250 fails
    const errors: Error[] = [];
    const reporting = new CloudWatchAdapter(new CloudWatchClient({ region: 'eu-west-1' }), { onError: (e) => errors.push(e) });
    const throttled = new CloudWatchServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
    cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      if (input.MetricDataQueries?.some((q) => q.Id === 's0_api_count')) throw throttled;
      return countsByApi(input);
    });

    // Act
    const metrics = await reporting.readMany(Array.from({ length: 300 }, (_, i) => request(i)), NOW);

    // Assert
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RetryableAwsError);
    expect(metrics.get('svc-0')).toMatchObject({ totalRpsUpWindow: undefined, lambdaThrottles: undefined });
    expect(metrics.get('svc-249')).toMatchObject({ totalRpsUpWindow: undefined, lambdaThrottles: undefined });
    expect(metrics.get('svc-250')).toMatchObject({ totalRpsUpWindow: 250, lambdaThrottles: 0 });
    expect(metrics.get('svc-299')).toMatchObject({ totalRpsUpWindow: 299, lambdaThrottles: 0 });
  });
});
