import { reconcileOnce, runCli } from '@lambdaflex/reconciler';
import { startHarness, type Harness } from '../support/reconciler';

describe('the reconciler CLI against the simulated world', () => {
  let h: Harness;
  let now = 0;
  const cli = (...argv: string[]) => runCli(argv, () => h.ports, () => now);

  beforeAll(async () => {
    h = await startHarness();
    // Minute by minute at 60 rps, into dual, up to the minute whose tick will pass the first step (a
    // dry run tells); that minute stays open for the tests (the world does not move while they run).
    for (let m = 0; m < 60; m++) {
      now = h.begin(m, 60);
      const peek = await reconcileOnce(h.ports, 'shop', now, { dryRun: true });
      if (peek.decision?.transitions.some((t) => t.reason === 'StepPassed')) return;
      await reconcileOnce(h.ports, 'shop', now);
      h.end();
    }
    throw new Error('no dual step to pass within an hour');
  });
  afterAll(() => {
    h.end();
    return h.stop();
  });

  it('plan prints the observation, the move and the exact AWS calls, and makes none', async () => {
    // Arrange
    const writes = h.world.writes().length;
    // Act
    const { code, out } = await cli('plan', '--service', 'shop');
    // Assert
    process.stdout.write(`\n${out}\n`); // the closing note quotes this
    expect(code).toBe(0);
    expect(out).toMatch(/^service shop: dual → dual \(StepPassed\)/);
    expect(out).toContain('observed  tier stack CREATE_COMPLETE');
    expect(out).toContain('weights api 90 / alb 10 (INSYNC)');
    expect(out).toMatch(/route53:ChangeResourceRecordSets .*UPSERT api=50 .*UPSERT alb=50/);
    expect(h.world.writes()).toHaveLength(writes);
  });

  it('plan --json is one parseable document', async () => {
    const { code, out } = await cli('plan', '--service=shop', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ service: 'shop', outcome: 'planned', phase: 'dual' });
  });

  it('status prints the phase, conditions and recent transitions', async () => {
    const { code, out } = await cli('status', '--service', 'shop');
    expect(code).toBe(0);
    expect(out).toMatch(/^service shop: dual/);
    expect(out).toContain('LoadAboveThreshold');
    expect(out).toContain('TierReady');
  });

  it('reconcile runs one tick and makes the call plan printed', async () => {
    const writes = h.world.writes().length;
    const { code } = await cli('reconcile', '--service', 'shop');
    expect(code).toBe(0);
    expect(h.world.writes().slice(writes).map((c) => c.input.Changes)).toEqual([['UPSERT api=50', 'UPSERT alb=50']]);
  });

  it.each([
    [['plan'], 2, /--service is required/],
    [['deploy', '--service', 'shop'], 2, /unknown command "deploy"/],
    [['plan', '--service', 'shop', '--bogus'], 2, /Unknown option '--bogus'/],
    [['plan', '--service', 'nobody'], 1, /^lambdaflex: service nobody has no policy item$/],
    [['status', '--service', 'nobody'], 1, /^lambdaflex: service nobody has no status yet/],
  ])('%j exits %i with one readable line', async (argv, exit, message) => {
    const { code, out } = await cli(...(argv as string[]));
    expect(code).toBe(exit);
    expect(out.split('\n')[0]).toMatch(message);
    expect(out).not.toMatch(/\n\s+at /); // no stack trace
  });
});
