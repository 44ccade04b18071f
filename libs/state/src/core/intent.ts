import { capacityOf } from './capacity';
import { askedAlbWeight, tasksFor, trafficIsThin, type TierContext } from './machine';
import type { Observation } from './observation';
import type { Policy } from './policy';
import type { Phase } from './status';

/**
 * What the world should look like after this tick. The reconciler compares it with what it observed
 * and acts on the difference only, so an intent repeated on the next tick does nothing twice.
 */
export interface Intent {
  stack: StackIntent;
  /** Route53 weights; written together in one change batch. */
  weights: { api: number; alb: number };
  /** Whether the ALB's weighted record should exist. */
  albRecord: boolean;
  /** Whether to send synthetic probes through the ALB this tick (dual at thin traffic). */
  probe: boolean;
  /** When the next tick should look again, in seconds; the schedule may come sooner. */
  lookAgainAfterSeconds: number;
}

export type StackIntent =
  | { present: false }
  | {
      present: true;
      image: string;
      desiredTasks: number;
      minTasks: number;
      maxTasks: number;
      cpu: number;
      memoryMiB: number;
      targetRpsPerTask: number;
    };

/** The intent of a machine state, given what was observed. Pure; the same inputs give the same intent. */
export function intentFor(
  state: { phase: Phase; drainStep?: string; context: TierContext },
  o: Observation,
): Intent {
  const p = o.policy;
  const sized = tasksWithin(p, state.context.desiredTasks || (o.stack.desiredTasks ?? 0));
  // Serving, the count follows the demand from what the stack asks now.
  const serving = state.phase === 'dual' || state.phase === 'fargate';
  const tier: StackIntent = {
    present: true,
    // Both tiers serve the same build: the tier follows the base stack's image.
    image: o.image,
    desiredTasks: serving ? tasksForDemand(o, tasksWithin(p, o.stack.desiredTasks ?? sized)) : sized,
    minTasks: p.fargate.minTasks,
    maxTasks: p.fargate.maxTasks,
    cpu: p.fargate.cpu,
    memoryMiB: p.fargate.memoryMiB,
    targetRpsPerTask: p.fargate.targetRpsPerTask,
  };
  const none: StackIntent = { present: false };

  switch (state.phase) {
    case 'lambda':
      return { stack: none, weights: weights(0), albRecord: false, ...look(60) };
    case 'warming':
      return { stack: tier, weights: weights(0), albRecord: false, ...look(30) };
    case 'dual': {
      const alb = albWeightFor(o, askedAlbWeight(p, state.context, 'dual'));
      return { stack: tier, weights: weights(alb), albRecord: true, probe: trafficIsThin(o), lookAgainAfterSeconds: 30 };
    }
    case 'fargate':
      return { stack: tier, weights: weights(albWeightFor(o, askedAlbWeight(p, state.context, 'fargate'))), albRecord: true, ...look(60) };
    case 'draining': {
      // Never create what is being drained: the stack and record stay only if they exist.
      const stack = state.drainStep === 'deletingStack' || o.stack.status === 'absent' ? none : tier;
      const albRecord = state.drainStep !== 'removingRecord' && state.drainStep !== 'deletingStack' && o.dns.albRecordExists;
      return { stack, weights: weights(0), albRecord, ...look(60) };
    }
  }
}

// The helpers below are functions of the module, not closures made on each call: the bundles keep
// names (tsx, tools/bundle.mjs), and naming a closure a tick creates costs more than what it computes.

/** A task count within the policy's least and most. */
function tasksWithin(p: Policy, tasks: number): number {
  return Math.max(p.fargate.minTasks, Math.min(p.fargate.maxTasks, tasks));
}

/** While target health is unknown (a metric gap), the ALB's weight may stay but never grow. */
function albWeightFor(o: Observation, wanted: number): number {
  return o.stack.healthyTargets === undefined ? Math.min(wanted, o.dns.albRecordExists ? o.dns.albWeight : 0) : wanted;
}

function weights(alb: number): Intent['weights'] {
  return { api: 100 - alb, alb };
}

function look(seconds: number): Pick<Intent, 'probe' | 'lookAgainAfterSeconds'> {
  return { probe: false, lookAgainAfterSeconds: seconds };
}

/**
 * Tasks for the total demand of both tiers, not ECS's view of the ALB's share (which falls as the
 * weight spills to Lambda, and lags minutes behind a surge): when the tier is at capacity and has fewer
 * healthy tasks than the demand needs, the count asked rises at once to what the demand needs. Otherwise
 * it stays, and ECS target tracking (the safety net) trims it: the reconciler never fights it on the
 * way down, and a stack update is made only when capacity is short. Without a figure, nothing changes.
 */
function tasksForDemand(o: Observation, current: number): number {
  const view = capacityOf(o);
  if (view.demandRps === undefined) return current;
  const wanted = tasksFor(o.policy, view.demandRps);
  const atCapacity = view.saturated || (view.fitWeight ?? 100) < 100;
  return atCapacity && wanted > (o.stack.healthyTargets ?? 0) ? wanted : current;
}
