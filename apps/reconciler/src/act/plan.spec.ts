import { defaultPolicy, type Intent } from '@lambdaflex/state';
import type { World } from '../observe/observe';
import { planActs } from './plan';
import { EXAMPLE_BASE as base } from '../observe/base-stack.fixture';

const albOutputs = {
  LoadBalancerDnsName: 'alb-1.elb.amazonaws.com',
  LoadBalancerCanonicalHostedZoneId: 'ZALB',
  LoadBalancerFullName: 'app/x/1',
  TargetGroupFullName: 'targetgroup/x/1',
};
const api = (weight: number) => ({ setIdentifier: 'api', weight, target: { dnsName: base.apiDomainName, hostedZoneId: 'ZAPI' } });
const alb = (weight: number) => ({ setIdentifier: 'alb', weight, target: { dnsName: albOutputs.LoadBalancerDnsName, hostedZoneId: 'ZALB' } });

function world(patch: Partial<World> = {}): World {
  return { service: 'shop', policy: defaultPolicy('shop'), generation: 1, base, records: { api: api(100) }, dnsInSync: true, metrics: {}, ...patch };
}
const lambdaIntent: Intent = { stack: { present: false }, weights: { api: 100, alb: 0 }, albRecord: false, probe: false, lookAgainAfterSeconds: 60 };
const tierIntent = (alb: number, albRecord = true): Intent => ({
  stack: { present: true, image: 'app:1', desiredTasks: 2, minTasks: 1, maxTasks: 10, cpu: 256, memoryMiB: 512, targetRpsPerTask: 50 },
  weights: { api: 100 - alb, alb },
  albRecord,
  probe: false,
  lookAgainAfterSeconds: 60,
});
const readyTier = (parameters: Record<string, string> = {}) => ({
  name: 'lambdaflex-shop-tier',
  status: 'CREATE_COMPLETE',
  state: 'ready' as const,
  parameters,
  outputs: albOutputs,
  createdAt: '2026-11-23T00:00:00.000Z',
});

describe('planActs', () => {
  it('does nothing when the world matches the intent', () => {
    expect(planActs(lambdaIntent, world(), 0)).toEqual({ acts: [], waiting: [] });
  });

  it('creates the api record when it is missing', () => {
    const { acts } = planActs(lambdaIntent, world({ records: {} }), 0);
    expect(acts).toEqual([{ type: 'dns.change', hostedZoneId: 'ZUSER', recordName: 'api.example.com', changes: [{ action: 'UPSERT', record: api(100) }] }]);
  });

  it('creates the tier stack with a token that a retried tick repeats and a later attempt does not', () => {
    const first = planActs(tierIntent(0, false), world(), 1000).acts;
    const retry = planActs(tierIntent(0, false), world(), 1000).acts;
    const later = planActs(tierIntent(0, false), world(), 9000).acts;
    expect(first).toEqual([expect.objectContaining({ type: 'stack.create', stackName: 'lambdaflex-shop-tier' })]);
    expect(retry).toEqual(first);
    expect((later[0] as { token: string }).token).not.toBe((first[0] as { token: string }).token);
    expect((first[0] as { token: string }).token).toMatch(/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/);
  });

  it('writes both weights in one change batch', () => {
    const { acts } = planActs(tierIntent(50), world({ tier: readyTier(), records: { api: api(90), alb: alb(10) } }), 0);
    const dns = acts.find((a) => a.type === 'dns.change');
    expect(dns).toMatchObject({ changes: [{ action: 'UPSERT', record: api(50) }, { action: 'UPSERT', record: alb(50) }] });
  });

  it('waits while a Route53 change is pending', () => {
    const plan = planActs(tierIntent(50), world({ tier: readyTier(), records: { api: api(90), alb: alb(10) }, dnsInSync: false }), 0);
    expect(plan.acts.filter((a) => a.type === 'dns.change')).toEqual([]);
    expect(plan.waiting).toContain('a Route53 change is still PENDING');
  });

  it('deletes the ALB record as it exists, before anything else', () => {
    const { acts } = planActs(tierIntent(0, false), world({ tier: readyTier(), records: { api: api(100), alb: alb(0) } }), 0);
    expect(acts[0]).toMatchObject({ type: 'dns.change', changes: [{ action: 'DELETE', record: alb(0) }] });
  });

  it('never deletes the stack while its ALB record exists', () => {
    const plan = planActs(lambdaIntent, world({ tier: readyTier(), records: { api: api(100), alb: alb(0) } }), 0);
    expect(plan.acts.map((a) => a.type)).toEqual(['dns.change']);
    expect(plan.waiting).toContain('the ALB record still exists');
  });

  it('deletes the stack once the record is gone', () => {
    const { acts } = planActs(lambdaIntent, world({ tier: readyTier() }), 0);
    expect(acts).toEqual([expect.objectContaining({ type: 'stack.delete', stackName: 'lambdaflex-shop-tier' })]);
  });

  it('waits for a stack operation in progress instead of stacking another', () => {
    const plan = planActs(lambdaIntent, world({ tier: { ...readyTier(), status: 'UPDATE_IN_PROGRESS', state: 'in-progress' } }), 0);
    expect(plan.acts).toEqual([]);
    expect(plan.waiting).toEqual(['tier stack is UPDATE_IN_PROGRESS']);
  });

  it('updates the stack by parameters only when one differs', () => {
    const intent = tierIntent(100);
    const same = planActs(intent, world({ tier: readyTier(), records: { api: api(0), alb: alb(100) } }), 0);
    const params = (same.acts.find((a) => a.type === 'stack.update') as { parameters: Record<string, string> } | undefined)?.parameters;
    expect(params?.ImageUri).toBe('app:1');
    const settled = planActs(intent, world({ tier: readyTier(params), records: { api: api(0), alb: alb(100) } }), 0);
    expect(settled.acts).toEqual([]);
  });
});
