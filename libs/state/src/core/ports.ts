/**
 * The reconciler's ports: the few things it asks of AWS, each with one adapter (adapters/) and one
 * in-memory model for the tests (test/support). Names and shapes are the reconciler's, not AWS's;
 * the adapters translate, and turn AWS's errors into these outcomes.
 */
import type { MetricsObservation, StackStatus } from './observation';
import type { Policy } from './policy';

// ---- CloudFormation ----

/** A stack as DescribeStacks shows it, reduced to what the reconciler reads. */
export interface StackDescription {
  name: string;
  /** CloudFormation's own status, e.g. `CREATE_COMPLETE`, `UPDATE_ROLLBACK_IN_PROGRESS`. */
  status: string;
  /** The machine's view of `status`. */
  state: StackStatus;
  parameters: Record<string, string>;
  outputs: Record<string, string>;
  /** When the stack was created (ISO); part of deterministic request tokens. */
  createdAt: string;
  lastUpdatedAt?: string;
}

export interface StackPort {
  /** The stack, or undefined when it does not exist (or is DELETE_COMPLETE). */
  describe(name: string): Promise<StackDescription | undefined>;
  create(name: string, parameters: Record<string, string>, token: string): Promise<void>;
  /** Updates parameters, keeping the template. `no-change` when CloudFormation has nothing to do. */
  update(name: string, parameters: Record<string, string>, token: string): Promise<'updating' | 'no-change'>;
  delete(name: string, token: string): Promise<void>;
}

// ---- Route53 ----

/** An alias target: where a weighted record points. */
export interface AliasTarget {
  dnsName: string;
  hostedZoneId: string;
}

/** One weighted alias record of the service's name. */
export interface WeightedRecord {
  setIdentifier: string;
  weight: number;
  target: AliasTarget;
}

/** The service's weighted records, by set identifier (`api`, `alb`). */
export interface ServiceRecords {
  api?: WeightedRecord;
  alb?: WeightedRecord;
}

/** One change of the batch: UPSERT a record, or DELETE it (as it exists). */
export type RecordChange = { action: 'UPSERT' | 'DELETE'; record: WeightedRecord };

export interface DnsPort {
  read(hostedZoneId: string, recordName: string): Promise<ServiceRecords>;
  /** Applies every change in one change batch; returns the change id to follow. */
  change(hostedZoneId: string, recordName: string, changes: RecordChange[]): Promise<string>;
  /** Whether a change has reached every Route53 server. */
  inSync(changeId: string): Promise<boolean>;
}

// ---- CloudWatch ----

/** What identifies a service's metrics: its API, function, and (while the tier exists) ALB. */
export interface MetricsTarget {
  apiId: string;
  functionName: string;
  /** The ALB's and target group's `app/...` and `targetgroup/...` names, when the tier exists. */
  loadBalancer?: string;
  targetGroup?: string;
}

/** The machine's metrics plus target health, which CloudWatch also reports. */
export type ServiceMetrics = MetricsObservation & { healthyTargets?: number };

export interface MetricsPort {
  /** Every series the machine needs, in one GetMetricData call, over the policy's windows. */
  read(target: MetricsTarget, policy: Policy, now: number): Promise<ServiceMetrics>;
}

// ---- Probes ----

/** Where to probe: the ALB's own DNS name, with the service's host name for TLS (SNI) and Host. */
export interface ProbeTarget {
  url: string;
  host?: string;
}

export interface ProbePort {
  /** Sends `count` requests and counts the 2xx answers; a timeout or refusal is a failure, never a throw. */
  probe(target: ProbeTarget, count: number): Promise<{ ok: number; failed: number }>;
}

// ---- Errors every adapter raises ----

/** AWS said "later" (throttling, 5xx, a change still in progress): the next tick tries again. */
export class RetryableAwsError extends Error {
  override readonly name = 'RetryableAwsError';
  constructor(
    readonly operation: string,
    readonly code: string,
    message: string,
  ) {
    super(`${operation}: ${code}: ${message}`);
  }
}

/**
 * AWS said "no" (access denied, an invalid request): retrying the same input will not help, so the
 * service goes Degraded until its input changes.
 */
export class TerminalAwsError extends Error {
  override readonly name = 'TerminalAwsError';
  constructor(
    readonly operation: string,
    readonly code: string,
    message: string,
  ) {
    super(`${operation}: ${code}: ${message}`);
  }
}
