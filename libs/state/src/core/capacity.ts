import type { Observation } from './observation';
import { capacityPerTask } from './policy';

/**
 * The Fargate tier's capacity against the demand, as one tick sees them, and the ALB weight that follows.
 * Pure: the machine's guards, the intent and the conditions all read the tier's capacity through here.
 *
 *   demand D (both tiers) ──▶ the ALB receives D × weight ──▶ more than the tier serves?
 *        │                                                        │ yes: lower the weight to what it
 *        │                                                        │      carries (with headroom), never
 *        ▼                                                        │      below what Lambda cannot take
 *   Lambda takes D × (1 − weight), up to its concurrency ◀────────┘ no, and room for a step: give back
 */
export interface CapacityView {
  /** Requests per second of both tiers (undefined: no figure, nothing is decided on capacity). */
  demandRps?: number;
  /** What the tier serves: healthy targets × per-task capacity, lowered to what it measurably served when saturated. */
  tierRps?: number;
  /** What Lambda can take, from its concurrency limit and the duration of a request. */
  lambdaRps: number;
  /** The tasks say they are full: they hand requests to Lambda, the ALB answers 5xx itself or rejects connections, or targets run above capacity. */
  saturated: boolean;
  /** The highest ALB weight (0–100) whose share of the demand the tier carries with the policy's headroom. */
  fitWeight?: number;
  /** The lowest ALB weight that leaves Lambda no more than it can take. */
  lambdaFloor: number;
  /** The money cap binds: the demand needs more tasks than `fargate.maxTasks`. */
  taskCapBinds: boolean;
  /** The ALB refuses requests itself (its own 5xx, rejected connections): the tasks cannot hand over. */
  albRefusing: boolean;
}

/** Overload under this share of the ALB's traffic is noise (a task restarting, one slow request). */
const SATURATION_SHARE = 0.01;

/** The capacity view of an observation. */
export function capacityOf(o: Observation): CapacityView {
  const p = o.policy;
  const m = o.metrics;
  const perTask = capacityPerTask(p);
  const lambdaRps = lambdaCapacityRps(o);
  const demand = m.demandRps;
  const healthy = o.stack.healthyTargets;
  const albRps = m.albRpsRecent ?? 0;
  const refused = (m.spilledRps ?? 0) + (m.albOverloadRps ?? 0);
  const saturated = (albRps > 0 && refused > SATURATION_SHARE * albRps) || (m.rpsPerTarget ?? 0) > perTask;
  let tierRps = healthy === undefined ? undefined : healthy * perTask;
  // The tasks say they are full: what they served is what they carry, whatever the per-task figure says.
  if (tierRps !== undefined && saturated) tierRps = Math.min(tierRps, Math.max(0, albRps - refused));
  const fitWeight =
    demand === undefined || tierRps === undefined ? undefined : demand <= 0 ? 100 : clamp(Math.floor((100 * p.spill.headroom * tierRps) / demand));
  const lambdaFloor = demand === undefined || demand <= lambdaRps ? 0 : clamp(Math.ceil(100 * (1 - lambdaRps / demand)));
  const taskCapBinds = demand !== undefined && demand > p.fargate.maxTasks * perTask * p.spill.headroom;
  const albRefusing = albRps > 0 && (m.albOverloadRps ?? 0) > SATURATION_SHARE * albRps;
  return { demandRps: demand, tierRps, lambdaRps, saturated, fitWeight, lambdaFloor, taskCapBinds, albRefusing };
}

/**
 * Requests per second Lambda can take: its concurrency limit over a request's duration. The duration is
 * Lambda's own (its peak concurrency over its rate, by Little's law: a peak makes it an overestimate, so
 * the capacity an underestimate) once it serves enough to tell, else the policy's.
 */
export function lambdaCapacityRps(o: Observation): number {
  const l = o.policy.lambda;
  const m = o.metrics;
  const measured = m.lambdaConcurrency !== undefined && m.lambdaRps !== undefined && m.lambdaRps >= 1 ? m.lambdaConcurrency / m.lambdaRps : undefined;
  const seconds = Math.max(measured ?? 0, l.durationMs / 1000);
  return l.concurrencyLimit / seconds;
}

/** A change of the ALB's capacity cap: lower it (spill to Lambda) or give some back. */
export interface CapacityMove {
  kind: 'lower' | 'raise';
  cap: number;
}

/** Whether the ALB, at weight `asked`, receives more than the tier serves (undefined: no figures). */
export function overCapacity(o: Observation, asked: number): boolean | undefined {
  const c = capacityOf(o);
  if (c.demandRps === undefined || c.tierRps === undefined) return undefined;
  return c.saturated || (c.demandRps * asked) / 100 > c.tierRps;
}

/** Where the cap stands: the weight asked now, the cap in force (100: none), and when it and the overload began. */
export interface CapState {
  asked: number;
  cap: number;
  changedAt?: number;
  overSince?: number;
}

/**
 * Whether the ALB's cap moves this tick. Down, to the share the tier carries, once it has been over its
 * capacity for `spill.reactionSeconds` (the tasks hand the excess to Lambda meanwhile) — at once when the
 * task cap binds or the ALB refuses requests itself — never so low that Lambda is asked more than it can
 * take. Up, to all that fits, once the tier carries at least `spill.returnStep` more. Damped: no move
 * within `spill.holdSeconds` of the last, so each is seen through the DNS TTL and the metric lag first.
 */
export function capacityMove(o: Observation, st: CapState, now: number): CapacityMove | undefined {
  const p = o.policy.spill;
  if (st.changedAt !== undefined && now - st.changedAt < p.holdSeconds * 1000) return undefined;
  const c = capacityOf(o);
  const over = overCapacity(o, st.asked);
  if (over === undefined || c.fitWeight === undefined) return undefined;
  if (over) {
    const waited = st.overSince !== undefined && now - st.overSince >= p.reactionSeconds * 1000;
    if (!(waited || c.taskCapBinds || c.albRefusing)) return undefined;
    const lowered = Math.max(c.lambdaFloor, Math.min(c.fitWeight, st.asked - 1));
    return lowered < st.asked ? { kind: 'lower', cap: lowered } : undefined;
  }
  // Back only once a real step fits (or all of it): small gains wait, so the weight does not creep.
  if (st.cap >= 100 || c.fitWeight < Math.min(100, st.cap + p.returnStep)) return undefined;
  return { kind: 'raise', cap: Math.min(100, c.fitWeight) };
}

function clamp(weight: number): number {
  return Math.max(0, Math.min(100, weight));
}
