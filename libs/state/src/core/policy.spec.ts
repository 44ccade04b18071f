import { isFargateSize } from './fargate-sizes';
import { defaultPolicy, effectiveMode, InvalidPolicyError, parsePolicy, safeParsePolicy } from './policy';

const issuesOf = (input: unknown) => {
  const result = safeParsePolicy(input);
  return result.ok ? [] : result.issues.map((i) => `${i.path}:${i.rule}`);
};

describe('the policy', () => {
  it('makes a working policy from a service name alone', () => {
    const p = defaultPolicy('orders');
    expect(p).toMatchObject({
      service: 'orders',
      mode: { type: 'auto' },
      scaleUp: { thresholdRps: 10 },
      scaleDown: { thresholdRps: 5 },
      dual: { steps: [10, 50, 100] },
      dns: { ttlSeconds: 60, drainDelaySeconds: 900 },
      fargate: { cpu: 256, memoryMiB: 512, minTasks: 1 },
    });
  });

  it('fills defaults inside a partly given section', () => {
    expect(parsePolicy({ service: 'orders', dual: { steps: [25, 100] } }).dual).toMatchObject({ steps: [25, 100], stepHoldSeconds: 120 });
  });

  it.each([
    ['up-threshold not above down-threshold', { scaleUp: { thresholdRps: 5 }, scaleDown: { thresholdRps: 5 } }, 'scaleUp.thresholdRps:upAboveDown'],
    ['drain delay under twice the TTL', { dns: { ttlSeconds: 300, drainDelaySeconds: 599 } }, 'dns.drainDelaySeconds:atLeastTwiceTtl'],
    ['dual steps not rising', { dual: { steps: [50, 10, 100] } }, 'dual.steps:rising'],
    ['dual steps not ending at 100', { dual: { steps: [10, 50] } }, 'dual.steps:endsAt100'],
    ['more min tasks than max', { fargate: { minTasks: 5, maxTasks: 2 } }, 'fargate.minTasks:minNotAboveMax'],
    ['a CPU Fargate does not offer', { fargate: { cpu: 300 } }, 'fargate.cpu:fargateCpu'],
    ['a memory Fargate does not offer for the CPU', { fargate: { cpu: 256, memoryMiB: 4096 } }, 'fargate.memoryMiB:fargateSize'],
    ['an unknown field (a typo is not dropped silently)', { scaleup: {} }, ':unknownKey'],
    ['a pin to a tier that does not exist', { mode: { type: 'pinned', tier: 'ec2' } }, 'mode.tier:oneOf'],
    ['a negative threshold', { scaleDown: { thresholdRps: -1 } }, 'scaleDown.thresholdRps:min'],
    ['a service name that collides with a tier stack name', { service: 'orders-tier' }, 'service:notTierSuffix'],
  ])('refuses %s, naming the field and the rule', (_name, patch, issue) => {
    expect(issuesOf({ service: 'orders', ...patch })).toContain(issue);
  });

  it('takes auto for either threshold, leaving the up-above-down rule to the derived values', () => {
    const p = parsePolicy({ service: 'orders', scaleUp: { thresholdRps: 'auto' }, scaleDown: { thresholdRps: 'auto' } });
    expect(p.scaleUp.thresholdRps).toBe('auto');
    expect(issuesOf({ service: 'orders', scaleUp: { thresholdRps: 'automatic' } })).toContain('scaleUp.thresholdRps:oneOf');
  });

  it('reports every problem at once, cross-field rules included', () => {
    const issues = issuesOf({
      service: 'Orders!',
      scaleUp: { thresholdRps: 1 },
      scaleDown: { thresholdRps: 2 },
      dual: { steps: [50, 10] },
      fargate: { minTasks: 'two', cpu: 256, memoryMiB: 3000 },
      typo: true,
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'service:format:regex',
        'fargate.minTasks:type:number',
        ':unknownKey',
        'scaleUp.thresholdRps:upAboveDown',
        'dual.steps:rising',
        'dual.steps:endsAt100',
        'fargate.memoryMiB:fargateSize',
      ]),
    );
  });

  it('throws one typed error listing every problem', () => {
    const parse = () => parsePolicy({ service: 'orders', dual: { steps: [10] }, fargate: { cpu: 1 } });
    expect(parse).toThrow(InvalidPolicyError);
    try {
      parse();
    } catch (err) {
      expect((err as InvalidPolicyError).issues.map((i) => i.rule)).toEqual(expect.arrayContaining(['endsAt100', 'fargateCpu']));
      expect((err as Error).message).toContain('dual.steps');
    }
  });

  it.each([null, 42, 'policy', [], { service: 'x'.repeat(10_000) }, JSON.parse('{"__proto__":{"service":"polluted"}}')])(
    'refuses a hostile or malformed input without throwing: %p',
    (input) => {
      expect(safeParsePolicy(input).ok).toBe(false);
    },
  );

  it('lets a pin lapse at its until time', () => {
    const p = parsePolicy({ service: 'orders', mode: { type: 'pinned', tier: 'fargate', until: '2026-11-23T12:00:00Z' } });
    expect(effectiveMode(p, Date.parse('2026-11-23T11:59:59Z'))).toEqual(p.mode);
    expect(effectiveMode(p, Date.parse('2026-11-23T12:00:00Z'))).toEqual({ type: 'auto' });
  });
});

describe('Fargate task sizes', () => {
  it.each([
    [256, 512, true],
    [256, 1536, false],
    [512, 4096, true],
    [1024, 1024, false],
    [4096, 30720, true],
    [8192, 20480, true],
    [8192, 18432, false],
    [16384, 122880, true],
    [3000, 8192, false],
  ])('cpu %i with %i MiB: %s', (cpu, memory, offered) => {
    expect(isFargateSize(cpu, memory)).toBe(offered);
  });
});
