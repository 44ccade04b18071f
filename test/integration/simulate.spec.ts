import fc from 'fast-check';
import { parsePolicy, type PolicyInput } from '@lambdaflex/state';
import { resolveParams, RUNNABLE, simulate, type SimParamsInput, type Simulation, type Trace } from '@lambdaflex/reconciler';

/**
 * The simulator as a whole: the real reconcileOnce over the simulated world, the baselines and the
 * offline optimum, on short synthetic traces. The properties: the optimum is a floor for every
 * contender, and every request is either served by a tier or counted as shortfall.
 */

const T0 = Date.parse('2026-01-05T00:00:00Z');

function trace(requests: number[], name = 'synthetic'): Trace {
  return { name, start: T0, requests: Float64Array.from(requests), filledMinutes: 0 };
}

/** Short windows, so a whole cycle fits in a few hours. */
const FAST: Omit<PolicyInput, 'service'> = {
  scaleUp: { thresholdRps: 10, windowSeconds: 120 },
  scaleDown: { thresholdRps: 5, windowSeconds: 600 },
  minDwellSeconds: 600,
  dual: { steps: [10, 50, 100], stepHoldSeconds: 60 },
  dns: { ttlSeconds: 60, drainDelaySeconds: 300 },
  fargate: { targetRpsPerTask: 7 },
};

const sum = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0);

function expectFloorHolds(sim: Simulation) {
  const floor = sim.contenders.optimum.total;
  for (const id of [...RUNNABLE, 'placement' as const]) expect(floor).toBeLessThanOrEqual(sim.contenders[id].total * (1 + 1e-9) + 1e-12);
}

function expectConservation(sim: Simulation) {
  const offered = sum(sim.trace.requests);
  for (const id of RUNNABLE) {
    const c = sim.contenders[id];
    expect(c.servedRequests + c.shortfallRequests).toBeCloseTo(offered, 6);
  }
  const lf = sim.lambdaflex;
  sim.trace.requests.forEach((load, m) => {
    expect(lf.lambdaServed[m] + lf.albServed[m] + lf.shortfall[m]).toBeCloseTo(load, 6);
    expect(Math.min(lf.lambdaServed[m], lf.albServed[m], lf.shortfall[m])).toBeGreaterThanOrEqual(-1e-9);
  });
}

describe('the simulator', () => {
  it('takes LambdaFlex through a whole cycle on a busy afternoon, above the floor, losing nothing', async () => {
    // Arrange: quiet, three busy hours at 40 rps, quiet.
    const requests = [...Array(60).fill(60), ...Array(180).fill(2400), ...Array(120).fill(60)];
    const policy = parsePolicy({ service: 'shop', ...FAST });
    // Act
    const sim = await simulate({ trace: trace(requests), policy, params: resolveParams({}) });
    // Assert
    const phases = sim.lambdaflex.phase.filter((p, i, all) => i === 0 || p !== all[i - 1]);
    expect(phases).toEqual(['lambda', 'warming', 'dual', 'fargate', 'draining', 'lambda']);
    expect(sim.tickProblems.count).toBe(0);
    expect(sim.contenders.lambdaflex.transitions).toBe(2);
    expect(sim.contenders.lambdaflex.shortfallMinutes).toBe(0);
    expectFloorHolds(sim);
    expectConservation(sim);
    // The tier paid for itself: cheaper than all-Lambda, and the floor built the tier too.
    expect(sim.contenders.lambdaflex.total).toBeLessThan(sim.contenders['all-lambda'].total);
    expect(sim.optimum.transitions).toBe(2);
  });

  it('keeps the optimum under every contender, and every request accounted for, on random traces and worlds', async () => {
    const load = fc
      .array(fc.record({ minutes: fc.integer({ min: 3, max: 50 }), rps: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 5, noNaN: true }), fc.double({ min: 5, max: 80, noNaN: true })), spike: fc.boolean() }), { minLength: 1, maxLength: 8 })
      .map((segments) => segments.flatMap((s) => Array.from({ length: s.minutes }, (_, i) => Math.round(s.rps * 60 * (s.spike && i === 0 ? 8 : 1)))));
    const policy = fc.record({
      up: fc.double({ min: 2, max: 30, noNaN: true }),
      downShare: fc.double({ min: 0, max: 0.9, noNaN: true }),
      minTasks: fc.integer({ min: 1, max: 2 }),
      targetRpsPerTask: fc.constantFrom(3, 7, 10, 50),
      steps: fc.constantFrom([10, 50, 100], [100], [25, 100]),
      drainDelaySeconds: fc.constantFrom(120, 300, 900),
    });
    const world = fc.record({
      stackCreateSeconds: fc.constantFrom(60, 300, 450),
      stackDeleteSeconds: fc.constantFrom(60, 360),
      stickyShare: fc.constantFrom(0, 0.05, 0.3),
      stickySeconds: fc.constantFrom(60, 600, 1800),
      concurrencyLimit: fc.constantFrom(1, 3, 1000),
      scalingPer10Seconds: fc.constantFrom(1, 1000),
      metricLagSeconds: fc.constantFrom(60, 180),
    });
    await fc.assert(
      fc.asyncProperty(load, policy, world, async (requests, p, w) => {
        const resolvedPolicy = parsePolicy({
          service: 'shop',
          ...FAST,
          scaleUp: { thresholdRps: p.up, windowSeconds: 120 },
          scaleDown: { thresholdRps: p.up * p.downShare, windowSeconds: 600 },
          dual: { steps: p.steps, stepHoldSeconds: 60 },
          dns: { ttlSeconds: 60, drainDelaySeconds: p.drainDelaySeconds },
          fargate: { minTasks: p.minTasks, maxTasks: 10, targetRpsPerTask: p.targetRpsPerTask },
        });
        const params: SimParamsInput = {
          delays: { stackCreateSeconds: w.stackCreateSeconds, stackDeleteSeconds: w.stackDeleteSeconds, metricLagSeconds: w.metricLagSeconds },
          dns: { stickyShare: w.stickyShare, stickySeconds: w.stickySeconds },
          lambda: { concurrencyLimit: w.concurrencyLimit, scalingPer10Seconds: w.scalingPer10Seconds },
        };
        const sim = await simulate({ trace: trace(requests), policy: resolvedPolicy, params: resolveParams(params) });
        expectFloorHolds(sim);
        expectConservation(sim);
      }),
      { numRuns: 25 },
    );
  });

  it('replays the same with the reconciler’s state in a real dynalite as in memory', async () => {
    // Arrange: up and back down within 200 minutes.
    const requests = [...Array(20).fill(30), ...Array(100).fill(1800), ...Array(80).fill(30)];
    const policy = parsePolicy({ service: 'shop', ...FAST });
    const params = resolveParams({ delays: { stackCreateSeconds: 180, stackDeleteSeconds: 120 } });
    // Act
    const memory = await simulate({ trace: trace(requests), policy, params, store: 'memory' });
    const dynalite = await simulate({ trace: trace(requests), policy, params, store: 'dynalite' });
    // Assert
    expect(memory.history.map((t) => `${t.at} ${t.from}->${t.to} ${t.reason}`)).toEqual(dynalite.history.map((t) => `${t.at} ${t.from}->${t.to} ${t.reason}`));
    expect(memory.history.length).toBeGreaterThan(5);
    expect(memory.contenders.lambdaflex.total).toBeCloseTo(dynalite.contenders.lambdaflex.total, 12);
    expect(Array.from(memory.lambdaflex.albWeight)).toEqual(Array.from(dynalite.lambdaflex.albWeight));
  });
});
