import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { createRateLimits, throughLimiter } from './rate-limits';
import { Route53Adapter } from './route53.adapter';

const r53 = mockClient(Route53Client);

/** The most of `starts` (epoch ms) that fall in any one second, `[t, t + 1000)`. */
function mostInOneSecond(starts: number[]): number {
  return Math.max(0, ...starts.map((t) => starts.filter((s) => s >= t && s < t + 1000).length));
}

/** Runs `count` jobs through `schedule` at once, under fake timers, and returns when each started. */
async function burst(count: number, schedule: (job: () => Promise<void>) => Promise<void>): Promise<number[]> {
  const starts: number[] = [];
  const done = Promise.all(Array.from({ length: count }, () => schedule(async () => void starts.push(Date.now()))));
  await jest.advanceTimersByTimeAsync(60_000);
  await done;
  return starts;
}

beforeEach(() => jest.useFakeTimers({ now: Date.parse('2025-03-01T12:00:00Z') }));
afterEach(() => {
  jest.useRealTimers();
  r53.reset();
});

describe('createRateLimits', () => {
  it('starts no more than 4 Route53 calls in any one second when 20 reads arrive at once through the adapter', async () => {
    // Arrange
    const starts: number[] = [];
    r53.on(ListResourceRecordSetsCommand).callsFake(() => {
      starts.push(Date.now());
      return { ResourceRecordSets: [], IsTruncated: false, MaxItems: 300 };
    });
    const adapter = new Route53Adapter(new Route53Client({ region: 'us-east-1' }), { limiter: createRateLimits().route53 });

    // Act
    const reads = Promise.all(Array.from({ length: 20 }, (_, i) => adapter.read('Z0USERZONE', `s${i}.example.com`)));
    await jest.advanceTimersByTimeAsync(60_000);
    await reads;

    // Assert
    expect(starts).toHaveLength(20);
    expect(mostInOneSecond(starts)).toBeLessThanOrEqual(4);
  });

  it.each([
    ['cloudformation', 5],
    ['cloudwatch', 20],
  ] as const)('paces %s at no more than %i requests a second, and not much fewer', async (family, perSecond) => {
    const limiter = createRateLimits()[family];

    const starts = await burst(3 * perSecond, (job) => limiter.schedule(job));

    expect(mostInOneSecond(starts)).toBeLessThanOrEqual(perSecond);
    expect(mostInOneSecond(starts)).toBeGreaterThanOrEqual(Math.floor(0.9 * perSecond));
  });

  it('gives a worker the smaller share it is told, family by family', async () => {
    const limits = createRateLimits({ route53: 1, cloudwatch: 5 });

    const route53 = await burst(5, (job) => limits.route53.schedule(job));
    const cloudwatch = await burst(15, (job) => limits.cloudwatch.schedule(job));

    expect(mostInOneSecond(route53)).toBe(1);
    expect(mostInOneSecond(cloudwatch)).toBeLessThanOrEqual(5);
  });

  it('gives each process its own limiters: two containers do not share one', () => {
    expect(createRateLimits().route53).not.toBe(createRateLimits().route53);
  });

  it('refuses a rate that is not a positive number', () => {
    expect(() => createRateLimits({ route53: 0 })).toThrow(RangeError);
    expect(() => createRateLimits({ cloudwatch: Number.NaN })).toThrow(RangeError);
  });
});

describe('throughLimiter', () => {
  it('calls at once without a limiter, and passes a failure through unchanged with one', async () => {
    const failure = new Error('Rate exceeded');
    await expect(throughLimiter(undefined, async () => 'answer')).resolves.toBe('answer');

    const failed = throughLimiter(createRateLimits().cloudwatch, async () => Promise.reject(failure)).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(1000);

    await expect(failed).resolves.toBe(failure);
  });
});
