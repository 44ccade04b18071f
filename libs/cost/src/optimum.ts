import {
  bestTierSplit,
  type Sizing,
  chargeLambda,
  chargeTier,
  chargeTierCreated,
  totalOf,
  zeroItems,
  type CostModel,
  type LineItems,
} from './cost-model';

/**
 * The offline optimum: the cheapest way to serve a whole trace, knowing it in advance, by dynamic
 * programming over the tier's life. It is a floor for every contender the simulator runs (LambdaFlex,
 * all-Lambda, all-Fargate) because each of them is one path through the same states at a cost no lower:
 *
 *   off ──▶ build 1 … build B ──▶ on ──▶ delete 1 … delete D ──▶ off
 *              └──────────────────────────▶ delete 1   (a build may be abandoned)
 *
 *   off       Lambda serves every request                          load × Lambda per request
 *   build k   the stack is being created: Lambda serves, the ALB   + ALB and its IPv4 (+ the ALB's partial
 *             is paid, tasks from minute B − lead + 1              hour at k = 1; + one task when started)
 *   on        the tier is up: any split between the ALB and        ALB + tasks sized to the minute (≥ 1, each at
 *             Lambda, tasks sized to the minute                    capacity) + LCUs + Lambda for the rest
 *   delete k  the stack is being deleted: Lambda serves            load × Lambda + ALB + one task
 *
 * What a real contender pays on top — and the floor does not — is what makes it a floor: tasks started
 * ahead of need and kept after it (autoscaling lag and headroom), DNS propagation and resolver
 * stickiness (the floor moves traffic instantly), the drain delay, dual steps, cold starts (INIT), and
 * Lambda's concurrency and scaling limits (the floor's Lambda never throttles). Requests a contender
 * loses are priced as Lambda would have charged, so losing them never gets under the floor.
 * The trace may start with the tier off or already on, and end anywhere, at no charge.
 */

/** The world's delays the optimum must respect, in whole minutes (the simulator's tick). */
export interface OptimumDelays {
  /** Minutes from CreateStack to a tier that can serve (≥ 1). */
  buildMinutes: number;
  /** Minutes from DeleteStack to the stack gone (≥ 1). */
  deleteMinutes: number;
  /** Minutes from a task's launch to its first request (start + target health): tasks are paid from build minute B − lead + 1. */
  taskLeadMinutes: number;
}

/** The tier's state in one minute of the optimum's path. */
export type TierState = 'off' | 'building' | 'on' | 'deleting';

/** The optimum's path and cost. */
export interface Optimum {
  total: number;
  items: LineItems;
  /** The tier's state each minute. */
  states: TierState[];
  /** USD each minute. */
  perMinute: Float64Array;
  /** Requests sent to the ALB and tasks each minute (0 when the tier is not on). */
  albRequests: Float64Array;
  tasks: Float64Array;
  /** Tier stacks created and deleted. */
  transitions: number;
}

/** The delays of a cost model's timings, rounded up to whole minutes as the simulator rounds them. */
export function optimumDelays(m: CostModel): OptimumDelays {
  const t = m.timings;
  return {
    buildMinutes: Math.max(1, Math.ceil(t.createSeconds / 60)),
    deleteMinutes: Math.max(1, Math.ceil(t.deleteSeconds / 60)),
    taskLeadMinutes: Math.ceil((t.taskStartSeconds + t.targetHealthSeconds) / 60),
  };
}

/**
 * The cost of one minute in a state, as line items; `k` is the minute of a build or delete (1-based).
 * Exported so a brute-force search can price its paths exactly as the optimum does.
 */
export function stateMinute(
  m: CostModel,
  d: OptimumDelays,
  state: TierState,
  k: number,
  requests: number,
  sizing: Sizing = floorSizing(m),
): { items: LineItems; albRequests: number; tasks: number } {
  const items = zeroItems();
  const least = sizing.minTasks;
  switch (state) {
    case 'off':
      chargeLambda(items, m, requests);
      return { items, albRequests: 0, tasks: 0 };
    case 'building': {
      const tasks = k > d.buildMinutes - d.taskLeadMinutes ? least : 0;
      chargeLambda(items, m, requests);
      chargeTier(items, m, tasks, 0);
      if (k === 1) chargeTierCreated(items, m);
      return { items, albRequests: 0, tasks };
    }
    case 'deleting':
      chargeLambda(items, m, requests);
      chargeTier(items, m, least, 0);
      return { items, albRequests: 0, tasks: least };
    case 'on': {
      const split = bestTierSplit(m, requests, sizing);
      chargeLambda(items, m, requests - split.albRequests);
      chargeTier(items, m, split.tasks, split.albRequests);
      return { items, albRequests: split.albRequests, tasks: split.tasks };
    }
  }
}

/** The floor's sizing: at least one task, each up to its capacity (no contender runs fewer or fuller). */
export function floorSizing(m: CostModel): Sizing {
  return { minTasks: 1, rpsPerTask: m.taskCapacityPerMinute / 60 };
}

/**
 * The offline optimum of a per-minute request trace. O(minutes × (B + D)) time; one predecessor per
 * state and minute is kept to read the path back. With the default sizing it is the floor; with a
 * policy's sizing (its minimum tasks, its target rate per task) it is the best placement that sizing
 * allows — a reference for the switching decisions alone, not a floor.
 */
export function offlineOptimum(requests: ArrayLike<number>, m: CostModel, delays: OptimumDelays = optimumDelays(m), sizing: Sizing = floorSizing(m)): Optimum {
  const B = delays.buildMinutes;
  const D = delays.deleteMinutes;
  if (!(Number.isInteger(B) && B >= 1 && Number.isInteger(D) && D >= 1)) throw new RangeError('build and delete take at least one whole minute');
  // State index: 0 off, 1..B build k, B + 1 on, B + 2 .. B + 1 + D delete k.
  const OFF = 0;
  const ON = B + 1;
  const DEL = B + 2;
  const S = B + D + 2;
  const n = requests.length;
  const stateOf = (i: number): [TierState, number] =>
    i === OFF ? ['off', 0] : i <= B ? ['building', i] : i === ON ? ['on', 0] : ['deleting', i - ON];
  const from = new Int32Array(n * S).fill(-1);
  let cost = new Float64Array(S).fill(Infinity);
  let next = new Float64Array(S);
  // Each state's cost this minute, from the same rates stateMinute() adds up (fast: no line items here).
  const minuteCost = new Float64Array(S);
  const fixed = m.tierFixedPerMinute.total;
  const task = m.perTaskMinute.total * sizing.minTasks;
  const price = (load: number) => {
    const lambda = load * m.lambdaPerRequest;
    minuteCost[OFF] = lambda;
    for (let k = 1; k <= B; k++) minuteCost[k] = lambda + fixed + (k > B - delays.taskLeadMinutes ? task : 0) + (k === 1 ? m.albPartialHour : 0);
    minuteCost[ON] = bestTierSplit(m, load, sizing).cost;
    for (let k = 0; k < D; k++) minuteCost[DEL + k] = lambda + fixed + task;
  };

  if (n === 0) return { total: 0, items: zeroItems(), states: [], perMinute: new Float64Array(0), albRequests: new Float64Array(0), tasks: new Float64Array(0), transitions: 0 };
  price(requests[0]);
  cost[OFF] = minuteCost[OFF];
  cost[ON] = minuteCost[ON];
  for (let t = 1; t < n; t++) {
    price(requests[t]);
    const row = t * S;
    const pick = (to: number, a: number, b = -1) => {
      const best = b >= 0 && cost[b] < cost[a] ? b : a;
      next[to] = cost[best] + minuteCost[to];
      from[row + to] = best;
    };
    pick(OFF, OFF, DEL + D - 1);
    pick(1, OFF);
    for (let k = 2; k <= B; k++) pick(k, k - 1);
    pick(ON, ON, B);
    // A delete begins from the tier up, or from any minute of a build abandoned.
    let bestBefore = ON;
    for (let k = 1; k <= B; k++) if (cost[k] < cost[bestBefore]) bestBefore = k;
    pick(DEL, bestBefore);
    for (let k = 2; k <= D; k++) pick(DEL + k - 1, DEL + k - 2);
    [cost, next] = [next, cost];
  }

  let end = 0;
  for (let i = 1; i < S; i++) if (cost[i] < cost[end]) end = i;
  const path = new Int32Array(n);
  path[n - 1] = end;
  for (let t = n - 1; t > 0; t--) path[t - 1] = from[t * S + path[t]];

  const items = zeroItems();
  const states: TierState[] = new Array(n);
  const perMinute = new Float64Array(n);
  const albRequests = new Float64Array(n);
  const tasks = new Float64Array(n);
  let transitions = 0;
  for (let t = 0; t < n; t++) {
    const [state, k] = stateOf(path[t]);
    const minute = stateMinute(m, delays, state, k, requests[t], sizing);
    states[t] = state;
    perMinute[t] = totalOf(minute.items);
    albRequests[t] = minute.albRequests;
    tasks[t] = minute.tasks;
    for (const key of Object.keys(items) as (keyof LineItems)[]) items[key] += minute.items[key];
    if (t > 0 && (state === 'building' || state === 'deleting') && k === 1) transitions++;
  }
  return { total: totalOf(items), items, states, perMinute, albRequests, tasks, transitions };
}
