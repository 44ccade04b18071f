import type { Phase } from '@lambdaflex/state';
import { reconcileOnce, type ReconcilerPorts } from '@lambdaflex/reconciler';
import { startDynalite, type LocalDynamoDb } from '@lambdaflex/local-cloud';
import { FAST_POLICY, MIN, startHarness } from '../support/reconciler';

/**
 * Faults: every step a tick takes is made to throw once, one run per step, in the middle of a full
 * cycle against the simulated world. The ticks after it must converge — the cycle completes — with no
 * invariant broken on the way.
 */

const load = (m: number) => (m < 3 || m >= 40 ? 1 : 60);

/** Wraps one method of one port so that its nth call throws, once. */
function failOnce(ports: ReconcilerPorts, port: keyof ReconcilerPorts, method: string, nth: number) {
  const target = ports[port] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const original = target[method].bind(target);
  let calls = 0;
  const fault = { fired: false };
  const wrapped = { ...(ports[port] as object) } as Record<string, unknown>;
  // Keep the prototype's methods (StateStore is a class) and replace the one that fails.
  Object.setPrototypeOf(wrapped, Object.getPrototypeOf(ports[port]));
  Object.assign(wrapped, ports[port]);
  wrapped[method] = async (...args: unknown[]) => {
    if (++calls === nth) {
      fault.fired = true;
      throw new Error(`injected fault in ${port}.${method}`);
    }
    return original(...args);
  };
  return { ports: { ...ports, [port]: wrapped } as ReconcilerPorts, fault };
}

describe('a tick that throws at any step is finished by the next ones', () => {
  let db: LocalDynamoDb;
  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(() => db.stop());

  it.each([
    ['stacks', 'describe', 5],
    ['stacks', 'create', 1],
    ['stacks', 'update', 1],
    ['stacks', 'delete', 1],
    ['dns', 'read', 4],
    ['dns', 'change', 2],
    ['dns', 'change', 5],
    ['dns', 'inSync', 3],
    ['metrics', 'read', 10],
    ['probe', 'probe', 1],
    ['store', 'readPolicy', 6],
    ['store', 'readStatus', 6],
    ['store', 'appendHistory', 2],
    ['store', 'writeStatus', 4],
    ['store', 'writeStatus', 45],
    ['store', 'releaseLease', 3],
  ] as const)('%s.%s failing on call %i', async (port, method, nth) => {
    // Arrange
    // Thin traffic for the probe's run, so that dual is judged by probes.
    const policy = port === 'probe' ? { ...FAST_POLICY, dual: { ...FAST_POLICY.dual, analysis: { minRequests: 1_000_000 } } } : FAST_POLICY;
    const h = await startHarness('shop', policy, { db });
    const { ports, fault } = failOnce(h.ports, port, method, nth);
    const phases: Phase[] = [];
    let thrown = 0;
    // Act: ticks as the handler runs them: one that throws is logged, and the next tick comes
    for (let m = 0; m < 150 && !(phases.includes('draining') && phases.at(-1) === 'lambda'); m++) {
      if (m === 25) h.world.deployImage('123456789012.dkr.ecr.us-east-1.amazonaws.com/app:2'); // exercises UpdateStack
      await h.minute(m, load(m), async (now) => {
        try {
          const result = await reconcileOnce(ports, 'shop', now, { leaseMs: 2 * MIN });
          if (result.decision && phases.at(-1) !== result.decision.phase) phases.push(result.decision.phase);
        } catch {
          thrown++;
        }
        // Assert at every tick: no weight without a complete stack; no stack deleted before its record
        const alb = h.world.dnsRecords().alb;
        if (alb && alb.weight > 0) expect(h.world.tierStatus()).toMatch(/^(CREATE|UPDATE)_COMPLETE$|^UPDATE_IN_PROGRESS$/);
        if (h.world.tierStatus() === 'DELETE_IN_PROGRESS') expect(alb).toBeUndefined();
      });
    }
    // Assert: the whole cycle, in order, with no detour, and back where it started
    expect(phases).toEqual(['lambda', 'warming', 'dual', 'fargate', 'draining', 'lambda']);
    expect(h.world.tierState()).toBe('absent');
    expect(h.world.dnsRecords().alb).toBeUndefined();
    expect(fault.fired).toBe(true);
    expect(thrown).toBeLessThanOrEqual(1);
    const status = (await h.store.readStatus('shop'))!.status;
    expect(status.phase).toBe('lambda');
    await h.stop();
  });
});
