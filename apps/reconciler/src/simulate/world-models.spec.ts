import { zeroItems } from '@lambdaflex/cost';
import { BASE_OUTPUTS, baseStackName, parsePolicy, TIER_OUTPUTS, TIER_PARAMETERS, tierStackName } from '@lambdaflex/state';
import { albShareOf, answerAgeKernel } from './dns-resolvers';
import { EcsService, type EcsSettings } from './ecs-service';
import { LambdaFunction } from './lambda-function';
import { resolveParams } from './params';
import { modelFor } from './simulate';
import { parseTrace, TraceError } from './trace';
import { SimulatedWorld, type WorldOptions } from './world';

describe('clients and their DNS answers', () => {
  it('follow last minute’s weights for half a minute at a 60 s TTL', () => {
    const k = answerAgeKernel(60, 0, 60);
    expect(k[0]).toBeCloseTo(0.5, 2);
    expect(k[1]).toBeCloseTo(0.5, 2);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('keep a sticky share on old answers for as long as they hold them', () => {
    const k = answerAgeKernel(60, 0.1, 600);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(k.length).toBe(11);
    expect(k.slice(2).reduce((a, b) => a + b, 0)).toBeCloseTo(0.1 * 0.8, 2); // ages 2..10 minutes: sticky clients only
  });

  it.each([
    [100, undefined, 0],
    [90, 10, 0.1],
    [0, 100, 1],
    [0, 0, 0.5],
  ])('api %s / alb %s send %s to the ALB', (api, alb, share) => {
    expect(albShareOf(api, alb)).toBe(share);
  });
});

describe('the Lambda function', () => {
  const limits = { durationMs: 1000, concurrencyLimit: 100, scalingPer10Seconds: 10, idleMinutes: 5, apiThrottleRps: 10_000 };

  it('throttles a surge faster than it can add environments, then serves it once warm', () => {
    const fn = new LambdaFunction(limits);
    const surge = 60 * 60; // 60 rps × 1 s: 60 environments needed, 10 more each 10 s
    const first = fn.serve(surge);
    expect(first.throttled).toBeGreaterThan(0);
    expect(first.served + first.throttled).toBeCloseTo(surge, 9);
    expect(first.coldStarts).toBe(60);
    const second = fn.serve(surge);
    expect(second).toEqual({ served: surge, throttled: 0, coldStarts: 0 });
  });

  it('never serves beyond its concurrency limit', () => {
    const fn = new LambdaFunction(limits);
    for (let i = 0; i < 30; i++) fn.serve(200 * 60);
    const r = fn.serve(200 * 60);
    expect(r.served).toBeCloseTo(100 * 60, 6);
    expect(r.throttled).toBeCloseTo(100 * 60, 6);
  });

  it('cold-starts again after its environments were reaped', () => {
    const fn = new LambdaFunction(limits);
    fn.serve(60);
    for (let i = 0; i < 5; i++) fn.serve(0);
    expect(fn.serve(60).coldStarts).toBe(1);
  });
});

describe('the ECS service with target tracking', () => {
  const settings: EcsSettings = {
    minTasks: 1,
    maxTasks: 10,
    targetPerMinute: 600,
    leadMinutes: 4,
    deregistrationMinutes: 5,
    alarmLagMinutes: 1,
    scaleOutDatapoints: 3,
    scaleInDatapoints: 15,
    scaleInBelow: 0.9,
    scaleInCooldownMinutes: 5,
  };

  it('scales out after three busy minutes, and the new tasks serve after their lead', () => {
    const ecs = new EcsService(settings, 0);
    ecs.setDesired(1, 0, 0, true);
    let launchedAt = -1;
    for (let m = 0; m < 20; m++) {
      ecs.autoscale(m);
      if (launchedAt < 0 && ecs.desiredCount > 1) launchedAt = m;
      ecs.record(m, 2400);
    }
    expect(launchedAt).toBe(4); // minutes 0-2 over target, seen one minute late
    expect(ecs.desiredCount).toBe(4);
    expect(ecs.healthy(launchedAt + 3)).toBe(1);
    expect(ecs.healthy(launchedAt + 4)).toBe(4);
    expect(ecs.billed(launchedAt)).toBe(4);
  });

  it('scales in after fifteen quiet minutes, billing the removed tasks through the deregistration delay', () => {
    const ecs = new EcsService(settings, 0);
    ecs.setDesired(4, 0, 0, true);
    let removedAt = -1;
    for (let m = 0; m < 30 && removedAt < 0; m++) {
      ecs.autoscale(m);
      if (ecs.desiredCount < 4) removedAt = m;
      else ecs.record(m, 300);
    }
    expect(removedAt).toBe(16);
    expect(ecs.healthy(removedAt)).toBe(1);
    expect(ecs.billed(removedAt + 4)).toBe(4);
    expect(ecs.billed(removedAt + 5)).toBe(1);
  });

  it('keeps its tasks while the ALB gets no traffic (no datapoints, no alarm)', () => {
    const ecs = new EcsService(settings, 0);
    ecs.setDesired(3, 0, 0, true);
    for (let m = 0; m < 60; m++) {
      ecs.autoscale(m);
      ecs.record(m, 0);
    }
    expect(ecs.desiredCount).toBe(3);
  });
});

describe('a trace file', () => {
  it('fills missing minutes with zero requests', () => {
    const t = parseTrace('timestamp,requests\n2026-01-05T00:00:00Z,5\n2026-01-05T00:03:00Z,7\n', 'gappy');
    expect(Array.from(t.requests)).toEqual([5, 0, 0, 7]);
    expect(t.filledMinutes).toBe(2);
  });

  it('accepts the columns in either order and a byte-order mark', () => {
    const t = parseTrace('\uFEFFrequests,timestamp\r\n3,2026-01-05T00:00:00Z\r\n', 'bom');
    expect(Array.from(t.requests)).toEqual([3]);
  });

  it('names the row of the first problem', () => {
    expect(() => parseTrace('timestamp,requests\n2026-01-05T00:00:00Z,1\n2026-01-05T00:01:00Z,NaN\n', 'x')).toThrow(new TraceError(3, 'requests "NaN" is not a number'));
  });
});

describe('the simulated world, as the loop tests drive it', () => {
  const T0 = Date.parse('2026-01-05T00:00:00Z');
  const policy = parsePolicy({ service: 'shop' });
  const params = resolveParams({ delays: { stackCreateSeconds: 120, stackDeleteSeconds: 60, taskStartSeconds: 30, targetHealthSeconds: 30, metricLagSeconds: 60 } });
  const world = (options: WorldOptions = {}, minutes = 30) => new SimulatedWorld('shop', T0, new Float64Array(minutes), policy, params, modelFor(policy, params), options);
  const TIER = tierStackName('shop');
  const parameters = { [TIER_PARAMETERS.desiredCount]: '2', [TIER_PARAMETERS.imageUri]: 'app:1' };
  /** Minutes `from` to `to` (exclusive), each advanced and served, with `rpm` requests. */
  const pass = (w: SimulatedWorld, from: number, to: number, rpm = 0) => {
    for (let m = from; m < to; m++) {
      w.setLoad(m, rpm);
      w.advance(m);
      w.serve(m, zeroItems());
    }
  };

  it('records every AWS call made through its ports, reads included, only when asked', async () => {
    const recorded = world({ recordCalls: true });
    const quiet = world();
    for (const w of [recorded, quiet]) {
      w.advance(0);
      await w.stacks.describe(baseStackName('shop'));
      await w.dns.read('Z0SIMULATED', 'shop.example.com');
      await w.stacks.create(TIER, parameters, 'token-1');
      const id = await w.dns.change('Z0SIMULATED', 'shop.example.com', [{ action: 'UPSERT', record: { setIdentifier: 'api', weight: 90, target: { dnsName: 'api', hostedZoneId: 'Z' } } }]);
      await w.dns.inSync(id);
    }
    expect(quiet.calls).toEqual([]);
    expect(recorded.calls.map((c) => c.api)).toEqual([
      'cloudformation:DescribeStacks',
      'route53:ListResourceRecordSets',
      'cloudformation:CreateStack',
      'route53:ChangeResourceRecordSets',
      'route53:GetChange',
    ]);
    expect(recorded.writes()).toEqual([
      { api: 'cloudformation:CreateStack', input: { StackName: TIER, Parameters: parameters, ClientRequestToken: 'token-1' } },
      { api: 'route53:ChangeResourceRecordSets', input: { HostedZoneId: 'Z0SIMULATED', Changes: ['UPSERT api=90'] } },
    ]);
  });

  it('starts with the api record, or without it as a fresh deploy does', () => {
    expect(world().dnsRecords()).toEqual({ api: expect.objectContaining({ weight: 100 }) });
    expect(world({ apiRecordAtStart: false }).dnsRecords()).toEqual({});
  });

  it('serves the load a test sets minute by minute, within its length', () => {
    const w = world({}, 3);
    w.setLoad(1, 600);
    w.advance(0);
    expect(w.serve(0, zeroItems()).demand).toBe(0);
    w.advance(1);
    expect(w.serve(1, zeroItems())).toMatchObject({ demand: 600, lambdaServed: 600 });
    expect(() => w.setLoad(3, 1)).toThrow(RangeError);
    expect(() => w.setLoad(2, -1)).toThrow(RangeError);
  });

  it('rolls the next create back when told: in progress for the create time, then ROLLBACK_COMPLETE, with no task left', async () => {
    const w = world();
    w.failNextCreate = true;
    w.advance(0);
    await w.stacks.create(TIER, parameters, 'token-1');
    expect(w.failNextCreate).toBe(false);
    pass(w, 0, 2);
    expect(w.tierStatus()).toBe('CREATE_IN_PROGRESS');
    pass(w, 2, 3);
    expect([w.tierStatus(), w.tierState(), w.tasks()]).toEqual(['ROLLBACK_COMPLETE', 'failed', { billed: 0, healthy: 0 }]);
    expect((await w.stacks.describe(TIER))?.outputs).toEqual({});
    await expect(w.stacks.update(TIER, { ...parameters, [TIER_PARAMETERS.desiredCount]: '3' }, 'token-2')).rejects.toThrow(/ROLLBACK_COMPLETE/);
    await w.stacks.delete(TIER, 'token-3');
    pass(w, 3, 4);
    expect(w.tierState()).toBe('absent');
  });

  it('loses its healthy targets when told: the ALB answers 503 itself, CloudWatch shows no healthy host, probes fail', async () => {
    const w = world();
    w.advance(0);
    await w.stacks.create(TIER, parameters, 'token-1');
    pass(w, 0, 3);
    const tier = (await w.stacks.describe(TIER))!;
    expect(tier.status).toBe('CREATE_COMPLETE');
    const target = { apiId: 'a1b2c3', functionName: 'shop-api', loadBalancer: tier.outputs[TIER_OUTPUTS.loadBalancerFullName] };
    await w.dns.change('Z0SIMULATED', 'shop.example.com', [
      { action: 'UPSERT', record: { setIdentifier: 'api', weight: 0, target: { dnsName: 'api', hostedZoneId: 'Z' } } },
      { action: 'UPSERT', record: { setIdentifier: 'alb', weight: 100, target: { dnsName: 'alb', hostedZoneId: 'Z' } } },
    ]);
    pass(w, 3, 10, 600);
    expect(w.tasks()).toEqual({ billed: 2, healthy: 2 });
    expect(await w.probe.probe({ url: 'https://alb/healthz' }, 5)).toEqual({ ok: 5, failed: 0 });
    expect((await w.metrics.read(target, policy, T0 + 10 * 60_000)).healthyTargets).toBe(2);

    w.unhealthy = true;
    w.setLoad(10, 600);
    w.advance(10);
    expect(w.tasks().healthy).toBe(0);
    expect(await w.probe.probe({ url: 'https://alb/healthz' }, 5)).toEqual({ ok: 0, failed: 5 });
    const minute = w.serve(10, zeroItems());
    expect(minute).toMatchObject({ tasksHealthy: 0, albServed: 0, spilled: 0 });
    expect(minute.shortfall).toBeCloseTo(600 * minute.albShare, 6);
    // CloudWatch shows minute 10 once its lag (a minute here) has passed after it.
    expect((await w.metrics.read(target, policy, T0 + 11 * 60_000)).healthyTargets).toBe(2);
    pass(w, 11, 12, 600);
    const seen = await w.metrics.read(target, policy, T0 + 12 * 60_000);
    expect(seen.healthyTargets).toBe(0);
    expect(seen.albOverloadRps).toBeGreaterThan(0);
  });

  it('deploys a new image to its base stack', async () => {
    const w = world();
    w.deployImage('app:2');
    expect((await w.stacks.describe(baseStackName('shop')))?.outputs[BASE_OUTPUTS.imageUri]).toBe('app:2');
    expect(w.baseStackOutputs()[BASE_OUTPUTS.imageUri]).toBe('app:2');
  });
});
