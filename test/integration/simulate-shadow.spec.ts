import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandOutput } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { BASE_OUTPUTS, baseStackName, TIER_OUTPUTS, tierStackName } from '@lambdaflex/state';
import type { StackDescription, StackPort } from '@lambdaflex/reconciler';
import { fetchRequestHistory, runSimulateCli } from '@lambdaflex/reconciler';
// A recorded response, shaped as the SDK returns GetMetricData pages.
import recorded from '../support/fixtures/get-metric-data.pages.json';

/**
 * Shadow mode against a GetMetricData response in the shape AWS returns it (two pages, one day of a
 * service's API Gateway and ALB counts), through aws-sdk-client-mock.
 */

const cw = mockClient(CloudWatchClient);
const client = new CloudWatchClient({ region: 'us-east-1' });
// 00:03:30 less the 180 s lag: the span ends at midnight and starts the day before.
const NOW = Date.parse('2026-01-06T00:03:30Z');
const START = Date.parse('2026-01-05T00:00:00Z');
const END = Date.parse('2026-01-06T00:00:00Z');
const LB = 'app/lambdaflex-shop-tier/50dc6c495c0c9188';

type Page = (typeof recorded.pages)[number];
/** A recorded page as the SDK hands it over: timestamps as Dates. */
function sdkPage(page: Page): GetMetricDataCommandOutput {
  return {
    ...page,
    MetricDataResults: page.MetricDataResults.map((r) => ({ ...r, StatusCode: r.StatusCode as 'Complete' | 'PartialData', Timestamps: r.Timestamps.map((t) => new Date(t)) })),
  } as GetMetricDataCommandOutput;
}

const recordedTotals = () => {
  const sumOf = (id: string) => recorded.pages.flatMap((p) => p.MetricDataResults.filter((r) => r.Id === id)).flatMap((r) => r.Values).reduce((a, b) => a + b, 0);
  return { api: sumOf('api_count'), alb: sumOf('alb_requests') };
};

function stacksWith(outputs: Record<string, Record<string, string>>): StackPort {
  const describe = async (name: string) =>
    outputs[name] ? ({ name, status: 'CREATE_COMPLETE', state: 'ready', parameters: {}, outputs: outputs[name], createdAt: '2025-12-01T00:00:00Z' } as StackDescription) : undefined;
  return {
    describe,
    describeMany: async (names) => new Map(names.flatMap((name) => (outputs[name] ? [[name, { name, status: 'CREATE_COMPLETE', state: 'ready', parameters: {}, outputs: outputs[name], createdAt: '2025-12-01T00:00:00Z' } as StackDescription] as const] : []))),
    create: async () => undefined,
    update: async () => 'no-change',
    delete: async () => undefined,
  };
}

const shop = stacksWith({
  [baseStackName('shop')]: { [BASE_OUTPUTS.apiId]: 'a1b2c3', [BASE_OUTPUTS.functionName]: 'shop-api' },
  [tierStackName('shop')]: { [TIER_OUTPUTS.loadBalancerFullName]: LB },
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'simulate-shadow-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => cw.reset());

describe('shadow mode: the request history from CloudWatch', () => {
  it('asks for API Gateway Count and ALB RequestCount per minute over the settled day, following the pages', async () => {
    // Arrange
    cw.on(GetMetricDataCommand).resolvesOnce(sdkPage(recorded.pages[0])).resolvesOnce(sdkPage(recorded.pages[1]));
    // Act
    const history = await fetchRequestHistory(client, { apiId: 'a1b2c3', functionName: 'shop-api', loadBalancer: LB }, 1, NOW);
    // Assert: the request
    const calls = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ StartTime: new Date(START), EndTime: new Date(END), ScanBy: 'TimestampAscending' });
    expect(calls[0].NextToken).toBeUndefined();
    expect(calls[1].NextToken).toBe(recorded.pages[0].NextToken);
    expect(calls[0].MetricDataQueries?.map((q) => [q.Id, q.MetricStat?.Metric?.Namespace, q.MetricStat?.Metric?.MetricName, q.MetricStat?.Stat, q.MetricStat?.Period, q.MetricStat?.Metric?.Dimensions])).toEqual([
      ['api_count', 'AWS/ApiGateway', 'Count', 'Sum', 60, [{ Name: 'ApiId', Value: 'a1b2c3' }]],
      ['alb_requests', 'AWS/ApplicationELB', 'RequestCount', 'Sum', 60, [{ Name: 'LoadBalancer', Value: LB }]],
    ]);
    // Assert: the trace, every minute of the day, missing datapoints as 0, both tiers summed
    const { api, alb } = recordedTotals();
    expect(history.trace.start).toBe(START);
    expect(history.trace.requests).toHaveLength(1440);
    expect(history.apiRequests).toBe(api);
    expect(history.albRequests).toBe(alb);
    expect(Array.from(history.trace.requests).reduce((a, b) => a + b, 0)).toBe(api + alb);
    expect(history.trace.requests[0]).toBe(0); // no datapoint at 00:00: no request
    const at10 = (id: string) => recorded.pages.flatMap((p) => p.MetricDataResults.filter((r) => r.Id === id)).map((r) => r.Values[r.Timestamps.indexOf('2026-01-05T10:00:00Z')]).find((v) => v !== undefined);
    expect(history.trace.requests[600]).toBe((at10('api_count') ?? NaN) + (at10('alb_requests') ?? NaN)); // 10:00, both tiers
  });

  it('reads older history at the period CloudWatch still keeps and spreads it over the minutes', async () => {
    // Arrange: 30 days back, 5-minute datapoints only; one of 500 requests.
    const from = Date.parse('2025-12-07T00:00:00Z');
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'api_count', Timestamps: [new Date(from + 3_600_000)], Values: [500], StatusCode: 'Complete' }] });
    // Act
    const history = await fetchRequestHistory(client, { apiId: 'a1b2c3', functionName: 'shop-api' }, 30, NOW);
    // Assert
    const input = cw.commandCalls(GetMetricDataCommand)[0].args[0].input;
    expect(input.MetricDataQueries?.map((q) => [q.Id, q.MetricStat?.Period])).toEqual([['api_count', 300]]);
    expect(history.periodSeconds).toBe(300);
    expect(history.trace.start).toBe(from);
    expect(Array.from(history.trace.requests.slice(60, 66))).toEqual([100, 100, 100, 100, 100, 0]);
  });

  it('runs the whole report on the service’s own history: `simulate --from-cloudwatch --service shop --days 1`', async () => {
    // Arrange
    cw.on(GetMetricDataCommand).resolvesOnce(sdkPage(recorded.pages[0])).resolvesOnce(sdkPage(recorded.pages[1]));
    // Act
    const { code, out, outDir } = await runSimulateCli(['--from-cloudwatch', '--service', 'shop', '--days', '1', '--out', 'shadow'], {
      cwd: dir,
      now: () => NOW,
      aws: () => ({ cloudwatch: client, stacks: shop }),
    });
    // Assert
    const { api, alb } = recordedTotals();
    expect(code).toBe(0);
    expect(out).toMatch(/^LambdaFlex simulation · cloudwatch-shop-1d · 1,440 min \(1\.0 days\) from 2026-01-05T00:00Z/);
    expect(out).toContain(`shadow mode: shop's last 1 day(s) from CloudWatch (60 s datapoints): API Gateway ${api.toLocaleString('en-US')} requests, ALB ${alb.toLocaleString('en-US')}`);
    const csv = readFileSync(path.join(outDir!, 'trace.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('timestamp,requests');
    expect(csv).toHaveLength(1441);
    expect(readFileSync(path.join(outDir!, 'report.md'), 'utf8')).toContain('shadow mode: shop');
    // The busy working day calls for the tier: LambdaFlex moves and the report says so.
    const report = JSON.parse(readFileSync(path.join(outDir!, 'report.json'), 'utf8'));
    expect(report.trace.requests).toBe(api + alb);
    expect(report.contenders.lambdaflex.transitions).toBeGreaterThan(0);
  });

  it('gives one line and exit 1 when CloudWatch leaves a series incomplete', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'api_count', Timestamps: [], Values: [], StatusCode: 'PartialData' }] });
    const { code, out } = await runSimulateCli(['--from-cloudwatch', '--service', 'shop', '--days', '1', '--api-id', 'a1b2c3'], { cwd: dir, now: () => NOW, aws: () => ({ cloudwatch: client, stacks: shop }) });
    expect(code).toBe(1);
    expect(out).toBe('lambdaflex simulate: CloudWatch did not return api_count complete (PartialData): try fewer days');
  });

  it('gives one line and exit 1 when CloudWatch refuses', async () => {
    cw.on(GetMetricDataCommand).rejects(Object.assign(new Error('User is not authorized to perform: cloudwatch:GetMetricData'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const { code, out } = await runSimulateCli(['--from-cloudwatch', '--service', 'shop', '--days', '1'], { cwd: dir, now: () => NOW, aws: () => ({ cloudwatch: client, stacks: shop }) });
    expect(code).toBe(1);
    expect(out).toBe('lambdaflex simulate: GetMetricData failed: GetMetricData: AccessDenied: User is not authorized to perform: cloudwatch:GetMetricData');
  });

  it('says which flag to give when the service has no base stack', async () => {
    const { code, out } = await runSimulateCli(['--from-cloudwatch', '--service', 'other', '--days', '1'], { cwd: dir, now: () => NOW, aws: () => ({ cloudwatch: client, stacks: shop }) });
    expect(code).toBe(1);
    expect(out).toBe('lambdaflex simulate: base stack lambdaflex-other not found or without an ApiId output: give --api-id');
  });
});
