import { isQuiet, type Decision } from '@lambdaflex/state';
import { planActs, type Plan } from '../act/plan';
import { metricsTarget, toObservation, type World } from '../observe/observe';
import type { TickResult } from '../reconcile';
import type { SimulatedWorld } from './world';

/**
 * Skip-ahead: a minute whose tick would change nothing is not run through `reconcileOnce`; the world
 * still serves and bills every minute. It rests on the last tick that ran, once it is settled:
 *
 *  1. It reconciled, changed no Route53 record (and the last change is in sync), asked for no probe and
 *     was not paused ({@link settledTick}). Until another tick runs, no status is written and no record
 *     changes, so a tick would read the snapshot and intent that one stored, its records and its
 *     policy; only the stack (an operation completing, or one it started) and the metrics can move.
 *  2. A minute is skipped when, on the world a tick would read then — the settled one with the metrics
 *     afresh, and the stack if it moved — deciding from the settled snapshot is a fixed point
 *     ({@link isQuiet}: no transition, the same state, context and intent) and the plan has no act.
 *
 * Such a tick would have written a status differing only in its times and rate chart, which no
 * decision reads; so the ticks that do run decide exactly as they would have, and the report is the same.
 */
export interface SettledTick {
  /** The world as the last tick read it (or as a skipped tick would have, with the stack afresh). */
  world: World;
  decision: Decision;
  /** That world's plan for the decision's intent. */
  plan: Plan;
}

/** The tick, if the minutes after it may be skipped (1. above). */
export function settledTick({ outcome, world, decision, plan }: TickResult): SettledTick | undefined {
  if (outcome !== 'reconciled' || !world || !decision || !plan) return undefined;
  const changesDns = plan.acts.some((a) => a.type === 'dns.change') || !world.dnsInSync;
  if (changesDns || decision.frozen || decision.intent.probe) return undefined;
  return { world: { ...world, probes: undefined }, decision, plan }; // its intent asks for no probe: the next tick sends none
}

/**
 * Whether the tick at `now` may be skipped (2. above): the settled tick to go on from, or undefined
 * when the tick must run.
 */
export function quietMinute(settled: SettledTick, world: SimulatedWorld, now: number): SettledTick | undefined {
  // The stack as the settled tick saw it, unless it acted on it or an operation has moved it since.
  const stackMoved = settled.plan.acts.length > 0 || world.tierStatus() !== settled.world.tier?.status;
  const known = stackMoved ? { ...settled.world, tier: world.describeTier() } : settled.world;
  const seen: World = { ...known, metrics: world.metricsAt(metricsTarget(known), known.policy, now) };
  const { snapshot, intent } = settled.decision;
  if (!isQuiet(snapshot, toObservation(seen), now)) return undefined;
  if (!stackMoved) return settled; // the world the settled tick planned on: no act
  const plan = planActs(intent, seen, snapshot.context.lastTierChangeAt ?? 0);
  return plan.acts.length === 0 ? { world: seen, decision: settled.decision, plan } : undefined;
}
