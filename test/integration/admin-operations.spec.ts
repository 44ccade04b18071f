import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import request from 'supertest';
import { decide, defaultPolicy, type Observation, type Policy, type ServiceStatus, type TransitionRecord } from '@lambdaflex/state';
import { startAdminApi, type RunningAdminApi } from '../support/api';

const HOUR_MS = 3_600_000;

/** A world the reconciler could have seen: the Fargate tier serving all traffic through the ALB. */
function fargateWorld(policy: Policy): Observation {
  return {
    policy,
    image: 'app:1',
    stack: { status: 'ready', image: 'app:1', desiredTasks: 3, healthyTargets: 3 },
    dns: { apiWeight: 0, albWeight: 100, albRecordExists: true, inSync: true },
    metrics: { totalRpsUpWindow: 80, totalRpsDownWindow: 90 },
  };
}

/** The status item a reconciler tick would write for `world`, through the same decide(). */
function statusFrom(world: Observation, observedGeneration: number, now: number): ServiceStatus {
  const decision = decide(undefined, world, now);
  return {
    service: world.policy.service,
    phase: decision.phase,
    conditions: decision.conditions,
    observedGeneration,
    intent: decision.intent,
    snapshot: decision.snapshot,
    lastGoodPolicy: world.policy,
    updatedAt: new Date(now).toISOString(),
  };
}

describe('admin operations over dynalite', () => {
  let api: RunningAdminApi;
  let operate: { authorization: string };
  let read: { authorization: string };
  beforeAll(async () => {
    api = await startAdminApi();
    operate = { authorization: `Bearer ${api.keys.operate}` };
    read = { authorization: `Bearer ${api.keys.read}` };
  });
  afterAll(() => api.stop());

  const storedPolicy = async () => {
    const stored = await api.store.readPolicy(api.service);
    if (!stored?.result.ok) throw new Error('no valid policy stored');
    return { generation: stored.generation, policy: stored.result.policy };
  };

  describe('overrides, pause and resume (in order)', () => {
    it('answers 404 to clear or resume while no policy is stored, and writes none', async () => {
      await request(api.url).delete('/admin/override').set(operate).expect(404);
      await request(api.url).post('/admin/resume').set(operate).expect(404);
      expect(await api.store.readPolicy(api.service)).toBeUndefined();
    });

    it('pins fargate before any policy is stored, from the defaults', async () => {
      // Act
      const res = await request(api.url).put('/admin/override').set(operate).send({ tier: 'fargate' }).expect(200);
      // Assert
      expect(res.body).toEqual({ ...defaultPolicy(api.service), mode: { type: 'pinned', tier: 'fargate' } });
      expect(res.headers.etag).toBe('"g1"');
      expect(await storedPolicy()).toEqual({ generation: 1, policy: res.body });
    });

    it('does not write again when the mode asked for is in force', async () => {
      const res = await request(api.url).put('/admin/override').set(operate).send({ tier: 'fargate' }).expect(200);
      expect(res.headers.etag).toBe('"g1"');
      expect((await storedPolicy()).generation).toBe(1);
    });

    it('pins lambda until a time, keeping every other field of the policy', async () => {
      // Arrange
      const until = new Date(Date.now() + HOUR_MS).toISOString();
      const before = await storedPolicy();
      // Act
      const res = await request(api.url).put('/admin/override').set(operate).send({ tier: 'lambda', until }).expect(200);
      // Assert
      const after = await storedPolicy();
      expect(after.policy).toEqual({ ...before.policy, mode: { type: 'pinned', tier: 'lambda', until } });
      expect(after.generation).toBe(before.generation + 1);
      expect(res.body).toEqual(after.policy);
    });

    it('refuses a pin until a past time, a time without a zone, or an unknown tier, naming each field', async () => {
      const past = await request(api.url).put('/admin/override').set(operate).send({ tier: 'lambda', until: '2001-01-01T00:00:00Z' });
      expect(past.status).toBe(400);
      expect(past.body.errors).toEqual([expect.objectContaining({ field: 'until', rule: 'isFuture' })]);
      const zoneless = await request(api.url).put('/admin/override').set(operate).send({ tier: 'lambda', until: '2999-01-01T00:00:00' });
      expect(zoneless.status).toBe(400);
      expect(zoneless.body.errors).toEqual([expect.objectContaining({ field: 'mode.until' })]);
      const unknown = await request(api.url).put('/admin/override').set(operate).send({ tier: 'ec2', extra: 1 }).expect(400);
      expect(unknown.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['extra', 'tier']);
    });

    it('refuses a pin with until null, a deeply nested body or no body, and changes nothing', async () => {
      // Arrange
      const before = await storedPolicy();
      const deep = `{"tier":"fargate","until":${'['.repeat(5000)}${']'.repeat(5000)}}`;
      // Act
      const nullUntil = await request(api.url).put('/admin/override').set(operate).send({ tier: 'fargate', until: null });
      const nested = await request(api.url).put('/admin/override').set(operate).set('content-type', 'application/json').send(deep);
      const none = await request(api.url).put('/admin/override').set(operate);
      // Assert
      expect([nullUntil.status, nested.status, none.status]).toEqual([400, 400, 400]);
      expect(nullUntil.body.errors).toContainEqual(expect.objectContaining({ field: 'until', rule: 'isNotNull' }));
      expect(nested.body.errors).toEqual([expect.objectContaining({ field: '(body)', rule: 'maxDepth' })]);
      expect(none.body.errors).toEqual([expect.objectContaining({ field: '(body)', rule: 'required' })]);
      expect(await storedPolicy()).toEqual(before);
    });

    it('clears the pin: auto again', async () => {
      await request(api.url).delete('/admin/override').set(operate).expect(200);
      expect((await storedPolicy()).policy.mode).toEqual({ type: 'auto' });
    });

    it('pauses, leaves a pause alone when the pin is cleared, and resumes to auto', async () => {
      // Act + Assert, step by step.
      await request(api.url).post('/admin/pause').set(operate).expect(200);
      expect((await storedPolicy()).policy.mode).toEqual({ type: 'paused' });
      const generation = (await storedPolicy()).generation;

      await request(api.url).delete('/admin/override').set(operate).expect(200);
      expect(await storedPolicy()).toMatchObject({ generation, policy: { mode: { type: 'paused' } } });

      await request(api.url).post('/admin/resume').set(operate).expect(200);
      expect((await storedPolicy()).policy.mode).toEqual({ type: 'auto' });
    });

    it('leaves a pin alone on resume: resume ends a pause only', async () => {
      await request(api.url).put('/admin/override').set(operate).send({ tier: 'fargate' }).expect(200);
      await request(api.url).post('/admin/resume').set(operate).expect(200);
      expect((await storedPolicy()).policy.mode).toEqual({ type: 'pinned', tier: 'fargate' });
      await request(api.url).delete('/admin/override').set(operate).expect(200);
    });

    it('answers 412 to a mode change whose If-Match is stale, and applies a current one', async () => {
      // Arrange
      const { generation } = await storedPolicy();
      // Act
      const stale = await request(api.url).post('/admin/pause').set(operate).set('if-match', `"g${generation - 1}"`);
      const current = await request(api.url).post('/admin/pause').set(operate).set('if-match', `"g${generation}"`);
      // Assert
      expect(stale.status).toBe(412);
      expect(current.status).toBe(200);
      expect(current.headers.etag).toBe(`"g${generation + 1}"`);
      await request(api.url).post('/admin/resume').set(operate).expect(200);
    });

    it('answers racing mode changes with 200, or 409 once its retries are spent, never a 500', async () => {
      // Act: five changes race; each re-reads and retries when another got in first.
      const results = await Promise.all([
        request(api.url).put('/admin/override').set(operate).send({ tier: 'lambda' }),
        request(api.url).post('/admin/pause').set(operate),
        request(api.url).put('/admin/override').set(operate).send({ tier: 'fargate' }),
        request(api.url).post('/admin/pause').set(operate),
        request(api.url).put('/admin/override').set(operate).send({ tier: 'lambda' }),
      ]);
      // Assert: each succeeded or, after its retries, said so with a 409; never a 500.
      for (const r of results) expect([200, 409]).toContain(r.status);
      expect(results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
      await request(api.url).delete('/admin/override').set(operate);
      await request(api.url).post('/admin/resume').set(operate);
    });

    it('answers 409 naming every issue when the stored item is invalid, until a valid policy is put over it', async () => {
      // Arrange: a hand edit gone wrong.
      const documents = DynamoDBDocumentClient.from(api.db.client);
      const { generation } = await storedPolicy();
      await documents.send(
        new PutCommand({
          TableName: api.config.stateTable,
          Item: { pk: api.service, sk: 'POLICY', generation, scaleUp: { thresholdRps: 'lots' }, mode: { type: 'sometimes' } },
        }),
      );
      // Act
      const get = await request(api.url).get('/admin/policy').set(read);
      const pause = await request(api.url).post('/admin/pause').set(operate);
      const put = await request(api.url).put('/admin/policy').set(operate).set('if-match', `"g${generation}"`).send({ service: api.service });
      // Assert
      for (const res of [get, pause]) {
        expect(res.status).toBe(409);
        expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['mode.type', 'scaleUp.thresholdRps']);
        expect(res.body.message).toContain(`If-Match: "g${generation}"`);
      }
      expect(put.status).toBe(200);
      expect((await storedPolicy()).policy).toEqual(defaultPolicy(api.service));
    });
  });

  describe('history', () => {
    const records: TransitionRecord[] = Array.from({ length: 23 }, (_, i) => ({
      at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
      from: i % 2 ? 'fargate' : 'lambda',
      to: i % 2 ? 'lambda' : 'fargate',
      reason: i % 2 ? 'PinnedLambda' : 'PinnedFargate',
      message: `change ${i}`,
    }));
    beforeAll(async () => {
      for (const r of records) await api.store.appendHistory(api.service, r);
    });

    it('pages through every transition, newest first, with a cursor, and no cursor on the last page', async () => {
      // Act
      const pages: { items: TransitionRecord[]; nextCursor?: string }[] = [];
      let cursor: string | undefined;
      do {
        const res = await request(api.url)
          .get('/admin/history')
          .set(read)
          .query({ limit: 10, ...(cursor ? { cursor } : {}) })
          .expect(200);
        pages.push(res.body);
        cursor = res.body.nextCursor;
      } while (cursor && pages.length < 10);
      // Assert
      expect(pages.map((p) => p.items.length)).toEqual([10, 10, 3]);
      expect(pages.at(-1)?.nextCursor).toBeUndefined();
      expect(pages.flatMap((p) => p.items)).toEqual([...records].reverse());
    });

    it('gives 20 by default, and answers 400 to a bad limit or a cursor it never gave', async () => {
      const page = await request(api.url).get('/admin/history').set(read).expect(200);
      expect(page.body.items).toHaveLength(20);
      const badLimit = await request(api.url).get('/admin/history').set(read).query({ limit: 0 }).expect(400);
      expect(badLimit.body.errors).toEqual([expect.objectContaining({ field: 'limit', rule: 'min' })]);
      const forged = Buffer.from(JSON.stringify({ pk: 'orders', sk: 'HIST#x' })).toString('base64url');
      const badCursor = await request(api.url).get('/admin/history').set(read).query({ cursor: forged }).expect(400);
      expect(badCursor.body.errors).toEqual([expect.objectContaining({ field: 'cursor', rule: 'isCursor' })]);
    });

    it('answers 400, not 500, to any cursor it did not issue: the store\'s own, a long sort key, an altered one', async () => {
      // Arrange: the store's cursor format, which DynamoDB would take up to its 1,024-byte sort key.
      const key = (sk: string) => Buffer.from(JSON.stringify({ pk: api.service, sk })).toString('base64url');
      const issued = (await request(api.url).get('/admin/history').set(read).query({ limit: 5 }).expect(200)).body.nextCursor as string;
      const altered = issued.slice(0, -2) + (issued.endsWith('AA') ? 'AB' : 'AA');
      // Act
      const statuses = [];
      for (const cursor of [key('HIST#2026-01-01T00:00:00.000Z#00000000'), key(`HIST#${'x'.repeat(1100)}`), altered, `${issued}.x`]) {
        const res = await request(api.url).get('/admin/history').set(read).query({ cursor });
        statuses.push(`${res.status} ${res.body.errors?.[0]?.rule}`);
      }
      // Assert
      expect(statuses).toEqual(Array(4).fill('400 isCursor'));
      await request(api.url).get('/admin/history').set(read).query({ cursor: issued }).expect(200);
    });
  });

  describe('status', () => {
    it('answers 404 until the reconciler has written a status', async () => {
      const res = await request(api.url).get('/admin/status').set(read).expect(404);
      expect(res.body.message).toMatch(/has not finished a tick/);
    });

    it('shows the phase, conditions, weights and tiers, and the observed generation against the policy', async () => {
      // Arrange: the reconciler saw generation g of the policy, then an operator wrote g + 1.
      const now = Date.now();
      const { generation, policy } = await storedPolicy();
      const status = statusFrom(fargateWorld(policy), generation, now);
      await api.store.writeStatus(status, undefined);
      await request(api.url).post('/admin/pause').set(operate).expect(200);
      // Act
      const res = await request(api.url).get('/admin/status').set(read).expect(200);
      // Assert
      expect(res.body).toMatchObject({
        service: api.service,
        phase: 'fargate',
        conditions: status.conditions,
        weights: { api: 0, alb: 100 },
        tiers: { lambda: { weight: 0, health: 'standby' }, fargate: { weight: 100, stack: true, desiredTasks: 3, health: 'healthy' } },
        observedGeneration: generation,
        policy: { generation: generation + 1, valid: true, mode: { type: 'paused' }, effectiveMode: { type: 'paused' } },
        upToDate: false,
        intent: status.intent,
        updatedAt: status.updatedAt,
      });
      expect(res.body.conditions.map((c: { type: string }) => c.type)).toEqual(['Ready', 'Progressing', 'Degraded', 'AtCapacity', 'Spilling']);
      expect(res.body.requestRates).toBeUndefined();
    });

    it('answers the same at /stack-status, as the original LambdaFlex did', async () => {
      const admin = await request(api.url).get('/admin/status').set(read).expect(200);
      const stack = await request(api.url).get('/stack-status').set(read).expect(200);
      expect(stack.body).toEqual(admin.body);
    });

    it('is up to date once the reconciler observes the current generation, and passes recorded request rates on', async () => {
      // Arrange
      const stored = await api.store.readStatus(api.service);
      const { generation } = await storedPolicy();
      const requestRates = [{ at: '2026-01-01T00:00:00.000Z', totalRps: 80, albRps: 78 }];
      const next = { ...stored!.status, observedGeneration: generation, requestRates };
      await api.store.writeStatus(next, stored!.version);
      // Act
      const res = await request(api.url).get('/admin/status').set(read).expect(200);
      // Assert
      expect(res.body).toMatchObject({ observedGeneration: generation, upToDate: true, requestRates });
    });
  });
});
