import type { Condition, Decision, ServiceStatus, StoredStatus } from '@lambdaflex/state';
import { ServiceSetupError, type World } from '../observe/observe';
import { RetryableAwsError, TerminalAwsError } from '../ports';

/** Rate points kept in the status item for the status page's chart. */
export const RATE_POINTS = 60;

/** How one tick ended for a service: what the next status is built from. */
export type TickEnd =
  | {
      kind: 'decided';
      world: World;
      decision: Decision;
      /** The Route53 change the acts submitted, to follow until INSYNC. */
      dnsChangeId?: string;
      /** The act that failed, when one did (the acts after it were not tried). */
      actError?: Error;
    }
  | { kind: 'observe-failed'; error: Error };

/**
 * The service's next status, from the previous one and how the tick ended. Pure: every exit of a tick
 * goes through here and is written once. Undefined when there is nothing to write (the first tick of a
 * service that could not be observed: the first successful one writes the first status).
 */
export function nextStatus(previous: StoredStatus | undefined, end: TickEnd, now: number): ServiceStatus | undefined {
  const at = new Date(now).toISOString();
  const prev = previous?.status;
  if (end.kind === 'observe-failed') {
    if (!prev) return undefined;
    return { ...prev, conditions: degradedBy(prev.conditions, errorReason(end.error, 'ObserveFailed'), end.error.message), updatedAt: at };
  }
  const { world, decision, dnsChangeId, actError } = end;
  const stalled = stalledOn(prev, world, actError, at);
  const conditions = actError
    ? degradedBy(decision.conditions, errorReason(actError, 'ActFailed'), actError.message)
    : stalled
      ? degradedBy(decision.conditions, 'AwsRefused', `${stalled.message} (acts wait for a new policy generation or image)`)
      : decision.conditions;
  return {
    service: world.service,
    phase: decision.phase,
    conditions,
    // Only a tick that finished its acts has observed this generation.
    observedGeneration: actError || stalled ? (prev?.observedGeneration ?? 0) : world.generation,
    lastTransition: decision.transitions.at(-1) ?? prev?.lastTransition,
    intent: decision.intent,
    snapshot: decision.snapshot,
    lastGoodPolicy: world.policy,
    ...(stalled ? { stalled } : {}),
    dnsChange: dnsChangeId ? { id: dnsChangeId, submittedAt: at } : world.dnsInSync ? undefined : prev?.dnsChange,
    requestRates: [
      ...(prev?.requestRates ?? []).slice(-(RATE_POINTS - 1)),
      { at, totalRps: world.metrics.totalRpsUpWindow, albRps: world.metrics.albRpsMax },
    ],
    updatedAt: at,
  };
}

/**
 * Whether a status says something new beyond the time it was written, the rate chart's newest point
 * and the time the machine last observed (which only keeps its clock from going back): a settled service
 * whose status did not change is not written every tick (only as a heartbeat).
 */
export function statusChanged(previous: ServiceStatus | undefined, next: ServiceStatus): boolean {
  if (!previous) return true;
  const essence = ({ updatedAt: _u, requestRates: _r, snapshot: { observedAt: _o, ...snapshot }, ...rest }: ServiceStatus) =>
    JSON.stringify({ ...rest, snapshot }, sortedKeys);
  return essence(previous) !== essence(next);
}

/** Whether the world is one a refused act stalled: same policy generation, same image. */
export function isStalled(previous: ServiceStatus | undefined, world: World): boolean {
  const s = previous?.stalled;
  return s !== undefined && s.generation === world.generation && s.image === world.base.imageUri;
}

function stalledOn(prev: ServiceStatus | undefined, world: World, actError: Error | undefined, at: string): ServiceStatus['stalled'] {
  if (actError instanceof TerminalAwsError) {
    return { generation: world.generation, image: world.base.imageUri, operation: actError.operation, code: actError.code, message: actError.message, since: at };
  }
  return !actError && isStalled(prev, world) ? prev?.stalled : undefined;
}

/** The reason an error gives the Degraded condition: AWS said later, AWS said no, or `fallback`. */
export function errorReason(err: Error, fallback: string): string {
  if (err instanceof ServiceSetupError) return err.reason;
  return err instanceof RetryableAwsError ? 'AwsRetrying' : err instanceof TerminalAwsError ? 'AwsRefused' : fallback;
}

function degradedBy(conditions: Condition[], reason: string, message: string): Condition[] {
  return conditions.map((c) => (c.type === 'Degraded' ? { type: 'Degraded', status: 'True', reason, message } : c));
}

/** A JSON replacer that sorts object keys, so two equal statuses serialise alike whatever their key order. */
function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
