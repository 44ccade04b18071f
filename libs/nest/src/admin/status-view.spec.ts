import { defaultPolicy, safeParsePolicy, type Condition, type Phase, type ServiceStatus, type StoredPolicy } from '@lambdaflex/state';
import { statusView } from './status-view';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const policy = defaultPolicy('shop');

function status(phase: Phase, alb: number, degraded?: string, stackPresent = alb > 0 || phase !== 'lambda'): ServiceStatus {
  const conditions: Condition[] = [
    { type: 'Ready', status: 'True', reason: 'Serving', message: '' },
    { type: 'Progressing', status: 'False', reason: 'Stable', message: '' },
    degraded
      ? { type: 'Degraded', status: 'True', reason: degraded, message: '' }
      : { type: 'Degraded', status: 'False', reason: 'AsExpected', message: '' },
  ];
  const stack = stackPresent
    ? { present: true as const, image: 'app:1', desiredTasks: 2, minTasks: 1, maxTasks: 10, cpu: 256, memoryMiB: 512, targetRpsPerTask: 50 }
    : { present: false as const };
  return {
    service: 'shop',
    phase,
    conditions,
    observedGeneration: 3,
    intent: { stack, weights: { api: 100 - alb, alb }, albRecord: alb > 0, probe: false, lookAgainAfterSeconds: 60 },
    snapshot: { version: 1, value: phase, context: {} } as unknown as ServiceStatus['snapshot'],
    lastGoodPolicy: policy,
    updatedAt: '2026-11-23T11:59:00.000Z',
  };
}

const stored = (generation: number, input: unknown = policy): StoredPolicy => ({ generation, result: safeParsePolicy(input) });

describe('statusView', () => {
  it.each([
    ['lambda serving alone', status('lambda', 0), 'absent'],
    ['a tier warming up', status('warming', 0), 'starting'],
    ['a dual step with healthy targets', status('dual', 50), 'healthy'],
    ['fargate serving alone', status('fargate', 100), 'healthy'],
    ['fargate with unhealthy targets', status('fargate', 100, 'TierUnhealthy'), 'unhealthy'],
    ['a dual step with no target-health figure', status('dual', 10, 'TargetHealthUnknown'), 'unknown'],
    ['a drain in progress', status('draining', 0), 'draining'],
    ['lambda with a problem unrelated to the tier', status('lambda', 0, 'MetricsMissing'), 'absent'],
  ])('reads the Fargate tier of %s as %s', (_name, s, health) => {
    expect(statusView(s, stored(3), NOW).tiers.fargate.health).toBe(health);
  });

  it('reads the weights and the Lambda tier from the intent', () => {
    const view = statusView(status('dual', 50), stored(3), NOW);
    expect(view.weights).toEqual({ api: 50, alb: 50 });
    expect(view.tiers).toEqual({
      lambda: { weight: 50, health: 'serving' },
      fargate: { weight: 50, stack: true, desiredTasks: 2, health: 'healthy' },
    });
  });

  it('is up to date only when the reconciler observed the stored generation', () => {
    expect(statusView(status('lambda', 0), stored(3), NOW).upToDate).toBe(true);
    expect(statusView(status('lambda', 0), stored(4), NOW).upToDate).toBe(false);
    expect(statusView(status('lambda', 0), undefined, NOW)).toMatchObject({ upToDate: false, policy: { valid: true } });
  });

  it('tells a lapsed pin from the stored one, and says when the stored policy is invalid', () => {
    const lapsed = stored(3, { service: 'shop', mode: { type: 'pinned', tier: 'fargate', until: '2026-11-23T11:00:00Z' } });
    expect(statusView(status('lambda', 0), lapsed, NOW).policy).toEqual({
      generation: 3,
      valid: true,
      mode: { type: 'pinned', tier: 'fargate', until: '2026-11-23T11:00:00Z' },
      effectiveMode: { type: 'auto' },
    });
    expect(statusView(status('lambda', 0), stored(5, { service: 'shop', mode: 'x' }), NOW).policy).toEqual({ generation: 5, valid: false });
  });

  it('passes recorded request rates on, and drops a malformed record rather than fail', () => {
    const rates = [{ at: '2026-11-23T11:50:00Z', totalRps: 12.5, albRps: 0 }];
    expect(statusView({ ...status('lambda', 0), requestRates: rates } as ServiceStatus, stored(3), NOW).requestRates).toEqual(rates);
    const malformed = { ...status('lambda', 0), requestRates: [{ at: 'yesterday', totalRps: -1 }] } as ServiceStatus;
    expect(statusView(malformed, stored(3), NOW)).not.toHaveProperty('requestRates');
  });
});
