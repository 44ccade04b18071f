/**
 * The reconciler's ports: the few things it asks of AWS, each with one adapter (adapters/) and one
 * in-memory model for the tests (test/support). Names and shapes are the reconciler's, not AWS's;
 * the adapters translate, and turn AWS's errors into these outcomes.
 */
import type { MetricsObservation, StackStatus } from './observation';
import type { Policy, PolicyIssue } from './policy';
import type { ServiceStatus, TransitionRecord } from './status';

/**
 * How long a tick's lease on a service holds if the tick dies without giving it up. Every Lambda that
 * acts under a lease must time out well before it (deploy asserts it), and a tick checks, with its own
 * clock, that its lease has {@link LEASE_SAFETY_MS} left before each act and write.
 */
export const LEASE_TTL_MS = 5 * 60_000;
/** The time a lease must still have before an act: the longest AWS call plus clock drift between ticks. */
export const LEASE_SAFETY_MS = 30_000;

// ---- The state store (DynamoDB; in memory for the simulator) ----

/** A stored policy as read: its generation and the result of validating it, good or not. */
export interface StoredPolicy {
  generation: number;
  updatedAt?: string;
  result: { ok: true; policy: Policy } | { ok: false; issues: PolicyIssue[] };
}

/** A stored status, the version to pass back to {@link StatePort.writeStatus}, and the fence it was written under. */
export interface StoredStatus {
  status: ServiceStatus;
  version: number;
  /** The lease epoch of the last tick that wrote it under a lease; a lower epoch can no longer write. */
  fence?: number;
}

/** One page of a service's history, newest first; `nextCursor` is absent on the last page. */
export interface HistoryPage {
  items: TransitionRecord[];
  nextCursor?: string;
}

/**
 * A service's lease as held by one tick: `epoch` rises by one with every acquisition, so a tick that
 * stalled past its lease is told apart from the one that took over (a fencing token).
 */
export interface Lease {
  service: string;
  owner: string;
  epoch: number;
  expiresAtMs: number;
}

/** What the fleet read gives for one service: its policy and status (either may be missing). */
export interface FleetItem {
  service: string;
  policy?: StoredPolicy;
  status?: StoredStatus;
}

/**
 * The operator's state: policies, statuses, leases and history. Every write is conditional (generation,
 * version, lease owner and epoch), so two writers never silently overwrite each other.
 */
export interface StatePort {
  readPolicy(service: string): Promise<StoredPolicy | undefined>;
  /** @returns the new generation. @throws PolicyConflictError, InvalidPolicyError. */
  writePolicy(policy: Policy, expectedGeneration: number | undefined): Promise<number>;
  readStatus(service: string): Promise<StoredStatus | undefined>;
  /**
   * Writes if the stored version is `expectedVersion` and no tick with a higher lease epoch than
   * `fence` wrote it; returns the new version. @throws StatusConflictError.
   */
  writeStatus(status: ServiceStatus, expectedVersion: number | undefined, fence?: number): Promise<number>;
  /** Takes the lease (a new epoch) unless another owner holds an unexpired one. */
  acquireLease(service: string, owner: string, now: number, ttlMs: number): Promise<Lease | undefined>;
  /** Gives the lease up (its epoch stays, so the next one is higher); false unless `lease` still holds it. */
  releaseLease(lease: Lease): Promise<boolean>;
  appendHistory(service: string, record: TransitionRecord, retentionDays?: number): Promise<void>;
  listHistory(service: string, page?: { limit?: number; cursor?: string }): Promise<HistoryPage>;
  /** Every service with a policy, sorted. */
  listServices(): Promise<string[]>;
  /** Every service's policy and status in a few paged reads (not two per service), sorted by service. */
  readFleet(): Promise<FleetItem[]>;
}

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
  /**
   * Every stack of `names` that exists, by name, in as few calls as the fleet allows (a paged listing of
   * the account's stacks rather than one call per name). A name absent from the map has no stack.
   */
  describeMany(names: readonly string[]): Promise<Map<string, StackDescription>>;
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

/** Where a service's weighted records live. */
export interface RecordTarget {
  hostedZoneId: string;
  recordName: string;
}

/** A record name as Route53 compares it: lower case, without the trailing dot (the key of {@link DnsPort.readMany}). */
export function recordKey(recordName: string): string {
  return recordName.toLowerCase().replace(/\.$/, '');
}

export interface DnsPort {
  read(hostedZoneId: string, recordName: string): Promise<ServiceRecords>;
  /**
   * The records of every target, keyed by {@link recordKey}, listing each hosted zone once (paged)
   * rather than once per service. A target without records maps to `{}`.
   */
  readMany(targets: readonly RecordTarget[]): Promise<Map<string, ServiceRecords>>;
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

/** One service's part of a fleet read. */
export interface MetricsRequest {
  service: string;
  target: MetricsTarget;
  policy: Policy;
}

export interface MetricsPort {
  /** Every series the machine needs, in one GetMetricData call, over the policy's windows. */
  read(target: MetricsTarget, policy: Policy, now: number): Promise<ServiceMetrics>;
  /**
   * Every service's figures by service, in as few GetMetricData calls as fit (up to 500 queries each),
   * asking only for the series the decision reads. Never throws: a failed call is a gap.
   */
  readMany(requests: readonly MetricsRequest[], now: number): Promise<Map<string, ServiceMetrics>>;
}

// ---- Fan-out ----

/** Per-service work the coordinator hands on when it cannot act on everything itself within its tick. */
export interface WorkQueuePort {
  /** Queues one tick of each service (at most once per service and tick). */
  enqueue(services: readonly string[], tick: string): Promise<void>;
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
