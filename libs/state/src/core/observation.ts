import type { Policy, PolicyIssue } from './policy';

/**
 * The Fargate tier stack as CloudFormation shows it, reduced to what the machine decides on.
 * `in-progress` covers every `*_IN_PROGRESS`; `failed` every `*_FAILED` and `ROLLBACK_COMPLETE`
 * (a stack that can only be deleted); `UPDATE_ROLLBACK_COMPLETE` is `ready`: the old version serves.
 */
export type StackStatus = 'absent' | 'in-progress' | 'ready' | 'failed';

export interface StackObservation {
  status: StackStatus;
  /** The image the tier's tasks run, from the stack's parameters. */
  image?: string;
  /** Task count asked of the stack (its DesiredCount parameter). */
  desiredTasks?: number;
  /** Targets the ALB's target group reports healthy; undefined when unknown. */
  healthyTargets?: number;
}

/** The two weighted records of the service's name, and the last change's propagation. */
export interface DnsObservation {
  /** Weight of the API Gateway record (it always exists: Lambda is never removed). */
  apiWeight: number;
  /** Weight of the ALB record; 0 when the record does not exist. */
  albWeight: number;
  albRecordExists: boolean;
  /** Whether the last change has propagated to every Route53 server (GetChange INSYNC). */
  inSync: boolean;
}

/**
 * Request rates in requests per second, per-minute figures over the policy's windows. `undefined`
 * means no data (a metric gap), never zero: the machine waits rather than guess.
 */
export interface MetricsObservation {
  /** Lowest per-minute rate of both tiers together over the up-window: high only if load held. */
  totalRpsUpWindow?: number;
  /** Highest per-minute rate of both tiers together over the down-window: low only if load stayed low. */
  totalRpsDownWindow?: number;
  /** Lambda throttles over the up-window (a count); > 0 means Lambda alone cannot hold the load. */
  lambdaThrottles?: number;
  /** Highest per-minute rate the ALB served over the last drain-check window (ALB RequestCount). */
  albRpsMax?: number;
  /** The ALB's share of all requests over the last step-hold window, 0..1. */
  albShare?: number;
  /** ALB requests, 5xx responses and p95 response time over the last step-hold window. */
  albRequests?: number;
  alb5xx?: number;
  albP95Ms?: number;
  /**
   * When the window of the step figures (albRequests, alb5xx, albP95Ms, albShare) begins, epoch ms.
   * CloudWatch publishes minutes late, so a dual step is judged only once this is after its weight was
   * in sync: on its own traffic. Absent: the window is the step hold before the tick.
   */
  stepWindowStart?: number;
  /**
   * Demand: the highest per-minute rate of both tiers together over the last few settled minutes (the
   * capacity window), requests the tasks handed to Lambda counted once, at the ALB.
   */
  demandRps?: number;
  /** Highest per-minute rate the ALB received over the capacity window. */
  albRpsRecent?: number;
  /**
   * What says the tier is saturated, per second over the capacity window: requests the tasks handed to
   * Lambda (the instant spill), the ALB's own 5xx (no target could take it), connections it rejected,
   * and targets' 5xx.
   */
  spilledRps?: number;
  albOverloadRps?: number;
  /** Highest per-minute requests per healthy target over the capacity window, per second. */
  rpsPerTarget?: number;
  /** Lambda: the most concurrent executions and the rate of requests it served over the capacity window. */
  lambdaConcurrency?: number;
  lambdaRps?: number;
}

/** Results of synthetic `/healthz` probes through the ALB since the current dual step began. */
export interface ProbeObservation {
  ok: number;
  failed: number;
}

/**
 * Everything a tick sees, in one event. `policy` is the last good policy; `policyIssues` is set when
 * the stored item is invalid (the machine then runs on the last good one and reports Degraded).
 */
export interface Observation {
  policy: Policy;
  policyIssues?: PolicyIssue[];
  /** The image the base stack (the Lambda) runs: the tier must run the same. */
  image: string;
  stack: StackObservation;
  dns: DnsObservation;
  metrics: MetricsObservation;
  probes?: ProbeObservation;
  /**
   * The thresholds the cost model derives for this policy (the reconciler computes them with
   * libs/cost); used where the policy says `auto`. Absent: an `auto` threshold moves nothing.
   */
  autoThresholds?: { upRps: number; downRps: number };
}
