import { z } from 'zod';
import type { SnapshotFrom, StateValue } from 'xstate';
import type { Intent } from './intent';
import { tierMachine, type TierContext } from './machine';
import type { Observation } from './observation';
import type { Phase } from './status';

/** Bumped whenever the machine's states or context change shape; older snapshots are not trusted. */
export const MACHINE_VERSION = 1;

export type TierSnapshot = SnapshotFrom<typeof tierMachine>;

/** The machine's state as stored in the status item: plain JSON, with the version that wrote it. */
export interface PersistedSnapshot {
  version: number;
  value: StateValue;
  context: TierContext;
  /** The intent decided with this snapshot: kept as is while the service is paused. */
  intent?: Intent;
  /** The latest time the machine was given: a clock that steps back is held here, as if it stalled. */
  observedAt?: number;
}

const time = z.number().finite();
const ContextSchema = z.object({
  enteredAt: time,
  lastTierChangeAt: time.optional(),
  loadChanges: z.array(time).max(10_000),
  desiredTasks: z.number().int().nonnegative(),
  stepIndex: z.number().int().nonnegative(),
  stepStartedAt: time,
  stepSyncedAt: time.optional(),
  albCap: z.number().min(0).max(100).optional(),
  capChangedAt: time.optional(),
  overSince: time.optional(),
  drainSyncedAt: time.optional(),
  failures: z.number().int().nonnegative(),
  backoffUntil: time.optional(),
  failure: z.object({ reason: z.string(), message: z.string() }).optional(),
});

/** The phase (top-level state) of a snapshot. */
export function phaseOf(snapshot: TierSnapshot): Phase {
  const value = snapshot.value;
  return (typeof value === 'string' ? value : Object.keys(value)[0]) as Phase;
}

/** The snapshot as plain JSON for the status item. */
export function persist(snapshot: TierSnapshot, intent: Intent, observedAt?: number): PersistedSnapshot {
  return { version: MACHINE_VERSION, value: snapshot.value, context: snapshot.context, intent, observedAt };
}

/**
 * Restores a stored snapshot. One of another version, or one that does not fit the machine, is not
 * a crash: the machine restarts from the state the observation implies, and `reset` says why.
 */
export function restore(
  stored: unknown,
  observation: Observation,
  now: number,
): { snapshot: TierSnapshot; reset?: string } {
  if (stored === undefined) return { snapshot: implied(observation, now) };
  const candidate = stored as Partial<PersistedSnapshot>;
  if (candidate?.version !== MACHINE_VERSION) {
    return {
      snapshot: implied(observation, now),
      reset: `stored snapshot has version ${String(candidate?.version)}, this machine ${MACHINE_VERSION}`,
    };
  }
  const context = ContextSchema.safeParse(candidate.context);
  if (!context.success || !isKnownValue(candidate.value)) {
    return { snapshot: implied(observation, now), reset: 'stored snapshot does not fit the machine' };
  }
  return { snapshot: tierMachine.resolveState({ value: candidate.value as StateValue, context: context.data }) };
}

const KNOWN_VALUES = new Set([
  'lambda',
  'warming',
  'dual',
  'fargate',
  'draining.shifting',
  'draining.waiting',
  'draining.removingRecord',
  'draining.deletingStack',
]);

function isKnownValue(value: unknown): boolean {
  if (typeof value === 'string') return KNOWN_VALUES.has(value);
  if (value && typeof value === 'object' && Object.keys(value).length === 1) {
    const [[parent, child]] = Object.entries(value);
    return typeof child === 'string' && KNOWN_VALUES.has(`${parent}.${child}`);
  }
  return false;
}

/**
 * The state the world implies, when there is no snapshot to trust: no stack is `lambda`; a stack
 * taking all traffic is `fargate`, some of it `dual` at the nearest step below; a stack taking none
 * is `draining`, the one state that is safe from anywhere (it returns to dual if load calls for it).
 */
function implied(o: Observation, now: number): TierSnapshot {
  const context: TierContext = {
    enteredAt: now,
    lastTierChangeAt: o.stack.status === 'absent' ? undefined : now,
    loadChanges: [],
    desiredTasks: o.stack.desiredTasks ?? 0,
    stepIndex: 0,
    stepStartedAt: now,
    failures: 0,
  };
  if (o.stack.status === 'absent') return tierMachine.resolveState({ value: 'lambda', context });
  const weight = o.dns.albRecordExists ? o.dns.albWeight : 0;
  if (weight >= 100 && o.dns.apiWeight === 0) return tierMachine.resolveState({ value: 'fargate', context });
  if (weight > 0) {
    const steps = o.policy.dual.steps;
    const stepIndex = Math.max(0, steps.findLastIndex((step) => step <= weight));
    return tierMachine.resolveState({ value: 'dual', context: { ...context, stepIndex } });
  }
  return tierMachine.resolveState({ value: { draining: 'shifting' }, context });
}
