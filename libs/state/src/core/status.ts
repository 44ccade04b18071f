import type { Intent } from './intent';
import type { PersistedSnapshot } from './snapshot';
import type { Policy } from './policy';

/** The machine's top-level states, the service's phase. */
export const PHASES = ['lambda', 'warming', 'dual', 'fargate', 'draining'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * Ready, Progressing and Degraded as Kubernetes has them; AtCapacity (the tier cannot carry the demand)
 * and Spilling (Lambda takes what it cannot) for the overflow.
 */
export type ConditionType = 'Ready' | 'Progressing' | 'Degraded' | 'AtCapacity' | 'Spilling';

/** A Kubernetes-style condition: a type, whether it holds, a PascalCase reason and a sentence. */
export interface Condition {
  type: ConditionType;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/** What a tier change was, for the history ledger. */
export interface TransitionRecord {
  at: string;
  from: Phase;
  to: Phase;
  reason: string;
  message: string;
}

/** What a stalled service waits for: a new policy generation or a new image. */
export interface StalledOn {
  generation: number;
  image: string;
  /** The refused call and AWS's error code, e.g. `CreateStack`, `AccessDenied`. */
  operation: string;
  code: string;
  message: string;
  since: string;
}

/** A service's status item: written once at the end of each tick, with a version check. */
export interface ServiceStatus {
  service: string;
  phase: Phase;
  conditions: Condition[];
  /** The policy generation this status was computed from. */
  observedGeneration: number;
  lastTransition?: TransitionRecord;
  intent: Intent;
  snapshot: PersistedSnapshot;
  /** The last policy that passed validation: used while the stored one is invalid. */
  lastGoodPolicy: Policy;
  /** The last Route53 change submitted, followed until it is INSYNC. */
  dnsChange?: { id: string; submittedAt: string };
  /**
   * AWS refused an act (access denied, a template it will not take): acts stay off for this policy
   * generation and image — observing and deciding go on — instead of sending the refused call each tick.
   */
  stalled?: StalledOn;
  /** Request rates seen by the latest ticks (oldest first, at most 60): the status page charts them. */
  requestRates?: { at: string; totalRps?: number; albRps?: number }[];
  updatedAt: string;
}
