import { parsePolicy, TIER_PARAMETERS, tierStackName, type Phase } from '@lambdaflex/state';
import { createFleetMemory, reconcileFleet, reconcileOnce, simulate, type TickResult } from '@lambdaflex/reconciler';
import { startDynalite, type LocalDynamoDb } from '@lambdaflex/local-cloud';
import { FAST_POLICY, startHarness, T0, type Harness } from '../support/reconciler';

/**
 * reconcileOnce, minute by minute, against the simulator's world (CloudFormation, Route53, CloudWatch
 * with its lag, ECS and Lambda), with the policy, status, lease and history in a real dynalite. The
 * delays are the simulator's defaults: a stack takes minutes to create, a weight change a minute to
 * propagate, CloudWatch shows a minute minutes late.
 */

const STACK = tierStackName('shop');
const ticks = (seconds: number) => Math.ceil(seconds / 60 - 1e-9);

/** Checks what must hold after every tick, whatever happened in it. */
function checkWorld(h: Harness, deletedThisTick: boolean, albZeroSince: number | undefined, now: number) {
  const { api, alb } = h.world.dnsRecords();
  // 1. The ALB takes traffic only from a complete stack.
  if (alb && alb.weight > 0) expect(h.world.tierStatus()).toMatch(/^(CREATE|UPDATE)_COMPLETE$|^UPDATE_IN_PROGRESS$/);
  // 2. The stack is deleted only with its record gone, after the drain delay at weight 0.
  if (deletedThisTick) {
    expect(alb).toBeUndefined();
    expect(albZeroSince).toBeDefined();
    expect(now - albZeroSince!).toBeGreaterThanOrEqual(300_000);
  }
  // 3. Route53 never holds two records at weight 0 (it would split traffic evenly).
  if (api && alb) expect(api.weight + alb.weight).toBeGreaterThan(0);
}

/**
 * Runs `minutes` minutes from the harness's next one with a load schedule (rps by minute), checking the
 * world after every tick; stops early once `until` holds. Returns the phases in order, each tick's
 * result, and the requests lost in each minute.
 */
async function run(h: Harness, loadAt: (minute: number) => number, minutes: number, until?: (r: TickResult) => boolean) {
  const phases: Phase[] = [];
  const results: TickResult[] = [];
  const lost: number[] = [];
  let albZeroSince: number | undefined;
  for (let m = h.next, end = h.next + minutes; m < end; m++) {
    const result = await h.minute(m, loadAt(m), async (now) => {
      const writesBefore = h.world.writes().length;
      const r = await reconcileOnce(h.ports, 'shop', now);
      const writes = h.world.writes().slice(writesBefore);
      const alb = h.world.dnsRecords().alb;
      if (alb && alb.weight > 0) albZeroSince = undefined;
      else albZeroSince ??= now; // no record is weight 0 too
      checkWorld(h, writes.some((w) => w.api === 'cloudformation:DeleteStack'), albZeroSince, now);
      return r;
    });
    results.push(result);
    lost.push(h.served[m].shortfall);
    if (result.decision && phases.at(-1) !== result.decision.phase) phases.push(result.decision.phase);
    if (until?.(result)) break;
  }
  return { phases, results, lost };
}

/** Until the tier is promoted and the ALB's weight of 100 has reached every Route53 server. */
const promotedAndInSync = (r: TickResult) => r.decision?.phase === 'fargate' && r.world?.records.alb?.weight === 100 && r.world.dnsInSync;

// Quiet, then a peak of 60 rps for 37 minutes, then quiet again.
const peak = (m: number) => (m < 3 || m >= 40 ? 1 : 60);

describe('the reconcile loop against the simulated world', () => {
  let db: LocalDynamoDb;
  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(() => db.stop());

  it('takes a full cycle lambda → warming → dual → fargate → draining → lambda, in that order, losing no request', async () => {
    // Arrange
    const h = await startHarness('shop', undefined, { db });
    // Act
    const { phases, lost } = await run(h, peak, 100);
    // Assert
    expect(phases).toEqual(['lambda', 'warming', 'dual', 'fargate', 'draining', 'lambda']);
    expect(h.world.writes().map((c) => `${c.api} ${JSON.stringify(c.input.Changes ?? '')}`)).toEqual([
      'route53:ChangeResourceRecordSets ["UPSERT api=100"]',
      'cloudformation:CreateStack ""',
      'route53:ChangeResourceRecordSets ["UPSERT api=90","UPSERT alb=10"]',
      'route53:ChangeResourceRecordSets ["UPSERT api=50","UPSERT alb=50"]',
      'route53:ChangeResourceRecordSets ["UPSERT api=0","UPSERT alb=100"]',
      'route53:ChangeResourceRecordSets ["UPSERT api=100","UPSERT alb=0"]',
      'route53:ChangeResourceRecordSets ["DELETE alb=0"]',
      'cloudformation:DeleteStack ""',
    ]);
    expect(h.world.tierState()).toBe('absent');
    expect(h.world.dnsRecords()).toEqual({ api: expect.objectContaining({ weight: 100 }) });
    // Every request of the cycle was served, by one tier or the other: no shift or teardown dropped any.
    expect(Math.max(...lost)).toBeLessThan(1e-3);
    expect(h.served.some((s) => s.albServed > 0)).toBe(true);
    const history = await h.store.listHistory('shop', { limit: 100 });
    expect(history.items.map((t) => t.reason).reverse()).toEqual([
      'LoadAboveThreshold',
      'TierReady',
      'StepPassed',
      'StepPassed',
      'Promoted',
      'LoadBelowThreshold',
      'WeightDrained',
      'TrafficGone',
      'RecordRemoved',
      'TierRemoved',
    ]);
    await h.stop();
  });

  it('waits for the world: the tier is ready only once its stack is complete and CloudWatch shows its healthy targets', async () => {
    // Arrange
    const h = await startHarness('shop', undefined, { db });
    const lag = ticks(h.params.delays.metricLagSeconds);
    // Act
    const { results } = await run(h, () => 60, 60, (r) => r.decision?.phase === 'dual');
    // Assert: the stack took the world's create time, and the tier was judged on what CloudWatch had by then
    const warmingAt = results.findIndex((r) => r.decision?.phase === 'warming');
    const completeAt = warmingAt + ticks(h.params.delays.createSeconds);
    expect(results[completeAt - 1].world?.tier?.status).toBe('CREATE_IN_PROGRESS');
    expect(results[completeAt].world?.tier?.status).toBe('CREATE_COMPLETE');
    expect(results.length - 1).toBe(completeAt + lag + 1); // its first healthy minute, seen `lag` minutes late
    expect(results.at(-1)?.world?.metrics.healthyTargets).toBe(Number(results.at(-1)?.world?.tier?.parameters[TIER_PARAMETERS.desiredCount]));
    await h.stop();
  });

  it('makes a handful of AWS calls per tick in steady state, and acts on nothing', async () => {
    const h = await startHarness('shop', undefined, { db });
    await run(h, () => 1, 3);
    const before = h.world.calls.length;
    await run(h, () => 1, 1);
    const tick = h.world.calls.slice(before).map((c) => c.api);
    expect(tick).toEqual(['cloudformation:DescribeStacks', 'cloudformation:DescribeStacks', 'route53:ListResourceRecordSets', 'cloudwatch:GetMetricData']);
    await h.stop();
  });

  it('rolls a new image out to the tier it runs, by updating the stack parameters', async () => {
    // Arrange
    const h = await startHarness('shop', undefined, { db });
    await run(h, () => 60, 60, promotedAndInSync);
    expect(h.world.tierState()).toBe('ready');
    // Act
    h.world.deployImage('123456789012.dkr.ecr.us-east-1.amazonaws.com/app:2');
    await run(h, () => 60, 1 + ticks(h.params.delays.updateSeconds));
    // Assert
    const updates = h.world.writes().filter((c) => c.api === 'cloudformation:UpdateStack');
    expect(updates).toHaveLength(1);
    expect((updates[0].input.Parameters as Record<string, string>).ImageUri).toMatch(/app:2$/);
    const tier = await h.world.stacks.describe(STACK);
    expect(tier).toMatchObject({ status: 'UPDATE_COMPLETE', parameters: expect.objectContaining({ ImageUri: expect.stringMatching(/app:2$/) }) });
    expect(h.world.dnsRecords().alb?.weight).toBe(100); // a rollout is not a tier change
    await h.stop();
  });

  it('ends a stack that rolls back during warming in lambda, Degraded, with a backoff', async () => {
    // Arrange
    const h = await startHarness('shop', { ...FAST_POLICY, backoff: { initialSeconds: 3600 } }, { db });
    h.world.failNextCreate = true;
    // Act
    const { phases } = await run(h, (m) => (m < 3 ? 1 : 60), 50);
    // Assert
    expect(phases).toEqual(['lambda', 'warming', 'draining', 'lambda']);
    const status = (await h.store.readStatus('shop'))!.status;
    expect(status.conditions).toContainEqual(expect.objectContaining({ type: 'Degraded', status: 'True', reason: 'StackFailed' }));
    const failed = (await h.store.listHistory('shop', { limit: 100 })).items.find((t) => t.reason === 'StackFailed');
    expect(status.snapshot.context.backoffUntil).toBe(Date.parse(failed!.at) + 3600_000);
    // Still 60 rps, yet one create only: the backoff holds.
    expect(h.world.writes().filter((c) => c.api === 'cloudformation:CreateStack')).toHaveLength(1);
    expect(h.world.writes().filter((c) => c.api === 'cloudformation:DeleteStack')).toHaveLength(1);
    expect(h.world.tierState()).toBe('absent');
    await h.stop();
  });

  it('pulls the ALB weight on the first tick CloudWatch shows the tier without a healthy target', async () => {
    // Arrange
    const h = await startHarness('shop', undefined, { db });
    await run(h, () => 60, 60, promotedAndInSync);
    const lag = ticks(h.params.delays.metricLagSeconds);
    const writes = h.world.writes().length;
    // Act
    h.world.unhealthy = true;
    const { results } = await run(h, () => 60, lag + 2);
    // Assert: held while CloudWatch could not show it yet (a minute is read once `lag` has passed after
    // it ended), then pulled whole, in one change
    expect(results.slice(0, lag + 1).map((r) => r.decision?.phase)).toEqual(Array(lag + 1).fill('fargate'));
    expect(results[lag + 1].decision?.transitions.map((t) => t.reason)).toEqual(['TierUnhealthy']);
    expect(results[lag + 1].world?.metrics.healthyTargets).toBe(0);
    expect(h.world.writes().slice(writes).map((c) => c.input.Changes)).toEqual([['UPSERT api=100', 'UPSERT alb=0']]);
    await h.stop();
  });

  it('lets exactly one of two ticks started together act', async () => {
    const h = await startHarness('shop', undefined, { db });
    const outcomes = await h.minute(0, 60, (now) => Promise.all([reconcileOnce(h.ports, 'shop', now), reconcileOnce(h.ports, 'shop', now)]));
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['reconciled', 'skipped']);
    expect(h.world.writes().filter((c) => c.api === 'route53:ChangeResourceRecordSets')).toHaveLength(1);
    await h.stop();
  });

  it('goes on with the last good policy when the stored one is hand-edited into nonsense', async () => {
    // Arrange
    const h = await startHarness('shop', undefined, { db });
    await run(h, () => 1, 2);
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const doc = (h.store as unknown as { db: { send(c: unknown): Promise<unknown> }; tableName: string });
    await doc.db.send(new PutCommand({ TableName: doc.tableName, Item: { pk: 'shop', sk: 'POLICY', generation: 3, scaleUp: { thresholdRps: 1 }, scaleDown: { thresholdRps: 2 }, typo: true } }));
    // Act
    const { results } = await run(h, () => 1, 1);
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

describe('reconcileFleet, as the scheduled handler runs it', () => {
  it('reconciles every service, and one that fails holds up none of the others', async () => {
    // Arrange: two services with a world each and one without a base stack, in one table
    const h = await startHarness('shop');
    const blog = await h.addService('blog', {});
    await h.store.writePolicy(parsePolicy({ service: 'ghost' }), undefined);
    // Act
    const r = await h.minute(0, 1, (now) => reconcileFleet(h.ports, now, createFleetMemory()));
    // Assert
    expect(r.acted.sort()).toEqual(['blog', 'shop']);
    expect(r.failed).toEqual([{ service: 'ghost', error: expect.stringContaining('base stack lambdaflex-ghost does not exist') }]);
    // Each service's first record went to its own world.
    for (const world of [h.world, blog]) expect(world.writes().map((c) => c.input.Changes)).toEqual([['UPSERT api=100']]);
    await h.stop();
  });
});

describe('one world: the harness runs the simulator’s', () => {
  it('gives minute for minute the phases and figures `simulate` gives over the same load', async () => {
    // Arrange: the simulator's own start (its api record exists), the same policy, parameters and load
    const minutes = 90;
    const h = await startHarness('shop', undefined, { apiRecordAtStart: true });
    const phases: Phase[] = [];
    // Act
    for (let m = 0; m < minutes; m++) {
      const r = await h.minute(m, peak(m), (now) => reconcileOnce(h.ports, 'shop', now));
      phases.push(r.decision!.phase);
    }
    const requests = Float64Array.from({ length: minutes }, (_, m) => peak(m) * 60);
    const sim = await simulate({ trace: { name: 'peak', start: T0, requests, filledMinutes: 0 }, policy: h.policy, params: h.params });
    // Assert
    expect(new Set(phases)).toEqual(new Set(['lambda', 'warming', 'dual', 'fargate', 'draining']));
    expect(sim.lambdaflex.phase).toEqual(phases);
    for (let m = 0; m < minutes; m++) {
      expect([m, sim.lambdaflex.lambdaServed[m], sim.lambdaflex.albServed[m], sim.lambdaflex.lost[m], sim.lambdaflex.tasks[m]]).toEqual([
        m,
        expect.closeTo(h.served[m].lambdaServed, 9),
        expect.closeTo(h.served[m].albServed, 9),
        expect.closeTo(h.served[m].shortfall, 9),
        h.served[m].tasksBilled,
      ]);
    }
    const history = (await h.store.listHistory('shop', { limit: 100 })).items.reverse();
    expect(sim.history.map((t) => [t.at, t.reason])).toEqual(history.map((t) => [t.at, t.reason]));
    expect(sim.contenders.lambdaflex.transitions).toBe(h.world.stacksCreated + h.world.stacksDeleted);
    await h.stop();
  });
});
