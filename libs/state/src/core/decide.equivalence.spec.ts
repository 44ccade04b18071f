import fc from 'fast-check';
import { transition } from 'xstate';
import { conditionsFor } from './conditions';
import { decide, MESSAGES, type Decision } from './decide';
import { intentFor } from './intent';
import { tierCannotServe, tierMachine, type TransitionReason } from './machine';
import type { Observation } from './observation';
import { effectiveMode, type Policy, type PolicyIssue } from './policy';
import { persist, phaseOf, restore, type PersistedSnapshot, type TierSnapshot } from './snapshot';
import type { TransitionRecord } from './status';
import { policyWith, T0 } from './test-kit';

/**
 * decide() is made fast (one inert actor lends the machine its scope; a settled check that skips
 * JSON for the very same objects). This holds it to the straightforward decide it replaced, kept
 * here verbatim: XState's own `transition()` per step and JSON on both sides. Over long random runs,
 * through every phase, with snapshots handed back as the same object, as a stored copy, or not at
 * all, both give the same Decision: deep-equal, and the same JSON byte for byte.
 */
function referenceDecide(previous: PersistedSnapshot | undefined, seen: Observation, clock: number): Decision {
  const observation = referenceWithoutNonFinite(seen);
  const now = Math.max(clock, previous?.observedAt ?? -Infinity);
  const { snapshot: restored, reset } = restore(previous, observation, now);
  const paused =
    effectiveMode(observation.policy, now).type === 'paused' &&
    !((previous?.intent?.weights.alb ?? 0) > 0 && tierCannotServe(observation));

  let next: TierSnapshot = restored;
  const transitions: TransitionRecord[] = [];
  for (let step = 0; !paused && step < 8; step++) {
    const [after, actions] = transition(tierMachine, next, { type: 'observe', observation, now });
    for (const action of actions) {
      if (action.type !== 'record') continue;
      const reason = (action.params as { reason: TransitionReason }).reason;
      transitions.push({ at: new Date(now).toISOString(), from: phaseOf(next), to: phaseOf(after), reason, message: MESSAGES[reason] });
    }
    const settled = JSON.stringify([after.value, after.context]) === JSON.stringify([next.value, next.context]);
    next = after;
    if (settled) break;
  }

  const phase = phaseOf(next);
  const drainStep = typeof next.value === 'object' ? (next.value as { draining?: string }).draining : undefined;
  const intent =
    paused && previous?.intent && !reset ? previous.intent : intentFor({ phase, drainStep, context: next.context }, observation);
  return {
    snapshot: persist(next, intent, now),
    phase,
    intent,
    conditions: conditionsFor({ phase, drainStep, context: next.context, observation, now, paused, reset }),
    transitions,
    frozen: paused,
  };
}

function referenceWithoutNonFinite(o: Observation): Observation {
  const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : undefined);
  const metrics = Object.fromEntries(Object.entries(o.metrics).map(([k, v]) => [k, finite(v)]));
  const auto = o.autoThresholds && finite(o.autoThresholds.upRps) !== undefined && finite(o.autoThresholds.downRps) !== undefined ? o.autoThresholds : undefined;
  return { ...o, metrics, stack: { ...o.stack, healthyTargets: finite(o.stack.healthyTargets) }, autoThresholds: auto };
}

// ---- Arbitraries: a world that mostly follows the intent (so every phase is reached), and sometimes does anything ----

const POLICIES: Policy[] = [
  policyWith(),
  policyWith({ minDwellSeconds: 60, dual: { steps: [100], stepHoldSeconds: 60 }, fargate: { minTasks: 2, maxTasks: 4 }, spill: { holdSeconds: 60 } }),
  policyWith({ scaleUp: { thresholdRps: 'auto' }, scaleDown: { thresholdRps: 'auto' }, minDwellSeconds: 60, maxTransitionsPerDay: 2 }),
];
const figure = fc.constantFrom(undefined, NaN, Infinity, 0, 1, 3, 8, 12, 40, 500);
const modes = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Policy['mode']>(
      { type: 'auto' },
      { type: 'paused' },
      { type: 'pinned', tier: 'lambda' },
      { type: 'pinned', tier: 'fargate' },
      { type: 'pinned', tier: 'fargate', until: new Date(T0 + 6 * 3_600_000).toISOString() },
    ),
  },
);

const tickArb = fc.record({
  dtSeconds: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 900 }) }, { weight: 1, arbitrary: fc.integer({ min: -120, max: 4 * 3600 }) }),
  policy: fc.nat({ max: POLICIES.length - 1 }),
  mode: modes,
  world: fc.constantFrom('follow', 'follow', 'follow', 'random'),
  stack: fc.constantFrom<Observation['stack']>(
    { status: 'absent' },
    { status: 'in-progress' },
    { status: 'failed' },
    { status: 'ready', image: 'app:1', desiredTasks: 2, healthyTargets: 2 },
    { status: 'ready', image: 'app:1', desiredTasks: 3, healthyTargets: 0 },
    { status: 'ready', image: 'app:0', desiredTasks: 2, healthyTargets: NaN },
    { status: 'ready', image: 'app:1', desiredTasks: 2 },
  ),
  albWeight: fc.constantFrom(0, 10, 50, 100),
  albRecordExists: fc.boolean(),
  inSync: fc.constantFrom(true, true, true, false),
  load: figure,
  demand: figure,
  metrics: fc.record({
    lambdaThrottles: fc.constantFrom(undefined, 0, 0, 0, 4),
    albRpsMax: fc.constantFrom(undefined, 0, 0, 5),
    albRequests: fc.constantFrom(undefined, 3, 5_000, 5_000),
    alb5xx: fc.constantFrom(0, 0, 0, 200),
    albP95Ms: fc.constantFrom(90, 90, 5_000),
    albRpsRecent: figure,
    spilledRps: fc.constantFrom(undefined, 0, 0, 3),
    rpsPerTarget: figure,
  }),
  probes: fc.constantFrom(undefined, { ok: 10, failed: 0 }, { ok: 1, failed: 1 }),
  autoThresholds: fc.constantFrom(undefined, { upRps: 10, downRps: 2 }, { upRps: NaN, downRps: 2 }),
  policyIssues: fc.constantFrom<PolicyIssue[] | undefined>(undefined, undefined, undefined, [{ path: 'dual.steps', rule: 'rising', message: 'x' }]),
  stored: fc.constantFrom('same', 'same', 'copy', 'copy', 'none', 'otherVersion'),
});
type Tick = typeof tickArb extends fc.Arbitrary<infer T> ? T : never;

/** What a tick sees: the world the last intent asked for (mostly), or anything. */
function observationOf(t: Tick, previous: Decision | undefined): Observation {
  const policy = t.mode ? { ...POLICIES[t.policy], mode: t.mode } : POLICIES[t.policy];
  const intent = previous?.intent;
  const follow = t.world === 'follow' && intent !== undefined;
  const alb = follow ? intent.weights.alb : t.albWeight;
  const stack: Observation['stack'] = !follow
    ? t.stack
    : intent.stack.present
      ? { status: 'ready', image: intent.stack.image, desiredTasks: intent.stack.desiredTasks, healthyTargets: intent.stack.desiredTasks }
      : { status: 'absent' };
  return {
    policy,
    policyIssues: t.policyIssues,
    image: 'app:1',
    stack,
    dns: { apiWeight: 100 - alb, albWeight: alb, albRecordExists: follow ? intent.albRecord : t.albRecordExists || alb > 0, inSync: t.inSync },
    metrics: { totalRpsUpWindow: t.load, totalRpsDownWindow: t.load, demandRps: t.demand, albShare: alb / 100, ...t.metrics },
    probes: t.probes,
    autoThresholds: t.autoThresholds,
  };
}

/** The snapshot handed to the next tick: the Decision's own object, a stored copy, none, or one of another version. */
function storedFor(t: Tick, d: Decision | undefined): PersistedSnapshot | undefined {
  if (!d || t.stored === 'none') return undefined;
  if (t.stored === 'same') return d.snapshot;
  const copy = JSON.parse(JSON.stringify(d.snapshot)) as PersistedSnapshot;
  return t.stored === 'copy' ? copy : { ...copy, version: 0 };
}

describe('decide() against the straightforward decide it replaced', () => {
  it('gives the same Decision, byte for byte, over long random runs through every phase', () => {
    const phases = new Set<string>();
    let steps = 0;
    fc.assert(
      fc.property(fc.array(tickArb, { minLength: 20, maxLength: 200 }), (ticks) => {
        let clock = T0;
        let fast: Decision | undefined;
        let reference: Decision | undefined;
        for (const t of ticks) {
          clock += t.dtSeconds * 1000;
          const o = observationOf(t, reference);
          const got = decide(storedFor(t, fast), o, clock);
          const want = referenceDecide(storedFor(t, reference), o, clock);
          expect(got).toStrictEqual(want);
          expect(JSON.stringify(got)).toBe(JSON.stringify(want));
          phases.add(got.phase);
          steps += got.transitions.length;
          [fast, reference] = [got, want];
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 100), seed: process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : undefined },
    );
    // The runs went everywhere and moved: the two were not compared on a machine at rest alone.
    expect([...phases].sort()).toEqual(['draining', 'dual', 'fargate', 'lambda', 'warming']);
    expect(steps).toBeGreaterThan(1000);
  });
});
