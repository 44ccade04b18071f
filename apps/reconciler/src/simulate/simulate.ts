import { performance } from 'node:perf_hooks';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pino from 'pino';
import {
  createCostModel,
  LINE_ITEMS,
  offlineOptimum,
  optimumDelays,
  totalOf,
  zeroItems,
  type AutoThresholds,
  type CostModel,
  type LineItem,
  type LineItems,
  type Optimum,
} from '@lambdaflex/cost';
import { createStateTable, StateStore, type Phase, type Policy, type TransitionRecord } from '@lambdaflex/state';
import { startDynalite } from '@lambdaflex/local-cloud';
import { reconcileOnce, type ReconcilerPorts } from '../reconcile';
import { allFargate, allLambda, type Baseline } from './baselines';
import { MemoryStateStore } from './memory-store';
import type { SimParams } from './params';
import type { Trace } from './trace';
import { SimulatedWorld } from './world';

/**
 * The simulation: one trace replayed, minute by minute, through LambdaFlex (the real `reconcileOnce`,
 * hence the real `decide()` and plan, over the simulated world's ports) and the single-tier baselines,
 * then the offline optimum over the same trace, the same prices and the same delays.
 */

export const CONTENDERS = ['lambdaflex', 'all-lambda', 'all-fargate-1', 'all-fargate-2', 'optimum', 'placement'] as const;
export type ContenderId = (typeof CONTENDERS)[number];

export const CONTENDER_LABELS: Record<ContenderId, string> = {
  lambdaflex: 'LambdaFlex',
  'all-lambda': 'all-Lambda',
  'all-fargate-1': 'all-Fargate (min 1 task)',
  'all-fargate-2': 'all-Fargate (min 2 tasks)',
  optimum: 'offline optimum (floor)',
  placement: 'best placement at the policy’s sizing',
};

/** The contenders that are real ways of running the service (the two optima are references). */
export const RUNNABLE: ContenderId[] = ['lambdaflex', 'all-lambda', 'all-fargate-1', 'all-fargate-2'];

/** One contender's run. */
export interface Contender {
  id: ContenderId;
  label: string;
  total: number;
  items: LineItems;
  /** Requests served by either tier. */
  servedRequests: number;
  /** Requests not served (throttled, beyond capacity, sent to a deleted ALB). */
  shortfallRequests: number;
  /** Minutes with any shortfall (more than a thousandth of a request). */
  shortfallMinutes: number;
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
  /** The ALB weight the intent asked for, and the share of requests that went to the ALB. */
  albWeight: Float64Array;
  albShare: Float64Array;
  tasks: Float64Array;
  lambdaServed: Float64Array;
  albServed: Float64Array;
  shortfall: Float64Array;
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
  /** Wall-clock milliseconds of the replay and of the optimum. */
  timing: { replayMs: number; optimumMs: number };
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
      ['all-fargate-1', allFargate(trace.requests, params, model, policy, 1)],
      ['all-fargate-2', allFargate(trace.requests, params, model, policy, 2)],
    ];
    const runs = Object.fromEntries(CONTENDERS.map((id) => [id, newRun(id, n)])) as Record<ContenderId, Run>;
    const lf = newLambdaFlexMinutes(n);
    const history: TransitionRecord[] = [];
    const tickProblems: Simulation['tickProblems'] = { count: 0 };
    let phase: Phase = 'lambda';

    const started = performance.now();
    for (let m = 0; m < n; m++) {
      world.advance(m);
      const result = await reconcileOnce(ports, service, trace.start + m * MINUTE_MS);
      if (result.outcome !== 'reconciled') {
        tickProblems.count++;
        tickProblems.first ??= `minute ${m}: ${result.outcome}${result.error ? `: ${result.error}` : ''}`;
      }
      if (result.decision) {
        phase = result.decision.phase;
        history.push(...result.decision.transitions);
        lf.albWeight[m] = result.decision.intent.weights.alb;
      } else if (m > 0) lf.albWeight[m] = lf.albWeight[m - 1];
      const items = zeroItems();
      const w = world.serve(m, items);
      lf.phase[m] = phase;
      lf.albShare[m] = w.albShare;
      lf.tasks[m] = w.tasksBilled;
      lf.lambdaServed[m] = w.lambdaServed;
      lf.albServed[m] = w.albServed;
      lf.shortfall[m] = w.shortfall;
      lf.coldStarts[m] = w.coldStarts;
      for (const k of LINE_ITEMS) lf.cost[k][m] = items[k];
      record(runs.lambdaflex, m, items, w.lambdaServed + w.albServed, w.shortfall, w.tierExists);

      for (const [id, baseline] of baselines) {
        const b = zeroItems();
        const minute = baseline.step(m, b);
        record(runs[id], m, b, minute.served, minute.shortfall, id !== 'all-lambda');
      }
      if (options.onProgress && (m % PROGRESS_EVERY === 0 || m === n - 1)) options.onProgress(m + 1, n);
    }
    runs.lambdaflex.transitions = world.stacksCreated + world.stacksDeleted;
    const replayMs = performance.now() - started;

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

    const contenders = Object.fromEntries(CONTENDERS.map((id) => [id, finish(runs[id])])) as Record<ContenderId, Contender>;
    return { trace, policy, params, auto: options.auto, model, contenders, lambdaflex: lf, optimum, history, tickProblems, timing: { replayMs, optimumMs } };
  } finally {
    await stop();
  }
}

interface Run extends Contender {
  /** Running total, for the cumulative series. */
  running: number;
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

function newRun(id: ContenderId, n: number): Run {
  return {
    id,
    label: CONTENDER_LABELS[id],
    total: 0,
    running: 0,
    items: zeroItems(),
    servedRequests: 0,
    shortfallRequests: 0,
    shortfallMinutes: 0,
    transitions: 0,
    tierMinutes: 0,
    cumulative: new Float64Array(n),
  };
}

function record(run: Run, minute: number, items: LineItems, served: number, shortfall: number, tier: boolean) {
  run.servedRequests += served;
  for (const k of LINE_ITEMS) run.items[k] += items[k];
  run.running += totalOf(items);
  run.cumulative[minute] = run.running;
  run.shortfallRequests += shortfall;
  if (shortfall > 1e-3) run.shortfallMinutes++;
  if (tier) run.tierMinutes++;
}

function finish(run: Run): Contender {
  const { running, ...contender } = run;
  return { ...contender, total: running };
}

function newLambdaFlexMinutes(n: number): LambdaFlexMinutes {
  const f = () => new Float64Array(n);
  return {
    phase: new Array<Phase>(n),
    albWeight: f(),
    albShare: f(),
    tasks: f(),
    lambdaServed: f(),
    albServed: f(),
    shortfall: f(),
    coldStarts: f(),
    cost: Object.fromEntries(LINE_ITEMS.map((k) => [k, f()])) as Record<LineItem, Float64Array>,
  };
}

async function openStore(kind: 'memory' | 'dynalite'): Promise<{ store: StateStore; stop: () => Promise<void> }> {
  if (kind === 'memory') return { store: new MemoryStateStore(), stop: async () => undefined };
  const db = await startDynalite();
  await createStateTable(db.client, 'simulation');
  const store = new StateStore(DynamoDBDocumentClient.from(db.client, { marshallOptions: { removeUndefinedValues: true } }), 'simulation');
  return { store, stop: () => db.stop() };
}
