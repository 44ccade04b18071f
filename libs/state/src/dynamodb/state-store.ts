/**
 * The operator's state, one DynamoDB table, one partition per service:
 *
 *   pk (service)   sk                        attributes besides the domain object's fields
 *   ───────────    ───────────────────────   ─────────────────────────────────────────────
 *   orders         POLICY                    generation, updatedAt   (+ the Policy, less `service`)
 *   orders         STATUS                    version                 (+ the ServiceStatus, less `service`)
 *   orders         LEASE                     owner, leaseExpiresAtMs, epoch
 *   orders         HIST#<ISO time>#<suffix>  expiresAt (TTL, epoch s) (+ the TransitionRecord)
 *
 * - dynalite has no transactions, so every item stands alone and each write is a single conditional
 *   write: optimistic concurrency on `generation` / `version`, ownership and expiry on the lease.
 * - The domain objects are stored flat (a POLICY item is editable by hand); the store's own
 *   attributes are stripped on read and `service` comes back from pk.
 * - History sort keys use the UTC form of `at`, so they sort by time; the suffix keeps two records
 *   with the same `at` apart.
 * - The fleet index (FLEET_INDEX: sk, then pk) holds every item by kind, so a tick reads every POLICY
 *   and every STATUS in a few paged Queries, however many services there are.
 * - The lease's epoch only rises (a released lease keeps its item, expired), and a status written under
 *   a lease carries it as `fence`: a tick that lost its lease can no longer overwrite a newer tick's status.
 */
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { parsePolicy, safeParsePolicy, type Policy } from '../core/policy';
import type { FleetItem, HistoryPage, Lease, StatePort, StoredPolicy, StoredStatus } from '../core/ports';
import type { ServiceStatus, TransitionRecord } from '../core/status';
import { FLEET_INDEX, TTL_ATTRIBUTE } from './state-table';

type Item = Record<string, unknown>;

const POLICY_SK = 'POLICY';
const STATUS_SK = 'STATUS';
const LEASE_SK = 'LEASE';
const HISTORY_PREFIX = 'HIST#';
const SECONDS_PER_DAY = 86_400;

/** A policy write that lost a race or was made from a stale read; read again, then retry if still wanted. */
export class PolicyConflictError extends Error {
  override readonly name = 'PolicyConflictError';
  constructor(
    readonly service: string,
    readonly expectedGeneration: number | undefined,
  ) {
    super(
      expectedGeneration === undefined
        ? `policy of ${service} exists already`
        : `policy of ${service} is no longer at generation ${expectedGeneration}`,
    );
  }
}

/** A status write that lost a race or was made from a stale read: another tick got there first. */
export class StatusConflictError extends Error {
  override readonly name = 'StatusConflictError';
  constructor(
    readonly service: string,
    readonly expectedVersion: number | undefined,
  ) {
    super(
      expectedVersion === undefined
        ? `status of ${service} exists already`
        : `status of ${service} is no longer at version ${expectedVersion}`,
    );
  }
}

/** A history cursor that this store did not hand out for this service: a caller's mistake, not a fault. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor(readonly cursor: string) {
    super('invalid history cursor');
  }
}

/**
 * Policies, statuses, leases and history of every service, in one table (layout above). Give it a
 * DocumentClient with `removeUndefinedValues`, as the API does: optional fields may be undefined.
 */
export class StateStore implements StatePort {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * The service's policy, validated but never thrown on: a bad hand-edited item comes back as
   * `result.ok === false` with every issue, so the caller can report it and keep its last good policy.
   */
  async readPolicy(service: string): Promise<StoredPolicy | undefined> {
    const item = await this.get(service, POLICY_SK);
    return item ? toStoredPolicy(service, item) : undefined;
  }

  /**
   * Validates and stores a policy if the stored generation is `expectedGeneration` (undefined: only if
   * there is none), so two editors cannot silently overwrite each other; returns the new generation.
   * @throws InvalidPolicyError before writing anything, when the policy breaks a rule.
   * @throws PolicyConflictError when the stored generation is not the expected one.
   */
  async writePolicy(policy: Policy, expectedGeneration: number | undefined): Promise<number> {
    const { service, ...fields } = parsePolicy(policy);
    const generation = (expectedGeneration ?? 0) + 1;
    const item = { ...fields, pk: service, sk: POLICY_SK, generation, updatedAt: new Date().toISOString() };
    const written = await this.putIfCounter(item, 'generation', expectedGeneration);
    if (!written) throw new PolicyConflictError(service, expectedGeneration);
    return generation;
  }

  /** The service's status and its version, for the next {@link writeStatus}. */
  async readStatus(service: string): Promise<StoredStatus | undefined> {
    const item = await this.get(service, STATUS_SK);
    return item ? toStoredStatus(service, item) : undefined;
  }

  /**
   * Stores a status if the stored version is `expectedVersion` (undefined: only if there is none), so a
   * tick that overlapped another cannot overwrite its result, and — given the writer's lease epoch as
   * `fence` — only if no tick with a higher epoch wrote it; returns the new version.
   * @throws StatusConflictError when the stored version is not the expected one, or a newer lease wrote it.
   */
  async writeStatus(status: ServiceStatus, expectedVersion: number | undefined, fence?: number): Promise<number> {
    const { service, ...fields } = status;
    const version = (expectedVersion ?? 0) + 1;
    const item = { ...fields, pk: service, sk: STATUS_SK, version, ...(fence === undefined ? {} : { fence }) };
    const written = await this.putIfCounter(item, 'version', expectedVersion, fence);
    if (!written) throw new StatusConflictError(service, expectedVersion);
    return version;
  }

  /**
   * Takes or renews the service's lease until `now + ttlMs` (epoch ms), so one operator acts on a
   * service at a time; undefined when another owner holds an unexpired lease. Each acquisition raises
   * the epoch by one. Time is a parameter so callers and tests decide the clock.
   */
  async acquireLease(service: string, owner: string, now: number, ttlMs: number): Promise<Lease | undefined> {
    if (!(ttlMs > 0)) throw new RangeError(`lease ttlMs must be positive, got ${ttlMs}`);
    let attributes: Item | undefined;
    const taken = await conditionally(
      this.db
        .send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: service, sk: LEASE_SK },
            UpdateExpression: 'SET #owner = :owner, #expires = :expires, #epoch = if_not_exists(#epoch, :zero) + :one',
            ConditionExpression: 'attribute_not_exists(pk) OR #expires < :now OR #owner = :owner',
            // OWNER is a DynamoDB reserved word.
            ExpressionAttributeNames: { '#owner': 'owner', '#expires': 'leaseExpiresAtMs', '#epoch': 'epoch' },
            ExpressionAttributeValues: { ':owner': owner, ':now': now, ':expires': now + ttlMs, ':zero': 0, ':one': 1 },
            ReturnValues: 'ALL_NEW',
          }),
        )
        .then((out) => (attributes = out.Attributes)),
    );
    if (!taken) return undefined;
    return { service, owner, epoch: Number(attributes?.epoch ?? 1), expiresAtMs: now + ttlMs };
  }

  /**
   * Gives the lease up so another operator need not wait for it to expire; false (no-op) unless `lease`
   * still holds it. The item stays, expired, so the next epoch is higher still.
   */
  async releaseLease(lease: Lease): Promise<boolean> {
    return conditionally(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: lease.service, sk: LEASE_SK },
          UpdateExpression: 'SET #expires = :zero',
          ConditionExpression: '#owner = :owner AND #epoch = :epoch',
          ExpressionAttributeNames: { '#owner': 'owner', '#expires': 'leaseExpiresAtMs', '#epoch': 'epoch' },
          ExpressionAttributeValues: { ':owner': lease.owner, ':epoch': lease.epoch, ':zero': 0 },
        }),
      ),
    );
  }

  /** Every service's policy and status: two paged Queries of the fleet index, whatever the fleet's size. */
  async readFleet(): Promise<FleetItem[]> {
    const [policies, statuses] = await Promise.all([this.queryKind(POLICY_SK), this.queryKind(STATUS_SK)]);
    const fleet = new Map<string, FleetItem>();
    const entry = (service: string) => fleet.get(service) ?? fleet.set(service, { service }).get(service)!;
    for (const item of policies) entry(item.pk as string).policy = toStoredPolicy(item.pk as string, item);
    for (const item of statuses) entry(item.pk as string).status = toStoredStatus(item.pk as string, item);
    return [...fleet.values()].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
  }

  private async queryKind(sk: string): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: FLEET_INDEX,
          KeyConditionExpression: 'sk = :sk',
          ExpressionAttributeValues: { ':sk': sk },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /**
   * Records a tier change in the service's ledger, expiring `retentionDays` after `record.at` through
   * DynamoDB TTL so the ledger does not grow forever.
   * @throws RangeError when `record.at` is not a date.
   */
  async appendHistory(service: string, record: TransitionRecord, retentionDays = 30): Promise<void> {
    const at = Date.parse(record.at);
    if (Number.isNaN(at)) throw new RangeError(`history record time is not a date: ${record.at}`);
    const suffix = randomBytes(4).toString('hex');
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...record,
          pk: service,
          sk: `${HISTORY_PREFIX}${new Date(at).toISOString()}#${suffix}`,
          [TTL_ATTRIBUTE]: Math.floor(at / 1000) + Math.round(retentionDays * SECONDS_PER_DAY),
        },
        // Never overwrite a record, however unlikely a suffix collision is.
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /**
   * A page of the service's history, newest first; pass `nextCursor` back for the next page.
   * @throws InvalidCursorError when the cursor is not one this method gave for this service.
   */
  async listHistory(
    service: string,
    { limit = 20, cursor }: { limit?: number; cursor?: string } = {},
  ): Promise<HistoryPage> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': service, ':prefix': HISTORY_PREFIX },
        ScanIndexForward: false,
        // One more than asked tells whether another page exists, so the last page carries no cursor.
        Limit: limit + 1,
        ExclusiveStartKey: cursor === undefined ? undefined : decodeCursor(cursor, service),
      }),
    );
    const items = (out.Items ?? []).slice(0, limit);
    const last = items[items.length - 1];
    const nextKey = (out.Items ?? []).length > limit ? { pk: last.pk, sk: last.sk } : out.LastEvaluatedKey;
    return {
      items: items.map((item) => {
        const { [TTL_ATTRIBUTE]: _expiresAt, ...record } = withoutKeys(item);
        return record as unknown as TransitionRecord;
      }),
      ...(nextKey ? { nextCursor: Buffer.from(JSON.stringify(nextKey)).toString('base64url') } : {}),
    };
  }

  /** Every service that has a policy, sorted: the set the operator reconciles. */
  async listServices(): Promise<string[]> {
    const services: string[] = [];
    let startKey: Item | undefined;
    do {
      const out = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'sk = :policy',
          ExpressionAttributeValues: { ':policy': POLICY_SK },
          ProjectionExpression: 'pk',
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) services.push(item.pk as string);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return services.sort();
  }

  private async get(service: string, sk: string): Promise<Item | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: service, sk } }));
    return out.Item;
  }

  /**
   * Puts `item` if its `counter` attribute is `expected`; false on conflict. undefined expects no item;
   * 0 expects an item without the counter, as one written by hand reads (so it can still be updated).
   */
  private putIfCounter(item: Item, counter: string, expected: number | undefined, fence?: number): Promise<boolean> {
    const condition: { ConditionExpression: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Item } =
      expected === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : expected === 0
          ? {
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#counter)',
              ExpressionAttributeNames: { '#counter': counter },
            }
          : {
              ConditionExpression: '#counter = :expected',
              ExpressionAttributeNames: { '#counter': counter },
              ExpressionAttributeValues: { ':expected': expected },
            };
    if (fence !== undefined && expected !== undefined) {
      condition.ConditionExpression = `(${condition.ConditionExpression}) AND (attribute_not_exists(#fence) OR #fence <= :fence)`;
      condition.ExpressionAttributeNames = { ...condition.ExpressionAttributeNames, '#fence': 'fence' };
      condition.ExpressionAttributeValues = { ...condition.ExpressionAttributeValues, ':fence': fence };
    }
    return conditionally(this.db.send(new PutCommand({ TableName: this.tableName, Item: item, ...condition })));
  }
}

function toStoredPolicy(service: string, item: Item): StoredPolicy {
  const { generation, updatedAt, ...fields } = withoutKeys(item);
  return {
    generation: typeof generation === 'number' ? generation : 0,
    ...(typeof updatedAt === 'string' ? { updatedAt } : {}),
    result: safeParsePolicy({ ...fields, service }),
  };
}

function toStoredStatus(service: string, item: Item): StoredStatus {
  const { version, fence, ...fields } = withoutKeys(item);
  return {
    status: { ...fields, service } as ServiceStatus,
    version: typeof version === 'number' ? version : 0,
    ...(typeof fence === 'number' ? { fence } : {}),
  };
}

/** The item without its key attributes; pk is the service, which callers already know. */
function withoutKeys(item: Item): Item {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest;
}

function decodeCursor(cursor: string, service: string): Item {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError(cursor);
  }
  const isHistoryKey =
    typeof key === 'object' &&
    key !== null &&
    Object.keys(key).length === 2 &&
    'pk' in key &&
    'sk' in key &&
    key.pk === service &&
    typeof key.sk === 'string' &&
    key.sk.startsWith(HISTORY_PREFIX);
  if (!isHistoryKey) throw new InvalidCursorError(cursor);
  return key as Item;
}

/**
 * Awaits a conditional DynamoDB write: true when it was made, false when its condition failed (which
 * callers treat as an answer, not a fault); any other error is thrown.
 */
export async function conditionally(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}
