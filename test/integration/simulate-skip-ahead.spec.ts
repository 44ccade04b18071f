import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { parsePolicy, type PolicyInput } from '@lambdaflex/state';
import { modelFor, parseTrace, resolveParams, resolvePolicy, simulate, type SimParamsInput, type SimulationOptions, type Simulation, type Trace } from '@lambdaflex/reconciler';
import { SHAPES, traceOf } from '../support/synthetic-traces';

/**
 * Skip-ahead changes nothing: the simulator skips the ticks that provably change nothing (the default),
 * and the whole result — every contender, every per-minute series, every transition, the tick problems —
 * is the one of a replay that runs `reconcileOnce` every minute; only the timing differs. On every
 * shared trace with the default and the proposed policy, on every synthetic shape, and on random short
 * traces, policies (thresholds, auto, pins, pauses, steps, caps) and worlds.
 */

// A copy of ../shared/traces, so that a clone alone (CI's) holds what this suite reads.
const TRACES = path.resolve(__dirname, '../support/traces');
const PROPOSED = JSON.parse(readFileSync(path.resolve(__dirname, '../../apps/reconciler/src/simulate/policies/proposed.json'), 'utf8'));
// A replay without skip-ahead runs about 3,000 minutes a second: NASA's 84,000 take half a minute or more.
const LONG = 300_000;

/** The replay with and without skip-ahead; the test fails, naming the first difference, unless they agree. */
async function expectSkipAheadChangesNothing(options: Omit<SimulationOptions, 'skipAhead'>): Promise<{ skipping: Simulation; ticking: Simulation }> {
  const skipping = await simulate(options);
  const ticking = await simulate({ ...options, skipAhead: false });
  expect(firstDifference(withoutTiming(skipping), withoutTiming(ticking))).toBeUndefined();
  expect(ticking.timing.ticks).toBe(options.trace.requests.length);
  return { skipping, ticking };
}

function withoutTiming({ timing: _timing, ...result }: Simulation) {
  return result;
}

/** Where two results first differ (a path and both values), or undefined when they are deeply, strictly equal. */
function firstDifference(a: unknown, b: unknown, at = 'simulation'): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${at}: ${String(a)} with skip-ahead, ${String(b)} without`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const difference = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}.${key}`);
    if (difference) return difference;
  }
  return `${at}: differs in kind`;
}

describe('skip-ahead in the simulator', () => {
  const files = readdirSync(TRACES).filter((f) => f.endsWith('.csv')).sort();
  const params = resolveParams({});
  const shared = files.flatMap((file) => [['default', {}] as const, ['proposed', PROPOSED] as const].map(([policy, input]) => [file.replace(/\.csv$/, ''), policy, input] as const));

  it('finds the shared traces', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(shared)(
    'gives the same result on %s with the %s policy, skipping most ticks',
    async (name, _policy, input) => {
      const trace = parseTrace(readFileSync(path.join(TRACES, `${name}.csv`), 'utf8'), name);
      const { policy, auto } = resolvePolicy(input, (p) => modelFor(p, params));

      const { skipping } = await expectSkipAheadChangesNothing({ trace, policy, params, auto });

      expect(skipping.timing.ticks).toBeLessThan(trace.requests.length / 10);
    },
    LONG,
  );

  it.each(SHAPES.map((s) => [s.name, s] as const))(
    'gives the same result on the synthetic shape %s',
    async (_name, shape) => {
      await expectSkipAheadChangesNothing({ trace: traceOf(shape), policy: parsePolicy({ service: 'shapes', ...shape.policy }), params });
    },
    LONG,
  );

  it(
    'gives the same result on random short traces, policies and worlds',
    async () => {
      const T0 = Date.parse('2026-01-05T00:00:00Z');
      const load = fc
        .array(
          fc.record({
            minutes: fc.integer({ min: 3, max: 60 }),
            rps: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 6, noNaN: true }), fc.double({ min: 6, max: 120, noNaN: true }), fc.double({ min: 120, max: 600, noNaN: true })),
            spike: fc.boolean(),
          }),
          { minLength: 1, maxLength: 8 },
        )
        .map((segments) => segments.flatMap((s) => Array.from({ length: s.minutes }, (_, i) => Math.round(s.rps * 60 * (s.spike && i === 0 ? 8 : 1)))));
      const policyArb = fc.record({
        up: fc.oneof(fc.double({ min: 2, max: 40, noNaN: true }), fc.constant('auto' as const)),
        downShare: fc.double({ min: 0, max: 0.9, noNaN: true }),
        upWindow: fc.constantFrom(60, 120, 300),
        downWindow: fc.constantFrom(300, 600, 1800),
        dwell: fc.constantFrom(60, 600, 900),
        budget: fc.constantFrom(1, 3, 8),
        mode: fc.constantFrom<PolicyInput['mode'][]>(
          undefined,
          undefined,
          { type: 'paused' },
          { type: 'pinned', tier: 'fargate' },
          { type: 'pinned', tier: 'lambda' },
          { type: 'pinned', tier: 'fargate', until: new Date(T0 + 90 * 60_000).toISOString() },
        ),
        steps: fc.constantFrom([10, 50, 100], [100], [25, 100]),
        stepHold: fc.constantFrom(60, 120),
        drainDelaySeconds: fc.constantFrom(120, 300, 900),
        minTasks: fc.integer({ min: 1, max: 2 }),
        maxTasks: fc.constantFrom(2, 5, 100),
        targetRpsPerTask: fc.constantFrom(3, 7, 50),
        spillHold: fc.constantFrom(60, 240),
        reaction: fc.constantFrom(0, 120, 600),
      });
      const worldArb = fc.record({
        stackCreateSeconds: fc.constantFrom(60, 300, 450),
        stackUpdateSeconds: fc.constantFrom(30, 60, 180),
        stackDeleteSeconds: fc.constantFrom(60, 360),
        dnsPropagationSeconds: fc.constantFrom(0, 60, 120),
        stickyShare: fc.constantFrom(0, 0.05, 0.3),
        stickySeconds: fc.constantFrom(60, 600, 1800),
        concurrencyLimit: fc.constantFrom(1, 3, 1000),
        scalingPer10Seconds: fc.constantFrom(1, 1000),
        metricLagSeconds: fc.constantFrom(60, 180),
        instantSpill: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(load, policyArb, worldArb, async (requests, p, w) => {
          const policy = parsePolicy({
            service: 'shop',
            mode: p.mode,
            scaleUp: { thresholdRps: p.up, windowSeconds: p.upWindow },
            scaleDown: { thresholdRps: p.up === 'auto' ? 'auto' : p.up * p.downShare, windowSeconds: p.downWindow },
            minDwellSeconds: p.dwell,
            maxTransitionsPerDay: p.budget,
            dual: { steps: p.steps, stepHoldSeconds: p.stepHold },
            dns: { ttlSeconds: 60, drainDelaySeconds: p.drainDelaySeconds },
            fargate: { minTasks: p.minTasks, maxTasks: Math.max(p.minTasks, p.maxTasks), targetRpsPerTask: p.targetRpsPerTask },
            spill: { holdSeconds: p.spillHold, reactionSeconds: p.reaction },
          });
          const input: SimParamsInput = {
            delays: {
              stackCreateSeconds: w.stackCreateSeconds,
              stackUpdateSeconds: w.stackUpdateSeconds,
              stackDeleteSeconds: w.stackDeleteSeconds,
              dnsPropagationSeconds: w.dnsPropagationSeconds,
              metricLagSeconds: w.metricLagSeconds,
            },
            dns: { stickyShare: w.stickyShare, stickySeconds: w.stickySeconds },
            lambda: { concurrencyLimit: w.concurrencyLimit, scalingPer10Seconds: w.scalingPer10Seconds },
            spill: { instant: w.instantSpill },
          };
          const trace: Trace = { name: 'random', start: T0, requests: Float64Array.from(requests), filledMinutes: 0 };
          await expectSkipAheadChangesNothing({ trace, policy, params: resolveParams(input) });
        }),
        { numRuns: 40, endOnFailure: true },
      );
    },
    LONG,
  );
});
