import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { decide, LEASE_SAFETY_MS, LEASE_TTL_MS, type Decision, type Lease, type StatePort, type StoredStatus, type WorkQueuePort } from '@lambdaflex/state';
import { applyActs } from './act/apply';
import { planActs, type Plan } from './act/plan';
import { observe, toObservation, type World } from './observe/observe';
import type { DnsPort, MetricsPort, ProbePort, StackPort } from './ports';
import { isStalled, nextStatus, type TickEnd } from './status/next-status';

/** Everything a tick talks to. One of each, created once per container. */
export interface ReconcilerPorts {
  store: StatePort;
  stacks: StackPort;
  dns: DnsPort;
  metrics: MetricsPort;
  probe: ProbePort;
  log: Logger;
  /** Where the fleet tick hands per-service work it has no time for (the control stack's queue). */
  queue?: WorkQueuePort;
}

export interface TickOptions {
  /** How long the lease holds if this tick dies without releasing it. */
  leaseMs?: number;
  /** Observe and decide, then stop: no lease, no act, no write (the CLI's `plan`). */
  dryRun?: boolean;
  /**
   * The tick's own clock, read before each act and write to check the lease still has time left;
   * by default `now` plus the time this tick has run (so a simulated `now` works alike).
   */
  clock?: () => number;
}

/** What one tick did for one service. */
export interface TickResult {
  service: string;
  tick: string;
  outcome: 'reconciled' | 'planned' | 'skipped' | 'failed';
  world?: World;
  decision?: Decision;
  plan?: Plan;
  error?: string;
}

/** A tick's lease ran out (or is about to) before it finished: it stops, and the next holder goes on. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/**
 * One level-triggered tick for one service:
 *
 *   lease ─▶ observe ─▶ decide (pure) ─▶ plan (pure) ─▶ history ─▶ act ─▶ status ─▶ release
 *
 * Every step re-reads the world rather than trusting the last tick, and every act is idempotent
 * (deterministic tokens, UPSERTs), so a tick that dies anywhere is finished by the next one.
 */
export async function reconcileOnce(ports: ReconcilerPorts, service: string, now: number, options: TickOptions = {}): Promise<TickResult> {
  const tick = randomUUID();
  if (options.dryRun) {
    const world = await observe(ports, service, now);
    return { service, tick, outcome: 'planned', world, ...decideAndPlan(world, now) };
  }
  const leaseMs = options.leaseMs ?? LEASE_TTL_MS;
  const clock = options.clock ?? tickClock(now);
  const lease = await ports.store.acquireLease(service, tick, now, leaseMs);
  const log = ports.log.child({ tick, service, epoch: lease?.epoch });
  if (!lease) {
    log.info('lease.held');
    return { service, tick, outcome: 'skipped' };
  }
  const fence = leaseFence(lease, leaseMs, clock);
  try {
    let world: World;
    try {
      world = await observe(ports, service, now);
    } catch (err) {
      log.warn({ error: (err as Error).message }, 'observe.failed');
      await writeOnce(ports.store, await ports.store.readStatus(service), { kind: 'observe-failed', error: err as Error }, now, fence);
      return { service, tick, outcome: 'failed', error: (err as Error).message };
    }
    return await actUnderLease(ports, world, decideAndPlan(world, now), now, { tick, fence, log });
  } catch (err) {
    if (err instanceof LeaseLostError) log.warn({ error: err.message }, 'lease.lost');
    throw err;
  } finally {
    await ports.store.releaseLease(lease).catch((err: Error) => log.warn({ error: err.message }, 'lease.release.failed'));
  }
}

/** A tick's lease, checked with the tick's own clock before each act and write. */
export interface Fence {
  lease: Lease;
  /** @throws LeaseLostError when the lease has less than its safety margin left. */
  check(before: string): void;
}

export function leaseFence(lease: Lease, leaseMs: number, clock: () => number): Fence {
  // Short local leases (seconds) keep a proportionate margin.
  const margin = Math.min(LEASE_SAFETY_MS, Math.floor(leaseMs / 4));
  return {
    lease,
    check(before) {
      const left = lease.expiresAtMs - clock();
      if (left < margin) throw new LeaseLostError(`lease epoch ${lease.epoch} of ${lease.service} has ${Math.max(0, left)} ms left, under ${margin} ms: not ${before}`);
    },
  };
}

/** `now` plus the time since this call: the tick's own clock, alike for real and simulated time. */
export function tickClock(now: number): () => number {
  const started = performance.now();
  return () => now + (performance.now() - started);
}

/**
 * The part of a tick that changes anything, under its lease: the ledger first (a tick that dies after
 * it repeats an entry rather than losing one), then the acts, then the status, once. A stalled service
 * (AWS refused an act for this policy generation and image) records and writes, but does not act.
 */
export async function actUnderLease(
  ports: ReconcilerPorts,
  world: World,
  { decision, plan }: { decision: Decision; plan: Plan },
  now: number,
  { tick, fence, log }: { tick: string; fence: Fence; log: Logger },
): Promise<TickResult> {
  const service = world.service;
  for (const t of decision.transitions) log.info({ from: t.from, to: t.to, reason: t.reason }, 'transition');
  for (const t of decision.transitions) {
    fence.check('appending history');
    await ports.store.appendHistory(service, t);
  }
  const stalled = isStalled(world.status?.status, world);
  const acts = stalled ? [] : plan.acts;
  if (stalled && plan.acts.length) log.warn({ acts: plan.acts.map((a) => a.type), stalled: world.status?.status.stalled }, 'acts.stalled');

  let dnsChangeId: string | undefined;
  let actError: Error | undefined;
  try {
    dnsChangeId = (await applyActs(acts, ports, log, () => fence.check('acting'))).dnsChangeId;
  } catch (err) {
    if (err instanceof LeaseLostError) throw err;
    actError = err as Error;
    log.warn({ error: actError.message, kind: actError.name }, 'act.failed');
  }
  if (plan.waiting.length) log.info({ waiting: plan.waiting }, 'waiting');
  await writeOnce(ports.store, world.status, { kind: 'decided', world, decision, dnsChangeId, actError }, now, fence);
  return { service, tick, outcome: actError ? 'failed' : 'reconciled', world, decision, plan: { ...plan, acts }, error: actError?.message };
}

/** Builds the next status and writes it once: under a lease with its epoch as the fence, or on the version alone. */
export async function writeOnce(store: StatePort, previous: StoredStatus | undefined, end: TickEnd, now: number, fence?: Fence): Promise<void> {
  const status = nextStatus(previous, end, now);
  if (!status) return;
  fence?.check('writing the status');
  await store.writeStatus(status, previous?.version, fence?.lease.epoch ?? previous?.fence);
}

/** The pure middle of a tick: the machine's decision, and the acts that bring the world to its intent. */
export function decideAndPlan(world: World, now: number): { decision: Decision; plan: Plan } {
  const decision = decide(world.status?.status.snapshot, toObservation(world), now);
  const plan = decision.frozen
    ? { acts: [], waiting: ['paused'] }
    : planActs(decision.intent, world, decision.snapshot.context.lastTierChangeAt ?? 0);
  return { decision, plan };
}
