import {
  autoThresholds,
  bestTierSplit,
  breakEven,
  chargeLambda,
  chargeLambdaInvoke,
  createCostModel,
  LINE_ITEMS,
  monthlyAt,
  totalOf,
  zeroItems,
  type ThresholdPolicy,
} from './cost-model';

// The worked example of aws-facts.md: 100 ms, 512 MB requests; two 0.25 vCPU / 0.5 GB tasks, each good for ~10 rps.
const example = createCostModel({ task: { cpu: 256, memoryMiB: 512 }, workload: { durationMs: 100, memoryMb: 512 } });
const exampleSizing = { minTasks: 2, rpsPerTask: 10 };
const within = (actual: number, expected: number, share = 0.02) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * share);

const policy: ThresholdPolicy = {
  scaleDown: { windowSeconds: 1800 },
  minDwellSeconds: 900,
  dual: { steps: [10, 50, 100], stepHoldSeconds: 120 },
  dns: { ttlSeconds: 60, drainDelaySeconds: 900 },
  fargate: { minTasks: 1, targetRpsPerTask: 7 },
};

describe('the worked example of aws-facts.md, reproduced from the price data', () => {
  it('prices Lambda + HTTP API at $2.03 per 1M requests, $5.34 per rps-month', () => {
    within(example.lambdaPerRequest * 1e6, 2.03);
    within(breakEven(example, exampleSizing).lambdaPerRpsMonth, 5.34);
  });

  it('prices the Fargate tier at $49.05 a month fixed plus ~$0.23 per rps-month of LCU', () => {
    const be = breakEven(example, exampleSizing);
    within(be.tierFixedPerMonth, 49.05);
    within(be.lcuPerRpsMonth, 0.23);
  });

  it('breaks even at ≈ 9.6 rps against the HTTP API (±2 %)', () => {
    within(breakEven(example, exampleSizing).rps, 9.6);
  });

  it('breaks even at ≈ 4.2 rps against the REST API (±2 %)', () => {
    const rest = createCostModel({ task: { cpu: 256, memoryMiB: 512 }, workload: { api: 'rest' } });
    within(breakEven(rest, exampleSizing).lambdaPerRpsMonth, 11.91);
    within(breakEven(rest, exampleSizing).rps, 4.2);
  });

  it('costs the same on both tiers at the break-even rate', () => {
    const { rps } = breakEven(example, exampleSizing);
    const at = monthlyAt(example, rps, exampleSizing);
    within(at.lambda, at.fargate, 1e-9);
  });
});

describe('the break-even for the user’s own workload', () => {
  it('falls when requests run longer (duration is billed on Lambda, not on the tier)', () => {
    const long = createCostModel({ task: { cpu: 256, memoryMiB: 512 }, workload: { durationMs: 1000 } });
    expect(breakEven(long, exampleSizing).rps).toBeLessThan(breakEven(example, exampleSizing).rps / 2);
  });

  it('rises with a bigger task', () => {
    const big = createCostModel({ task: { cpu: 1024, memoryMiB: 2048 } });
    expect(breakEven(big).rps).toBeGreaterThan(breakEven(example).rps);
  });

  it('is cheaper on arm64 for both tiers', () => {
    const arm = createCostModel({ task: { cpu: 256, memoryMiB: 512 }, workload: { architecture: 'arm64' } });
    expect(arm.lambdaPerRequest).toBeLessThan(example.lambdaPerRequest);
    expect(arm.perTaskMinute.total).toBeLessThan(example.perTaskMinute.total);
  });

  it('is never reached when a task costs more than the Lambda it would replace', () => {
    const tiny = createCostModel({ task: { cpu: 4096, memoryMiB: 30720 }, workload: { rpsPerVcpu: 0.01, durationMs: 1 } });
    expect(breakEven(tiny).rps).toBe(Infinity);
  });
});

describe('requests that were not served', () => {
  it('are no line item: a total is only what AWS bills', () => {
    expect(LINE_ITEMS).not.toContain('shortfall');
    expect(Object.keys(zeroItems())).toEqual([...LINE_ITEMS]);
  });
});

describe('a request a task hands to Lambda (the instant spill)', () => {
  it('costs the Lambda request and duration, not the API Gateway fee', () => {
    const spilled = totalOf(chargeLambdaInvoke(zeroItems(), example, 1_000_000));
    const viaApi = totalOf(chargeLambda(zeroItems(), example, 1_000_000));
    // $0.20 + 0.1 s × 0.5 GB × $0.0000166667 per million, against the same plus $1.00 of HTTP API.
    expect(spilled).toBeCloseTo(0.2 + 0.8333, 3);
    expect(viaApi - spilled).toBeCloseTo(1.0, 6);
  });
});

describe('the cheapest split of a minute while the tier is up', () => {
  it.each([0, 1, 300, 599, 600, 601, 1234, 6000, 60_000])('for %i requests is no dearer than any split by whole requests and tasks', (requests) => {
    const best = bestTierSplit(example, requests);
    const cap = example.taskCapacityPerMinute;
    let brute = Infinity;
    for (let tasks = 1; tasks <= Math.ceil(requests / cap) + 1; tasks++) {
      for (const alb of [0, Math.min(requests, tasks * cap), Math.floor(Math.min(requests, tasks * cap) / 2)]) {
        const cost = example.tierFixedPerMinute.total + tasks * example.perTaskMinute.total + alb * example.lcuPerRequest + (requests - alb) * example.lambdaPerRequest;
        brute = Math.min(brute, cost);
      }
    }
    expect(best.cost).toBeCloseTo(brute, 12);
    expect(best.albRequests).toBeLessThanOrEqual(best.tasks * cap);
  });
});

describe('auto thresholds', () => {
  const model = createCostModel({ task: { cpu: 256, memoryMiB: 512 } });

  it('go up above the break-even and down below it', () => {
    const t = autoThresholds(policy, model);
    expect(t.upRps).toBeGreaterThan(t.breakEvenRps);
    expect(t.downRps).toBeLessThan(t.breakEvenRps);
    expect(t.downRps).toBeGreaterThanOrEqual(0);
  });

  it('pay for a round trip over the minimum stay: the saving at the up-threshold covers the one-time cost', () => {
    const t = autoThresholds(policy, model);
    const sizing = { minTasks: 1, rpsPerTask: 7 };
    const at = monthlyAt(model, t.upRps, sizing);
    const savingPerMinute = (at.lambda - at.fargate) / model.minutesPerMonth;
    expect(savingPerMinute * t.minStayMinutes).toBeGreaterThanOrEqual(t.oneTime.total - 1e-12);
  });

  it('close in on the break-even as the minimum stay grows', () => {
    const short = autoThresholds(policy, model);
    const long = autoThresholds({ ...policy, minDwellSeconds: 6 * 3600 }, model);
    expect(long.upRps).toBeLessThan(short.upRps);
    expect(long.downRps).toBeGreaterThan(short.downRps);
    expect(long.upRps - long.breakEvenRps).toBeLessThan(short.upRps - short.breakEvenRps);
  });

  it('count the drain as part of the one-time cost', () => {
    const longDrain = autoThresholds({ ...policy, dns: { ttlSeconds: 60, drainDelaySeconds: 3600 } }, model);
    expect(longDrain.oneTime.down).toBeGreaterThan(autoThresholds(policy, model).oneTime.down);
    expect(longDrain.upRps).toBeGreaterThan(autoThresholds(policy, model).upRps);
  });
});
