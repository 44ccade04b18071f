import { performance } from 'node:perf_hooks';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pino from 'pino';
import {
  createCostModel,
  LINE_ITEMS,
  offlineOptimum,
  optimumDelays,
  zeroItems,
  type AutoThresholds,
  type CostModel,
  type LineItem,
  type LineItems,
  type Optimum,
} from '@lambdaflex/cost';
import { createStateTable, StateStore, type Phase, type StatePort, type Policy, type TransitionRecord } from '@lambdaflex/state';
import { startDynalite } from '@lambdaflex/local-cloud';
import { reconcileOnce, type ReconcilerPorts } from '../reconcile';
import { allFargate, allLambda, type Baseline } from './baselines';
import { MemoryStateStore } from './memory-store';
import type { SimParams } from './params';
import { quietMinute, settledTick, type SettledTick } from './skip-ahead';
import type { Trace } from './trace';
import { SimulatedWorld } from './world';

/**
 * The simulation: one trace replayed, minute by minute, through LambdaFlex (the real `reconcileOnce`,
 * hence the real `decide()` and plan, over the simulated world's ports) and the single-tier baselines,
 * then the offline optimum over the same trace, the same prices and the same delays. A contender's cost
 * is what it paid; requests it did not serve are counted beside it, never priced.
 */

export const CONTENDERS = ['lambdaflex', 'all-lambda', 'all-fargate-uncapped', 'all-fargate-capped', 'optimum', 'placement'] as const;
export type ContenderId = (typeof CONTENDERS)[number];

/** The contenders' names in reports; the capped baseline's is completed with the policy's cap by {@link contenderLabel}. */
export const CONTENDER_LABELS: Record<ContenderId, string> = {
  lambdaflex: 'LambdaFlex',
  'all-lambda': 'all-Lambda',
  'all-fargate-uncapped': 'all-Fargate, no task cap',
  'all-fargate-capped': 'all-Fargate, capped',
  optimum: 'offline optimum (floor)',
  placement: 'best placement at the policy’s sizing',
};

/** A contender's name in a report of `policy`: the capped baseline says its cap. */
export function contenderLabel(id: ContenderId, policy: Policy): string {
  return id === 'all-fargate-capped' ? `all-Fargate, ≤ ${policy.fargate.maxTasks} tasks` : CONTENDER_LABELS[id];
}

/** The contenders that are real ways of running the service (the two optima are references). */
export const RUNNABLE: ContenderId[] = ['lambdaflex', 'all-lambda', 'all-fargate-uncapped', 'all-fargate-capped'];

/** The single-tier baselines "best single tier" is chosen from: the capped one is left out, as a cap is the policy's choice, not the tier's. */
export const SINGLE_TIERS: ContenderId[] = ['all-lambda', 'all-fargate-uncapped'];

/**
 * A minute counts as losing (or spilling) when more than this many requests were lost (or spilled) in
 * it: per-minute modelling is fractional, and less than a thousandth of a request is rounding.
 */
export const COUNTED_REQUESTS = 1e-3;

/** One contender's run. */
export interface Contender {
  id: ContenderId;
  label: string;
  /** USD paid over the trace: the sum of `items`. Lost requests are not in it. */
  total: number;
  items: LineItems;
  /** Requests served by either tier. */
  servedRequests: number;
  /** Requests not served (throttled, beyond the healthy tasks' capacity, sent to an ALB that is gone). 0 for the two optima, which serve everything. */
  lostRequests: number;
  /** `lostRequests` as a share (0–1) of every request of the trace. */
  lostShare: number;
  /** Minutes with any request lost (more than {@link COUNTED_REQUESTS}). */
  lostMinutes: number;
  /**
   * LambdaFlex only (0 for the others): minutes in which the tier handed requests to Lambda, either its
   * tasks spilling what was beyond their capacity or, in `fargate`, an ALB weight asked below 100.
   */
  spillMinutes: number;
  /** Tier stacks created plus deleted. */
  transitions: number;
  /** Minutes the tier stack existed. */
  tierMinutes: number;
  /** Cumulative USD at the end of each minute. */
  cumulative: Float64Array;
}

/** LambdaFlex minute by minute. */
export interface LambdaFlexMinutes {
  phase: Phase[];
  /** The ALB weight (0–100) the intent asked for, and the share (0–1) of requests measured going to the ALB. */
  albWeight: Float64Array;
  albShare: Float64Array;
  tasks: Float64Array;
  /** Requests the minute brought to either tier. */
  demand: Float64Array;
  /** Requests the ALB's healthy tasks could serve in the minute (0 without a live tier). */
  capacity: Float64Array;
  lambdaServed: Float64Array;
  albServed: Float64Array;
  /** Requests the ALB's tasks handed to Lambda, beyond their capacity. */
  spilled: Float64Array;
  /** Requests not served. */
  lost: Float64Array;
  coldStarts: Float64Array;
  cost: Record<LineItem, Float64Array>;
}

export interface SimulationOptions {
  trace: Trace;
  policy: Policy;
  params: SimParams;
  /** The derivation of `auto` thresholds, when the policy had them. */
  auto?: AutoThresholds;
  /** Where the reconciler keeps its state: in memory (default) or a real dynalite (slower). */
  store?: 'memory' | 'dynalite';
  /** Called every few hundred minutes and at the end. */
  onProgress?: (minute: number, total: number) => void;
  /**
   * Skip the ticks that provably change nothing (default true; see skip-ahead.ts): the same report,
   * many times faster. `false` runs `reconcileOnce` every minute.
   */
  skipAhead?: boolean;
}

export interface Simulation {
  trace: Trace;
  policy: Policy;
  params: SimParams;
  auto?: AutoThresholds;
  model: CostModel;
  contenders: Record<ContenderId, Contender>;
  lambdaflex: LambdaFlexMinutes;
  optimum: Optimum;
  /** Every transition the machine recorded, oldest first. */
  history: TransitionRecord[];
  /** Ticks that did not reconcile (a failed act, a skipped lease), with the first error. */
  tickProblems: { count: number; first?: string };
  /** Wall-clock milliseconds of the replay and of the optimum, and the minutes the replay ran `reconcileOnce` (the rest were skipped). */
  timing: { replayMs: number; optimumMs: number; ticks: number };
}

/** The cost model of a policy's task size and the simulator's workload and delays. */
export function modelFor(policy: Policy, params: SimParams): CostModel {
  return createCostModel({
    region: params.region,
    workload: params.workload,
    task: { cpu: policy.fargate.cpu, memoryMiB: policy.fargate.memoryMiB },
    timings: params.delays,
  });
}

const MINUTE_MS = 60_000;
const PROGRESS_EVERY = 500;

/** Runs every contender over the trace. */
export async function simulate(options: SimulationOptions): Promise<Simulation> {
  const { trace, policy, params } = options;
  const n = trace.requests.length;
  const model = modelFor(policy, params);
  const service = policy.service;
  const { store, stop } = await openStore(options.store ?? 'memory');
  try {
    await store.writePolicy(policy, undefined);
    const world = new SimulatedWorld(service, trace.start, trace.requests, policy, params, model);
    const ports: ReconcilerPorts = { store, stacks: world.stacks, dns: world.dns, metrics: world.metrics, probe: world.probe, log: pino({ level: 'silent' }) };
    const baselines: [ContenderId, Baseline][] = [
      ['all-lambda', allLambda(trace.requests, params, model)],
      ['all-fargate-uncapped', allFargate(trace.requests, params, model, policy, Infinity)],
      ['all-fargate-capped', allFargate(trace.requests, params, model, policy, policy.fargate.maxTasks)],
    ];
    const runs = Object.fromEntries(CONTENDERS.map((id) => [id, newRun(id, contenderLabel(id, policy), n)])) as Record<ContenderId, Run>;
    const lf = newLambdaFlexMinutes(n);
    const history: TransitionRecord[] = [];
    const tickProblems: Simulation['tickProblems'] = { count: 0 };
    let phase: Phase = 'lambda';
    const skipAhead = options.skipAhead ?? true;
    let settled: SettledTick | undefined;
    let ticks = 0;
    // One object takes each contender's line items in turn, minute after minute (see takeItems).
    const items = zeroItems();
    const costSeries = LINE_ITEMS.map((k) => lf.cost[k]);

    /** Serves minute `m` in the world and in the baselines, and records it: every minute, its tick skipped or not. */
    const account = (m: number) => {
      const w = world.serve(m, items);
      lf.phase[m] = phase;
      lf.albShare[m] = w.albShare;
      lf.tasks[m] = w.tasksBilled;
      lf.demand[m] = w.demand;
      lf.capacity[m] = w.capacity;
      lf.lambdaServed[m] = w.lambdaServed;
      lf.albServed[m] = w.albServed;
      lf.spilled[m] = w.spilled;
      lf.lost[m] = w.shortfall;
      lf.coldStarts[m] = w.coldStarts;
      const usd = takeItems(items);
      for (let i = 0; i < usd.length; i++) costSeries[i][m] = usd[i];
      collect(runs.lambdaflex, m, usd, w.lambdaServed + w.albServed, w.shortfall, w.tierExists);
      // In `fargate`, a weight asked below 100 hands load to Lambda on purpose: spilling too, as much as the tasks' handing over.
      if (w.spilled > COUNTED_REQUESTS || (phase === 'fargate' && lf.albWeight[m] < 100)) runs.lambdaflex.spillMinutes++;

      for (const [id, baseline] of baselines) {
        const minute = baseline.step(m, items);
        collect(runs[id], m, takeItems(items), minute.served, minute.lost, id !== 'all-lambda');
      }
      if (options.onProgress && (m % PROGRESS_EVERY === 0 || m === n - 1)) options.onProgress(m + 1, n);
    };
    /**
     * Advances the world from minute `m` on and replays the minutes whose tick skip-ahead may skip (a
     * fixed point: the same phase and intent, nothing done); returns the first whose tick must run, or
     * `n`. Synchronous, so that a long quiet stretch runs as one tight loop between two awaited ticks.
     */
    const skipQuietMinutes = (m: number): number => {
      for (; m < n; m++) {
        world.advance(m);
        const quiet = settled && quietMinute(settled, world, trace.start + m * MINUTE_MS);
        if (!quiet) return m;
        settled = quiet;
        lf.albWeight[m] = lf.albWeight[m - 1];
        account(m);
      }
      return n;
    };

    const started = performance.now();
    // Every minute whose tick must run: the real reconcileOnce, then the minute served as any other.
    for (let m = skipQuietMinutes(0); m < n; m = skipQuietMinutes(m + 1)) {
      const result = await reconcileOnce(ports, service, trace.start + m * MINUTE_MS);
      ticks++;
      settled = skipAhead ? settledTick(result) : undefined;
      if (result.outcome !== 'reconciled') {
        tickProblems.count++;
        tickProblems.first ??= `minute ${m}: ${result.outcome}${result.error ? `: ${result.error}` : ''}`;
      }
      if (result.decision) {
        phase = result.decision.phase;
        history.push(...result.decision.transitions);
        lf.albWeight[m] = result.decision.intent.weights.alb;
      } else if (m > 0) lf.albWeight[m] = lf.albWeight[m - 1];
      account(m);
    }
    runs.lambdaflex.transitions = world.stacksCreated + world.stacksDeleted;
    const replayMs = performance.now() - started;
    for (const id of RUNNABLE) runs[id].items = lineItems(runs[id].sums);

    const t0 = performance.now();
    const delays = optimumDelays(model);
    const optimum = offlineOptimum(trace.requests, model, delays);
    const optimumMs = performance.now() - t0;
    // The same search with tasks sized as the policy sizes them: what the switching alone could reach.
    const placement = offlineOptimum(trace.requests, model, delays, {
      minTasks: policy.fargate.minTasks,
      rpsPerTask: Math.min(policy.fargate.targetRpsPerTask, model.taskCapacityPerMinute / 60),
    });
    fromOptimum(runs.optimum, optimum, trace.requests);
    fromOptimum(runs.placement, placement, trace.requests);

    const offered = trace.requests.reduce((a, b) => a + b, 0);
    const contenders = Object.fromEntries(CONTENDERS.map((id) => [id, finish(runs[id], offered)])) as Record<ContenderId, Contender>;
    return { trace, policy, params, auto: options.auto, model, contenders, lambdaflex: lf, optimum, history, tickProblems, timing: { replayMs, optimumMs, ticks } };
  } finally {
    await stop();
  }
}

interface Run extends Contender {
  /** Running total, for the cumulative series. */
  running: number;
  /** The running `items` of a replayed contender, in LINE_ITEMS order. */
  sums: Float64Array;
}

function fromOptimum(run: Run, o: Optimum, requests: Float64Array) {
  for (let m = 0; m < o.perMinute.length; m++) {
    run.running += o.perMinute[m];
    run.cumulative[m] = run.running;
    if (o.states[m] !== 'off') run.tierMinutes++;
    run.servedRequests += requests[m];
  }
  run.items = o.items;
  run.transitions = o.transitions;
}

function newRun(id: ContenderId, label: string, n: number): Run {
  return {
    id,
    label,
    total: 0,
    running: 0,
    sums: new Float64Array(LINE_ITEMS.length),
    items: zeroItems(),
    servedRequests: 0,
    lostRequests: 0,
    lostShare: 0,
    lostMinutes: 0,
    spillMinutes: 0,
    transitions: 0,
    tierMinutes: 0,
    cumulative: new Float64Array(n),
  };
}

const NO_ITEMS = zeroItems();

/**
 * A minute's line items, in LINE_ITEMS order, and `items` zeroed for the next: made by zeroItems(), its
 * keys are the LINE_ITEMS in order, and the charges only add to them.
 */
function takeItems(items: LineItems): number[] {
  const usd = Object.values(items);
  Object.assign(items, NO_ITEMS);
  return usd;
}

function lineItems(sums: Float64Array): LineItems {
  return Object.fromEntries(LINE_ITEMS.map((k, i) => [k, sums[i]])) as LineItems;
}

/** Adds a contender's minute (its line items in LINE_ITEMS order) into its run. */
function collect(run: Run, minute: number, usd: number[], served: number, lost: number, tier: boolean) {
  run.servedRequests += served;
  let total = 0; // totalOf(items), summed in the same order
  for (let i = 0; i < usd.length; i++) {
    run.sums[i] += usd[i];
    total += usd[i];
  }
  run.running += total;
  run.cumulative[minute] = run.running;
  run.lostRequests += lost;
  if (lost > COUNTED_REQUESTS) run.lostMinutes++;
  if (tier) run.tierMinutes++;
}

function finish(run: Run, offered: number): Contender {
  const { running, sums: _sums, ...contender } = run;
  return { ...contender, total: running, lostShare: offered > 0 ? run.lostRequests / offered : 0 };
}

function newLambdaFlexMinutes(n: number): LambdaFlexMinutes {
  const f = () => new Float64Array(n);
  return {
    phase: new Array<Phase>(n),
    albWeight: f(),
    albShare: f(),
    tasks: f(),
    demand: f(),
    capacity: f(),
    lambdaServed: f(),
    albServed: f(),
    spilled: f(),
    lost: f(),
    coldStarts: f(),
    cost: Object.fromEntries(LINE_ITEMS.map((k) => [k, f()])) as Record<LineItem, Float64Array>,
  };
}

async function openStore(kind: 'memory' | 'dynalite'): Promise<{ store: StatePort; stop: () => Promise<void> }> {
  if (kind === 'memory') return { store: new MemoryStateStore(), stop: async () => undefined };
  const db = await startDynalite();
  await createStateTable(db.client, 'simulation');
  const store = new StateStore(DynamoDBDocumentClient.from(db.client, { marshallOptions: { removeUndefinedValues: true } }), 'simulation');
  return { store, stop: () => db.stop() };
}
