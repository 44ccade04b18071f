import {
  parsePolicy,
  PolicyConflictError,
  safeParsePolicy,
  StatusConflictError,
  type FleetItem,
  type HistoryPage,
  type Lease,
  type Policy,
  type ServiceStatus,
  type StatePort,
  type StoredPolicy,
  type StoredStatus,
  type TransitionRecord,
} from '@lambdaflex/state';

/**
 * The state store in memory, for the simulator: the same contract as the DynamoDB store (conditional
 * writes on generation, version and fence, a lease with owner, expiry and a rising epoch, an append-only
 * ledger), without the round trips that would make an 84,000-minute replay take minutes. Items go
 * through a JSON round trip, as they do through DynamoDB (undefined fields dropped), so the reconciler
 * reads back what it would read from the table. The simulator's `store: 'dynalite'` option runs the
 * real store instead, and a test checks both give the same replay.
 */
export class MemoryStateStore implements StatePort {
  private readonly policies = new Map<string, { generation: number; parsed: StoredPolicy }>();
  private readonly statuses = new Map<string, { item: string; version: number; fence?: number }>();
  private readonly leases = new Map<string, { owner: string; expiresAt: number; epoch: number }>();
  private readonly history = new Map<string, TransitionRecord[]>();

  async readPolicy(service: string): Promise<StoredPolicy | undefined> {
    return this.policies.get(service)?.parsed;
  }

  async writePolicy(policy: Policy, expectedGeneration: number | undefined): Promise<number> {
    const { service } = parsePolicy(policy);
    const stored = this.policies.get(service);
    if ((stored?.generation ?? undefined) !== expectedGeneration) throw new PolicyConflictError(service, expectedGeneration);
    const generation = (expectedGeneration ?? 0) + 1;
    // Validated once on write; a read returns what validating the stored item gives, as the real store does.
    this.policies.set(service, { generation, parsed: { generation, result: safeParsePolicy(JSON.parse(JSON.stringify(policy))) } });
    return generation;
  }

  async readStatus(service: string): Promise<StoredStatus | undefined> {
    const stored = this.statuses.get(service);
    if (!stored) return undefined;
    return { status: JSON.parse(stored.item) as ServiceStatus, version: stored.version, ...(stored.fence === undefined ? {} : { fence: stored.fence }) };
  }

  async writeStatus(status: ServiceStatus, expectedVersion: number | undefined, fence?: number): Promise<number> {
    const stored = this.statuses.get(status.service);
    const fenced = fence !== undefined && stored?.fence !== undefined && stored.fence > fence;
    if (stored?.version !== expectedVersion || fenced) throw new StatusConflictError(status.service, expectedVersion);
    const version = (expectedVersion ?? 0) + 1;
    this.statuses.set(status.service, { item: JSON.stringify(status), version, fence });
    return version;
  }

  async acquireLease(service: string, owner: string, now: number, ttlMs: number): Promise<Lease | undefined> {
    if (!(ttlMs > 0)) throw new RangeError(`lease ttlMs must be positive, got ${ttlMs}`);
    const lease = this.leases.get(service);
    if (lease && lease.expiresAt >= now && lease.owner !== owner) return undefined;
    const epoch = (lease?.epoch ?? 0) + 1;
    this.leases.set(service, { owner, expiresAt: now + ttlMs, epoch });
    return { service, owner, epoch, expiresAtMs: now + ttlMs };
  }

  async releaseLease(lease: Lease): Promise<boolean> {
    const held = this.leases.get(lease.service);
    if (held?.owner !== lease.owner || held.epoch !== lease.epoch) return false;
    held.expiresAt = 0;
    return true;
  }

  async appendHistory(service: string, record: TransitionRecord): Promise<void> {
    if (Number.isNaN(Date.parse(record.at))) throw new RangeError(`history record time is not a date: ${record.at}`);
    const list = this.history.get(service) ?? [];
    list.push(JSON.parse(JSON.stringify(record)) as TransitionRecord);
    this.history.set(service, list);
  }

  async listHistory(service: string, { limit = 20 }: { limit?: number; cursor?: string } = {}): Promise<HistoryPage> {
    return { items: [...(this.history.get(service) ?? [])].reverse().slice(0, limit) };
  }

  async listServices(): Promise<string[]> {
    return [...this.policies.keys()].sort();
  }

  async readFleet(): Promise<FleetItem[]> {
    const services = [...new Set([...this.policies.keys(), ...this.statuses.keys()])].sort();
    return Promise.all(services.map(async (service) => ({ service, policy: await this.readPolicy(service), status: await this.readStatus(service) })));
  }
}
