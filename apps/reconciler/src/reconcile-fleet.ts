import { createHash, randomUUID } from 'node:crypto';
import Bottleneck from 'bottleneck';
import { LEASE_TTL_MS, type FleetItem, type StoredStatus } from '@lambdaflex/state';
import { observeFleet, type World } from './observe/observe';
import { actUnderLease, decideAndPlan, LeaseLostError, leaseFence, tickClock, type ReconcilerPorts, type TickResult } from './reconcile';
import { nextStatus, statusChanged } from './status/next-status';

/** What the coordinator keeps between ticks of one container: when it last looked at each service. */
export interface FleetMemory {
  lookedAt: Map<string, number>;
}

export function createFleetMemory(): FleetMemory {
  return { lookedAt: new Map() };
}

export interface FleetTickOptions {
  /** The tick's own clock (lease checks, the deadline); by default `now` plus the time the tick has run. */
  clock?: () => number;
  /** After this time (epoch ms) the tick acts on no further service itself: the rest go to the queue. Default now + 40 s. */
  deadline?: number;
  /** An unchanged status is written at most this often, so the status page still shows freshness. Default 5 min. */
  heartbeatMs?: number;
  leaseMs?: number;
  /** Services written or acted on at once. Default 8. */
  concurrency?: number;
  /**
   * Scales every intent's `lookAgainAfterSeconds`: 1 on the one-minute schedule; the local cloud, whose
   * policy windows are seconds where the defaults' are minutes, passes 1/60.
   */
  lookAgainScale?: number;
}

/** What one fleet tick did, service by service. */
export interface FleetTickResult {
  tick: string;
  /** Services with a policy. */
  services: number;
  /** Looked at: observed and decided this tick. */
  observed: string[];
  /** Settled, and not due again yet (the last intent's `lookAgainAfterSeconds`). */
  notDue: string[];
  /** Acted on (or recorded a transition) under their lease, here. */
  acted: string[];
  /** Handed to the work queue: this tick had no time left to act on them. */
  handedOff: string[];
  /** Had acts to do and neither time nor a queue: the next tick comes back to them first. */
  waiting: string[];
  /** Another tick held the lease. */
  leaseHeld: string[];
  failed: { service: string; error: string }[];
  /** Status items written (changed, or a heartbeat). */
  statusWrites: number;
  /** Every tick of a service that was acted on or decided, for the handler's metrics. */
  results: TickResult[];
}

const DEFAULT_HEARTBEAT_MS = 5 * 60_000;
const DEFAULT_BUDGET_MS = 40_000;
const DEFAULT_CONCURRENCY = 8;

/**
 * One tick for the whole fleet, in a few calls however many services there are:
 *
 *   fleet read ─▶ due? ─▶ observe all due at once ─▶ decide + plan each (pure)
 *     ─▶ nothing to do: write the status only if it changed (or as a heartbeat)
 *     ─▶ acts: under the service's lease, here while time lasts, else handed to the queue
 *
 * Services are taken in an order that rotates every tick, so when time runs out it is never the same
 * ones that wait. Each service's part is level-triggered as in {@link reconcileOnce}: a tick that dies
 * anywhere is finished by the next one.
 */
export async function reconcileFleet(ports: ReconcilerPorts, now: number, memory: FleetMemory, options: FleetTickOptions = {}): Promise<FleetTickResult> {
  const tick = randomUUID();
  const clock = options.clock ?? tickClock(now);
  const deadline = options.deadline ?? now + DEFAULT_BUDGET_MS;
  const log = ports.log.child({ tick });
  const fleet = (await ports.store.readFleet()).filter((item) => item.policy);
  const result: FleetTickResult = { tick, services: fleet.length, observed: [], notDue: [], acted: [], handedOff: [], waiting: [], leaseHeld: [], failed: [], statusWrites: 0, results: [] };

  const due = rotate(fleet, now).filter((item) => {
    if (isDue(item, memory, now, options.lookAgainScale ?? 1)) return true;
    result.notDue.push(item.service);
    return false;
  });
  let worlds: Map<string, World | Error>;
  try {
    worlds = await observeFleet(ports, due, now);
  } catch (err) {
    // A fleet read failed (after the SDK's retries): nothing is decided on half a picture; the next tick reads again.
    log.warn({ error: (err as Error).message, services: due.length }, 'fleet.observe.failed');
    for (const item of due) result.failed.push({ service: item.service, error: (err as Error).message });
    return result;
  }

  // Deciding is pure and quick: all of it first, in the rotated order; then the acts, then the status
  // writes, a few services at a time (their AWS calls wait their turn in the rate limiters anyway).
  const acts: { service: string; run: () => Promise<void> }[] = [];
  const writes: typeof acts = [];
  for (const item of due) {
    const world = worlds.get(item.service);
    if (!world || world instanceof Error) {
      const error = world ?? new Error('not observed');
      result.failed.push({ service: item.service, error: error.message });
      const write = statusWrite(ports, item.status, nextStatus(item.status, { kind: 'observe-failed', error }, now), now, options, result);
      if (write) writes.push({ service: item.service, run: write });
      continue;
    }
    result.observed.push(item.service);
    memory.lookedAt.set(item.service, now);
    let decided: ReturnType<typeof decideAndPlan>;
    try {
      decided = decideAndPlan(world, now);
    } catch (err) {
      result.failed.push({ service: item.service, error: (err as Error).message });
      continue;
    }
    if (!decided.plan.acts.length && !decided.decision.transitions.length) {
      result.results.push({ service: item.service, tick, outcome: 'reconciled', world, ...decided });
      const write = statusWrite(ports, item.status, nextStatus(item.status, { kind: 'decided', world, decision: decided.decision }, now), now, options, result);
      if (write) writes.push({ service: item.service, run: write });
      continue;
    }
    acts.push({ service: item.service, run: async () => {
      if (clock() >= deadline) {
        (ports.queue ? result.handedOff : result.waiting).push(item.service);
        // Looked at, not finished: due again on the next tick whatever its intent says.
        memory.lookedAt.delete(item.service);
        return;
      }
      const r = await actOn(ports, world, decided, now, clock, options.leaseMs ?? LEASE_TTL_MS, tick);
      if (r.outcome === 'skipped') result.leaseHeld.push(item.service);
      else {
        result.acted.push(item.service);
        result.statusWrites++;
        if (r.outcome === 'failed') result.failed.push({ service: item.service, error: r.error ?? 'failed' });
      }
      result.results.push(r);
    } });
  }
  const lanes = new Bottleneck({ maxConcurrent: options.concurrency ?? DEFAULT_CONCURRENCY });
  await Promise.all(
    [...acts, ...writes].map(({ service, run }) =>
      lanes.schedule(() =>
        run().catch((err: Error) => {
          log.error({ service, error: err.message }, 'tick.failed');
          result.failed.push({ service, error: err.message });
        }),
      ),
    ),
  );
  // Not finished: due again on the next tick, whatever their intents say.
  for (const service of [...result.leaseHeld, ...result.failed.map((f) => f.service)]) memory.lookedAt.delete(service);
  if (result.handedOff.length) {
    try {
      await ports.queue!.enqueue(result.handedOff, tick);
    } catch (err) {
      log.warn({ error: (err as Error).message, services: result.handedOff.length }, 'queue.failed');
      result.waiting.push(...result.handedOff.splice(0));
    }
  }
  log.info(
    { services: result.services, observed: result.observed.length, acted: result.acted.length, handedOff: result.handedOff.length, waiting: result.waiting.length, failed: result.failed.length, statusWrites: result.statusWrites },
    'fleet.tick',
  );
  return result;
}

/**
 * A service is due when its last intent's `lookAgainAfterSeconds` has passed since this container last
 * looked at it, or when something a person did may have changed it (a new policy generation), or when
 * this container has not looked at it yet.
 */
function isDue(item: FleetItem, memory: FleetMemory, now: number, scale: number): boolean {
  const status = item.status?.status;
  const lookedAt = memory.lookedAt.get(item.service);
  if (!status || lookedAt === undefined) return true;
  if (item.policy && item.policy.generation !== status.observedGeneration) return true;
  return now - lookedAt >= status.intent.lookAgainAfterSeconds * 1000 * scale;
}

/** The fleet, starting at a place that moves on every minute. */
function rotate<T>(items: readonly T[], now: number): T[] {
  if (!items.length) return [];
  const start = Math.floor(now / 60_000) % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

/**
 * Acts on one service under its lease. The fleet read is eventually consistent and may be a tick old,
 * so the status is read again under the lease: if another tick wrote it since, this one leaves the
 * service to the next tick rather than act on a stale picture.
 */
async function actOn(
  ports: ReconcilerPorts,
  world: World,
  decided: ReturnType<typeof decideAndPlan>,
  now: number,
  clock: () => number,
  leaseMs: number,
  tick: string,
): Promise<TickResult> {
  const service = world.service;
  const lease = await ports.store.acquireLease(service, tick, clock(), leaseMs);
  if (!lease) return { service, tick, outcome: 'skipped' };
  const log = ports.log.child({ tick, service, epoch: lease.epoch });
  try {
    const current = await ports.store.readStatus(service);
    if ((current?.version ?? 0) !== (world.status?.version ?? 0)) {
      log.info({ read: world.status?.version, now: current?.version }, 'status.moved');
      return { service, tick, outcome: 'skipped' };
    }
    return await actUnderLease(ports, world, decided, now, { tick, fence: leaseFence(lease, leaseMs, clock), log });
  } catch (err) {
    if (err instanceof LeaseLostError) log.warn({ error: err.message }, 'lease.lost');
    throw err;
  } finally {
    await ports.store.releaseLease(lease).catch((err: Error) => log.warn({ error: err.message }, 'lease.release.failed'));
  }
}

/**
 * A service's own heartbeat, between 60 % and 100 % of `heartbeatMs` by a hash of its name: statuses
 * first written in the same tick drift apart, rather than all being rewritten in one tick every 5 minutes.
 */
function heartbeatOf(service: string, heartbeatMs: number): number {
  const spread = createHash('sha1').update(service).digest().readUInt16BE(0) / 0xffff;
  return heartbeatMs * (0.6 + 0.4 * spread);
}

/**
 * The write of a status with nothing acted on, when it says something new or is due as a heartbeat
 * (undefined when there is nothing to write); never under a lease, so on the version and stored fence.
 */
function statusWrite(
  ports: ReconcilerPorts,
  previous: StoredStatus | undefined,
  next: ReturnType<typeof nextStatus>,
  now: number,
  options: FleetTickOptions,
  result: FleetTickResult,
): (() => Promise<void>) | undefined {
  if (!next) return undefined;
  const stale = previous === undefined || now - Date.parse(previous.status.updatedAt) >= heartbeatOf(next.service, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  if (!stale && !statusChanged(previous?.status, next)) return undefined;
  return async () => {
    await ports.store.writeStatus(next, previous?.version, previous?.fence);
    result.statusWrites++;
  };
}
