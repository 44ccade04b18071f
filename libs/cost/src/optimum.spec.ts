import fc from 'fast-check';
import { createCostModel, type CostModel } from './cost-model';
import { offlineOptimum, type OptimumDelays, type TierState } from './optimum';

/**
 * A model where the choice is close on tiny traces: long, large Lambda requests (≈ $1.8e-5 each) against
 * a tier of ≈ $8e-4 a minute with 30 requests a minute per task, so a few tens of requests flip it.
 */
const model: CostModel = createCostModel({
  task: { cpu: 256, memoryMiB: 512 },
  workload: { durationMs: 1000, memoryMb: 1024, rpsPerVcpu: 2 },
});
const delays: OptimumDelays = { buildMinutes: 2, deleteMinutes: 2, taskLeadMinutes: 1 };
const STATES: TierState[] = ['off', 'building', 'on', 'deleting'];

/** Whether a sequence of tier states is a life the world allows, written from the rules, not the DP. */
function valid(seq: TierState[], d: OptimumDelays): boolean {
  if (seq[0] === 'building' || seq[0] === 'deleting') return false;
  for (let t = 0; t < seq.length; ) {
    let end = t;
    while (end + 1 < seq.length && seq[end + 1] === seq[t]) end++;
    const length = end - t + 1;
    const next = seq[end + 1];
    const cut = next === undefined;
    switch (seq[t]) {
      case 'off':
        if (!cut && next !== 'building') return false;
        break;
      case 'on':
        if (!cut && next !== 'deleting') return false;
        break;
      case 'building':
        // A build runs its full time then serves, or is abandoned early into a delete.
        if (length > d.buildMinutes) return false;
        if (!cut && !(next === 'deleting' || (next === 'on' && length === d.buildMinutes))) return false;
        break;
      case 'deleting':
        if (length > d.deleteMinutes) return false;
        if (!cut && !(next === 'off' && length === d.deleteMinutes)) return false;
        break;
    }
    t = end + 1;
  }
  return true;
}

/** A path's cost from the model's rates, the tier's split tried over every whole request and task count. */
function pathCost(seq: TierState[], loads: number[], m: CostModel, d: OptimumDelays): number {
  let total = 0;
  let run = 0;
  seq.forEach((state, t) => {
    run = t > 0 && seq[t - 1] === state ? run + 1 : 1;
    const load = loads[t];
    const lambda = load * m.lambdaPerRequest;
    const tier = m.tierFixedPerMinute.total;
    const task = m.perTaskMinute.total;
    if (state === 'off') total += lambda;
    if (state === 'building') total += lambda + tier + (run > d.buildMinutes - d.taskLeadMinutes ? task : 0) + (run === 1 ? m.albPartialHour : 0);
    if (state === 'deleting') total += lambda + tier + task;
    if (state === 'on') {
      let best = Infinity;
      for (let tasks = 1; tasks <= Math.ceil(load / m.taskCapacityPerMinute) + 1; tasks++) {
        for (let alb = 0; alb <= Math.min(load, tasks * m.taskCapacityPerMinute); alb++) {
          best = Math.min(best, tier + tasks * task + alb * m.lcuPerRequest + (load - alb) * m.lambdaPerRequest);
        }
      }
      total += best;
    }
  });
  return total;
}

function bruteForce(loads: number[], d: OptimumDelays): number {
  let best = Infinity;
  const seq: TierState[] = new Array(loads.length);
  const visit = (t: number) => {
    if (t === loads.length) {
      if (valid(seq, d)) best = Math.min(best, pathCost(seq, loads, model, d));
      return;
    }
    for (const s of STATES) {
      seq[t] = s;
      visit(t + 1);
    }
  };
  visit(0);
  return best;
}

describe('the offline optimum', () => {
  it('equals a brute-force search over every life of the tier on tiny traces', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 90 }), { minLength: 1, maxLength: 7 }),
        fc.record({ buildMinutes: fc.integer({ min: 1, max: 3 }), deleteMinutes: fc.integer({ min: 1, max: 2 }), taskLeadMinutes: fc.integer({ min: 0, max: 3 }) }),
        (loads, d) => {
          const dp = offlineOptimum(loads, model, d);
          expect(dp.total).toBeCloseTo(bruteForce(loads, d), 10);
          expect(valid(dp.states, d)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is never above all-Lambda nor an always-on tier', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 120 }), (loads) => {
        const dp = offlineOptimum(loads, model, delays);
        const allOff = pathCost(loads.map(() => 'off'), loads, model, delays);
        expect(dp.total).toBeLessThanOrEqual(allOff + 1e-12);
        const allOn = pathCost(loads.map(() => 'on'), loads, model, delays);
        expect(dp.total).toBeLessThanOrEqual(allOn + 1e-12);
      }),
      { numRuns: 40 },
    );
  });

  it('builds the tier for a long busy stretch, and only then', () => {
    // Arrange: quiet, 3 busy hours, quiet.
    const loads = [...Array(60).fill(1), ...Array(180).fill(300), ...Array(60).fill(1)];
    // Act
    const dp = offlineOptimum(loads, model, delays);
    // Assert: off, build ending as the busy stretch starts, on, delete, off.
    const runs = dp.states.filter((s, i) => i === 0 || s !== dp.states[i - 1]);
    expect(runs).toEqual(['off', 'building', 'on', 'deleting', 'off']);
    expect(dp.states[60]).toBe('on');
    expect(dp.states[59]).toBe('building');
    expect(dp.transitions).toBe(2);
  });

  it('accounts for its total by line item and by minute', () => {
    const loads = [0, 50, 400, 400, 10, 0];
    const dp = offlineOptimum(loads, model, delays);
    const byMinute = dp.perMinute.reduce((a, b) => a + b, 0);
    const byItem = Object.values(dp.items).reduce((a, b) => a + b, 0);
    expect(byMinute).toBeCloseTo(dp.total, 12);
    expect(byItem).toBeCloseTo(dp.total, 12);
  });
});
