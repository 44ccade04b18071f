import type { StateValue } from 'xstate';
import { decide } from './decide';
import type { TierContext } from './machine';
import type { Observation } from './observation';
import {
  albWeight,
  healthyAlbTraffic,
  HOUR,
  MIN,
  observation,
  policyWith,
  readyStack,
  storedAt,
  T0,
} from './test-kit';

interface Case {
  from: StateValue;
  context?: Partial<TierContext>;
  observed: Observation;
  /** Minutes after T0. */
  at: number;
  to: StateValue;
  /** The reasons recorded this tick, in order: one tick settles, so a world can cause several steps. */
  reason?: string | string[];
}

const busy = { totalRpsUpWindow: 40, totalRpsDownWindow: 60 };
const quiet = { totalRpsUpWindow: 1, totalRpsDownWindow: 2 };
const pinned = (tier: 'lambda' | 'fargate', until?: string) => policyWith({ mode: { type: 'pinned', tier, until } });
const draining = (step: string): StateValue => ({ draining: step });
// A world whose tier serves `weight` percent, healthy.
const serving = (weight: number, metrics = {}) =>
  observation({ stack: readyStack, dns: albWeight(weight), metrics: { ...busy, ...healthyAlbTraffic(weight), ...metrics } });
const drained = (metrics = {}) =>
  observation({ stack: readyStack, dns: albWeight(0), metrics: { ...quiet, albRpsMax: 0, ...metrics } });

// One case per transition, and per guard that holds a state: named after the behaviour.
const cases: Record<string, Case> = {
  // lambda
  'holds lambda while load is under the up-threshold': { from: 'lambda', observed: observation({ metrics: { totalRpsUpWindow: 9.9, totalRpsDownWindow: 12 } }), at: 60, to: 'lambda' },
  'warms the tier when load held over the up-threshold for the up-window': { from: 'lambda', observed: observation({ metrics: busy }), at: 60, to: 'warming', reason: 'LoadAboveThreshold' },
  'warms the tier when Lambda throttles, even under the threshold': { from: 'lambda', observed: observation({ metrics: { ...quiet, lambdaThrottles: 3 } }), at: 60, to: 'warming', reason: 'LambdaThrottling' },
  'warms the tier when pinned to fargate, whatever the load': { from: 'lambda', observed: observation({ policy: pinned('fargate') }), at: 60, to: 'warming', reason: 'PinnedFargate' },
  'warms the tier on the auto threshold the cost model derived': { from: 'lambda', observed: observation({ policy: policyWith({ scaleUp: { thresholdRps: 'auto' }, scaleDown: { thresholdRps: 'auto' } }), autoThresholds: { upRps: 30, downRps: 3 }, metrics: busy }), at: 60, to: 'warming', reason: 'LoadAboveThreshold' },
  'holds lambda under a derived auto threshold': { from: 'lambda', observed: observation({ policy: policyWith({ scaleUp: { thresholdRps: 'auto' } }), autoThresholds: { upRps: 50, downRps: 3 }, metrics: busy }), at: 60, to: 'lambda' },
  'moves nothing on load when an auto threshold was not derived': { from: 'lambda', observed: observation({ policy: policyWith({ scaleUp: { thresholdRps: 'auto' } }), metrics: busy }), at: 60, to: 'lambda' },
  'treats a lapsed pin as auto': { from: 'lambda', observed: observation({ policy: pinned('fargate', '2026-11-22T00:00:00Z') }), at: 60, to: 'lambda' },
  'does not move on a metric gap': { from: 'lambda', observed: observation({ metrics: { totalRpsUpWindow: undefined, totalRpsDownWindow: undefined } }), at: 60, to: 'lambda' },
  'does not move on NaN load': { from: 'lambda', observed: observation({ metrics: { totalRpsUpWindow: NaN, totalRpsDownWindow: NaN } }), at: 60, to: 'lambda' },
  'waits out the minimum dwell before a move on load': { from: 'lambda', context: { lastTierChangeAt: T0 + 50 * MIN }, observed: observation({ metrics: busy }), at: 60, to: 'lambda' },
  'stops moving on load when the daily budget is spent': { from: 'lambda', context: { loadChanges: Array.from({ length: 8 }, (_, i) => T0 - i * HOUR) }, observed: observation({ metrics: busy }), at: 60, to: 'lambda' },
  'moves again once old tier changes leave the 24-hour budget': { from: 'lambda', context: { loadChanges: Array.from({ length: 8 }, (_, i) => T0 - 25 * HOUR - i) }, observed: observation({ metrics: busy }), at: 60, to: 'warming', reason: 'LoadAboveThreshold' },
  'backs off after a failure, even when pinned': { from: 'lambda', context: { backoffUntil: T0 + 2 * HOUR }, observed: observation({ policy: pinned('fargate'), metrics: busy }), at: 60, to: 'lambda' },
  'drains a stack it did not expect instead of leaving or deleting it': { from: 'lambda', observed: observation({ stack: readyStack, dns: albWeight(50) }), at: 60, to: draining('shifting'), reason: 'StrayStack' },
  // warming
  'holds warming while the stack is being created': { from: 'warming', observed: observation({ stack: { status: 'in-progress' }, metrics: busy }), at: 5, to: 'warming' },
  'holds warming until enough targets are healthy': { from: 'warming', observed: observation({ policy: policyWith({ fargate: { minTasks: 2 } }), stack: { ...readyStack, healthyTargets: 1 }, metrics: busy }), at: 5, to: 'warming' },
  'holds warming while the tier runs another image': { from: 'warming', observed: observation({ stack: { ...readyStack, image: 'app:0' }, metrics: busy }), at: 5, to: 'warming' },
  'starts dual when the stack is complete with enough healthy targets': { from: 'warming', observed: observation({ stack: readyStack, metrics: busy }), at: 5, to: 'dual', reason: 'TierReady' },
  'drains and backs off when the stack fails': { from: 'warming', observed: observation({ stack: { status: 'failed' }, metrics: busy }), at: 5, to: draining('waiting'), reason: ['StackFailed', 'WeightDrained'] },
  'drains and backs off when warming times out': { from: 'warming', observed: observation({ stack: { status: 'in-progress' }, metrics: busy }), at: 16, to: draining('waiting'), reason: ['WarmingTimedOut', 'WeightDrained'] },
  'drains when pinned to lambda while warming': { from: 'warming', observed: observation({ policy: pinned('lambda'), stack: { status: 'in-progress' } }), at: 5, to: draining('waiting'), reason: ['PinnedLambda', 'WeightDrained'] },
  'drains when load is gone before the tier is ready': { from: 'warming', observed: observation({ stack: { status: 'in-progress' }, metrics: quiet }), at: 5, to: draining('waiting'), reason: ['LoadBelowThreshold', 'WeightDrained'] },
  // dual
  'holds a step until its weight is in sync and held for the step hold': { from: 'dual', context: { stepSyncedAt: T0 + 59 * MIN, stepStartedAt: T0 + 55 * MIN }, observed: serving(10), at: 60, to: 'dual' },
  'advances a step that held and passed on real traffic': { from: 'dual', context: { stepSyncedAt: T0 + 50 * MIN, stepStartedAt: T0 + 49 * MIN }, observed: serving(10), at: 60, to: 'dual', reason: 'StepPassed' },
  'holds a step while the ALB has not measurably taken its share': { from: 'dual', context: { stepIndex: 1, stepSyncedAt: T0 + 50 * MIN, stepStartedAt: T0 + 49 * MIN }, observed: serving(50, { albShare: 0.1 }), at: 60, to: 'dual' },
  'holds a step at thin traffic until enough probes succeed': { from: 'dual', context: { stepSyncedAt: T0 + 50 * MIN, stepStartedAt: T0 + 49 * MIN }, observed: serving(10, { albRequests: 3, probes: undefined }), at: 60, to: 'dual' },
  'advances a step at thin traffic on successful probes': { from: 'dual', context: { stepSyncedAt: T0 + 50 * MIN, stepStartedAt: T0 + 49 * MIN }, observed: { ...serving(10, { albRequests: 3 }), probes: { ok: 5, failed: 0 } }, at: 60, to: 'dual', reason: 'StepPassed' },
  'promotes to fargate when the last step held and passed': { from: 'dual', context: { stepIndex: 2, stepSyncedAt: T0 + 50 * MIN, stepStartedAt: T0 + 49 * MIN }, observed: serving(100), at: 60, to: 'fargate', reason: 'Promoted' },
  'pulls the weight and drains when ALB errors exceed the limit': { from: 'dual', context: { stepStartedAt: T0 + 55 * MIN }, observed: serving(10, { alb5xx: 500 }), at: 60, to: draining('shifting'), reason: 'AnalysisFailed' },
  'pulls the weight and drains when ALB latency exceeds the limit': { from: 'dual', context: { stepStartedAt: T0 + 55 * MIN }, observed: serving(10, { albP95Ms: 9000 }), at: 60, to: draining('shifting'), reason: 'AnalysisFailed' },
  'pulls the weight and drains when a probe fails at thin traffic': { from: 'dual', context: { stepStartedAt: T0 + 55 * MIN }, observed: { ...serving(10, { albRequests: 0 }), probes: { ok: 4, failed: 1 } }, at: 60, to: draining('shifting'), reason: 'AnalysisFailed' },
  'pulls the weight at once when no target is healthy': { from: 'dual', context: { stepStartedAt: T0 + 55 * MIN }, observed: observation({ stack: { ...readyStack, healthyTargets: 0 }, dns: albWeight(10), metrics: busy }), at: 60, to: draining('shifting'), reason: 'TierUnhealthy' },
  'drains when pinned to lambda in dual': { from: 'dual', context: { stepStartedAt: T0 + 55 * MIN }, observed: { ...serving(10), policy: pinned('lambda') }, at: 60, to: draining('shifting'), reason: 'PinnedLambda' },
  'drains when the total load falls in dual': { from: 'dual', context: { stepStartedAt: T0 + 55 * MIN }, observed: serving(10, quiet), at: 60, to: draining('shifting'), reason: 'LoadBelowThreshold' },
  'abandons a step that cannot be judged in time': { from: 'dual', context: { stepStartedAt: T0 + 20 * MIN }, observed: serving(10, { albRequests: 0 }), at: 60, to: draining('shifting'), reason: 'StepStalled' },
  // fargate
  'holds fargate while total load is above the down-threshold': { from: 'fargate', observed: serving(100), at: 60, to: 'fargate' },
  'judges scale-down on the total load of both tiers, not on Lambda alone': { from: 'fargate', observed: serving(100, { totalRpsUpWindow: 30, totalRpsDownWindow: 45 }), at: 60, to: 'fargate' },
  'drains when the total load stayed under the down-threshold for the down-window': { from: 'fargate', observed: serving(100, quiet), at: 60, to: draining('shifting'), reason: 'LoadBelowThreshold' },
  'drains when pinned to lambda in fargate': { from: 'fargate', observed: { ...serving(100), policy: pinned('lambda') }, at: 60, to: draining('shifting'), reason: 'PinnedLambda' },
  'pulls all weight at once when the tier has no healthy target': { from: 'fargate', observed: observation({ stack: { ...readyStack, healthyTargets: 0 }, dns: albWeight(100), metrics: busy }), at: 60, to: draining('shifting'), reason: 'TierUnhealthy' },
  'holds fargate through a stack update in progress': { from: 'fargate', observed: { ...serving(100), stack: { ...readyStack, status: 'in-progress' } }, at: 60, to: 'fargate' },
  // draining
  'waits for weight 0 to be in sync before counting the drain': { from: draining('shifting'), observed: observation({ stack: readyStack, dns: { ...albWeight(0), inSync: false }, metrics: quiet }), at: 60, to: draining('shifting') },
  'starts the drain delay once weight 0 is in sync': { from: draining('shifting'), observed: drained(), at: 60, to: draining('waiting'), reason: 'WeightDrained' },
  'returns to dual when load comes back before teardown': { from: draining('waiting'), context: { drainSyncedAt: T0 }, observed: drained(busy), at: 60, to: 'dual', reason: 'LoadReturned' },
  'returns to dual when pinned to fargate before teardown': { from: draining('shifting'), observed: { ...drained(), policy: pinned('fargate') }, at: 60, to: 'dual', reason: 'PinnedFargate' },
  'keeps draining when load comes back but the tier is unhealthy': { from: draining('waiting'), context: { drainSyncedAt: T0 + 59 * MIN }, observed: observation({ stack: { ...readyStack, healthyTargets: 0 }, dns: albWeight(0), metrics: busy }), at: 60, to: draining('waiting') },
  'keeps the tier for the whole drain delay even with no ALB traffic': { from: draining('waiting'), context: { drainSyncedAt: T0 + 46 * MIN }, observed: drained(), at: 60, to: draining('waiting') },
  'keeps the tier while the ALB still measures traffic after the delay': { from: draining('waiting'), context: { drainSyncedAt: T0 }, observed: drained({ albRpsMax: 0.2 }), at: 60, to: draining('waiting') },
  'keeps the tier while ALB traffic is unknown after the delay': { from: draining('waiting'), context: { drainSyncedAt: T0 }, observed: drained({ albRpsMax: undefined }), at: 60, to: draining('waiting') },
  'starts teardown when the delay passed and the ALB measured no traffic': { from: draining('waiting'), context: { drainSyncedAt: T0 }, observed: drained(), at: 60, to: draining('removingRecord'), reason: 'TrafficGone' },
  'starts the drain over when the ALB weight is found above 0': { from: draining('waiting'), context: { drainSyncedAt: T0 }, observed: observation({ stack: readyStack, dns: albWeight(10), metrics: quiet }), at: 60, to: draining('shifting'), reason: 'WeightRestored' },
  'deletes the stack only after the record is gone': { from: draining('removingRecord'), observed: observation({ stack: readyStack, metrics: quiet }), at: 60, to: draining('deletingStack'), reason: 'RecordRemoved' },
  'waits while the record still exists': { from: draining('removingRecord'), observed: drained(), at: 60, to: draining('removingRecord') },
  'is back on lambda when the stack is gone': { from: draining('deletingStack'), observed: observation({ metrics: quiet }), at: 60, to: 'lambda', reason: 'TierRemoved' },
  'waits while the stack is being deleted': { from: draining('deletingStack'), observed: observation({ stack: { status: 'in-progress' }, metrics: quiet }), at: 60, to: draining('deletingStack') },
};

describe('decide: one case per transition and guard', () => {
  it.each(Object.entries(cases))('%s', (_name, c) => {
    const previous = storedAt(c.from, c.context, c.observed);
    const decision = decide(previous, c.observed, T0 + c.at * MIN);
    expect(decision.snapshot.value).toEqual(c.to);
    expect(decision.transitions.map((t) => t.reason)).toEqual(c.reason === undefined ? [] : [c.reason].flat());
  });
});

describe('decide: intent', () => {
  it('asks for no stack and all weight on API Gateway on lambda', () => {
    const d = decide(undefined, observation(), T0);
    expect(d.phase).toBe('lambda');
    expect(d.intent).toMatchObject({ stack: { present: false }, weights: { api: 100, alb: 0 }, albRecord: false });
  });

  it('sizes the tier from the load when warming begins, within min and max tasks', () => {
    // 20 rps at the default 7 rps per task: 3 tasks.
    const d = decide(storedAt('lambda'), observation({ metrics: { totalRpsUpWindow: 20, totalRpsDownWindow: 25 } }), T0 + HOUR);
    expect(d.intent.stack).toMatchObject({ present: true, image: 'app:1', desiredTasks: 3, minTasks: 1, maxTasks: 100 });
    const huge = decide(storedAt('lambda'), observation({ metrics: { totalRpsUpWindow: 1e6, totalRpsDownWindow: 1e6 } }), T0 + HOUR);
    expect(huge.intent.stack).toMatchObject({ desiredTasks: 100 });
  });

  it('keeps the task count while load moves, so the stack is not updated every tick', () => {
    const a = decide(storedAt('fargate', { desiredTasks: 3 }), serving(100, { totalRpsUpWindow: 400 }), T0 + HOUR);
    const b = decide(a.snapshot, serving(100, { totalRpsUpWindow: 20 }), T0 + HOUR + MIN);
    expect(b.intent.stack).toEqual(a.intent.stack);
  });

  it('follows the base stack image, so both tiers serve the same build', () => {
    const d = decide(storedAt('fargate'), { ...serving(100), image: 'app:2' }, T0 + HOUR);
    expect(d.intent.stack).toMatchObject({ present: true, image: 'app:2' });
  });

  it('writes the step weight in dual and asks for probes at thin traffic', () => {
    const d = decide(storedAt('dual', { stepIndex: 1, stepStartedAt: T0 + 59 * MIN }), serving(50, { albRequests: 2 }), T0 + HOUR);
    expect(d.intent).toMatchObject({ weights: { api: 50, alb: 50 }, albRecord: true, probe: true });
  });

  it('never raises the ALB weight while target health is unknown', () => {
    const o = observation({ stack: { ...readyStack, healthyTargets: undefined }, dns: albWeight(10), metrics: { ...busy, ...healthyAlbTraffic(10) } });
    const d = decide(storedAt('dual', { stepIndex: 2, stepStartedAt: T0 + 59 * MIN }), o, T0 + HOUR);
    expect(d.intent.weights.alb).toBe(10);
    expect(d.conditions).toContainEqual(expect.objectContaining({ type: 'Degraded', status: 'True', reason: 'TargetHealthUnknown' }));
  });

  it('does not create a record or a stack while draining one that is not there', () => {
    const d = decide(storedAt(draining('shifting')), observation({ metrics: quiet }), T0 + HOUR);
    expect(d.intent).toMatchObject({ stack: { present: false }, albRecord: false, weights: { alb: 0 } });
  });

  it('removes the record before the stack', () => {
    const removing = decide(storedAt(draining('waiting'), { drainSyncedAt: T0 }), drained(), T0 + HOUR);
    expect(removing.intent).toMatchObject({ stack: { present: true }, albRecord: false });
    const deleting = decide(removing.snapshot, observation({ stack: readyStack, metrics: quiet }), T0 + HOUR + MIN);
    expect(deleting.intent).toMatchObject({ stack: { present: false }, albRecord: false });
  });
});

describe('decide: modes, snapshots and conditions', () => {
  it('changes nothing while paused: same snapshot, same intent, no transition', () => {
    const previous = storedAt('fargate', {}, serving(100));
    const d = decide(previous, { ...serving(100, quiet), policy: policyWith({ mode: { type: 'paused' } }), image: 'app:9' }, T0 + 5 * HOUR);
    expect(d.snapshot.value).toEqual('fargate');
    expect(d.intent).toEqual(previous.intent);
    expect(d.transitions).toEqual([]);
    expect(d.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', reason: 'Paused' }));
  });

  it('starts from the state the world implies when the snapshot is of another version', () => {
    const stale = { ...storedAt('lambda'), version: 0 };
    const d = decide(stale, serving(100), T0 + HOUR);
    expect(d.phase).toBe('fargate');
    expect(d.conditions).toContainEqual(expect.objectContaining({ type: 'Degraded', status: 'True', reason: 'SnapshotReset' }));
  });

  it.each([
    ['no stack', observation(), 'lambda'],
    ['a stack with half the weight', serving(50), 'dual'],
    ['a stack with no weight', drained(), 'draining'],
  ] as const)('infers %s as %s when there is no usable snapshot', (_n, o, phase) => {
    expect(decide({ version: 1, value: 'nowhere', context: {} } as never, o, T0).phase).toBe(phase);
  });

  it('reports an invalid stored policy as Degraded and goes on with the last good one', () => {
    const o = { ...observation(), policyIssues: [{ path: 'scaleUp.thresholdRps', rule: 'upAboveDown', message: 'must be above' }] };
    const d = decide(storedAt('lambda'), o, T0 + HOUR);
    const degraded = d.conditions.find((c) => c.type === 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'InvalidPolicy' });
    expect(degraded?.message).toContain('scaleUp.thresholdRps upAboveDown');
  });

  it('keeps a failure visible until the tier is promoted, and backs off exponentially', () => {
    const failed = decide(storedAt('warming'), observation({ stack: { status: 'failed' }, metrics: busy }), T0 + 5 * MIN);
    expect(failed.conditions).toContainEqual(expect.objectContaining({ type: 'Degraded', status: 'True', reason: 'StackFailed' }));
    expect(failed.snapshot.context.backoffUntil).toBe(T0 + 5 * MIN + 600_000);
    const again = decide(storedAt('warming', { failures: 3 }), observation({ stack: { status: 'failed' } }), T0 + 5 * MIN);
    expect(again.snapshot.context.backoffUntil).toBe(T0 + 5 * MIN + 4800_000);
  });

  it('says Ready on a stable tier and Progressing while traffic moves', () => {
    const stable = decide(storedAt('lambda'), observation(), T0 + HOUR);
    expect(stable.conditions.map((c) => [c.type, c.status])).toEqual([
      ['Ready', 'True'],
      ['Progressing', 'False'],
      ['Degraded', 'False'],
      ['AtCapacity', 'False'],
      ['Spilling', 'False'],
    ]);
    const moving = decide(storedAt('lambda'), observation({ metrics: busy }), T0 + HOUR);
    expect(moving.conditions.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'WarmingTier' });
  });

  it('says so when an auto threshold could not be derived', () => {
    const d = decide(storedAt('lambda'), observation({ policy: policyWith({ scaleUp: { thresholdRps: 'auto' } }), metrics: busy }), T0 + HOUR);
    expect(d.conditions).toContainEqual(expect.objectContaining({ type: 'Degraded', status: 'True', reason: 'ThresholdsUnavailable' }));
  });

  it('raises DrainStalled when the ALB keeps serving long after its weight went to 0', () => {
    const d = decide(storedAt(draining('waiting'), { drainSyncedAt: T0 }), drained({ albRpsMax: 3 }), T0 + 3 * HOUR);
    expect(d.conditions).toContainEqual(expect.objectContaining({ type: 'Degraded', status: 'True', reason: 'DrainStalled' }));
  });

  it('records each transition with its time, phases and reason', () => {
    const d = decide(storedAt('lambda'), observation({ metrics: busy }), T0 + HOUR);
    expect(d.transitions).toEqual([
      { at: '2026-11-23T01:00:00.000Z', from: 'lambda', to: 'warming', reason: 'LoadAboveThreshold', message: expect.any(String) },
    ]);
  });
});

describe('decide: Lambda as the overflow tier', () => {
  // Two healthy tasks at the default 10 rps each: the tier serves 20 rps.
  const overloaded = (demand: number, metrics = {}) => serving(100, { demandRps: demand, albRpsRecent: demand, spilledRps: Math.max(0, demand - 20), ...metrics });
  const capped = (cap: number, extra: Partial<TierContext> = {}) => ({ albCap: cap, capChangedAt: T0, ...extra });

  it('lowers the ALB weight to the share the tier carries at once when the task cap binds', () => {
    // 200 rps against two tasks, at most two: 80 % of 20 rps is 8 % of the demand.
    const o = observation({ ...overloaded(200), policy: policyWith({ fargate: { maxTasks: 2 } }) });
    const d = decide(storedAt('fargate', { stepIndex: 2 }), o, T0 + HOUR);
    expect(d.intent.weights).toEqual({ api: 92, alb: 8 });
    expect(d.transitions.map((t) => t.reason)).toEqual(['SpilledToLambda']);
    expect(d.conditions).toContainEqual(expect.objectContaining({ type: 'AtCapacity', status: 'True', reason: 'TaskCapReached' }));
    expect(d.conditions).toContainEqual(expect.objectContaining({ type: 'Spilling', status: 'True', reason: 'WeightLowered' }));
  });

  it('holds the weight while more tasks are coming, the tasks handing the excess to Lambda, and asks for tasks for the whole demand', () => {
    const d = decide(storedAt('fargate', { stepIndex: 2 }), overloaded(200), T0 + HOUR);
    expect(d.intent.weights.alb).toBe(100);
    expect(d.transitions).toEqual([]);
    // 200 rps at the default 7 rps a task.
    expect(d.intent.stack).toMatchObject({ desiredTasks: 29 });
    expect(d.snapshot.context.overSince).toBe(T0 + HOUR);
    expect(d.conditions).toContainEqual(expect.objectContaining({ type: 'Spilling', status: 'True', reason: 'InstantSpill' }));
  });

  it('lowers the weight once the tier has been over its capacity for the reaction time', () => {
    const d = decide(storedAt('fargate', { stepIndex: 2, overSince: T0 }), overloaded(200), T0 + 10 * MIN);
    expect(d.intent.weights.alb).toBe(8);
    expect(d.transitions.map((t) => t.reason)).toEqual(['SpilledToLambda']);
  });

  it('lowers the weight at once when the ALB refuses requests itself', () => {
    const d = decide(storedAt('fargate', { stepIndex: 2 }), overloaded(200, { albOverloadRps: 30 }), T0 + HOUR);
    expect(d.intent.weights.alb).toBeLessThan(100);
  });

  it('never plans more for Lambda than its concurrency takes', () => {
    // Lambda: 10 concurrent executions of 100 ms is 100 rps; the demand is 200, so the ALB keeps at least half.
    const o = observation({ ...overloaded(200), policy: policyWith({ fargate: { maxTasks: 2 }, lambda: { concurrencyLimit: 10 } }) });
    const d = decide(storedAt('fargate', { stepIndex: 2 }), o, T0 + HOUR);
    expect(d.intent.weights.alb).toBe(50);
  });

  it('says Lambda throttling with the numbers while the tier is at capacity', () => {
    const d = decide(storedAt('fargate', { stepIndex: 2 }), overloaded(200, { lambdaThrottles: 120 }), T0 + HOUR);
    const degraded = d.conditions.find((c) => c.type === 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'LambdaThrottling' });
    expect(degraded?.message).toMatch(/throttled 120 request\(s\).*demand 200 rps.*Lambda ~10000 rps/);
  });

  it('waits a hold after its last move, and then gives back all that fits', () => {
    const recovered = serving(10, { demandRps: 200, albRpsRecent: 20 });
    const o = observation({ ...recovered, stack: { ...readyStack, healthyTargets: 30 } });
    const early = decide(storedAt('fargate', capped(10, { stepIndex: 2 })), o, T0 + 2 * MIN);
    expect(early.intent.weights.alb).toBe(10);
    // 30 tasks serve 300 rps; 80 % of it is all of the 200 rps demand.
    const later = decide(storedAt('fargate', capped(10, { stepIndex: 2 })), o, T0 + 5 * MIN);
    expect(later.intent.weights.alb).toBe(100);
    expect(later.transitions.map((t) => t.reason)).toEqual(['CapacityReturned']);
  });

  it('caps a dual step too, and a new dual phase starts uncapped', () => {
    const o = observation({ ...overloaded(200, { albRpsRecent: 100, spilledRps: 80 }), policy: policyWith({ fargate: { maxTasks: 2 } }), dns: albWeight(50) });
    const d = decide(storedAt('dual', { stepIndex: 1 }), o, T0 + 10 * MIN);
    expect(d.intent.weights.alb).toBe(8);
    const back = decide(storedAt(draining('waiting'), capped(8, { drainSyncedAt: T0 })), serving(0, { ...busy, albRpsMax: 0 }), T0 + HOUR);
    expect(back.snapshot.context.albCap).toBeUndefined();
  });
});

describe('decide: a dual step judged on its own traffic', () => {
  it('does not pass a step on figures whose window began before its weight was in sync', () => {
    // In sync at T0; held 5 minutes; but CloudWatch's step window began a minute before the sync.
    const stale = serving(10, { stepWindowStart: T0 - MIN });
    expect(decide(storedAt('dual', { stepIndex: 0, stepSyncedAt: T0 }), stale, T0 + 5 * MIN).transitions).toEqual([]);
    const own = serving(10, { stepWindowStart: T0 + MIN });
    expect(decide(storedAt('dual', { stepIndex: 0, stepSyncedAt: T0 }), own, T0 + 5 * MIN).transitions.map((t) => t.reason)).toEqual(['StepPassed']);
  });

  it('takes a tier seen ready as ready, even on the tick its warming times out', () => {
    const d = decide(storedAt('warming'), observation({ stack: readyStack, metrics: busy }), T0 + 16 * MIN);
    expect(d.phase).toBe('dual');
    expect(d.transitions.map((t) => t.reason)).toEqual(['TierReady']);
  });
});
