import fc from 'fast-check';
import type { StateValue } from 'xstate';
import { decide } from './decide';
import type { TierContext } from './machine';
import type { Observation } from './observation';
import type { PolicyInput } from './policy';
import { isQuiet } from './quiet';
import { albWeight, healthyAlbTraffic, HOUR, MIN, observation, policyWith, readyStack, storedAt, T0 } from './test-kit';

/**
 * isQuiet() says a tick would be a fixed point, so that a simulator may skip it: whenever it says so,
 * decide() must take no transition and return the same state, context and intent. Checked on examples
 * of each rule, and on random snapshots (as decide() stores them) and observations around every
 * threshold the settled states read.
 */

/** The snapshot decide() stores after seeing `o` at `at` from a state stored with `context`. */
function decided(value: StateValue, o: Observation, at: number, context: Partial<TierContext> = {}) {
  return decide(storedAt(value, { desiredTasks: 2, ...context }, o), o, at).snapshot;
}

/** A tier serving all traffic within its capacity: 2 healthy tasks of 10 rps, 12 rps of demand. */
const serving = (metrics: Observation['metrics'] = {}) =>
  observation({
    stack: readyStack,
    dns: albWeight(100),
    metrics: { totalRpsUpWindow: 12, totalRpsDownWindow: 14, ...healthyAlbTraffic(100), demandRps: 12, albRpsRecent: 12, spilledRps: 0, albOverloadRps: 0, rpsPerTarget: 6, ...metrics },
  });

describe('isQuiet', () => {
  const at = T0 + 2 * HOUR;

  it('holds in lambda while load stays under the up-threshold, without throttles', () => {
    const idle = observation({ metrics: { totalRpsUpWindow: 3, totalRpsDownWindow: 4, lambdaThrottles: 0 } });
    const snapshot = decided('lambda', idle, at);

    expect(isQuiet(snapshot, idle, at + MIN)).toBe(true);
    expect(isQuiet(snapshot, observation({ metrics: { totalRpsUpWindow: 9.9 } }), at + MIN)).toBe(true);
    expect(isQuiet(snapshot, observation({ metrics: { totalRpsUpWindow: 10 } }), at + MIN)).toBe(false);
    expect(isQuiet(snapshot, observation({ metrics: { totalRpsUpWindow: 3, lambdaThrottles: 1 } }), at + MIN)).toBe(false);
    expect(isQuiet(snapshot, observation({ stack: readyStack, metrics: { totalRpsUpWindow: 3 } }), at + MIN)).toBe(false);
    expect(isQuiet(snapshot, observation({ metrics: { totalRpsUpWindow: NaN } }), at + MIN)).toBe(false);
  });

  it('holds in fargate while the tier carries the demand and load stays over the down-threshold', () => {
    const snapshot = decided('fargate', serving(), at, { lastTierChangeAt: T0 });

    expect(isQuiet(snapshot, serving(), at + MIN)).toBe(true);
    expect(isQuiet(snapshot, serving({ totalRpsDownWindow: 5 }), at + MIN)).toBe(false);
    expect(isQuiet(snapshot, serving({ spilledRps: 3 }), at + MIN)).toBe(false);
    expect(isQuiet(snapshot, serving({ demandRps: 30 }), at + MIN)).toBe(false);
    expect(isQuiet(snapshot, observation({ ...serving(), stack: { ...readyStack, healthyTargets: 0 } }), at + MIN)).toBe(false);
  });

  it('never holds in the moving states, nor when the mode is not auto', () => {
    const paused = policyWith({ mode: { type: 'paused' } });
    const idle = observation({ metrics: { totalRpsUpWindow: 3 } });

    expect(isQuiet(decided('lambda', idle, at), { ...idle, policy: paused }, at + MIN)).toBe(false);
    expect(isQuiet(decided('dual', serving(), at), serving(), at + MIN)).toBe(false);
    expect(isQuiet(decided('warming', serving(), at), serving(), at + MIN)).toBe(false);
    expect(isQuiet(decided({ draining: 'waiting' }, serving(), at), serving(), at + MIN)).toBe(false);
    expect(isQuiet(undefined, idle, at)).toBe(false);
  });

  it('implies a fixed point of decide() on random snapshots and observations', () => {
    const policies: Partial<PolicyInput>[] = [
      {},
      { mode: { type: 'pinned', tier: 'fargate', until: new Date(T0 + HOUR).toISOString() } },
      { mode: { type: 'paused' } },
      { scaleUp: { thresholdRps: 'auto' }, scaleDown: { thresholdRps: 'auto' } },
      { fargate: { maxTasks: 2, targetRpsPerTask: 7 }, spill: { holdSeconds: 120, reactionSeconds: 0 } },
    ];
    const figures = {
      totalRpsUpWindow: fc.constantFrom(0, 4, 9.99, 10, 30, undefined, NaN),
      totalRpsDownWindow: fc.constantFrom(0, 5, 5.01, 12, 40),
      lambdaThrottles: fc.constantFrom(0, 0, 0, 2),
      demandRps: fc.constantFrom(1, 8, 12, 16, 19, 25, 60, 2000, undefined),
      albRpsRecent: fc.constantFrom(0, 8, 12, 19, 25),
      spilledRps: fc.constantFrom(0, 0, 0, 0.1, 3),
      albOverloadRps: fc.constantFrom(0, 0, 0, 1),
      rpsPerTarget: fc.constantFrom(undefined, 6, 9.9, 15),
      lambdaConcurrency: fc.constantFrom(undefined, 2, 900),
      lambdaRps: fc.constantFrom(undefined, 0.5, 20),
      albRequests: fc.constantFrom(0, 50, 5000),
      alb5xx: fc.constantFrom(0, 0, 200),
      albShare: fc.constantFrom(undefined, 0.5, 1),
      albRpsMax: fc.constantFrom(0, 12),
    };
    const stacks: Observation['stack'][] = [
      { status: 'absent' },
      readyStack,
      { ...readyStack, healthyTargets: 1 },
      { ...readyStack, healthyTargets: 0 },
      { ...readyStack, healthyTargets: undefined },
      { ...readyStack, status: 'in-progress' },
      { ...readyStack, status: 'failed' },
    ];
    const records = [albWeight(100), albWeight(40), albWeight(0), { apiWeight: 100, albWeight: 0, albRecordExists: false, inSync: true }];
    // A state, and mostly the world it settles in (no stack for lambda, a serving one for fargate), sometimes any.
    const state = fc.constantFrom<StateValue>('lambda', 'lambda', 'fargate', 'fargate', 'dual', { draining: 'waiting' }).chain((value) =>
      fc.record({
        value: fc.constant(value),
        stack: fc.oneof({ weight: 3, arbitrary: fc.constant(value === 'lambda' ? stacks[0] : readyStack) }, { weight: 1, arbitrary: fc.constantFrom(...stacks) }),
        dns: fc.oneof({ weight: 3, arbitrary: fc.constant(value === 'lambda' ? records[3] : records[0]) }, { weight: 1, arbitrary: fc.constantFrom(...records) }),
      }),
    );
    const context = fc.record({
      lastTierChangeAt: fc.constantFrom(undefined, T0, at - 5 * MIN),
      loadChanges: fc.constantFrom([], [T0], Array.from({ length: 8 }, (_, i) => at - i * MIN)),
      albCap: fc.constantFrom(undefined, undefined, 40, 80),
      capChangedAt: fc.constantFrom(undefined, T0, at - 2 * MIN),
      overSince: fc.constantFrom(undefined, undefined, T0, at - MIN),
      backoffUntil: fc.constantFrom(undefined, at + HOUR),
    });

    const quiet = { lambda: 0, fargate: 0 };
    fc.assert(
      fc.property(
        state,
        context,
        fc.constantFrom(...policies.map((p) => policyWith(p))),
        fc.constantFrom(undefined, { upRps: 10, downRps: 5 }, { upRps: 8, downRps: NaN }),
        fc.record(figures),
        // The next minute: a figure or two move, and sometimes the stack.
        fc.array(fc.constantFrom(...(Object.keys(figures) as (keyof typeof figures)[])), { maxLength: 2 }).chain((keys) => fc.record(Object.fromEntries(keys.map((k) => [k, figures[k]])))),
        fc.option(fc.constantFrom(...stacks), { freq: 5 }),
        fc.constantFrom(0, MIN, 10 * MIN, 2 * HOUR, -MIN),
        ({ value, stack, dns }, ctx, policy, autoThresholds, metrics, moved, stackLater, dt) => {
          const o1 = observation({ policy, stack, dns, autoThresholds, metrics });
          const o2 = observation({ policy, stack: stackLater ?? stack, dns, autoThresholds, metrics: { ...metrics, ...moved } });
          const snapshot = decided(value, o1, at, ctx);
          if (!isQuiet(snapshot, o2, at + dt)) return;
          quiet[snapshot.value as keyof typeof quiet]++;

          const next = decide(snapshot, o2, at + dt);

          expect(next.transitions).toEqual([]);
          expect(next.frozen).toBe(false);
          expect(next.snapshot.value).toEqual(snapshot.value);
          expect(next.snapshot.context).toEqual(snapshot.context);
          expect(next.intent).toEqual(snapshot.intent);
        },
      ),
      { numRuns: 4000 },
    );
    // Not vacuous: a fair share of the cases was quiet, in each settled state.
    expect(quiet.lambda).toBeGreaterThan(25);
    expect(quiet.fargate).toBeGreaterThan(60);
  });
});
