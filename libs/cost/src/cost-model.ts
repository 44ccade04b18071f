import { z } from 'zod';
import { pricesFor, type RegionPrices, type TieredFigure } from './prices';

/**
 * The cost model: what serving a load costs, minute by minute, on each tier, from the price data and
 * the user's workload (request duration, Lambda memory, Fargate task size). Pure: no I/O, no clock.
 *
 *   Lambda tier:  requests × (Lambda request fee + API Gateway fee + duration × GB × GB-s price)
 *                 + cold starts × INIT time × GB × GB-s price
 *   Fargate tier: ALB hour + one public IPv4 per ALB node            (while the tier stack exists)
 *                 + tasks × (vCPU × vCPU-h + GB × GB-h + one public IPv4)
 *                 + LCUs (the highest of new connections, active connections, processed bytes)
 *
 * Volume tiers (API Gateway past 300M requests a month, Lambda past 6B GB-s) are monthly and depend on
 * the whole account: a per-minute model takes the first tier, which is the right one for a single
 * service below those volumes and an overestimate of Lambda above them.
 */

const SECONDS_PER_MINUTE = 60;
const MINUTES_PER_HOUR = 60;

/** The user's workload: what each request costs to serve, and what one task can take. */
export const WorkloadSchema = z.strictObject({
  /** Billed duration of one request on Lambda, in ms. */
  durationMs: z.number().positive().max(900_000).default(100),
  /** Lambda memory, MB (128 to 10,240). */
  memoryMb: z.number().int().min(128).max(10_240).default(512),
  architecture: z.enum(['x86_64', 'arm64']).default('x86_64'),
  /** API Gateway flavour in front of the Lambda. */
  api: z.enum(['http', 'rest']).default('http'),
  /** Request plus response size, KB: HTTP API meters per 512 KB, the ALB bills processed bytes. */
  payloadKb: z.number().positive().max(10_240).default(2),
  /** Requests per client connection at the ALB: 1 means a new connection for each (the worked example's LCU figure). */
  requestsPerConnection: z.number().min(1).default(1),
  /** INIT time billed for each cold start, ms (billed since Aug 2025); default from the price data. */
  coldStartInitMs: z.number().nonnegative().max(10_000).optional(),
  /** Requests per second one vCPU of Fargate serves; beyond, requests fail. Default from the price data. */
  rpsPerVcpu: z.number().positive().max(100_000).optional(),
});
export type Workload = z.output<typeof WorkloadSchema>;
export type WorkloadInput = z.input<typeof WorkloadSchema>;

/** A Fargate task size, in CPU units (1024 = 1 vCPU) and MiB, as the policy names it. */
export interface TaskSize {
  cpu: number;
  memoryMiB: number;
}

/**
 * How long the tier takes to come and go, in seconds: the world's delays, not the policy's choices.
 * Defaults come from the price data; the simulator and the offline optimum use the same figures.
 */
export interface TierTimings {
  createSeconds: number;
  deleteSeconds: number;
  updateSeconds: number;
  taskStartSeconds: number;
  /** Health check interval × healthy threshold: how long a started task waits before it takes traffic. */
  targetHealthSeconds: number;
  deregistrationDelaySeconds: number;
  dnsPropagationSeconds: number;
  metricLagSeconds: number;
}

/**
 * The cost line items, in the order reports show them: what AWS bills, nothing else. Requests that were
 * not served are no line item: they cost nothing and are counted apart (the simulator's `lostRequests`),
 * so a contender's total is what it paid and its loss is never hidden inside a price.
 */
export const LINE_ITEMS = [
  'lambdaRequests',
  'lambdaDuration',
  'lambdaInit',
  'apiGateway',
  'fargateVcpu',
  'fargateMemory',
  'taskIpv4',
  'albHours',
  'albIpv4',
  'albLcu',
  'albPartialHour',
] as const;
export type LineItem = (typeof LINE_ITEMS)[number];
/** USD by line item. */
export type LineItems = Record<LineItem, number>;

/** A fresh set of line items, all zero. */
export function zeroItems(): LineItems {
  return Object.fromEntries(LINE_ITEMS.map((k) => [k, 0])) as LineItems;
}

/** Adds `b` into `a` (in place) and returns `a`. */
export function addItems(a: LineItems, b: LineItems): LineItems {
  for (const k of LINE_ITEMS) a[k] += b[k];
  return a;
}

/** The sum of the line items. */
export function totalOf(items: LineItems): number {
  let t = 0;
  for (const k of LINE_ITEMS) t += items[k];
  return t;
}

/**
 * Every rate the per-minute functions need, derived once from prices, workload and task size. Rates in
 * USD per request, per task-minute or per tier-minute, so a minute's cost is a few multiplications.
 */
export interface CostModel {
  readonly region: string;
  readonly prices: RegionPrices;
  readonly workload: Workload & { coldStartInitMs: number; rpsPerVcpu: number };
  readonly task: TaskSize;
  readonly timings: TierTimings;
  readonly minutesPerMonth: number;
  /** USD per request on the Lambda tier, without INIT: Lambda request fee, API Gateway, duration. */
  readonly lambdaPerRequest: number;
  readonly perRequest: { lambdaRequests: number; apiGateway: number; lambdaDuration: number };
  /** USD of INIT per cold start. */
  readonly initPerColdStart: number;
  /** USD per task-minute: vCPU, memory, its public IPv4. */
  readonly perTaskMinute: { fargateVcpu: number; fargateMemory: number; taskIpv4: number; total: number };
  /** USD per minute the tier stack exists, whatever it serves: ALB hour and the ALB nodes' IPv4. */
  readonly tierFixedPerMinute: { albHours: number; albIpv4: number; total: number };
  /** USD of LCU per request through the ALB (every LCU dimension grows linearly with requests). */
  readonly lcuPerRequest: number;
  /** USD charged once per tier stack: ALB partial hours are billed whole, half an hour on average. */
  readonly albPartialHour: number;
  /** Requests one task serves in a minute at most. */
  readonly taskCapacityPerMinute: number;
}

/** What to build a model from; everything but the task size has a default. */
export interface CostModelInput {
  region?: string;
  workload?: WorkloadInput;
  task: TaskSize;
  timings?: Partial<TierTimings>;
  /** A price book other than the bundled one (tests, other regions). */
  prices?: RegionPrices;
}

/** The tier timings of a region's price data: the simulator's documented defaults. */
export function defaultTimings(prices: RegionPrices): TierTimings {
  return {
    createSeconds: prices.cloudFormation.tierCreateSeconds.value,
    deleteSeconds: prices.cloudFormation.tierDeleteSeconds.value,
    updateSeconds: prices.cloudFormation.tierUpdateSeconds.value,
    taskStartSeconds: prices.fargate.taskStartSeconds.value,
    targetHealthSeconds: prices.alb.healthCheckIntervalSeconds.value * prices.alb.healthyThresholdCount.value,
    deregistrationDelaySeconds: prices.alb.deregistrationDelaySeconds.value,
    dnsPropagationSeconds: prices.route53.propagationSeconds.value,
    metricLagSeconds: prices.cloudWatch.metricLagSeconds.value,
  };
}

/** The first (lowest-volume) tier of a tiered price. */
function firstTier(f: TieredFigure): number {
  return f.tiers[0].value;
}

/** Builds a cost model. Pure; validates the workload (defaults filled) and the task size. */
export function createCostModel(input: CostModelInput): CostModel {
  const region = input.region ?? 'us-east-1';
  const prices = input.prices ?? pricesFor(region);
  const parsed = WorkloadSchema.parse(input.workload ?? {});
  const workload = {
    ...parsed,
    coldStartInitMs: parsed.coldStartInitMs ?? prices.lambda.coldStartInitMs.value,
    rpsPerVcpu: parsed.rpsPerVcpu ?? prices.fargate.rpsPerVcpu.value,
  };
  const { task } = input;
  if (!(task.cpu > 0 && task.memoryMiB > 0)) throw new RangeError(`task size must be positive, got ${task.cpu} CPU / ${task.memoryMiB} MiB`);
  const hoursPerMonth = prices.hoursPerMonth.value;
  const gb = workload.memoryMb / 1024;
  const gbSecond = firstTier(workload.architecture === 'arm64' ? prices.lambda.durationArm64 : prices.lambda.durationX86);
  const apiUnits = workload.api === 'http' ? Math.ceil(workload.payloadKb / prices.apiGateway.httpMeteringKb.value) : 1;
  const perRequest = {
    lambdaRequests: prices.lambda.requests.value / 1e6,
    apiGateway: (apiUnits * firstTier(workload.api === 'http' ? prices.apiGateway.http : prices.apiGateway.rest)) / 1e6,
    lambdaDuration: (workload.durationMs / 1000) * gb * gbSecond,
  };
  const vcpus = task.cpu / 1024;
  const taskGb = task.memoryMiB / 1024;
  const arm = workload.architecture === 'arm64';
  const perTask = {
    fargateVcpu: (vcpus * (arm ? prices.fargate.vcpuHourArm64 : prices.fargate.vcpuHourX86).value) / MINUTES_PER_HOUR,
    fargateMemory: (taskGb * (arm ? prices.fargate.gbHourArm64 : prices.fargate.gbHourX86).value) / MINUTES_PER_HOUR,
    taskIpv4: prices.publicIpv4.hour.value / MINUTES_PER_HOUR,
  };
  const fixed = {
    albHours: prices.alb.hour.value / MINUTES_PER_HOUR,
    albIpv4: (prices.alb.nodes.value * prices.publicIpv4.hour.value) / MINUTES_PER_HOUR,
  };
  return {
    region,
    prices,
    workload,
    task: { ...task },
    timings: { ...defaultTimings(prices), ...input.timings },
    minutesPerMonth: hoursPerMonth * MINUTES_PER_HOUR,
    lambdaPerRequest: perRequest.lambdaRequests + perRequest.apiGateway + perRequest.lambdaDuration,
    perRequest,
    initPerColdStart: (workload.coldStartInitMs / 1000) * gb * gbSecond,
    perTaskMinute: { ...perTask, total: perTask.fargateVcpu + perTask.fargateMemory + perTask.taskIpv4 },
    tierFixedPerMinute: { ...fixed, total: fixed.albHours + fixed.albIpv4 },
    lcuPerRequest: lcuPerRequest(prices, workload),
    albPartialHour: prices.alb.hour.value / 2,
    taskCapacityPerMinute: workload.rpsPerVcpu * vcpus * SECONDS_PER_MINUTE,
  };
}

/**
 * LCU-USD per ALB request. An LCU is the highest of its dimensions; with a fixed connection reuse,
 * payload and connection time per request, every dimension is proportional to the request rate, so the
 * highest is too. Rule evaluations cost nothing with the tier's one rule (the first 10 are free).
 */
function lcuPerRequest(prices: RegionPrices, workload: Workload & { durationMs: number }): number {
  const alb = prices.alb;
  // Per request per second of sustained rate, in LCUs.
  const newConnections = 1 / workload.requestsPerConnection / alb.lcuNewConnectionsPerSecond.value;
  // A connection stays open for its requests' duration: the average number open is rate × time.
  const activeConnections = ((workload.durationMs / 1000) * SECONDS_PER_MINUTE) / workload.requestsPerConnection / alb.lcuActiveConnectionsPerMinute.value;
  const processedGb = ((workload.payloadKb / (1024 * 1024)) * 3600) / alb.lcuProcessedGbPerHour.value;
  const lcuPerRps = Math.max(newConnections, activeConnections, processedGb);
  // One rps for an hour is 3,600 requests.
  return (lcuPerRps * alb.lcuHour.value) / 3600;
}

// ---- One minute's cost, added into line items (no allocation: the simulator calls these 100k times) ----

/** Adds the cost of `requests` served by Lambda behind API Gateway, and `coldStarts` INIT phases. */
export function chargeLambda(into: LineItems, m: CostModel, requests: number, coldStarts = 0): LineItems {
  into.lambdaRequests += requests * m.perRequest.lambdaRequests;
  into.apiGateway += requests * m.perRequest.apiGateway;
  into.lambdaDuration += requests * m.perRequest.lambdaDuration;
  into.lambdaInit += coldStarts * m.initPerColdStart;
  return into;
}

/**
 * Adds the cost of `requests` a task handed to Lambda itself (the instant spill: a direct Invoke, so the
 * Lambda request fee and duration but no API Gateway fee; the ALB's LCU is charged with the tier).
 */
export function chargeLambdaInvoke(into: LineItems, m: CostModel, requests: number): LineItems {
  into.lambdaRequests += requests * m.perRequest.lambdaRequests;
  into.lambdaDuration += requests * m.perRequest.lambdaDuration;
  return into;
}

/**
 * Adds one minute of the Fargate tier: the stack's fixed cost, `tasks` billed tasks, and LCUs for
 * `albRequests` (every request that reached the ALB, served or not).
 */
export function chargeTier(into: LineItems, m: CostModel, tasks: number, albRequests: number): LineItems {
  into.albHours += m.tierFixedPerMinute.albHours;
  into.albIpv4 += m.tierFixedPerMinute.albIpv4;
  into.fargateVcpu += tasks * m.perTaskMinute.fargateVcpu;
  into.fargateMemory += tasks * m.perTaskMinute.fargateMemory;
  into.taskIpv4 += tasks * m.perTaskMinute.taskIpv4;
  into.albLcu += albRequests * m.lcuPerRequest;
  return into;
}

/** Adds the one-time charge of creating a tier stack (the ALB's partial hour). */
export function chargeTierCreated(into: LineItems, m: CostModel): LineItems {
  into.albPartialHour += m.albPartialHour;
  return into;
}

// ---- The cheapest way to serve one minute while the tier exists ----

/** How a minute's load is best split while the tier is up: requests to the ALB, tasks, and the cost. */
export interface TierSplit {
  albRequests: number;
  tasks: number;
  cost: number;
}

/**
 * The cheapest way to serve `requests` in one minute with the tier up and at least one task, tasks sized
 * to the minute and any share left on Lambda (`sizing` defaults to one task at least, each at capacity). Cost is linear in the ALB's share within a task count, so
 * the best is one of: the first task only, as many full tasks as fit, or every request on the ALB.
 */
export function bestTierSplit(m: CostModel, requests: number, sizing?: Sizing): TierSplit {
  const cap = sizing ? sizing.rpsPerTask * SECONDS_PER_MINUTE : m.taskCapacityPerMinute;
  const least = sizing?.minTasks ?? 1;
  const evaluate = (tasks: number, alb: number): TierSplit => ({
    albRequests: alb,
    tasks,
    cost: m.tierFixedPerMinute.total + tasks * m.perTaskMinute.total + alb * m.lcuPerRequest + (requests - alb) * m.lambdaPerRequest,
  });
  const full = Math.max(least, Math.floor(requests / cap));
  const all = Math.max(least, Math.ceil(requests / cap));
  let best = evaluate(least, 0);
  for (const tasks of [least, full, all]) {
    const candidate = evaluate(tasks, Math.min(requests, tasks * cap));
    if (candidate.cost < best.cost) best = candidate;
  }
  return best;
}

// ---- Break-even and thresholds ----

/** How many tasks the tier runs for a rate: at least `minTasks`, each at most `rpsPerTask`. */
export interface Sizing {
  minTasks: number;
  rpsPerTask: number;
}

/** One month at a steady rate, each tier, in USD. */
export interface MonthlyAt {
  rps: number;
  lambda: number;
  fargate: number;
  tasks: number;
}

/** The monthly cost of a steady `rps` on each tier, tasks sized by `sizing`. */
export function monthlyAt(m: CostModel, rps: number, sizing: Sizing): MonthlyAt {
  const requests = rps * SECONDS_PER_MINUTE * m.minutesPerMonth;
  const tasks = Math.max(sizing.minTasks, Math.ceil(rps / sizing.rpsPerTask - 1e-9));
  return {
    rps,
    lambda: requests * m.lambdaPerRequest,
    fargate: (m.tierFixedPerMinute.total + tasks * m.perTaskMinute.total) * m.minutesPerMonth + requests * m.lcuPerRequest,
    tasks,
  };
}

/**
 * The lowest rate at which Lambda costs at least `extraPerMinute` more than the tier (tasks sized by
 * `sizing`). The tier's cost is a staircase (one step per task), Lambda's a line: solve on each step.
 * Infinity when Lambda never catches up (the tier's per-request cost is the higher one).
 */
export function rateWhereTierSaves(m: CostModel, sizing: Sizing, extraPerMinute: number): number {
  const lambdaPerRps = m.lambdaPerRequest * SECONDS_PER_MINUTE;
  const lcuPerRps = m.lcuPerRequest * SECONDS_PER_MINUTE;
  const slope = lambdaPerRps - lcuPerRps;
  if (!(slope > 0)) return Infinity;
  for (let tasks = sizing.minTasks; tasks < sizing.minTasks + 1_000_000; tasks++) {
    const from = tasks === sizing.minTasks ? 0 : (tasks - 1) * sizing.rpsPerTask;
    const to = tasks * sizing.rpsPerTask;
    const crossing = (m.tierFixedPerMinute.total + tasks * m.perTaskMinute.total + extraPerMinute) / slope;
    if (crossing <= to) return Math.max(from, crossing);
    // Each further task costs more than the Lambda it replaces: the tier never catches up.
    if (m.perTaskMinute.total >= slope * sizing.rpsPerTask) return Infinity;
  }
  return Infinity;
}

/** The break-even: the rate above which the tier is cheaper than Lambda, and both tiers' costs there. */
export interface BreakEven {
  rps: number;
  /** Lambda + API Gateway, USD per rps-month. */
  lambdaPerRpsMonth: number;
  /** ALB, its IPv4 addresses and `tasks` tasks, USD per month. */
  tierFixedPerMonth: number;
  /** LCU, USD per rps-month. */
  lcuPerRpsMonth: number;
  tasks: number;
}

/** The break-even rate for a sizing (default: at least one task, each at its capacity). */
export function breakEven(m: CostModel, sizing: Partial<Sizing> = {}): BreakEven {
  const full: Sizing = { minTasks: sizing.minTasks ?? 1, rpsPerTask: sizing.rpsPerTask ?? m.taskCapacityPerMinute / SECONDS_PER_MINUTE };
  const rps = rateWhereTierSaves(m, full, 0);
  const tasks = Number.isFinite(rps) ? monthlyAt(m, rps, full).tasks : full.minTasks;
  const secondsPerMonth = m.minutesPerMonth * SECONDS_PER_MINUTE;
  return {
    rps,
    lambdaPerRpsMonth: m.lambdaPerRequest * secondsPerMonth,
    tierFixedPerMonth: (m.tierFixedPerMinute.total + tasks * m.perTaskMinute.total) * m.minutesPerMonth,
    lcuPerRpsMonth: m.lcuPerRequest * secondsPerMonth,
    tasks,
  };
}

/** What a policy must give for its thresholds to be derived: the shape of `@lambdaflex/state`'s Policy. */
export interface ThresholdPolicy {
  scaleDown: { windowSeconds: number };
  minDwellSeconds: number;
  dual: { steps: number[]; stepHoldSeconds: number };
  dns: { ttlSeconds: number; drainDelaySeconds: number };
  fargate: { minTasks: number; targetRpsPerTask: number };
}

/** The one-time cost of a round trip to the tier, split by direction, and the minutes it is made of. */
export interface OneTimeCost {
  /** Minutes the tier is paid while Lambda still carries the load: building, then the dual steps. */
  upMinutes: number;
  /** Minutes the tier is paid after the load left it: the drain, removing the record, deleting the stack. */
  downMinutes: number;
  up: number;
  down: number;
  total: number;
}

const minutes = (seconds: number) => Math.ceil(seconds / SECONDS_PER_MINUTE);

/**
 * The one-time cost of building the tier and tearing it down again, on top of serving the load: every
 * minute the tier is paid without carrying the load (build, dual steps, drain, record removal, delete),
 * at the policy's minimum task count, and the ALB's partial hour.
 */
export function oneTimeCost(policy: ThresholdPolicy, m: CostModel): OneTimeCost {
  const t = m.timings;
  const sync = minutes(t.dnsPropagationSeconds);
  // A step advances once its weight is in sync, held, and the lagging metrics show the share moved.
  const step = sync + Math.max(minutes(policy.dns.ttlSeconds), minutes(policy.dual.stepHoldSeconds), minutes(t.metricLagSeconds));
  const upMinutes = minutes(t.createSeconds) + policy.dual.steps.length * step;
  const downMinutes = sync + minutes(policy.dns.drainDelaySeconds) + sync + minutes(t.deleteSeconds);
  const perMinute = m.tierFixedPerMinute.total + policy.fargate.minTasks * m.perTaskMinute.total;
  const up = upMinutes * perMinute + m.albPartialHour;
  const down = downMinutes * perMinute;
  return { upMinutes, downMinutes, up, down, total: up + down };
}

/** Thresholds derived from the cost model, and how. */
export interface AutoThresholds {
  upRps: number;
  downRps: number;
  breakEvenRps: number;
  /** Minutes a one-time cost is spread over: the least time a tier, once built, is kept. */
  minStayMinutes: number;
  oneTime: OneTimeCost;
}

/**
 * The policy's `auto` thresholds. Up: the lowest rate at which the tier's saving over the minimum stay
 * pays for building and tearing it down. Down: the highest rate at which Lambda's saving over the
 * minimum stay pays for the teardown (0 when none does). The minimum stay is the longer of the dwell and
 * the down-window: once up, the machine cannot leave sooner. Tasks are sized as the policy sizes them.
 * Rounded outward to 0.1 rps, so up stays above break-even and down below.
 */
export function autoThresholds(policy: ThresholdPolicy, m: CostModel): AutoThresholds {
  const capacity = m.taskCapacityPerMinute / SECONDS_PER_MINUTE;
  const sizing: Sizing = { minTasks: policy.fargate.minTasks, rpsPerTask: Math.min(policy.fargate.targetRpsPerTask, capacity) };
  const minStayMinutes = Math.max(1, minutes(Math.max(policy.minDwellSeconds, policy.scaleDown.windowSeconds)));
  const oneTime = oneTimeCost(policy, m);
  const breakEvenRps = rateWhereTierSaves(m, sizing, 0);
  const up = rateWhereTierSaves(m, sizing, oneTime.total / minStayMinutes);
  const down = rateWhereTierSaves(m, sizing, -oneTime.down / minStayMinutes);
  const upRps = Math.ceil(up * 10) / 10;
  const downRps = Math.max(0, Math.min(Math.floor(down * 10) / 10, upRps - 0.1));
  return { upRps, downRps, breakEvenRps, minStayMinutes, oneTime };
}
