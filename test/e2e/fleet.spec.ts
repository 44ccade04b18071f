import {
  CYCLE_PROFILE,
  failed,
  runLoad,
  startLocalStack,
  type Answer,
  type FleetLine,
  type LocalStack,
  type TickLine,
} from '@lambdaflex/local-cloud';
import type { StoredStatus, TransitionRecord } from '@lambdaflex/state';
import { CYCLE_PHASES, phaseSequence, waitFor } from '../support/e2e';

/**
 * A fleet in the local cloud: the pet store (real processes) and three extra services (no process;
 * records, stacks and metrics of their own) reconciled by one fleet tick a second. The pet store goes
 * through its whole cycle under the cycle profile's load; two extra services stay idle in lambda, and
 * one is given a request rate above its up-threshold, then none. Bounded as the cycle suite: about
 * three minutes, a few thousand requests, 127.0.0.1 only.
 */

const PHASES = CYCLE_PHASES;
const IDLE = ['billing', 'orders'];
const BUSY = 'search';
const HEARTBEAT_S = 10; // the local reconciler's heartbeat: 10 ticks of 1 s
/** The busy service's load: above LOCAL_POLICY's up-threshold (15 rps) for long enough to leave lambda. */
const BUSY_RPS = 30;
const BUSY_SECONDS = 40;

const degraded = (s: StoredStatus | undefined) => s?.status.conditions.find((c) => c.type === 'Degraded' && c.status === 'True');

describe('a fleet of four services through one local reconciler', () => {
  const ticks: TickLine[] = [];
  const fleet: FleetLine[] = [];
  let stack: LocalStack;
  let answers: Answer[] = [];
  let requests = 0;
  let failures = 0;
  let seconds = 0;
  const statuses = new Map<string, StoredStatus | undefined>();
  const histories = new Map<string, TransitionRecord[]>();

  beforeAll(async () => {
    // Arrange
    const started = Date.now();
    stack = await startLocalStack({ extraServices: [...IDLE, BUSY], onTick: (t) => ticks.push(t), onFleet: (f) => fleet.push(f) });
    // Act: the pet store under the cycle profile; the busy service given traffic through the control API meanwhile
    const busy = (async () => {
      await new Promise((r) => setTimeout(r, 10_000));
      await setRate(BUSY, BUSY_RPS);
      await new Promise((r) => setTimeout(r, BUSY_SECONDS * 1000));
      await setRate(BUSY, 0);
    })();
    const result = await runLoad(stack.cloud.edgeUrl, CYCLE_PROFILE);
    await busy;
    answers = result.answers;
    requests = result.requests;
    failures = result.failures;
    await waitFor(() => phaseSequence(ticks).length >= PHASES.length && ticks.at(-1)?.phase === 'lambda' && !stack.cloud.stacks.tier, 60_000);
    seconds = (Date.now() - started) / 1000;
    for (const service of [stack.service, ...IDLE, BUSY]) {
      statuses.set(service, await stack.store.readStatus(service));
      histories.set(service, (await stack.store.listHistory(service, { limit: 100 })).items.reverse());
    }
  }, 300_000);

  async function setRate(service: string, rps: number) {
    const res = await fetch(`${stack.cloud.controlUrl}/traffic/${service}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rps }) });
    expect(res.status).toBe(200);
  }

  afterAll(async () => {
    const lines = [...statuses].map(([service, s]) => {
      const path = (histories.get(service) ?? []).map((t) => `${t.from}→${t.to} (${t.reason})`).join(', ') || 'no transition';
      const dns = service === stack?.service ? stack.cloud.dns : stack?.cloud.extras.get(service)?.dns;
      return `  ${service}: ${s?.status.phase}, status version ${s?.version}, ${dns?.submitted.length} record change(s), degraded: ${degraded(s)?.reason ?? 'no'}; ${path}`;
    });
    const phaseAt = (at: number) => ticks.filter((t) => t.at <= at && t.phase).at(-1)?.phase;
    for (const f of answers.filter(failed).slice(0, 5)) {
      lines.push(`  failed: ${new Date(f.at).toISOString()} in ${phaseAt(f.at)}: ${f.error ?? f.status} ${f.tier ?? ''} ${f.detail ?? ''}`);
    }
    const writes = fleet.reduce((n, f) => n + f.statusWrites, 0);
    const slowest = Math.max(0, ...fleet.map((f) => f.ms));
    const outcomes = [...new Set(ticks.map((t) => t.outcome))].map((o) => `${ticks.filter((t) => t.outcome === o).length} ${o}`);
    process.stdout.write(
      `\ne2e fleet: ${requests} requests, failed requests: ${failures}; ${fleet.length} fleet ticks in ${seconds.toFixed(0)} s, ` +
        `${writes} status writes, failed service ticks: ${fleet.reduce((n, f) => n + f.failed, 0)}, slowest tick ${slowest} ms; ` +
        `${stack?.service} ticks: ${outcomes.join(', ')}\n${lines.join('\n')}\n`,
    );
    await stack?.stop();
  }, 60_000);

  it('takes the pet store through every phase, in order, losing no request', () => {
    expect(phaseSequence(ticks)).toEqual(PHASES);
    expect(requests).toBeGreaterThan(1500);
    expect(answers.filter(failed)).toEqual([]);
  });

  it('reconciles every service in each tick', () => {
    expect(fleet.length).toBeGreaterThan(60);
    for (const f of fleet) expect(f.services).toBe(4);
  });

  it.each(IDLE)('keeps idle %s in lambda: its api record UPSERTed once, no transition, not degraded', (service) => {
    const status = statuses.get(service);
    expect(status?.status.phase).toBe('lambda');
    expect(degraded(status)).toBeUndefined();
    expect(histories.get(service)).toEqual([]);
    expect(stack.cloud.extras.get(service)!.dns.submitted).toEqual([
      { id: expect.any(String), at: expect.any(Number), changes: [{ action: 'UPSERT', record: expect.objectContaining({ setIdentifier: 'api', weight: 100 }) }] },
    ]);
  });

  it.each(IDLE)('writes idle %s’s unchanged status only as a heartbeat', (service) => {
    // A tick a second: written every tick, the version would be about `seconds`. Here: the first write
    // (with the UPSERT), the change once in sync, then a heartbeat every HEARTBEAT_S or a little more.
    const version = statuses.get(service)!.version;
    expect(version).toBeGreaterThanOrEqual(Math.floor(seconds / (2 * HEARTBEAT_S)));
    expect(version).toBeLessThanOrEqual(Math.ceil(seconds / HEARTBEAT_S) + 5);
  });

  it('takes the busy service through its own cycle on its own traffic, without degrading the others', () => {
    // Its tier has no process, so its cycle depends on the reconciler alone: up on the load, down once it is gone.
    const busy = histories.get(BUSY) ?? [];
    expect(busy[0]).toMatchObject({ from: 'lambda', to: 'warming', reason: 'LoadAboveThreshold' });
    expect(busy.map((t) => t.to).filter((p, i, all) => p !== all[i - 1])).toEqual(PHASES.slice(1));
    expect(statuses.get(BUSY)?.status.phase).toBe('lambda');
    expect(stack.cloud.extras.get(BUSY)!.stacks.tier).toBeUndefined();
    expect(degraded(statuses.get(BUSY))).toBeUndefined();
    expect(degraded(statuses.get(stack.service))).toBeUndefined();
  });
});
