import { parsePolicy, thresholdsOf, type PolicyInput } from '@lambdaflex/state';
import { toObservation, type World } from './observe';
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
