import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { startDynalite, type LocalDynamoDb } from '@lambdaflex/local-cloud';
import {
  createStateTable,
  defaultPolicy,
  InvalidCursorError,
  InvalidPolicyError,
  parsePolicy,
  PolicyConflictError,
  StateStore,
  StatusConflictError,
  type Policy,
  type ServiceStatus,
  type TransitionRecord,
} from '@lambdaflex/state';

const DAY_SECONDS = 86_400;

let local: LocalDynamoDb;
let db: DynamoDBDocumentClient;
let tables = 0;

beforeAll(async () => {
  local = await startDynalite();
  db = DynamoDBDocumentClient.from(local.client, { marshallOptions: { removeUndefinedValues: true } });
});
afterAll(() => local.stop());

/** A store over a table of its own, so describe blocks cannot see each other's items. */
async function freshStore(): Promise<{ store: StateStore; tableName: string }> {
  const tableName = `state-${++tables}`;
  await createStateTable(local.client, tableName);
  return { store: new StateStore(db, tableName), tableName };
}

function rawItem(tableName: string, pk: string, sk: string) {
  return db.send(new GetCommand({ TableName: tableName, Key: { pk, sk } })).then((out) => out.Item);
}

function statusOf(service: string, phase: ServiceStatus['phase'], policy: Policy): ServiceStatus {
  return {
    service,
    phase,
    conditions: [{ type: 'Ready', status: 'True', reason: 'Serving', message: `serving from ${phase}` }],
    observedGeneration: 1,
    intent: {
      stack: { present: false },
      weights: { api: 100, alb: 0 },
      albRecord: false,
      probe: false,
      lookAgainAfterSeconds: 60,
    },
    // The store treats the snapshot as an opaque JSON object.
    snapshot: { version: 1, value: phase, context: {} } as unknown as ServiceStatus['snapshot'],
    lastGoodPolicy: policy,
    updatedAt: '2025-01-01T00:00:00.000Z',
  };
}

describe('policies', () => {
  let store: StateStore;
  let tableName: string;
  beforeAll(async () => {
    ({ store, tableName } = await freshStore());
  });

  it('reads nothing for a service without a policy', async () => {
    await expect(store.readPolicy('nobody')).resolves.toBeUndefined();
  });

  it('reads back a written policy with generation 1, then 2 after an update', async () => {
    // Arrange
    const policy = parsePolicy({
      service: 'orders',
      scaleUp: { thresholdRps: 40 },
      mode: { type: 'pinned', tier: 'fargate' },
    });

    // Act + Assert: create
    await expect(store.writePolicy(policy, undefined)).resolves.toBe(1);
    const created = await store.readPolicy('orders');
    expect(created).toEqual({ generation: 1, updatedAt: expect.any(String), result: { ok: true, policy } });

    // Act + Assert: update from generation 1
    const updated = { ...policy, minDwellSeconds: 1200 };
    await expect(store.writePolicy(updated, 1)).resolves.toBe(2);
    const read = await store.readPolicy('orders');
    expect(read?.generation).toBe(2);
    expect(read?.result).toEqual({ ok: true, policy: updated });
  });

  it('keeps the store attributes out of the policy and the policy service out of the item', async () => {
    await store.writePolicy(defaultPolicy('lean'), undefined);
    const item = await rawItem(tableName, 'lean', 'POLICY');
    expect(item).toMatchObject({ pk: 'lean', sk: 'POLICY', generation: 1 });
    expect(item).not.toHaveProperty('service');
    const read = await store.readPolicy('lean');
    expect(read?.result).toEqual({ ok: true, policy: defaultPolicy('lean') });
  });

  it('refuses a stale write with PolicyConflictError and leaves the stored policy as it was', async () => {
    // Arrange: generation 2
    const first = defaultPolicy('billing');
    await store.writePolicy(first, undefined);
    const second = { ...first, maxTransitionsPerDay: 4 };
    await store.writePolicy(second, 1);
    const before = await rawItem(tableName, 'billing', 'POLICY');

    // Act
    const stale = store.writePolicy({ ...first, maxTransitionsPerDay: 2 }, 1);

    // Assert
    await expect(stale).rejects.toBeInstanceOf(PolicyConflictError);
    await expect(stale).rejects.toMatchObject({ service: 'billing', expectedGeneration: 1 });
    await expect(rawItem(tableName, 'billing', 'POLICY')).resolves.toEqual(before);
    expect((await store.readPolicy('billing'))?.result).toEqual({ ok: true, policy: second });
  });

  it('refuses to create a policy that exists already', async () => {
    await store.writePolicy(defaultPolicy('twice'), undefined);
    const again = store.writePolicy({ ...defaultPolicy('twice'), minDwellSeconds: 60 }, undefined);
    await expect(again).rejects.toMatchObject({ name: 'PolicyConflictError', expectedGeneration: undefined });
    expect((await store.readPolicy('twice'))?.generation).toBe(1);
  });

  it('reports every problem of a hand-edited invalid item instead of throwing', async () => {
    // Arrange: scale-up at or below scale-down, an unknown key, a negative dwell
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: 'edited',
          sk: 'POLICY',
          generation: 3,
          scaleUp: { thresholdRps: 2 },
          scaleDown: { thresholdRps: 5 },
          minDwellSeconds: -1,
          colour: 'red',
        },
      }),
    );

    // Act
    const read = await store.readPolicy('edited');

    // Assert
    expect(read?.generation).toBe(3);
    expect(read?.result.ok).toBe(false);
    const issues = read?.result.ok === false ? read.result.issues : [];
    expect(issues.map((i) => `${i.path}:${i.rule}`).sort()).toEqual([
      ':unknownKey',
      'minDwellSeconds:min',
      'scaleUp.thresholdRps:upAboveDown',
    ]);
    for (const issue of issues) expect(issue.message).toEqual(expect.any(String));
  });

  it('lets a hand-made item without a generation be updated from generation 0', async () => {
    await db.send(new PutCommand({ TableName: tableName, Item: { pk: 'handmade', sk: 'POLICY' } }));
    expect((await store.readPolicy('handmade'))?.generation).toBe(0);
    await expect(store.writePolicy(defaultPolicy('handmade'), 0)).resolves.toBe(1);
    await expect(store.writePolicy(defaultPolicy('handmade'), 0)).rejects.toBeInstanceOf(PolicyConflictError);
  });

  it('refuses an invalid policy with InvalidPolicyError and stores nothing', async () => {
    const invalid = { ...defaultPolicy('broken'), scaleUp: { thresholdRps: 1, windowSeconds: 300 } };
    const write = store.writePolicy(invalid, undefined);
    await expect(write).rejects.toBeInstanceOf(InvalidPolicyError);
    await expect(write).rejects.toMatchObject({ issues: [expect.objectContaining({ rule: 'upAboveDown' })] });
    await expect(rawItem(tableName, 'broken', 'POLICY')).resolves.toBeUndefined();
  });
});

describe('statuses', () => {
  let store: StateStore;
  let tableName: string;
  beforeAll(async () => {
    ({ store, tableName } = await freshStore());
  });

  it('reads back written statuses with versions 1 and 2, without store attributes', async () => {
    // Arrange
    const policy = defaultPolicy('orders');
    const warming = statusOf('orders', 'warming', policy);
    const dual = {
      ...statusOf('orders', 'dual', policy),
      lastTransition: { at: '2025-01-01T00:10:00Z', from: 'warming', to: 'dual', reason: 'Warm', message: 'ready' },
    } satisfies ServiceStatus;

    // Act + Assert
    await expect(store.readStatus('orders')).resolves.toBeUndefined();
    await expect(store.writeStatus(warming, undefined)).resolves.toBe(1);
    await expect(store.readStatus('orders')).resolves.toEqual({ status: warming, version: 1 });
    await expect(store.writeStatus(dual, 1)).resolves.toBe(2);
    await expect(store.readStatus('orders')).resolves.toEqual({ status: dual, version: 2 });
    await expect(rawItem(tableName, 'orders', 'STATUS')).resolves.toMatchObject({ version: 2 });
  });

  it('refuses a stale status write with StatusConflictError and keeps the newer status', async () => {
    // Arrange: version 2
    const policy = defaultPolicy('search');
    await store.writeStatus(statusOf('search', 'lambda', policy), undefined);
    const newer = statusOf('search', 'warming', policy);
    await store.writeStatus(newer, 1);

    // Act
    const stale = store.writeStatus(statusOf('search', 'fargate', policy), 1);

    // Assert
    await expect(stale).rejects.toBeInstanceOf(StatusConflictError);
    await expect(stale).rejects.toMatchObject({ name: 'StatusConflictError', service: 'search', expectedVersion: 1 });
    await expect(store.writeStatus(newer, undefined)).rejects.toBeInstanceOf(StatusConflictError);
    await expect(store.readStatus('search')).resolves.toEqual({ status: newer, version: 2 });
  });
});

describe('leases', () => {
  const ttlMs = 30_000;
  const t0 = Date.parse('2025-01-01T00:00:00.000Z');
  let store: StateStore;
  beforeAll(async () => {
    ({ store } = await freshStore());
  });

  it('gives a contested lease to exactly one of two owners, every time', async () => {
    for (let round = 0; round < 20; round++) {
      const service = `contested-${round}`;
      const won = await Promise.all(['a', 'b'].map((owner) => store.acquireLease(service, owner, t0, ttlMs)));
      expect(won.filter(Boolean)).toHaveLength(1);
    }
  });

  it('lets the holder renew, and keeps others out until it expires', async () => {
    expect(await store.acquireLease('renewed', 'a', t0, ttlMs)).toMatchObject({ owner: 'a', epoch: 1, expiresAtMs: t0 + ttlMs });
    expect(await store.acquireLease('renewed', 'a', t0 + 20_000, ttlMs)).toMatchObject({ owner: 'a', expiresAtMs: t0 + 50_000 });
    // Still held: the renewal moved expiry to t0 + 50 s.
    expect(await store.acquireLease('renewed', 'b', t0 + 40_000, ttlMs)).toBeUndefined();
  });

  it('lets another owner take an expired lease, and the old holder then cannot', async () => {
    expect(await store.acquireLease('expired', 'a', t0, ttlMs)).toBeDefined();
    expect(await store.acquireLease('expired', 'b', t0 + ttlMs, ttlMs)).toBeUndefined();
    expect(await store.acquireLease('expired', 'b', t0 + ttlMs + 1, ttlMs)).toBeDefined();
    expect(await store.acquireLease('expired', 'a', t0 + ttlMs + 2, ttlMs)).toBeUndefined();
  });

  it('ignores a release by anyone but the holder, and frees the lease when the holder releases', async () => {
    // Arrange
    const a = await store.acquireLease('released', 'a', t0, ttlMs);
    expect(a).toBeDefined();

    // Act + Assert: a non-owner's release is a no-op
    expect(await store.releaseLease({ ...a!, owner: 'b' })).toBe(false);
    expect(await store.acquireLease('released', 'b', t0 + 1, ttlMs)).toBeUndefined();

    // Act + Assert: the owner's release lets another in at once
    expect(await store.releaseLease(a!)).toBe(true);
    expect(await store.acquireLease('released', 'b', t0 + 2, ttlMs)).toBeDefined();
    expect(await store.releaseLease({ service: 'nobody-holds-this', owner: 'a', epoch: 1, expiresAtMs: t0 })).toBe(false);
  });

  it('raises the epoch with every acquisition, released or expired, so an old holder is told apart', async () => {
    // Act
    const epochs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const lease = await store.acquireLease('epochs', `owner-${i}`, t0 + i * (ttlMs + 1), ttlMs);
      epochs.push(lease!.epoch);
      if (i % 2) await store.releaseLease(lease!);
    }
    // Assert
    expect(epochs).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses the status write of a lower epoch once a higher one wrote, even at the right version', async () => {
    // Arrange: epoch 1 read version 1; epoch 2 took over and wrote version 2; a person's write (no fence) made version 3
    const policy = defaultPolicy('fenced');
    await store.writeStatus(statusOf('fenced', 'lambda', policy), undefined);
    await store.writeStatus(statusOf('fenced', 'warming', policy), 1, 2);
    // Act + Assert: the stalled epoch 1 cannot write over epoch 2's status, whatever version it names
    await expect(store.writeStatus(statusOf('fenced', 'fargate', policy), 2, 1)).rejects.toBeInstanceOf(StatusConflictError);
    await expect(store.readStatus('fenced')).resolves.toMatchObject({ version: 2, fence: 2, status: { phase: 'warming' } });
    // The holder of epoch 2 (or a later one) still can.
    await expect(store.writeStatus(statusOf('fenced', 'dual', policy), 2, 2)).resolves.toBe(3);
    await expect(store.writeStatus(statusOf('fenced', 'dual', policy), 3, 3)).resolves.toBe(4);
  });
});

describe('history', () => {
  const retentionDays = 7;
  let store: StateStore;
  let tableName: string;
  const records: TransitionRecord[] = Array.from({ length: 25 }, (_, i) => ({
    at: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
    from: i % 2 ? 'fargate' : 'lambda',
    to: i % 2 ? 'lambda' : 'fargate',
    reason: 'Load',
    message: `change ${i}`,
  }));
  beforeAll(async () => {
    ({ store, tableName } = await freshStore());
    // Out of order (7 steps through 25 visits each once), so only the sort key can put them newest first.
    for (let i = 0; i < records.length; i++) await store.appendHistory('orders', records[(i * 7) % 25], retentionDays);
    await store.appendHistory('other', records[0], retentionDays);
  });

  it('lists 25 records newest first in pages of 10, 10 and 5, each once, with no cursor at the end', async () => {
    // Act
    const pages: TransitionRecord[][] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listHistory('orders', { limit: 10, cursor });
      pages.push(page.items);
      cursor = page.nextCursor;
    } while (cursor && pages.length < 10);

    // Assert
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual([...records].reverse());
  });

  it('ends without an empty page when the records fill the last page exactly', async () => {
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listHistory('orders', { limit: 5, cursor });
      sizes.push(page.items.length);
      cursor = page.nextCursor;
    } while (cursor && sizes.length < 10);
    expect(sizes).toEqual([5, 5, 5, 5, 5]);
  });

  it('gives the newest 20 by default', async () => {
    const page = await store.listHistory('orders');
    expect(page.items).toEqual(records.slice(5).reverse());
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it('stores a TTL in epoch seconds, retention after the record time', async () => {
    const { items } = await store.listHistory('other');
    expect(items).toEqual([records[0]]);
    const at = Date.parse(records[0].at) / 1000;
    const out = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'other' },
      }),
    );
    expect(out.Items).toHaveLength(1);
    expect(out.Items?.[0].sk).toMatch(/^HIST#2025-01-01T00:00:00\.000Z#[0-9a-f]+$/);
    expect(out.Items?.[0].expiresAt).toBe(at + retentionDays * DAY_SECONDS);
  });

  it('refuses a cursor that is not a history key of this service', async () => {
    const { nextCursor } = await store.listHistory('orders', { limit: 3 });
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const bad = [
      'not a cursor!',
      encode({ pk: 'orders', sk: 'POLICY' }),
      encode({ pk: 'other', sk: 'HIST#2025-01-01T00:00:00.000Z#00' }),
      encode({ pk: 'orders', sk: 'HIST#x', extra: 1 }),
      encode(['orders']),
    ];
    for (const cursor of bad) {
      await expect(store.listHistory('orders', { cursor })).rejects.toBeInstanceOf(InvalidCursorError);
    }
    await expect(store.listHistory('other', { cursor: nextCursor })).rejects.toBeInstanceOf(InvalidCursorError);
  });
});

describe('the state table', () => {
  it('can be created again over an existing table, items kept', async () => {
    const { store, tableName } = await freshStore();
    await store.writePolicy(defaultPolicy('kept'), undefined);
    await expect(createStateTable(local.client, tableName)).resolves.toBeUndefined();
    expect((await store.readPolicy('kept'))?.generation).toBe(1);
  });
});

describe('services', () => {
  let store: StateStore;
  beforeAll(async () => {
    ({ store } = await freshStore());
  });

  it('lists exactly the services that have a policy', async () => {
    // Arrange: three with policies, one with a status only, one with a lease only
    for (const service of ['search', 'orders', 'billing']) await store.writePolicy(defaultPolicy(service), undefined);
    await store.writeStatus(statusOf('status-only', 'lambda', defaultPolicy('status-only')), undefined);
    await store.acquireLease('lease-only', 'a', 0, 1000);

    // Act
    const services = await store.listServices();

    // Assert
    expect(services).toEqual(['billing', 'orders', 'search']);
  });

  it('reads every policy and status of the fleet through the fleet index, in pages, as the point reads give them', async () => {
    // Arrange: 120 more services with a policy and a status big enough to need several 1 MB pages
    const names = Array.from({ length: 120 }, (_, i) => `fleet-${String(i).padStart(3, '0')}`);
    const padding = 'x'.repeat(12_000);
    for (const service of names) {
      await store.writePolicy(defaultPolicy(service), undefined);
      const status = statusOf(service, 'lambda', defaultPolicy(service));
      await store.writeStatus({ ...status, conditions: [{ type: 'Ready', status: 'True', reason: 'Padding', message: padding }] }, undefined);
    }
    // Act
    const fleet = await store.readFleet();
    // Assert
    expect(fleet.map((f) => f.service)).toEqual([...['billing', 'orders', 'search', 'status-only'], ...names].sort());
    for (const service of ['fleet-000', 'fleet-119', 'orders', 'status-only']) {
      const item = fleet.find((f) => f.service === service)!;
      expect(item.policy).toEqual(await store.readPolicy(service));
      expect(item.status).toEqual(await store.readStatus(service));
    }
  });
});
