import { parsePolicy, TerminalAwsError, type Phase, type WorkQueuePort } from '@lambdaflex/state';
import { createFleetMemory, LeaseLostError, reconcileFleet, reconcileOnce, type ReconcilerPorts } from '@lambdaflex/reconciler';
import { startDynalite, type LocalDynamoDb } from '@lambdaflex/local-cloud';
import { FAST_POLICY, MIN, startHarness } from '../support/reconciler';

/**
 * The fleet tick (what the scheduled coordinator runs) against several simulated services behind one
 * set of ports, with the state in a real dynalite: services move through their cycles side by side,
 * settled ones cost no write, work without time goes to the queue, a refused act stalls its service,
 * and a tick that lost its lease makes no call and no write.
 */

const surge = (from: number, to: number) => (m: number) => (m >= from && m < to ? 60 : 1);

/** A work queue that remembers what it was handed. */
function recordingQueue(): WorkQueuePort & { handed: string[][] } {
  const handed: string[][] = [];
  return { handed, enqueue: async (services) => void handed.push([...services]) };
}

describe('the fleet tick', () => {
  let db: LocalDynamoDb;
  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(() => db.stop());

  it('takes two services through their cycles side by side while a third, idle, is written only when it changes', async () => {
    // Arrange: shop surges at minute 3, news at minute 20, blog stays idle
    const h = await startHarness('shop', FAST_POLICY, { db });
    const news = await h.addService('news');
    const blog = await h.addService('blog');
    const memory = createFleetMemory();
    const load = { shop: surge(3, 40), news: surge(20, 60) };
    const phases: Record<string, Phase[]> = { shop: [], news: [], blog: [] };
    // Act
    for (let m = 0; m < 130; m++) {
      news.setLoad(m, load.news(m) * 60);
      blog.setLoad(m, 60);
      const r = await h.minute(m, load.shop(m), (now) => reconcileFleet(h.ports, now, memory));
      expect(r.failed).toEqual([]);
      for (const service of Object.keys(phases)) {
        const phase = (await h.store.readStatus(service))!.status.phase;
        if (phases[service].at(-1) !== phase) phases[service].push(phase);
      }
    }
    // Assert
    const cycle = ['lambda', 'warming', 'dual', 'fargate', 'draining', 'lambda'];
    expect(phases).toEqual({ shop: cycle, news: cycle, blog: ['lambda'] });
    // blog said nothing new after its first tick: a heartbeat every 3 to 5 minutes (its own), not a write a minute
    const blogVersion = (await h.store.readStatus('blog'))!.version;
    expect(blogVersion).toBeGreaterThanOrEqual(Math.floor(130 / 5));
    expect(blogVersion).toBeLessThanOrEqual(Math.ceil(130 / 3) + 1);
    await h.stop();
  });

  it('looks again at a settled service when its intent says, and at once when its policy changes', async () => {
    // Arrange: one tick, so both services are settled in lambda (look again after 60 s)
    const h = await startHarness('shop', FAST_POLICY, { db });
    await h.addService('blog');
    const memory = createFleetMemory();
    await h.minute(0, 1, (now) => reconcileFleet(h.ports, now, memory));
    // Act: 30 s later, and again after a new policy generation for blog
    const early = await reconcileFleet(h.ports, h.at(0) + 30_000, memory);
    const stored = await h.store.readPolicy('blog');
    await h.store.writePolicy(parsePolicy({ service: 'blog', ...FAST_POLICY }), stored!.generation);
    const edited = await reconcileFleet(h.ports, h.at(0) + 40_000, memory);
    // Assert
    expect(early.notDue.sort()).toEqual(['blog', 'shop']);
    expect(early.observed).toEqual([]);
    expect(edited.observed).toEqual(['blog']);
    await h.stop();
  });

  it('hands what it has no time for to the queue, and acts on it itself when time allows', async () => {
    // Arrange: three fresh services (each needs its api record); the tick's time is already up
    const h = await startHarness('shop', FAST_POLICY, { db });
    await h.addService('blog');
    await h.addService('news');
    const queue = recordingQueue();
    const ports: ReconcilerPorts = { ...h.ports, queue };
    const memory = createFleetMemory();
    // Act
    const late = await h.minute(0, 1, (now) => reconcileFleet(ports, now, memory, { deadline: now }));
    const writesAfterLate = [...h.worlds.values()].flatMap((w) => w.writes()).length;
    const inTime = await h.minute(1, 1, (now) => reconcileFleet(h.ports, now, memory));
    // Assert
    expect(late.handedOff.sort()).toEqual(['blog', 'news', 'shop']);
    expect(queue.handed).toEqual([late.handedOff]);
    expect(writesAfterLate).toBe(0);
    expect(inTime.acted.sort()).toEqual(['blog', 'news', 'shop']);
    for (const w of h.worlds.values()) expect(w.writes().map((c) => c.input.Changes)).toEqual([['UPSERT api=100']]);
    await h.stop();
  });

  it('stalls a service AWS refused for this policy generation: no refused call every tick, and tries again on a new generation', async () => {
    // Arrange: CreateStack is refused (the reconciler's role lacks a permission)
    const h = await startHarness('shop', FAST_POLICY, { db });
    let creates = 0;
    const stacks = Object.create(h.ports.stacks) as ReconcilerPorts['stacks'];
    stacks.create = async () => {
      creates++;
      throw new TerminalAwsError('CreateStack', 'AccessDenied', 'not authorized to perform cloudformation:CreateStack');
    };
    const ports = { ...h.ports, stacks };
    const memory = createFleetMemory();
    // Act: the surge takes shop to warming, whose create is refused; ten more minutes pass
    for (let m = 0; m < 20; m++) await h.minute(m, surge(2, 100)(m), (now) => reconcileFleet(ports, now, memory));
    const refusedOnce = creates;
    const status = (await h.store.readStatus('shop'))!.status;
    const stored = await h.store.readPolicy('shop');
    await h.store.writePolicy(parsePolicy({ service: 'shop', ...FAST_POLICY }), stored!.generation);
    await h.minute(20, 60, (now) => reconcileFleet(ports, now, memory));
    // Assert
    expect(refusedOnce).toBe(1);
    expect(status.phase).toBe('warming');
    expect(status.stalled).toMatchObject({ operation: 'CreateStack', code: 'AccessDenied', generation: stored!.generation });
    expect(status.conditions.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'AwsRefused' });
    expect(creates).toBe(2);
    await h.stop();
  });
});

describe('a fenced lease', () => {
  let db: LocalDynamoDb;
  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(() => db.stop());

  /** Ports whose metrics read waits for `release()`: the tick stalls in the middle of observing. */
  function stalling(ports: ReconcilerPorts) {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const stalled = new Promise<void>((r) => (reached = r));
    const metrics = { ...ports.metrics, read: async (...args: Parameters<ReconcilerPorts['metrics']['read']>) => (reached(), await gate, ports.metrics.read(...args)) };
    return { ports: { ...ports, metrics }, stalled, release };
  }

  it('stops a tick that stalled past its lease: after another took over, it makes no AWS call and no write', async () => {
    // Arrange: tick A takes the lease at T and stalls; at T + 6 min (its 5-minute lease long gone) tick B runs
    const h = await startHarness('shop', FAST_POLICY, { db });
    const t = h.begin(0, 1);
    let aClock = t;
    const a = stalling(h.ports);
    const tickA = reconcileOnce(a.ports, 'shop', t, { leaseMs: 5 * MIN, clock: () => aClock });
    await a.stalled;
    const b = await reconcileOnce(h.ports, 'shop', t + 6 * MIN, { leaseMs: 5 * MIN });
    const callsAfterB = h.world.writes().length;
    const statusAfterB = await h.store.readStatus('shop');
    const historyAfterB = (await h.store.listHistory('shop')).items.length;
    // Act: A resumes, its own clock now reading T + 6 min
    aClock = t + 6 * MIN;
    a.release();
    // Assert
    await expect(tickA).rejects.toBeInstanceOf(LeaseLostError);
    expect(b.outcome).toBe('reconciled');
    expect(b.plan!.acts.length).toBeGreaterThan(0);
    expect(h.world.writes()).toHaveLength(callsAfterB);
    expect(await h.store.readStatus('shop')).toEqual(statusAfterB);
    expect((await h.store.listHistory('shop')).items).toHaveLength(historyAfterB);
    h.end();
    await h.stop();
  });

  it('refuses the status of a tick whose clock did not see its stall, once the next holder wrote', async () => {
    // Arrange: as above, but A's clock never moves (it cannot tell it stalled)
    const h = await startHarness('shop', FAST_POLICY, { db });
    const t = h.begin(0, 1);
    const a = stalling(h.ports);
    const tickA = reconcileOnce(a.ports, 'shop', t, { leaseMs: 5 * MIN, clock: () => t });
    await a.stalled;
    await reconcileOnce(h.ports, 'shop', t + 6 * MIN, { leaseMs: 5 * MIN });
    const statusAfterB = await h.store.readStatus('shop');
    // Act
    a.release();
    // Assert: its acts were the same idempotent UPSERT; its status write lost to B's fence
    await expect(tickA).rejects.toMatchObject({ name: 'StatusConflictError' });
    expect(await h.store.readStatus('shop')).toEqual(statusAfterB);
    h.end();
    await h.stop();
  });
});

describe('the fleet tick, for any loads and any tick that runs out of time', () => {
  let db: LocalDynamoDb;
  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(() => db.stop());

  const SERVICES = ['alpha', 'beta', 'gamma'];
  const MINUTES = 110;

  it('keeps every service safe at every tick, starves none, and brings each back to lambda', async () => {
    const fc = (await import('fast-check')).default;
    const surgeOf = fc.record({ from: fc.integer({ min: 0, max: 30 }), length: fc.integer({ min: 0, max: 35 }) });
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(surgeOf, surgeOf, surgeOf),
        // Minutes in which the coordinator has no time left; the queue's worker then runs (or not, that minute).
        fc.array(fc.record({ minute: fc.integer({ min: 0, max: MINUTES - 40 }), worker: fc.boolean() }), { maxLength: 15 }),
        async (surges, late) => {
          const h = await startHarness(SERVICES[0], FAST_POLICY, { db });
          for (const s of SERVICES.slice(1)) await h.addService(s);
          const queue = recordingQueue();
          const memory = createFleetMemory();
          const lateAt = new Map(late.map((l) => [l.minute, l.worker]));
          const waitingSince = new Map<string, number>();
          try {
            for (let m = 0; m < MINUTES; m++) {
              SERVICES.forEach((s, i) => {
                const { from, length } = surges[i];
                if (i > 0) h.worlds.get(s)!.setLoad(m, (m >= from && m < from + length ? 60 : 1) * 60);
              });
              const { from, length } = surges[0];
              await h.minute(m, m >= from && m < from + length ? 60 : 1, async (now) => {
                const r = await reconcileFleet({ ...h.ports, queue }, now, memory, lateAt.has(m) ? { deadline: now } : {});
                expect(r.failed).toEqual([]);
                if (lateAt.get(m)) for (const s of r.handedOff) await reconcileOnce(h.ports, s, now + 20_000);
                // Nothing waits for ever: a service with acts left is acted on within the next on-time ticks.
                for (const s of SERVICES) {
                  if (r.handedOff.includes(s) && !lateAt.get(m)) waitingSince.set(s, waitingSince.get(s) ?? m);
                  else if (r.acted.includes(s) || r.observed.includes(s)) waitingSince.delete(s);
                  const since = waitingSince.get(s);
                  if (since !== undefined) expect(m - since).toBeLessThanOrEqual(15);
                }
                // Safe at every tick, for every service.
                for (const world of h.worlds.values()) {
                  const { api, alb } = world.dnsRecords();
                  if (alb && alb.weight > 0) expect(world.tierStatus()).toMatch(/^(CREATE|UPDATE)_COMPLETE$|^UPDATE_IN_PROGRESS$/);
                  if (world.tierStatus() === 'DELETE_IN_PROGRESS') expect(alb).toBeUndefined();
                  if (api && alb) expect(api.weight + alb.weight).toBeGreaterThan(0);
                }
              });
            }
            // Every service back where it started.
            for (const s of SERVICES) {
              expect((await h.store.readStatus(s))!.status.phase).toBe('lambda');
              expect(h.worlds.get(s)!.tierState()).toBe('absent');
            }
          } finally {
            await h.stop();
          }
        },
      ),
      { numRuns: 5 },
    );
  }, 300_000);
});
