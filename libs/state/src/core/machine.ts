import { assign, setup } from 'xstate';
import { capacityMove, overCapacity } from './capacity';
import type { Observation } from './observation';
import { effectiveMode, type Policy } from './policy';

/**
 * The tier machine. One event, `observe`, carries everything a tick saw and the time; the machine
 * never reads the clock and never does I/O. Its context keeps only the moments it must remember
 * (when a phase, a dual step or the drain began; recent tier changes; failures and backoff).
 *
 *   lambda ──load up / throttling / pin──▶ warming ──tier ready──▶ dual ──last step passed──▶ fargate
 *      ▲                                     │                      │  ▲                        │
 *      │                          failed / timeout / load gone      │  └──load back──┐          │
 *      │                                     ▼                      ▼                │          │
 *      └──────────stack gone────────── draining ◀─────── analysis fails / unhealthy / load down / pin
 *                         (shifting → waiting → removingRecord → deletingStack)
 *
 * Guards name the rule they check; every transition records its reason through the `record`
 * action, which the caller turns into the history ledger.
 */

/** The one event: what a tick observed, and when (epoch ms). */
export interface ObserveEvent {
  type: 'observe';
  observation: Observation;
  now: number;
}

/** What the machine remembers between ticks. Times are epoch ms. */
export interface TierContext {
  /** When the current top-level phase began. */
  enteredAt: number;
  /** When the last tier change began (entering warming, draining, or dual back from draining). */
  lastTierChangeAt?: number;
  /** Times of the tier changes decided on load in the last 24 hours: the daily budget. */
  loadChanges: number[];
  /** Tasks the tier stack asks for, fixed when warming begins so the intent does not churn. */
  desiredTasks: number;
  /** Index into `policy.dual.steps` of the current step. */
  stepIndex: number;
  /** When the current dual step was set. */
  stepStartedAt: number;
  /** When the current step's weight was first seen written and in sync. */
  stepSyncedAt?: number;
  /**
   * The most ALB weight the tier carries while it is saturated (0–100; absent: 100, no cap). Lambda
   * takes the rest; given back in steps as capacity catches up.
   */
  albCap?: number;
  /** When the cap last moved: moves are damped by `spill.holdSeconds`. */
  capChangedAt?: number;
  /** When the ALB was first seen over the tier's capacity, in the present stretch of it. */
  overSince?: number;
  /** When ALB weight 0 was first seen in sync while draining. */
  drainSyncedAt?: number;
  /** Consecutive failures, for exponential backoff. */
  failures: number;
  backoffUntil?: number;
  /** The last failure, shown as Degraded until the tier is promoted or a new attempt starts. */
  failure?: { reason: string; message: string };
}

/** Reasons the machine records with each transition; the history ledger shows them. */
export type TransitionReason =
  | 'PinnedFargate'
  | 'PinnedLambda'
  | 'LoadAboveThreshold'
  | 'LambdaThrottling'
  | 'StrayStack'
  | 'TierReady'
  | 'StackFailed'
  | 'WarmingTimedOut'
  | 'LoadBelowThreshold'
  | 'TierUnhealthy'
  | 'AnalysisFailed'
  | 'StepStalled'
  | 'StepPassed'
  | 'Promoted'
  | 'LoadReturned'
  | 'WeightDrained'
  | 'WeightRestored'
  | 'TrafficGone'
  | 'RecordRemoved'
  | 'TierRemoved'
  | 'SpilledToLambda'
  | 'CapacityReturned';

const DAY_MS = 86_400_000;
const s = (seconds: number) => seconds * 1000;

type Args = { context: TierContext; event: ObserveEvent };

// ---- Facts about an observation, shared by guards and by the intent ----

/** The number of tasks to start for a load: enough at the target rate, within min and max. */
export function tasksFor(policy: Policy, rps: number | undefined): number {
  const { minTasks, maxTasks, targetRpsPerTask } = policy.fargate;
  const wanted = Math.ceil((rps ?? 0) / targetRpsPerTask);
  return Math.min(maxTasks, Math.max(minTasks, Number.isFinite(wanted) ? wanted : minTasks));
}

/** The ALB weight of the current dual step. */
export function stepWeight(policy: Policy, stepIndex: number): number {
  const steps = policy.dual.steps;
  return steps[Math.min(stepIndex, steps.length - 1)];
}

/** The ALB weight asked in dual or fargate: the step's weight (100 once promoted), under the capacity cap. */
export function askedAlbWeight(policy: Policy, context: Pick<TierContext, 'stepIndex' | 'albCap'>, phase: 'dual' | 'fargate'): number {
  const wanted = phase === 'fargate' ? 100 : stepWeight(policy, context.stepIndex);
  return Math.min(wanted, context.albCap ?? 100);
}

/** Whether the last-written weights have reached Route53's servers and the ALB record has this weight. */
function albWeightInSync(o: Observation, weight: number): boolean {
  return o.dns.inSync && o.dns.albWeight === weight && (weight === 0 || o.dns.albRecordExists);
}

/** Whether real ALB traffic is too thin to judge a step, so synthetic probes judge it instead. */
export function trafficIsThin(o: Observation): boolean {
  return (o.metrics.albRequests ?? 0) < o.policy.dual.analysis.minRequests;
}

const auto = ({ event: e }: Args) => effectiveMode(e.observation.policy, e.now).type === 'auto';
const pinnedTo = ({ event: e }: Args, tier: 'lambda' | 'fargate') => {
  const mode = effectiveMode(e.observation.policy, e.now);
  return mode.type === 'pinned' && mode.tier === tier;
};
const dwellPassed = ({ context: c, event: e }: Args) =>
  c.lastTierChangeAt === undefined || e.now - c.lastTierChangeAt >= s(e.observation.policy.minDwellSeconds);
const budgetLeft = ({ context: c, event: e }: Args) =>
  c.loadChanges.filter((t) => e.now - t < DAY_MS).length < e.observation.policy.maxTransitionsPerDay;
const backoffOver = ({ context: c, event: e }: Args) => c.backoffUntil === undefined || e.now >= c.backoffUntil;
/**
 * The thresholds in force: the policy's numbers, or the cost model's where it says `auto`. Undefined
 * when an `auto` threshold was not derived, or the two would cross: no move is then decided on load.
 */
export function thresholdsOf(o: Observation): { upRps: number; downRps: number } | undefined {
  const up = o.policy.scaleUp.thresholdRps === 'auto' ? o.autoThresholds?.upRps : o.policy.scaleUp.thresholdRps;
  const down = o.policy.scaleDown.thresholdRps === 'auto' ? o.autoThresholds?.downRps : o.policy.scaleDown.thresholdRps;
  return up !== undefined && down !== undefined && up > down ? { upRps: up, downRps: down } : undefined;
}
const loadUp = ({ event: e }: Args) => {
  const rps = e.observation.metrics.totalRpsUpWindow;
  const t = thresholdsOf(e.observation);
  return rps !== undefined && t !== undefined && rps >= t.upRps;
};
const loadDown = ({ event: e }: Args) => {
  const rps = e.observation.metrics.totalRpsDownWindow;
  const t = thresholdsOf(e.observation);
  return rps !== undefined && t !== undefined && rps <= t.downRps;
};
/** A move decided on load: auto mode, the dwell passed and budget left. */
const mayMoveOnLoad = (a: Args) => auto(a) && dwellPassed(a) && budgetLeft(a);
const tierHealthy = ({ event: e }: Args) =>
  e.observation.stack.status === 'ready' && (e.observation.stack.healthyTargets ?? 0) >= 1;
/** The tier cannot serve: its stack is gone or failed, or its target group reports no healthy target. */
export function tierCannotServe(o: Observation): boolean {
  return o.stack.status === 'absent' || o.stack.status === 'failed' || o.stack.healthyTargets === 0;
}
const tierBroken = ({ event: e }: Args) => tierCannotServe(e.observation);

function analysis(a: Args): 'pass' | 'fail' | 'wait' {
  const { observation: o } = a.event;
  const limits = o.policy.dual.analysis;
  const weight = askedAlbWeight(o.policy, a.context, 'dual');
  const m = o.metrics;
  if (m.albRequests !== undefined && m.albRequests >= limits.minRequests) {
    const errorRate = (m.alb5xx ?? 0) / m.albRequests;
    if (errorRate > limits.max5xxRate || (m.albP95Ms !== undefined && m.albP95Ms > limits.maxP95Ms)) return 'fail';
    // Applied weight is not moved traffic: wait until the ALB measurably takes its share.
    if (m.albShare === undefined || m.albShare < (limits.minShareRatio * weight) / 100) return 'wait';
    return 'pass';
  }
  const probes = a.event.observation.probes;
  if (probes && probes.failed > 0) return 'fail';
  if (probes && probes.ok >= limits.probes) return 'pass';
  return 'wait';
}

/**
 * A step is judged on its own traffic: its weight in sync and held for max(TTL, step hold), and the
 * metrics' step window (which ends where CloudWatch has settled) beginning after the weight was in sync,
 * so the hold covers the metric lag as well as the TTL and no step passes on the step before's data.
 */
const stepHeld = ({ context: c, event: e }: Args) => {
  const p = e.observation.policy;
  const hold = s(Math.max(p.dns.ttlSeconds, p.dual.stepHoldSeconds));
  const stepWindowStart = e.observation.metrics.stepWindowStart ?? e.now - s(p.dual.stepHoldSeconds);
  return (
    c.stepSyncedAt !== undefined &&
    e.now - c.stepSyncedAt >= hold &&
    stepWindowStart >= c.stepSyncedAt &&
    albWeightInSync(e.observation, askedAlbWeight(p, c, 'dual'))
  );
};
const isLastStep = ({ context: c, event: e }: Args) => c.stepIndex >= e.observation.policy.dual.steps.length - 1;

type PhaseParams = { phase: 'dual' | 'fargate' };
/** The capacity cap's move this tick, if any (see capacity.ts). */
const moveOf = ({ context: c, event: e }: Args, { phase }: PhaseParams) =>
  capacityMove(e.observation, { asked: askedAlbWeight(e.observation.policy, c, phase), cap: c.albCap ?? 100, changedAt: c.capChangedAt, overSince: c.overSince }, e.now);

// ---- The machine ----

const machineSetup = setup({
  types: {
    context: {} as TierContext,
    events: {} as ObserveEvent,
    input: {} as { now: number },
  },
  guards: {
    pinnedFargate: (a) => pinnedTo(a, 'fargate') && backoffOver(a),
    pinnedLambda: (a) => pinnedTo(a, 'lambda'),
    loadAboveThreshold: (a) => mayMoveOnLoad(a) && backoffOver(a) && loadUp(a),
    lambdaThrottling: (a) => auto(a) && budgetLeft(a) && backoffOver(a) && (a.event.observation.metrics.lambdaThrottles ?? 0) > 0,
    strayStack: ({ event: e }) => e.observation.stack.status !== 'absent',
    tierReady: (a) =>
      tierHealthy(a) &&
      (a.event.observation.stack.healthyTargets ?? 0) >= a.event.observation.policy.fargate.minTasks &&
      a.event.observation.stack.image === a.event.observation.image,
    stackFailed: ({ event: e }) => e.observation.stack.status === 'failed',
    warmingTimedOut: ({ context: c, event: e }) => e.now - c.enteredAt > s(e.observation.policy.warming.timeoutSeconds),
    loadBelowThreshold: (a) => mayMoveOnLoad(a) && loadDown(a),
    tierBroken,
    analysisFailed: (a) => analysis(a) === 'fail',
    stepStalled: ({ context: c, event: e }) => e.now - c.stepStartedAt > s(e.observation.policy.dual.maxStepSeconds),
    lastStepPassed: (a) => isLastStep(a) && stepHeld(a) && analysis(a) === 'pass',
    stepPassed: (a) => !isLastStep(a) && stepHeld(a) && analysis(a) === 'pass',
    loadReturned: (a) => mayMoveOnLoad(a) && backoffOver(a) && loadUp(a) && tierHealthy(a),
    pinnedFargateReturn: (a) => pinnedTo(a, 'fargate') && backoffOver(a) && tierHealthy(a),
    albWeightZero: ({ event: e }) => albWeightInSync(e.observation, 0),
    albWeightNotZero: ({ event: e }) => !albWeightInSync(e.observation, 0),
    trafficGone: ({ context: c, event: e }) => {
      const p = e.observation.policy;
      const quiet = e.observation.metrics.albRpsMax;
      return (
        c.drainSyncedAt !== undefined &&
        e.now - c.drainSyncedAt >= s(p.dns.drainDelaySeconds) &&
        quiet !== undefined &&
        quiet <= p.dns.drainFloorRps &&
        albWeightInSync(e.observation, 0)
      );
    },
    recordGone: ({ event: e }) => !e.observation.dns.albRecordExists && e.observation.dns.inSync,
    stackGone: ({ event: e }) => e.observation.stack.status === 'absent',
    overCapacity: (a, params: PhaseParams) => moveOf(a, params)?.kind === 'lower',
    capacityReturned: (a, params: PhaseParams) => moveOf(a, params)?.kind === 'raise',
  },
  actions: {
    /** Turned by decide() into a history record; the machine itself does nothing with it. */
    record: (_, _params: { reason: TransitionReason }) => undefined,
    // The machine's own start event carries no time: the context's (from input) stands.
    beginPhase: assign({ enteredAt: ({ context, event }) => event.now ?? context.enteredAt }),
    /** A tier change begins: the dwell counts from here; a change decided on load spends budget. */
    beginTierChange: assign(({ context, event }, params: { onLoad: boolean }) => ({
      lastTierChangeAt: event.now,
      loadChanges: [...context.loadChanges.filter((t) => event.now - t < DAY_MS), ...(params.onLoad ? [event.now] : [])],
    })),
    sizeTier: assign({
      desiredTasks: ({ event }) => tasksFor(event.observation.policy, event.observation.metrics.totalRpsUpWindow),
      failure: undefined,
    }),
    fail: assign(({ context, event }, params: { reason: TransitionReason; message: string }) => {
      const { initialSeconds, maxSeconds } = event.observation.policy.backoff;
      const backoffSeconds = Math.min(maxSeconds, initialSeconds * 2 ** context.failures);
      return {
        failures: context.failures + 1,
        backoffUntil: event.now + s(backoffSeconds),
        failure: { reason: params.reason, message: params.message },
      };
    }),
    promoted: assign({ failures: 0, failure: undefined, backoffUntil: undefined }),
    /** The ALB's capacity cap moves (down to spill to Lambda, up to give back); the hold counts from now. */
    moveCap: assign((a, params: PhaseParams) => ({
      albCap: moveOf(a, params)?.cap ?? a.context.albCap,
      capChangedAt: a.event.now,
      overSince: undefined,
    })),
    /** Notes when the ALB went over the tier's capacity (and forgets it once it is not): the reaction time counts from here. */
    noteCapacity: assign(({ context, event }, params: PhaseParams) => {
      const over = overCapacity(event.observation, askedAlbWeight(event.observation.policy, context, params.phase));
      if (over === undefined) return {};
      return { overSince: over ? (context.overSince ?? event.now) : undefined };
    }),
    nextStep: assign({
      stepIndex: ({ context }) => context.stepIndex + 1,
      stepStartedAt: ({ event }) => event.now,
      stepSyncedAt: undefined,
    }),
    // A new dual phase starts uncapped: the capacity rules lower the weight again at once if they must.
    firstStep: assign({ stepIndex: 0, stepStartedAt: ({ event }) => event.now, stepSyncedAt: undefined, albCap: undefined, capChangedAt: undefined, overSince: undefined }),
    noteStepSync: assign({
      stepSyncedAt: ({ context, event }) =>
        context.stepSyncedAt ??
        (albWeightInSync(event.observation, askedAlbWeight(event.observation.policy, context, 'dual')) ? event.now : undefined),
    }),
    noteDrainSync: assign({ drainSyncedAt: ({ event }) => event.now }),
    forgetDrainSync: assign({ drainSyncedAt: undefined }),
  },
});

// ---- Transitions, built once: the same rule reads the same in every state that has it ----

const change = (onLoad: boolean) => ({ type: 'beginTierChange', params: { onLoad } }) as const;
const record = (reason: TransitionReason) => ({ type: 'record', params: { reason } }) as const;

/** Leaves for draining: a tier change (spending budget when decided on load), a failure if it is one, and the reason. */
function toDraining<G extends string>(guard: G, reason: TransitionReason, o: { onLoad?: boolean; failure?: string } = {}) {
  const failure = o.failure ? [{ type: 'fail', params: { reason, message: o.failure } } as const] : [];
  return { guard, target: 'draining', actions: [...failure, change(o.onLoad ?? false), record(reason)] } as const;
}

/** Back to dual from a drain that has not begun teardown. */
function backToDual<G extends string>(guard: G, reason: TransitionReason, onLoad: boolean) {
  return { guard, target: '#tier.dual', actions: ['firstStep', change(onLoad), record(reason)] } as const;
}

/** Starts warming the tier, sized from the load. */
function toWarming<G extends string>(guard: G, reason: TransitionReason, onLoad: boolean) {
  return { guard, target: 'warming', actions: ['sizeTier', change(onLoad), record(reason)] } as const;
}

const UNHEALTHY = 'the ALB has no healthy target or the stack failed';
const tierBrokenExit = toDraining('tierBroken', 'TierUnhealthy', { failure: UNHEALTHY });
const pinnedLambdaExit = toDraining('pinnedLambda', 'PinnedLambda');
const lowLoadExit = toDraining('loadBelowThreshold', 'LoadBelowThreshold', { onLoad: true });
const returns = [backToDual('pinnedFargateReturn', 'PinnedFargate', false), backToDual('loadReturned', 'LoadReturned', true)];

/** Lambda as the overflow tier: the ALB's cap drops to what the tier carries, and comes back in steps. */
function capacityMoves(phase: PhaseParams['phase']) {
  const params = { phase };
  const move = { type: 'moveCap', params } as const;
  return [
    { guard: { type: 'overCapacity', params }, actions: [move, record('SpilledToLambda')] },
    { guard: { type: 'capacityReturned', params }, actions: [move, record('CapacityReturned')] },
  ] as const;
}

export const tierMachine = machineSetup.createMachine({
  id: 'tier',
  initial: 'lambda',
  context: ({ input }) => ({
    enteredAt: input.now,
    loadChanges: [],
    desiredTasks: 0,
    stepIndex: 0,
    stepStartedAt: input.now,
    failures: 0,
  }),
  states: {
    lambda: {
      entry: 'beginPhase',
      on: {
        observe: [
          toDraining('strayStack', 'StrayStack'),
          toWarming('pinnedFargate', 'PinnedFargate', false),
          toWarming('lambdaThrottling', 'LambdaThrottling', true),
          toWarming('loadAboveThreshold', 'LoadAboveThreshold', true),
        ],
      },
    },
    warming: {
      entry: 'beginPhase',
      on: {
        observe: [
          toDraining('stackFailed', 'StackFailed', { failure: 'the Fargate tier stack failed to create' }),
          pinnedLambdaExit,
          lowLoadExit,
          // A tier seen ready is ready, even on the tick its timeout also passed.
          { guard: 'tierReady', target: 'dual', actions: ['firstStep', record('TierReady')] },
          toDraining('warmingTimedOut', 'WarmingTimedOut', { failure: 'the Fargate tier was not ready within warming.timeoutSeconds' }),
        ],
      },
    },
    dual: {
      entry: 'beginPhase',
      on: {
        observe: [
          tierBrokenExit,
          toDraining('analysisFailed', 'AnalysisFailed', { failure: 'ALB errors or latency over the analysis limits, or a probe failed' }),
          pinnedLambdaExit,
          lowLoadExit,
          toDraining('stepStalled', 'StepStalled', { failure: 'a dual step could not be judged within dual.maxStepSeconds' }),
          ...capacityMoves('dual'),
          { guard: 'lastStepPassed', target: 'fargate', actions: ['promoted', record('Promoted')] },
          { guard: 'stepPassed', actions: ['nextStep', record('StepPassed')] },
          { actions: ['noteStepSync', { type: 'noteCapacity', params: { phase: 'dual' } }] },
        ],
      },
    },
    fargate: {
      entry: 'beginPhase',
      on: { observe: [tierBrokenExit, pinnedLambdaExit, lowLoadExit, ...capacityMoves('fargate'), { actions: { type: 'noteCapacity', params: { phase: 'fargate' } } }] },
    },
    draining: {
      entry: ['beginPhase', 'forgetDrainSync'],
      initial: 'shifting',
      states: {
        /** ALB weight 0 written; waiting for Route53 to report it in sync. */
        shifting: {
          on: { observe: [...returns, { guard: 'albWeightZero', target: 'waiting', actions: ['noteDrainSync', record('WeightDrained')] }] },
        },
        /** Weight 0 in sync; waiting out the drain delay and for the ALB's measured traffic to stop. */
        waiting: {
          on: {
            observe: [
              ...returns,
              // Someone wrote a weight back: the drain starts over once 0 is in sync again.
              { guard: 'albWeightNotZero', target: 'shifting', actions: ['forgetDrainSync', record('WeightRestored')] },
              { guard: 'trafficGone', target: 'removingRecord', actions: record('TrafficGone') },
            ],
          },
        },
        /** Teardown has begun: the ALB record goes first, so no new resolver learns the ALB. */
        removingRecord: { on: { observe: { guard: 'recordGone', target: 'deletingStack', actions: record('RecordRemoved') } } },
        /** The record is gone; the stack is deleted. */
        deletingStack: { on: { observe: { guard: 'stackGone', target: '#tier.lambda', actions: record('TierRemoved') } } },
      },
    },
  },
});

export type TierMachine = typeof tierMachine;
