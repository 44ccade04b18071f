/**
 * Builders for the machine's tests: policies, observations of typical worlds, and stored snapshots in
 * any state. Not part of the library's surface.
 */
import type { StateValue } from 'xstate';
import { intentFor } from './intent';
import { tierMachine, type TierContext } from './machine';
import type { Observation } from './observation';
import { parsePolicy, type Policy, type PolicyInput } from './policy';
import { persist, phaseOf, type PersistedSnapshot } from './snapshot';

export const T0 = Date.parse('2026-11-23T00:00:00Z');
export const MIN = 60_000;
export const HOUR = 60 * MIN;

export function policyWith(overrides: Partial<PolicyInput> = {}): Policy {
  return parsePolicy({ service: 'shop', ...overrides });
}

type ObservationPatch = Partial<Omit<Observation, 'stack' | 'dns' | 'metrics'>> & {
  stack?: Partial<Observation['stack']>;
  dns?: Partial<Observation['dns']>;
  metrics?: Partial<Observation['metrics']>;
};

/** An idle world served by Lambda: no stack, API Gateway takes all, no load. */
export function observation(patch: ObservationPatch = {}): Observation {
  const base: Observation = {
    policy: policyWith(),
    image: 'app:1',
    stack: { status: 'absent' },
    dns: { apiWeight: 100, albWeight: 0, albRecordExists: false, inSync: true },
    metrics: { totalRpsUpWindow: 0, totalRpsDownWindow: 0 },
  };
  return {
    ...base,
    ...patch,
    stack: { ...base.stack, ...patch.stack },
    dns: { ...base.dns, ...patch.dns },
    metrics: { ...base.metrics, ...patch.metrics },
  };
}

/** A ready tier stack with healthy targets, as warming ends and dual and fargate see it. */
export const readyStack = { status: 'ready', image: 'app:1', desiredTasks: 2, healthyTargets: 2 } as const;

/** Route53 with this ALB weight written, in sync. */
export function albWeight(weight: number) {
  return { apiWeight: 100 - weight, albWeight: weight, albRecordExists: true, inSync: true };
}

/** Healthy ALB traffic over a step: enough requests, no errors, fast, and the share the weight asks. */
export function healthyAlbTraffic(weight: number) {
  return { albRequests: 10_000, alb5xx: 0, albP95Ms: 80, albShare: weight / 100, albRpsMax: 50 };
}

/** A stored snapshot in the given state, with context defaults (entered at T0, no history). */
export function storedAt(value: StateValue, context: Partial<TierContext> = {}, o: Observation = observation()): PersistedSnapshot {
  const snapshot = tierMachine.resolveState({
    value,
    context: { enteredAt: T0, loadChanges: [], desiredTasks: 2, stepIndex: 0, stepStartedAt: T0, failures: 0, ...context },
  });
  const drainStep = typeof value === 'object' ? (value as { draining?: string }).draining : undefined;
  return persist(snapshot, intentFor({ phase: phaseOf(snapshot), drainStep, context: snapshot.context }, o));
}
