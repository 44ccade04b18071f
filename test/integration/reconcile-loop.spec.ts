import { baseStackName, parsePolicy, tierStackName, type Phase } from '@lambdaflex/state';
import { reconcileAll, reconcileOnce, type TickResult } from '@lambdaflex/reconciler';
import { startDynalite, type LocalDynamoDb } from '@lambdaflex/local-cloud';
import { FAST_POLICY, startHarness, type Harness } from '../support/reconciler';

/**
 * reconcileOnce, tick by tick, against the in-memory model of CloudFormation and Route53 and the
 * policy, status, lease and history in a real dynalite.
 */

const T0 = Date.parse('2026-11-23T00:00:00Z');
const MIN = 60_000;
const STACK = tierStackName('shop');

/** Checks what must hold after every tick, whatever happened in it. */
function checkWorld(h: Harness, deletedThisTick: boolean, albZeroSince: number | undefined, now: number) {
  const alb = h.model.records.get('alb');
  // 1. The ALB takes traffic only from a complete stack.
  if (alb && alb.weight > 0) expect(h.model.stacks.get(STACK)?.status).toMatch(/^(CREATE|UPDATE)_COMPLETE$|^UPDATE_IN_PROGRESS$/);
  // 2. The stack is deleted only with its record gone, after the drain delay at weight 0.
  if (deletedThisTick) {
    expect(alb).toBeUndefined();
    expect(albZeroSince).toBeDefined();
    expect(now - albZeroSince!).toBeGreaterThanOrEqual(300_000);
  }
  // Route53 never holds two records at weight 0 (it would split traffic evenly).
  const api = h.model.records.get('api');
  if (api && alb) expect(api.weight + alb.weight).toBeGreaterThan(0);
}

/** Runs ticks with a load schedule; returns the phases and results, checking the world each tick. */
async function run(h: Harness, loadAt: (minute: number) => number, minutes: number, from = 0) {
  const phases: Phase[] = [];
  const results: TickResult[] = [];
  let albZeroSince: number | undefined;
  for (let m = from; m < from + minutes; m++) {
    const now = T0 + m * MIN;
    h.model.load = loadAt(m);
    h.model.advance(now);
    const writesBefore = h.model.writes().length;
    const result = await reconcileOnce(h.ports, 'shop', now);
    results.push(result);
    const writes = h.model.writes().slice(writesBefore);
    const alb = h.model.records.get('alb');
    if (alb && alb.weight > 0) albZeroSince = undefined;
    else if (albZeroSince === undefined) albZeroSince = now; // no record is weight 0 too
    checkWorld(h, writes.some((w) => w.api === 'cloudformation:DeleteStack'), albZeroSince, now);
    if (result.decision && phases.at(-1) !== result.decision.phase) phases.push(result.decision.phase);
  }
  return { phases, results };
}

// Quiet, then a peak of 60 rps for half an hour, then quiet again.
const peak = (m: number) => (m < 3 || m >= 40 ? 1 : 60);

describe('the reconcile loop against the cloud model', () => {
  let db: LocalDynamoDb;
  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(() => db.stop());

  it('takes a full cycle lambda → warming → dual → fargate → draining → lambda, in that order', async () => {
    // Arrange
    const h = await startHarness('shop', undefined, {}, db);
    // Act
    const { phases } = await run(h, peak, 80);
    // Assert
    expect(phases).toEqual(['lambda', 'warming', 'dual', 'fargate', 'draining', 'lambda']);
    expect(h.model.writes().map((c) => `${c.api} ${JSON.stringify(c.input.Changes ?? '')}`)).toEqual([
      'route53:ChangeResourceRecordSets ["UPSERT api=100"]',
      'cloudformation:CreateStack ""',
      'route53:ChangeResourceRecordSets ["UPSERT api=90","UPSERT alb=10"]',
      'route53:ChangeResourceRecordSets ["UPSERT api=50","UPSERT alb=50"]',
      'route53:ChangeResourceRecordSets ["UPSERT api=0","UPSERT alb=100"]',
      'route53:ChangeResourceRecordSets ["UPSERT api=100","UPSERT alb=0"]',
      'route53:ChangeResourceRecordSets ["DELETE alb=0"]',
      'cloudformation:DeleteStack ""',
    ]);
    expect(h.model.stacks.has(STACK)).toBe(false);
    const history = await h.store.listHistory('shop', { limit: 100 });
    expect(history.items.map((t) => t.reason).reverse()).toEqual(
      expect.arrayContaining(['LoadAboveThreshold', 'TierReady', 'Promoted', 'LoadBelowThreshold', 'TrafficGone', 'TierRemoved']),
    );
    await h.stop();
  });

  it('makes a handful of AWS calls per tick in steady state, and acts on nothing', async () => {
    const h = await startHarness('shop', undefined, {}, db);
    await run(h, () => 1, 3);
    const before = h.model.calls.length;
    await run(h, () => 1, 1, 3);
    const tick = h.model.calls.slice(before).map((c) => c.api);
    expect(tick).toEqual(['cloudformation:DescribeStacks', 'cloudformation:DescribeStacks', 'route53:ListResourceRecordSets', 'cloudwatch:GetMetricData']);
    await h.stop();
  });

  it('rolls a new image out to the tier it runs, by updating the stack parameters', async () => {
    const h = await startHarness('shop', undefined, {}, db);
    await run(h, () => 60, 30);
    expect(h.model.tierState(STACK)).toBe('ready');
    h.model.deployImage('123456789012.dkr.ecr.us-east-1.amazonaws.com/app:2');
    await run(h, () => 60, 5, 30);
    const update = h.model.writes().find((c) => c.api === 'cloudformation:UpdateStack');
    expect((update?.input.Parameters as Record<string, string>).ImageUri).toMatch(/app:2$/);
    await h.stop();
  });

  it('ends a stack that rolls back during warming in lambda, Degraded, with a backoff', async () => {
    // Arrange
    const h = await startHarness('shop', { ...FAST_POLICY, backoff: { initialSeconds: 3600 } }, {}, db);
    h.model.failNextCreate = true;
    // Act
    const { phases } = await run(h, (m) => (m < 3 ? 1 : 60), 20);
    // Assert
    expect(phases.slice(0, 3)).toEqual(['lambda', 'warming', 'draining']);
    expect(phases.at(-1)).toBe('lambda');
    const status = (await h.store.readStatus('shop'))!.status;
    expect(status.conditions).toContainEqual(expect.objectContaining({ type: 'Degraded', status: 'True', reason: 'StackFailed' }));
    expect(status.snapshot.context.backoffUntil).toBeGreaterThan(T0 + 19 * MIN);
    expect(h.model.writes().filter((c) => c.api === 'cloudformation:CreateStack')).toHaveLength(1);
    await h.stop();
  });

  it('pulls the ALB weight at once when the tier loses its healthy targets', async () => {
    const h = await startHarness('shop', undefined, {}, db);
    await run(h, () => 60, 30);
    expect(h.model.records.get('alb')?.weight).toBe(100);
    h.model.unhealthy = true;
    await run(h, () => 60, 1, 30);
    expect(h.model.records.get('alb')?.weight).toBe(0);
    expect(h.model.records.get('api')?.weight).toBe(100);
    await h.stop();
  });

  it('lets exactly one of two ticks started together act', async () => {
    const h = await startHarness('shop', undefined, {}, db);
    h.model.load = 60;
    h.model.advance(T0);
    const outcomes = await Promise.all([reconcileOnce(h.ports, 'shop', T0), reconcileOnce(h.ports, 'shop', T0)]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['reconciled', 'skipped']);
    expect(h.model.writes().filter((c) => c.api === 'route53:ChangeResourceRecordSets')).toHaveLength(1);
    await h.stop();
  });

  it('goes on with the last good policy when the stored one is hand-edited into nonsense', async () => {
    // Arrange
    const h = await startHarness('shop', undefined, {}, db);
    await run(h, () => 1, 2);
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const doc = (h.store as unknown as { db: { send(c: unknown): Promise<unknown> }; tableName: string });
    await doc.db.send(new PutCommand({ TableName: doc.tableName, Item: { pk: 'shop', sk: 'POLICY', generation: 3, scaleUp: { thresholdRps: 1 }, scaleDown: { thresholdRps: 2 }, typo: true } }));
    // Act
    const { results } = await run(h, () => 1, 1, 2);
    // Assert
    expect(results[0].outcome).toBe('reconciled');
    const status = (await h.store.readStatus('shop'))!.status;
    const degraded = status.conditions.find((c) => c.type === 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'InvalidPolicy' });
    expect(degraded?.message).toContain('scaleUp.thresholdRps upAboveDown');
    expect(status.lastGoodPolicy.scaleUp.thresholdRps).toBe(10);
    await h.stop();
  });
});

describe('reconcileAll, as the scheduled handler runs it', () => {
  it('reconciles every service, and one that fails holds up none of the others', async () => {
    // Arrange: two healthy services and one without a base stack, in one table
    const db = await startDynalite();
    const h = await startHarness('shop', undefined, {}, db);
    await h.store.writePolicy(parsePolicy({ service: 'ghost' }), undefined);
    await h.store.writePolicy(parsePolicy({ service: 'blog' }), undefined);
    h.model.stacks.set(baseStackName('blog'), { ...h.model.stacks.get(baseStackName('shop'))!, name: baseStackName('blog') });
    // Act
    const results = await reconcileAll(h.ports, T0, 2);
    // Assert
    const byService = Object.fromEntries(results.map((r) => [r.service, r.outcome]));
    expect(byService).toEqual({ blog: 'reconciled', ghost: 'failed', shop: 'reconciled' });
    await h.stop();
    await db.stop();
  });
});
