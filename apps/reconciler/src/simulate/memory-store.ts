import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  parsePolicy,
  PolicyConflictError,
  safeParsePolicy,
  StateStore,
  StatusConflictError,
  type HistoryPage,
  type Policy,
  type ServiceStatus,
  type StoredPolicy,
  type StoredStatus,
  type TransitionRecord,
} from '@lambdaflex/state';

/**
 * The state store in memory, for the simulator: the same contract as {@link StateStore} (conditional
 * writes on generation and version, a lease with owner and expiry, an append-only ledger), without the
 * DynamoDB round trips that would make an 84,000-minute replay take minutes. Items go through a JSON
 * round trip, as they do through DynamoDB (undefined fields dropped), so the reconciler reads back
 * what it would read from the table. The simulator's `store: 'dynalite'` option runs the real store
 * instead, and a test checks both give the same replay.
 */
export class MemoryStateStore extends StateStore {
  private readonly policies = new Map<string, { item: string; generation: number; parsed: StoredPolicy }>();
  private readonly statuses = new Map<string, { item: string; version: number }>();
  private readonly leases = new Map<string, { owner: string; expiresAt: number }>();
  private readonly history = new Map<string, TransitionRecord[]>();

  constructor() {
    // Every method is overridden: the client is never called.
    super({ send: () => Promise.reject(new Error('MemoryStateStore has no DynamoDB client')) } as unknown as DynamoDBDocumentClient, 'memory');
  }

  override async readPolicy(service: string): Promise<StoredPolicy | undefined> {
    return this.policies.get(service)?.parsed;
  }

  override async writePolicy(policy: Policy, expectedGeneration: number | undefined): Promise<number> {
    const { service } = parsePolicy(policy);
    const stored = this.policies.get(service);
    if ((stored?.generation ?? undefined) !== expectedGeneration) throw new PolicyConflictError(service, expectedGeneration);
    const generation = (expectedGeneration ?? 0) + 1;
    const item = JSON.stringify(policy);
    // Validated once on write; a read returns what validating the stored item gives, as the real store does.
    this.policies.set(service, { item, generation, parsed: { generation, result: safeParsePolicy(JSON.parse(item)) } });
    return generation;
  }

  override async readStatus(service: string): Promise<StoredStatus | undefined> {
    const stored = this.statuses.get(service);
    return stored ? { status: JSON.parse(stored.item) as ServiceStatus, version: stored.version } : undefined;
  }

  override async writeStatus(status: ServiceStatus, expectedVersion: number | undefined): Promise<number> {
    const stored = this.statuses.get(status.service);
    if (stored?.version !== expectedVersion) throw new StatusConflictError(status.service, expectedVersion);
    const version = (expectedVersion ?? 0) + 1;
    this.statuses.set(status.service, { item: JSON.stringify(status), version });
    return version;
  }

  override async acquireLease(service: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    if (!(ttlMs > 0)) throw new RangeError(`lease ttlMs must be positive, got ${ttlMs}`);
    const lease = this.leases.get(service);
    if (lease && lease.expiresAt >= now && lease.owner !== owner) return false;
    this.leases.set(service, { owner, expiresAt: now + ttlMs });
    return true;
  }

  override async releaseLease(service: string, owner: string): Promise<boolean> {
    if (this.leases.get(service)?.owner !== owner) return false;
    this.leases.delete(service);
    return true;
  }

  override async appendHistory(service: string, record: TransitionRecord): Promise<void> {
    if (Number.isNaN(Date.parse(record.at))) throw new RangeError(`history record time is not a date: ${record.at}`);
    const list = this.history.get(service) ?? [];
    list.push(JSON.parse(JSON.stringify(record)) as TransitionRecord);
    this.history.set(service, list);
  }

  override async listHistory(service: string, { limit = 20 }: { limit?: number; cursor?: string } = {}): Promise<HistoryPage> {
    return { items: [...(this.history.get(service) ?? [])].reverse().slice(0, limit) };
  }

  override async listServices(): Promise<string[]> {
    return [...this.policies.keys()].sort();
  }
}
