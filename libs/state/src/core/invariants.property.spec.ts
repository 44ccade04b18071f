import fc from 'fast-check';
import { transition } from 'xstate';
import { decide, type Decision } from './decide';
import type { Intent } from './intent';
import { thresholdsOf, tierCannotServe, tierMachine, type TransitionReason } from './machine';
import type { Observation, StackObservation } from './observation';
import { effectiveMode, safeParsePolicy, type Policy } from './policy';
import { restore } from './snapshot';
import { HOUR, MIN, T0 } from './test-kit';

/**
 * Property-based: long random runs of a world that follows the intents only partly (stacks that fail
 * or stay in progress, DNS changes that lag, target health that drops or goes unknown), with load that
 * oscillates around the thresholds, metric gaps and NaN, a clock that stalls or steps back, and
 * overrides set and cleared at any moment. The brief's invariants 1–6 are checked after every tick.
 */

// ---- Arbitraries ----

const policyArb = fc
  .record({
    up: fc.integer({ min: 2, max: 80 }),
    downFraction: fc.double({ min: 0, max: 0.9, noNaN: true }),
    upWindow: fc.integer({ min: 60, max: 900 }),
    downWindow: fc.integer({ min: 60, max: 3600 }),
    dwell: fc.integer({ min: 60, max: 3600 }),
    budget: fc.integer({ min: 1, max: 12 }),
    steps: fc.constantFrom([100], [10, 100], [10, 50, 100], [5, 25, 50, 75, 100]),
    hold: fc.integer({ min: 30, max: 600 }),
    ttl: fc.integer({ min: 10, max: 300 }),
    spillHoldExtra: fc.integer({ min: 0, max: 600 }),
    drainExtra: fc.integer({ min: 0, max: 1800 }),
    floor: fc.constantFrom(0, 0, 0.5),
    minTasks: fc.integer({ min: 1, max: 3 }),
    warming: fc.integer({ min: 120, max: 1800 }),
  })
  .map((p) => {
    const parsed = safeParsePolicy({
      service: 'prop',
      scaleUp: { thresholdRps: p.up, windowSeconds: p.upWindow },
      scaleDown: { thresholdRps: Math.floor(p.up * p.downFraction), windowSeconds: p.downWindow },
      minDwellSeconds: p.dwell,
      maxTransitionsPerDay: p.budget,
      dual: { steps: p.steps, stepHoldSeconds: p.hold },
      dns: { ttlSeconds: p.ttl, drainDelaySeconds: 2 * p.ttl + p.drainExtra, drainFloorRps: p.floor },
      fargate: { minTasks: p.minTasks, maxTasks: 10 },
      warming: { timeoutSeconds: p.warming },
      spill: { holdSeconds: p.ttl + p.spillHoldExtra },
    });
    if (!parsed.ok) throw new Error(`generated an invalid policy: ${JSON.stringify(parsed.issues)}`);
    return parsed.policy;
  });

/** Load near the thresholds most of the time, anywhere sometimes, and gaps and NaN now and then. */
const loadArb = (p: Policy) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(thresholdsOf({ policy: p } as Observation)!.upRps, thresholdsOf({ policy: p } as Observation)!.downRps).chain((t) => fc.double({ min: Math.max(0, t - 2), max: t + 2, noNaN: true })) },
    { weight: 3, arbitrary: fc.double({ min: 0, max: 500, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, NaN, Infinity) },
  );

const tickArb = (p: Policy) =>
  fc.record({
    dtSeconds: fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 1, max: 300 }) },
      { weight: 2, arbitrary: fc.integer({ min: 300, max: 3 * 3600 }) },
      { weight: 1, arbitrary: fc.constant(0) }, // the clock stalls
      { weight: 1, arbitrary: fc.integer({ min: -120, max: -1 }) }, // or steps back
    ),
    load: loadArb(p),
    throttles: fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 50 }) }),
    stack: fc.oneof(
      { weight: 12, arbitrary: fc.constant('converge') },
      { weight: 1, arbitrary: fc.constantFrom('lag', 'fail', 'unhealthy', 'healthUnknown') },
    ),
    dns: fc.constantFrom('sync', 'sync', 'sync', 'pending'),
    albTraffic: fc.constantFrom('none', 'none', 'some', 'unknown'),
    analysis: fc.oneof(
      { weight: 12, arbitrary: fc.constant('good') },
      { weight: 1, arbitrary: fc.constantFrom('bad', 'thin', 'thinProbesOk', 'thinProbesFail', 'shareLow', 'gap') },
    ),
    mode: fc.oneof(
      { weight: 12, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom<Policy['mode']>({ type: 'auto' }, { type: 'paused' }, { type: 'pinned', tier: 'lambda' }, { type: 'pinned', tier: 'fargate' }) },
      { weight: 1, arbitrary: fc.record({ type: fc.constant('pinned' as const), tier: fc.constantFrom('lambda' as const, 'fargate' as const), until: fc.integer({ min: -3600, max: 3600 }).map((s) => new Date(T0 + s * 1000).toISOString()) }) },
    ),
    newImage: fc.oneof({ weight: 30, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  });

type Tick = ReturnType<ReturnType<typeof tickArb>['generate']>['value'];

// ---- A world that follows intents only partly ----

interface World {
  now: number;
  image: string;
  policy: Policy;
  stack: StackObservation;
  dns: Observation['dns'];
}

function applyIntent(w: World, intent: Intent | undefined, t: Tick): void {
  if (intent) {
    const s = intent.stack;
    if (s.present) {
      if (w.stack.status === 'absent') w.stack = { status: 'in-progress', image: s.image, desiredTasks: s.desiredTasks };
      else if (t.stack === 'fail') w.stack = { ...w.stack, status: 'failed' };
      else if (t.stack !== 'lag' && w.stack.status !== 'failed') {
        w.stack = { status: 'ready', image: s.image, desiredTasks: s.desiredTasks, healthyTargets: s.desiredTasks };
      }
    } else if (w.stack.status !== 'absent') {
      w.stack = t.stack === 'lag' || t.stack === 'fail' ? { ...w.stack, status: t.stack === 'fail' ? 'failed' : 'in-progress' } : { status: 'absent' };
    }
    const albRecordExists = intent.albRecord;
    w.dns = { apiWeight: intent.weights.api, albWeight: albRecordExists ? intent.weights.alb : 0, albRecordExists, inSync: t.dns === 'sync' };
  }
  if (w.stack.status !== 'absent' && w.stack.status !== 'failed') {
    if (t.stack === 'unhealthy') w.stack = { ...w.stack, healthyTargets: 0 };
    if (t.stack === 'healthUnknown') w.stack = { ...w.stack, healthyTargets: undefined };
  }
}

function observe(w: World, t: Tick): Observation {
  const a = t.analysis;
  const requests = a === 'gap' ? undefined : a.startsWith('thin') ? 3 : 5_000;
  return {
    policy: w.policy,
    image: w.image,
    stack: { ...w.stack },
    dns: { ...w.dns },
    metrics: {
      totalRpsUpWindow: t.load,
      totalRpsDownWindow: t.load === undefined ? undefined : t.load * 1.2,
      lambdaThrottles: t.throttles,
      albRpsMax: t.albTraffic === 'none' ? 0 : t.albTraffic === 'some' ? 4 : undefined,
      albRequests: requests,
      alb5xx: a === 'bad' ? 2_000 : 0,
      albP95Ms: 100,
      albShare: a === 'shareLow' ? 0 : w.dns.albWeight / 100,
    },
    probes: a === 'thinProbesOk' ? { ok: 10, failed: 0 } : a === 'thinProbesFail' ? { ok: 2, failed: 1 } : undefined,
  };
}

// ---- The invariants ----

const TIER_CHANGES = new Set<TransitionReason>([
  'PinnedFargate', 'PinnedLambda', 'LoadAboveThreshold', 'LambdaThrottling', 'StrayStack', 'StackFailed',
  'WarmingTimedOut', 'LoadBelowThreshold', 'TierUnhealthy', 'AnalysisFailed', 'StepStalled', 'LoadReturned',
]);
// Decided on load alone: these wait out the dwell. (Throttling is Lambda losing requests: it only spends budget.)
const ON_LOAD = new Set<TransitionReason>(['LoadAboveThreshold', 'LoadBelowThreshold', 'LoadReturned']);
const BUDGETED = new Set<TransitionReason>([...ON_LOAD, 'LambdaThrottling']);

interface Ledger {
  lastTierChangeAt?: number;
  budgeted: number[];
  albZeroInSyncSince?: number;
}

function checkInvariants(o: Observation, prev: Decision | undefined, d: Decision, now: number, ledger: Ledger): void {
  const p = o.policy;
  // 1. ALB weight only on a complete (or updating) stack with a healthy target; unknown health never raises it.
  if (d.intent.weights.alb > 0) {
    expect(['ready', 'in-progress']).toContain(o.stack.status);
    const healthy = o.stack.healthyTargets;
    if (healthy === undefined || !Number.isFinite(healthy)) expect(d.intent.weights.alb).toBeLessThanOrEqual(o.dns.albRecordExists ? o.dns.albWeight : 0);
    else expect(healthy).toBeGreaterThanOrEqual(1);
  }
  // 2. The stack is deleted only after weight 0 in sync for the drain delay, no ALB traffic, the record gone.
  const deleting = !d.intent.stack.present && o.stack.status !== 'absent' && (prev === undefined || prev.intent.stack.present);
  if (deleting && prev !== undefined) {
    expect(ledger.albZeroInSyncSince).toBeDefined();
    expect(now - ledger.albZeroInSyncSince!).toBeGreaterThanOrEqual(p.dns.drainDelaySeconds * 1000);
    expect(o.dns.albRecordExists).toBe(false);
  }
  // 3. Changes decided on load are a dwell apart and within the daily budget.
  for (const t of d.transitions) {
    const reason = t.reason as TransitionReason;
    if (ON_LOAD.has(reason) && ledger.lastTierChangeAt !== undefined) {
      expect(now - ledger.lastTierChangeAt).toBeGreaterThanOrEqual(p.minDwellSeconds * 1000);
    }
    if (BUDGETED.has(reason)) {
      ledger.budgeted = [...ledger.budgeted.filter((at) => now - at < 24 * HOUR), now];
      expect(ledger.budgeted.length).toBeLessThanOrEqual(p.maxTransitionsPerDay);
    }
    if (TIER_CHANGES.has(reason)) ledger.lastTierChangeAt = now;
  }
  const thresholds = thresholdsOf(o);
  expect(thresholds && thresholds.upRps > thresholds.downRps).toBe(true);
  // 4. Every state has a way out: some world leaves it.
  expect(hasWayOut(d, o, now)).toBe(true);
  // 5. Paused means no change of intent; the same observation twice changes nothing.
  if (prev && effectiveMode(p, now).type === 'paused') {
    if (prev.intent.weights.alb > 0 && tierCannotServe(o)) {
      expect(d.intent.weights.alb).toBe(0); // the one exception: safety before the pause
    } else {
      expect(d.intent).toEqual(prev.intent);
      expect(d.snapshot.value).toEqual(prev.snapshot.value);
    }
  }
  const again = decide(d.snapshot, o, now);
  expect(again.intent).toEqual(d.intent);
  expect(again.snapshot.value).toEqual(d.snapshot.value);
  // 6. Both tiers run the same image: the tier's intent follows the base stack's (a pause freezes
  // the rollout too; the tier catches up on resume).
  if (d.intent.stack.present && effectiveMode(p, now).type !== 'paused') expect(d.intent.stack.image).toBe(o.image);
}

/** Whether some observation, a day later and in auto mode, moves the machine out of its state. */
function hasWayOut(d: Decision, o: Observation, now: number): boolean {
  const { snapshot } = restore(d.snapshot, o, now);
  const policy = { ...o.policy, mode: { type: 'auto' as const } };
  const stack = { status: 'ready' as const, image: o.image, desiredTasks: 1, healthyTargets: 1 };
  const candidates: Observation[] = [
    { ...o, policy, stack: { status: 'failed' }, dns: { apiWeight: 100, albWeight: 0, albRecordExists: true, inSync: true }, metrics: { totalRpsUpWindow: 0, totalRpsDownWindow: 0, albRpsMax: 0 } },
    { ...o, policy, stack, dns: { apiWeight: 100, albWeight: 0, albRecordExists: false, inSync: true }, metrics: { totalRpsUpWindow: 0, totalRpsDownWindow: 0, albRpsMax: 0 } },
    { ...o, policy, stack: { status: 'absent' }, dns: { apiWeight: 100, albWeight: 0, albRecordExists: false, inSync: true }, metrics: { totalRpsUpWindow: 1e6, totalRpsDownWindow: 1e6 } },
    { ...o, policy: { ...policy, mode: { type: 'pinned', tier: 'fargate' } }, stack, dns: { apiWeight: 100, albWeight: 0, albRecordExists: true, inSync: true }, metrics: { totalRpsUpWindow: 0, totalRpsDownWindow: 0, albRpsMax: 0 } },
  ];
  return candidates.some((c) => {
    const later = Math.max(now, snapshot.context.backoffUntil ?? 0) + 24 * HOUR;
    const [next] = transition(tierMachine, snapshot, { type: 'observe', observation: c, now: later });
    return JSON.stringify(next.value) !== JSON.stringify(snapshot.value);
  });
}

// ---- The property ----

describe('invariants over long random runs', () => {
  it('hold at every tick: weights, teardown, dwell and budget, ways out, pause and idempotence, one image', () => {
    const phases = new Set<string>();
    let teardowns = 0;

    const run = policyArb.chain((policy) => fc.tuple(fc.constant(policy), fc.array(tickArb(policy), { minLength: 20, maxLength: 250 })));
    fc.assert(
      fc.property(run, ([policy, ticks]) => {
        const w: World = { now: -Infinity, image: 'app:1', policy, stack: { status: 'absent' }, dns: { apiWeight: 100, albWeight: 0, albRecordExists: false, inSync: true } };
        const ledger: Ledger = { budgeted: [] };
        let prev: Decision | undefined;
        let images = 1;
        let clock = T0; // the ledger measures time as the machine does: never backwards
        for (const t of ticks) {
          clock += t.dtSeconds * 1000;
          w.now = Math.max(w.now, clock);
          if (t.mode) w.policy = { ...w.policy, mode: t.mode };
          if (t.newImage) w.image = `app:${++images}`;
          applyIntent(w, prev?.intent, t);
          const o = observe(w, t);
          const zeroInSync = o.dns.inSync && (!o.dns.albRecordExists || o.dns.albWeight === 0);
          if (!zeroInSync && (o.dns.albRecordExists && o.dns.albWeight > 0)) ledger.albZeroInSyncSince = undefined;
          else if (zeroInSync && ledger.albZeroInSyncSince === undefined) ledger.albZeroInSyncSince = w.now;
          const d = decide(prev?.snapshot, o, clock);
          checkInvariants(o, prev, d, w.now, ledger);
          phases.add(d.phase);

          if (d.transitions.some((tr) => tr.reason === 'RecordRemoved')) teardowns++;
          prev = d;
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 150), seed: process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : undefined, path: process.env.PROPERTY_PATH },
    );
    // The runs went everywhere, teardown included: the invariants were not checked on lambda alone.
    expect([...phases].sort()).toEqual(['draining', 'dual', 'fargate', 'lambda', 'warming']);
    expect(teardowns).toBeGreaterThan(0);
  });

  it('visits every phase across the runs, so the invariants are not checked on lambda alone', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(policyArb, fc.array(fc.double({ min: 0, max: 200, noNaN: true }), { minLength: 50, maxLength: 120 }), (policy, loads) => {
        const w: World = { now: T0, image: 'app:1', policy, stack: { status: 'absent' }, dns: { apiWeight: 100, albWeight: 0, albRecordExists: false, inSync: true } };
        let prev: Decision | undefined;
        for (const load of loads) {
          w.now += 10 * MIN;
          const t = { stack: 'converge', dns: 'sync', analysis: 'good', albTraffic: 'none', load, throttles: 0 } as Tick;
          applyIntent(w, prev?.intent, t);
          prev = decide(prev?.snapshot, observe(w, t), w.now);
          seen.add(prev.phase);
        }
      }),
      { numRuns: 40 },
    );
    expect([...seen].sort()).toEqual(['draining', 'dual', 'fargate', 'lambda', 'warming']);
  });
});
