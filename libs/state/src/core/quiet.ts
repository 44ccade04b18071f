import { capacityMove, overCapacity } from './capacity';
import { intentFor } from './intent';
import { askedAlbWeight, thresholdsOf, tierCannotServe, type TierContext } from './machine';
import type { Observation } from './observation';
import { effectiveMode } from './policy';
import { MACHINE_VERSION, type PersistedSnapshot } from './snapshot';

/**
 * Whether deciding from `snapshot` on `observation` at `now` would be a fixed point: `decide()` would
 * take no transition, leave the state and its context as they are and return the intent stored with
 * the snapshot, so the tick would change nothing (a simulator may skip it). Pure and cheap: it reads the
 * guards of the settled states (`lambda`, `fargate`) without running the machine.
 *
 * Sound, not complete: `true` only when every guard of the state is false and its default action keeps
 * the context; `false` whenever in doubt (every other state, a mode that is not auto, a figure decide()
 * would blank). `snapshot` must be one `decide()` returned (its context as the machine keeps it).
 */
export function isQuiet(snapshot: PersistedSnapshot | undefined, observation: Observation, now: number): boolean {
  if (snapshot?.version !== MACHINE_VERSION || snapshot.intent === undefined || !allFinite(observation)) return false;
  const at = Math.max(now, snapshot.observedAt ?? -Infinity); // decide()'s clock never runs backwards
  if (effectiveMode(observation.policy, at).type !== 'auto') return false;
  const { value: phase, context } = snapshot;
  if (phase === 'lambda') return lambdaHolds(observation) && lambdaIntentKept(snapshot, observation);
  if (phase === 'fargate') return fargateHolds(context, observation, at) && sameData(intentFor({ phase, context }, observation), snapshot.intent);
  return false;
}

/**
 * The lambda intent reads nothing of the observation (no stack, no ALB record, all weight to API
 * Gateway), so one comparison per snapshot holds for every observation after it.
 */
const lambdaIntents = new WeakMap<PersistedSnapshot, boolean>();
function lambdaIntentKept(snapshot: PersistedSnapshot, o: Observation): boolean {
  let kept = lambdaIntents.get(snapshot);
  if (kept === undefined) lambdaIntents.set(snapshot, (kept = sameData(intentFor({ phase: 'lambda', context: snapshot.context }, o), snapshot.intent)));
  return kept;
}

/** `lambda` stays, as it is: no stray stack, no throttling, load not up (whatever the dwell and budget say). */
function lambdaHolds(o: Observation): boolean {
  const t = thresholdsOf(o);
  const rps = o.metrics.totalRpsUpWindow;
  const loadUp = rps !== undefined && t !== undefined && rps >= t.upRps;
  return o.stack.status === 'absent' && !((o.metrics.lambdaThrottles ?? 0) > 0) && !loadUp;
}

/**
 * `fargate` stays, as it is: the tier can serve, load not down, the capacity cap does not move, and the
 * note of when the ALB went over its capacity (`overSince`) would be written as it stands.
 */
function fargateHolds(c: TierContext, o: Observation, now: number): boolean {
  const t = thresholdsOf(o);
  const rps = o.metrics.totalRpsDownWindow;
  const loadDown = rps !== undefined && t !== undefined && rps <= t.downRps;
  const asked = askedAlbWeight(o.policy, c, 'fargate');
  const capStays = capacityMove(o, { asked, cap: c.albCap ?? 100, changedAt: c.capChangedAt, overSince: c.overSince }, now) === undefined;
  const over = overCapacity(o, asked);
  const overNoted = over === undefined || over === (c.overSince !== undefined);
  return !tierCannotServe(o) && !loadDown && capStays && overNoted;
}

/** decide() turns a NaN or infinite figure into a gap; such an observation is left to it. */
function allFinite(o: Observation): boolean {
  const m = o.metrics as Record<string, number | undefined>;
  for (const k in m) if (!finiteOrGap(m[k])) return false;
  const auto = o.autoThresholds;
  return finiteOrGap(o.stack.healthyTargets) && (auto === undefined || (Number.isFinite(auto.upRps) && Number.isFinite(auto.downRps)));
}

function finiteOrGap(v: number | undefined): boolean {
  return v === undefined || Number.isFinite(v);
}

/** Deep equality of plain JSON-like data (intents), an absent field equal to an undefined one. */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k in x) if (!sameData(x[k], y[k])) return false;
  for (const k in y) if (!(k in x) && y[k] !== undefined) return false;
  return true;
}
