import { createActor, type ActorScope, type ExecutableActionObject } from 'xstate';
import { conditionsFor } from './conditions';
import { intentFor, type Intent } from './intent';
import { tierCannotServe, tierMachine, type ObserveEvent, type TransitionReason } from './machine';
import type { MetricsObservation, Observation } from './observation';
import { effectiveMode } from './policy';
import { persist, phaseOf, restore, type PersistedSnapshot, type TierSnapshot } from './snapshot';
import type { Condition, Phase, TransitionRecord } from './status';

/** What one tick decides: the next snapshot to store, the phase, the intent, the conditions, the history. */
export interface Decision {
  snapshot: PersistedSnapshot;
  phase: Phase;
  intent: Intent;
  conditions: Condition[];
  /** Transitions taken this tick, oldest first, for the history ledger. */
  transitions: TransitionRecord[];
  /** Paused: the intent is the stored one and nothing may act on the world. */
  frozen: boolean;
}

// Each step changes the state or its context; the longest chain one world can cause is short.
const MAX_STEPS_PER_TICK = 8;

/** The history ledger's sentence for each reason. */
export const MESSAGES: Record<TransitionReason, string> = {
  PinnedFargate: 'pinned to fargate',
  PinnedLambda: 'pinned to lambda',
  LoadAboveThreshold: 'total load held above scaleUp.thresholdRps for the up-window',
  LambdaThrottling: 'Lambda throttled requests',
  StrayStack: 'a Fargate tier stack exists that the machine did not expect',
  TierReady: 'the Fargate tier stack is complete with enough healthy targets',
  StackFailed: 'the Fargate tier stack failed',
  WarmingTimedOut: 'the Fargate tier was not ready in time',
  LoadBelowThreshold: 'total load of both tiers stayed under scaleDown.thresholdRps for the down-window',
  TierUnhealthy: 'the ALB has no healthy target or the stack failed',
  AnalysisFailed: 'the ALB failed the step analysis',
  StepStalled: 'a dual step could not be judged in time',
  StepPassed: 'the step held and passed the analysis',
  Promoted: 'the last step held and passed: the ALB takes all traffic',
  LoadReturned: 'load came back over the up-threshold before teardown began',
  WeightDrained: 'ALB weight 0 is in sync',
  WeightRestored: 'the ALB weight was found above 0; draining starts over',
  TrafficGone: 'the drain delay passed and the ALB measured no traffic',
  RecordRemoved: 'the ALB record is gone',
  TierRemoved: 'the Fargate tier stack is gone',
  SpilledToLambda: 'the tier could not carry the demand: the ALB weight dropped to the share it carries, Lambda takes the rest',
  CapacityReturned: 'the tier caught up with the demand: ALB weight given back by one step',
};

/**
 * The decision core: restore the machine from the stored snapshot, give it one observation, and read
 * the next state, its intent and conditions. Pure: no I/O, no clock (`now` is epoch ms). Paused means
 * no step and the stored intent, unchanged, unless the tier behind a weighted ALB can no longer serve.
 */
export function decide(previous: PersistedSnapshot | undefined, seen: Observation, clock: number): Decision {
  const observation = withoutNonFinite(seen);
  // Time never runs backwards for the machine: a clock that steps back counts as one that stalled.
  const now = Math.max(clock, previous?.observedAt ?? -Infinity);
  const { snapshot: restored, reset } = restore(previous, observation, now);
  // Paused freezes every decision but one: a tier that can no longer serve loses its ALB weight.
  const paused =
    effectiveMode(observation.policy, now).type === 'paused' &&
    !((previous?.intent?.weights.alb ?? 0) > 0 && tierCannotServe(observation));

  let next: TierSnapshot = restored;
  const transitions: TransitionRecord[] = [];
  // Level-triggered: the observation is given again until the machine settles, so that a state
  // reached this tick also acts on it (deciding twice on the same world then changes nothing).
  for (let step = 0; !paused && step < MAX_STEPS_PER_TICK; step++) {
    const [after, actions] = observe(next, { type: 'observe', observation, now });
    for (const action of actions) {
      if (action.type !== 'record') continue;
      const reason = (action.params as { reason: TransitionReason }).reason;
      transitions.push({ at: new Date(now).toISOString(), from: phaseOf(next), to: phaseOf(after), reason, message: MESSAGES[reason] });
    }
    const settled = sameJson(after.value, next.value) && sameJson(after.context, next.context);
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

/**
 * XState's pure `transition()`, minus its cost: `transition(machine, snapshot, event)` builds and
 * starts a throwaway actor on every call only to lend the machine its scope, several times the work of
 * the transition itself. Here one inert actor lends it for every call. The machine spawns, delays and
 * emits nothing, so the scope is only read; actions are collected for the caller, never executed.
 */
const lender = createActor(tierMachine, { input: { now: 0 } });
const ignore = () => {};
const inertScope: Omit<ActorScope<TierSnapshot, ObserveEvent>, 'actionExecutor'> = {
  self: lender,
  id: lender.id,
  sessionId: lender.sessionId,
  system: lender.system,
  logger: ignore,
  defer: ignore,
  emit: ignore,
  stopChild: ignore,
};

function observe(snapshot: TierSnapshot, event: ObserveEvent): [TierSnapshot, ExecutableActionObject[]] {
  const actions: ExecutableActionObject[] = [];
  // A bound push, not an arrow: where names are kept (tsx, tools/bundle.mjs), each closure made per
  // call is renamed, which costs more than the push.
  const next = tierMachine.transition(snapshot, event, { ...inertScope, actionExecutor: actions.push.bind(actions) });
  return [next, actions];
}

/**
 * Whether two values read the same as JSON, as they are stored. The same object does without
 * serialising: the machine hands back its snapshot, context and all, when nothing was enabled.
 */
function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** A figure that is NaN or infinite is no figure: it becomes a gap, which the machine waits out. */
function withoutNonFinite(o: Observation): Observation {
  // Key by key: a round trip through entries allocates an array per figure, every tick.
  const metrics: MetricsObservation = {};
  for (const key of Object.keys(o.metrics) as (keyof MetricsObservation)[]) metrics[key] = finite(o.metrics[key]);
  const auto = o.autoThresholds && finite(o.autoThresholds.upRps) !== undefined && finite(o.autoThresholds.downRps) !== undefined ? o.autoThresholds : undefined;
  return { ...o, metrics, stack: { ...o.stack, healthyTargets: finite(o.stack.healthyTargets) }, autoThresholds: auto };
}

function finite(v: number | undefined): number | undefined {
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}
