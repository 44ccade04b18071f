import { parsePolicy } from '@lambdaflex/state';
import { headline, resolveParams, simulate, type Simulation } from '@lambdaflex/reconciler';
import { SHAPES, traceOf } from '../support/synthetic-traces';

/**
 * Hold every peak, on every shape of traffic: each synthetic trace (none of the shared ones) replayed
 * through the real reconciler over the simulated world — ECS-like scaling, Lambda's concurrency and
 * burst scaling, DNS lag and stale resolvers — with the default policy. Where Lambda's concurrency
 * suffices, no request may be lost, and the cost is set against the single tiers and the optimum.
 */

const results: { shape: string; sim: Simulation }[] = [];

describe('the policy on synthetic traffic shapes', () => {
  afterAll(() => {
    // One line per shape, for the closing note and for whoever reads the log.
    for (const { shape, sim } of results) {
      const h = headline(sim);
      console.log(
        JSON.stringify({
          shape,
          requests: Math.round(h.requests),
          lost: Math.round(h.lostRequests),
          usd: Number(h.usd.toFixed(2)),
          overOptimum: Number(h.lambdaflexOverOptimum.toFixed(3)),
          overBestSingleTier: Number(h.lambdaflexOverBestBaseline.toFixed(3)),
          bestSingleTier: h.bestBaseline,
          spillMinutes: h.spillMinutes,
          transitions: sim.history.length,
        }),
      );
    }
  });

  it.each(SHAPES.map((s) => [s.name, s] as const))('%s: loses no request, and costs no less than the floor', async (_name, shape) => {
    // Arrange
    const trace = traceOf(shape);
    const policy = parsePolicy({ service: 'shapes', ...shape.policy });

    // Act
    const sim = await simulate({ trace, policy, params: resolveParams({}) });
    results.push({ shape: shape.name, sim });

    // Assert: nothing lost (fractions of a request are the per-minute model's rounding), the books balance.
    const lf = sim.contenders.lambdaflex;
    expect(lf.lostRequests).toBeLessThan(1);
    expect(lf.servedRequests + lf.lostRequests).toBeCloseTo(trace.requests.reduce((a, b) => a + b, 0), 3);
    expect(lf.total).toBeGreaterThanOrEqual(sim.contenders.optimum.total * (1 - 1e-9));
    expect(sim.tickProblems.count).toBe(0);
  });

  it('spills to Lambda when the plateau is above the task cap: the machine lowers the weight and gives it back', () => {
    const plateau = results.find((r) => r.shape === 'plateau-3x-cap')?.sim;
    expect(plateau).toBeDefined();
    const reasons = plateau!.history.map((t) => t.reason);
    expect(reasons).toContain('SpilledToLambda');
    expect(reasons).toContain('CapacityReturned');
    // While the cap binds, Lambda serves what ten tasks cannot: most of the plateau.
    const lambdaShare = plateau!.lambdaflex.lambdaServed.reduce((a, b) => a + b, 0) / plateau!.trace.requests.reduce((a, b) => a + b, 0);
    expect(lambdaShare).toBeGreaterThan(0.3);
  });
});
