import { reconcileOnce, runCli } from '@lambdaflex/reconciler';
import { startHarness, type Harness } from '../support/reconciler';

const T0 = Date.parse('2026-11-23T00:00:00Z');
const MIN = 60_000;

describe('the reconciler CLI against the cloud model', () => {
  let h: Harness;
  let minute = 0;
  const tick = async (load: number) => {
    h.model.load = load;
    h.model.advance(T0 + minute * MIN);
    await reconcileOnce(h.ports, 'shop', T0 + minute++ * MIN);
  };
  const cli = (...argv: string[]) => runCli(argv, () => h.ports, () => T0 + minute * MIN);

  beforeAll(async () => {
    h = await startHarness();
    for (let i = 0; i < 5; i++) await tick(60); // into dual, with a tier stack and the first weights
  });
  afterAll(() => h.stop());

  it('plan prints the observation, the move and the exact AWS calls, and makes none', async () => {
    // Arrange
    h.model.load = 60;
    h.model.advance(T0 + minute * MIN);
    const writes = h.model.writes().length;
    // Act
    const { code, out } = await cli('plan', '--service', 'shop');
    // Assert
    process.stdout.write(`\n${out}\n`); // the closing note quotes this
    expect(code).toBe(0);
    expect(out).toMatch(/^service shop: dual/);
    expect(out).toContain('observed  tier stack CREATE_COMPLETE');
    expect(out).toContain('route53:ChangeResourceRecordSets');
    expect(h.model.writes()).toHaveLength(writes);
  });

  it('plan --json is one parseable document', async () => {
    const { code, out } = await cli('plan', '--service=shop', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ service: 'shop', outcome: 'planned', phase: expect.any(String) });
  });

  it('status prints the phase, conditions and recent transitions', async () => {
    const { code, out } = await cli('status', '--service', 'shop');
    expect(code).toBe(0);
    expect(out).toMatch(/^service shop: (dual|fargate)/);
    expect(out).toContain('LoadAboveThreshold');
  });

  it('reconcile runs one tick and acts', async () => {
    const writes = h.model.writes().length;
    const { code } = await cli('reconcile', '--service', 'shop');
    expect(code).toBe(0);
    expect(h.model.writes().length).toBeGreaterThanOrEqual(writes);
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
