import { parsePolicy, thresholdsOf, type DnsPort, type MetricsPort, type PolicyInput, type StackPort, type StoredStatus } from '@lambdaflex/state';
import { observeFleet, toObservation, type World } from './observe';
import { EXAMPLE_BASE as base } from './base-stack.fixture';


function world(policy: Omit<PolicyInput, 'service'>): World {
  return { service: 'shop', policy: parsePolicy({ service: 'shop', ...policy }), generation: 1, base, records: {}, dnsInSync: true, metrics: {} };
}

describe('toObservation', () => {
  it('derives auto thresholds from the cost model: up above the break-even, down below up', () => {
    const o = toObservation(world({ scaleUp: { thresholdRps: 'auto' }, scaleDown: { thresholdRps: 'auto' } }));
    expect(o.autoThresholds).toBeDefined();
    expect(o.autoThresholds!.upRps).toBeGreaterThan(o.autoThresholds!.downRps);
    expect(o.autoThresholds!.upRps).toBeGreaterThan(1);
    expect(thresholdsOf(o)).toEqual(o.autoThresholds);
  });

  it('derives nothing for a policy with numbers', () => {
    expect(toObservation(world({})).autoThresholds).toBeUndefined();
  });

  it('reads an absent tier as absent and missing records as weight 0', () => {
    const o = toObservation(world({}));
    expect(o.stack).toEqual({ status: 'absent' });
    expect(o.dns).toEqual({ apiWeight: 0, albWeight: 0, albRecordExists: false, inSync: true });
  });
});

describe('observeFleet', () => {
  const outputs = (extra: Record<string, string>) => ({
    ApiId: 'a1', ApiRegionalDomainName: 'd-1.execute-api.us-east-1.amazonaws.com', ApiRegionalHostedZoneId: 'ZAPI', FunctionName: 'fn', ImageUri: 'app:1',
    HostedZoneId: 'ZUSER', RecordName: 'api.example.com', CertificateArn: 'arn:cert', TaskExecutionRoleArn: 'arn:exec', TaskRoleArn: 'arn:task', PetsTableName: '(none)', ...extra,
  });
  const stack = (name: string, out: Record<string, string>) => ({ name, status: 'CREATE_COMPLETE', state: 'ready' as const, parameters: {}, outputs: out, createdAt: '2026-11-01T00:00:00Z' });

  it.each([
    ['the base stack names its health path', { HealthCheckPath: '/ping' }, 'https://alb-1.elb.amazonaws.com/ping'],
    ['an older base stack without one', {}, 'https://alb-1.elb.amazonaws.com/healthz'],
  ])('probes through the ALB on the health path: %s', async (_name, extra, url) => {
    const probed: string[] = [];
    const stacks = new Map([
      ['lambdaflex-shop', stack('lambdaflex-shop', outputs(extra))],
      ['lambdaflex-shop-tier', stack('lambdaflex-shop-tier', { LoadBalancerDnsName: 'alb-1.elb.amazonaws.com' })],
    ]);
    const policy = parsePolicy({ service: 'shop' });
    const status = { service: 'shop', intent: { probe: true } } as unknown as StoredStatus['status'];
    const worlds = await observeFleet(
      {
        stacks: { describeMany: async () => stacks } as unknown as StackPort,
        dns: { readMany: async () => new Map() } as unknown as DnsPort,
        metrics: { readMany: async () => new Map() } as unknown as MetricsPort,
        probe: { probe: async (target, count) => (probed.push(target.url), { ok: count, failed: 0 }) },
      },
      [{ service: 'shop', policy: { generation: 1, result: { ok: true, policy } }, status: { status, version: 1 } }],
      Date.parse('2026-12-01T00:00:00Z'),
    );
    expect(worlds.get('shop')).not.toBeInstanceOf(Error);
    expect(probed).toEqual([url]);
  });
});
