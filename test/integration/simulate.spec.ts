import fc from 'fast-check';
import { LINE_ITEMS, totalOf } from '@lambdaflex/cost';
import { parsePolicy, type PolicyInput } from '@lambdaflex/state';
import { resolveParams, RUNNABLE, simulate, type SimParamsInput, type Simulation, type Trace } from '@lambdaflex/reconciler';

/**
 * The simulator as a whole: the real reconcileOnce over the simulated world, the baselines and the
 * offline optimum, on short synthetic traces. The properties: every request is either served by a tier
 * or counted as lost; a lost request is never priced, so each contender's total is exactly what it
 * paid; and the optimum, which serves every request, is a floor for what serving them all costs.
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

/**
 * The optimum serves every request, so it is a floor for what a contender paid plus what its lost
 * requests would have cost on Lambda (the cheapest way the optimum itself could have served them);
 * a contender that lost none is above the floor on its own.
 */
function expectFloorHolds(sim: Simulation) {
  const floor = sim.contenders.optimum.total;
  for (const id of [...RUNNABLE, 'placement' as const]) {
    const c = sim.contenders[id];
    expect(floor).toBeLessThanOrEqual((c.total + c.lostRequests * sim.model.lambdaPerRequest) * (1 + 1e-9) + 1e-12);
    if (c.lostRequests === 0) expect(floor).toBeLessThanOrEqual(c.total * (1 + 1e-9) + 1e-12);
  }
}

function expectConservation(sim: Simulation) {
  const offered = sum(sim.trace.requests);
  for (const id of RUNNABLE) {
    const c = sim.contenders[id];
    expect(c.servedRequests + c.lostRequests).toBeCloseTo(offered, 6);
    expect(c.lostShare).toBeCloseTo(offered > 0 ? c.lostRequests / offered : 0, 12);
  }
  const lf = sim.lambdaflex;
  sim.trace.requests.forEach((load, m) => {
    expect(lf.demand[m]).toBeCloseTo(load, 9);
    expect(lf.lambdaServed[m] + lf.albServed[m] + lf.lost[m]).toBeCloseTo(load, 6);
    expect(Math.min(lf.lambdaServed[m], lf.albServed[m], lf.lost[m], lf.spilled[m], lf.capacity[m])).toBeGreaterThanOrEqual(-1e-9);
    // What the tasks handed over is served by Lambda, and the ALB never serves beyond its healthy tasks.
    expect(lf.spilled[m]).toBeLessThanOrEqual(lf.lambdaServed[m] + 1e-6);
    expect(lf.albServed[m]).toBeLessThanOrEqual(lf.capacity[m] + 1e-6);
  });
}

/** Each contender's total is its line items and nothing else: no line item for lost requests. */
function expectTotalsArePaidOnly(sim: Simulation) {
  for (const c of Object.values(sim.contenders)) {
    expect(Object.keys(c.items).sort()).toEqual([...LINE_ITEMS].sort());
    expect(c.total).toBeCloseTo(totalOf(c.items), 9);
    expect(c.cumulative.at(-1)).toBeCloseTo(c.total, 9);
  }
  const byMinute = LINE_ITEMS.reduce((t, item) => t + sum(sim.lambdaflex.cost[item]), 0);
  expect(byMinute).toBeCloseTo(sim.contenders.lambdaflex.total, 9);
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
    expect(sim.contenders.lambdaflex.lostMinutes).toBe(0);
    expect(sim.contenders.lambdaflex.lostRequests).toBeLessThan(0.5);
    expectFloorHolds(sim);
    expectConservation(sim);
    expectTotalsArePaidOnly(sim);
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
        expectTotalsArePaidOnly(sim);
      }),
      { numRuns: 25 },
    );
  });

  it('counts what Lambda throttles as lost and charges all-Lambda only for what it served', async () => {
    // Arrange: 30 rps for an hour against one concurrent execution (10 rps of 100 ms requests).
    const requests = Array(60).fill(1800);
    const policy = parsePolicy({ service: 'shop', ...FAST });
    const params = resolveParams({ lambda: { concurrencyLimit: 1 } });
    // Act
    const sim = await simulate({ trace: trace(requests), policy, params });
    // Assert: two thirds lost, and the total is the served third's price plus INIT, nothing for the rest.
    const lambda = sim.contenders['all-lambda'];
    expect(lambda.lostRequests).toBeCloseTo((2 / 3) * sum(requests), 0);
    expect(lambda.lostMinutes).toBe(60);
    expect(lambda.total).toBeCloseTo(lambda.servedRequests * sim.model.lambdaPerRequest + lambda.items.lambdaInit, 9);
    expect(lambda.total).toBeLessThan(0.5 * sum(requests) * sim.model.lambdaPerRequest);
    expect(sim.contenders.lambdaflex.lostRequests).toBeGreaterThan(0.5);
    expectConservation(sim);
    expectTotalsArePaidOnly(sim);
    expectFloorHolds(sim);
  });

  it('shows the loss of a baseline its task cap overloads, and its cost without pricing that loss', async () => {
    // Arrange: 100 rps for two hours; two tasks of 10 rps at most, against the 15 the target of 7 rps asks for.
    const requests = Array(120).fill(6000);
    const policy = parsePolicy({ service: 'shop', ...FAST, fargate: { minTasks: 1, maxTasks: 2, targetRpsPerTask: 7 } });
    // Act
    const sim = await simulate({ trace: trace(requests), policy, params: resolveParams({}) });
    // Assert: the capped tier serves 1,200 of every 6,000 and pays for two tasks, the ALB and its LCUs.
    const capped = sim.contenders['all-fargate-capped'];
    const uncapped = sim.contenders['all-fargate-uncapped'];
    const m = sim.model;
    expect(capped.lostRequests).toBeCloseTo(120 * (6000 - 2 * m.taskCapacityPerMinute), 6);
    expect(capped.lostShare).toBeCloseTo(0.8, 9);
    expect(capped.lostMinutes).toBe(120);
    expect(capped.total).toBeCloseTo(120 * (m.tierFixedPerMinute.total + 2 * m.perTaskMinute.total) + sum(requests) * m.lcuPerRequest, 9);
    // Uncapped, target tracking starts at 15 tasks and loses nothing on a flat load, for more money.
    expect(uncapped.lostRequests).toBe(0);
    expect(uncapped.total).toBeGreaterThan(capped.total);
    expectTotalsArePaidOnly(sim);
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
