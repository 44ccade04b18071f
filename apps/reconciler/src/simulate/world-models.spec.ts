import { albShareOf, answerAgeKernel } from './dns-resolvers';
import { EcsService, type EcsSettings } from './ecs-service';
import { LambdaFunction } from './lambda-function';
import { parseTrace, TraceError } from './trace';

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
