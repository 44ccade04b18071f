import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { decide, type Condition, type Decision, type ServiceStatus, type StateStore } from '@lambdaflex/state';
import { applyActs, type Applied } from './act/apply';
import { planActs, type Plan } from './act/plan';
import { observe, ServiceSetupError, toObservation, type World } from './observe/observe';
import { RetryableAwsError, TerminalAwsError, type DnsPort, type MetricsPort, type ProbePort, type StackPort } from './ports';

/** Everything a tick talks to. One of each, created once per container. */
export interface ReconcilerPorts {
  store: StateStore;
  stacks: StackPort;
  dns: DnsPort;
  metrics: MetricsPort;
  probe: ProbePort;
  log: Logger;
}

export interface TickOptions {
  /** How long the lease holds if this tick dies without releasing it. */
  leaseMs?: number;
  /** Observe and decide, then stop: no lease, no act, no write (the CLI's `plan`). */
  dryRun?: boolean;
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

const DEFAULT_LEASE_MS = 5 * 60_000;
/** Rate points kept in the status item for the status page's chart. */
const RATE_POINTS = 60;

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
  const log = ports.log.child({ tick, service });
  if (options.dryRun) {
    const world = await observe(ports, service, now);
    return { service, tick, outcome: 'planned', world, ...decideAndPlan(world, now) };
  }

  if (!(await ports.store.acquireLease(service, tick, now, options.leaseMs ?? DEFAULT_LEASE_MS))) {
    log.info('lease.held');
    return { service, tick, outcome: 'skipped' };
  }
  try {
    return await tickUnderLease(ports, service, now, tick, log);
  } finally {
    await ports.store.releaseLease(service, tick).catch((err: Error) => log.warn({ error: err.message }, 'lease.release.failed'));
  }
}

async function tickUnderLease(ports: ReconcilerPorts, service: string, now: number, tick: string, log: Logger): Promise<TickResult> {
  let world: World;
  try {
    world = await observe(ports, service, now);
  } catch (err) {
    await recordObserveFailure(ports.store, service, err as Error, now, log);
    return { service, tick, outcome: 'failed', error: (err as Error).message };
  }
  const { decision, plan } = decideAndPlan(world, now);
  for (const t of decision.transitions) log.info({ from: t.from, to: t.to, reason: t.reason }, 'transition');

  // The ledger first: a tick that dies after this repeats an entry rather than losing one.
  for (const t of decision.transitions) await ports.store.appendHistory(service, t);

  let applied: Applied = {};
  let actError: Error | undefined;
  try {
    applied = await applyActs(plan.acts, ports, log);
  } catch (err) {
    actError = err as Error;
    log.warn({ error: actError.message, kind: actError.name }, 'act.failed');
  }
  if (plan.waiting.length) log.info({ waiting: plan.waiting }, 'waiting');

  const previous = world.status?.status;
  const status: ServiceStatus = {
    service,
    phase: decision.phase,
    conditions: actError ? degradedBy(decision.conditions, errorReason(actError, 'ActFailed'), actError.message) : decision.conditions,
    // Only a tick that finished its acts has observed this generation.
    observedGeneration: actError ? (previous?.observedGeneration ?? 0) : world.generation,
    lastTransition: decision.transitions.at(-1) ?? previous?.lastTransition,
    intent: decision.intent,
    snapshot: decision.snapshot,
    lastGoodPolicy: world.policy,
    dnsChange: applied.dnsChangeId
      ? { id: applied.dnsChangeId, submittedAt: new Date(now).toISOString() }
      : world.dnsInSync
        ? undefined
        : previous?.dnsChange,
    requestRates: [
      ...(previous?.requestRates ?? []).slice(-(RATE_POINTS - 1)),
      { at: new Date(now).toISOString(), totalRps: world.metrics.totalRpsUpWindow, albRps: world.metrics.albRpsMax },
    ],
    updatedAt: new Date(now).toISOString(),
  };
  await ports.store.writeStatus(status, world.status?.version);
  return { service, tick, outcome: actError ? 'failed' : 'reconciled', world, decision, plan, error: actError?.message };
}

/** The pure middle of a tick: the machine's decision, and the acts that bring the world to its intent. */
function decideAndPlan(world: World, now: number): { decision: Decision; plan: Plan } {
  const decision = decide(world.status?.status.snapshot, toObservation(world), now);
  const plan = decision.frozen
    ? { acts: [], waiting: ['paused'] }
    : planActs(decision.intent, world, decision.snapshot.context.lastTierChangeAt ?? 0);
  return { decision, plan };
}

/** The reason an error gives the Degraded condition: AWS said later, AWS said no, or `fallback`. */
function errorReason(err: Error, fallback: string): string {
  if (err instanceof ServiceSetupError) return err.reason;
  return err instanceof RetryableAwsError ? 'AwsRetrying' : err instanceof TerminalAwsError ? 'AwsRefused' : fallback;
}

function degradedBy(conditions: Condition[], reason: string, message: string): Condition[] {
  return conditions.map((c) => (c.type === 'Degraded' ? { type: 'Degraded', status: 'True', reason, message } : c));
}

/** A service that cannot be observed keeps its last status, marked Degraded with the reason. */
async function recordObserveFailure(store: StateStore, service: string, err: Error, now: number, log: Logger) {
  const reason = errorReason(err, 'ObserveFailed');
  log.warn({ error: err.message, reason }, 'observe.failed');
  const stored = await store.readStatus(service);
  if (!stored) return; // nothing to mark yet: the first successful tick writes the first status
  const conditions = degradedBy(stored.status.conditions, reason, err.message);
  await store.writeStatus({ ...stored.status, conditions, updatedAt: new Date(now).toISOString() }, stored.version);
}
