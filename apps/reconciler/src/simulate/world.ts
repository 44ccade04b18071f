import {
  BASE_OUTPUTS,
  baseStackName,
  RECORD_IDS,
  TIER_OUTPUTS,
  TIER_PARAMETERS,
  recordKey,
  tierStackName,
  type Policy,
  type StackStatus,
} from '@lambdaflex/state';
import { chargeLambda, chargeLambdaInvoke, chargeTier, chargeTierCreated, type CostModel, type LineItems } from '@lambdaflex/cost';
import { metricWindows } from '../adapters/cloudwatch.adapter';
import type {
  DnsPort,
  MetricsPort,
  MetricsTarget,
  ProbePort,
  RecordChange,
  ServiceMetrics,
  ServiceRecords,
  StackDescription,
  StackPort,
  WeightedRecord,
} from '../ports';
import { albShareOf, answerAgeKernel } from './dns-resolvers';
import { EcsService } from './ecs-service';
import { LambdaFunction } from './lambda-function';
import { ticks, type SimParams } from './params';

/**
 * The AWS a service runs on, simulated minute by minute behind the reconciler's own ports, so the real
 * `reconcileOnce` drives it. Each minute:
 *
 *   advance(m)   operations due complete (stack create/update/delete), Route53 changes propagate,
 *                ECS target tracking looks at its (lagging) alarms
 *   the tick     reconcileOnce at minute m: reads stacks, records and metrics (CloudWatch lag), acts
 *   serve(m)     the minute's requests split by the answers clients hold (TTL and sticky resolvers),
 *                the ALB serves up to its healthy tasks' capacity and the tasks hand the excess to
 *                Lambda (the instant spill: Invoke, no API Gateway), Lambda serves both up to its
 *                concurrency and scaling rate; the rest is lost. Everything is billed by line item.
 *
 * Delays are whole minutes (rounded up): the reconciler ticks once a minute, so nothing it can see
 * happens between ticks. What each minute served is kept for the metrics and the report.
 */
export interface WorldMinute {
  lambdaServed: number;
  albServed: number;
  /** Throttled by Lambda or API Gateway, beyond the ALB's healthy capacity, or sent to an ALB that is gone. */
  shortfall: number;
  coldStarts: number;
  /** Share of the minute's requests that went to the ALB (live or gone). */
  albShare: number;
  tasksBilled: number;
  tasksHealthy: number;
  tierExists: boolean;
  /** Requests the minute brought, both tiers: the demand. */
  demand: number;
  /** Requests the ALB's healthy tasks could serve in the minute (0 without a live tier). */
  capacity: number;
  /** Requests the ALB received beyond its tasks' capacity that the tasks handed to Lambda and Lambda served (the instant spill). */
  spilled: number;
}

/** One AWS call made through the world's ports: the API's name and its important input (as the adapters would send it). */
export interface AwsCall {
  api: string;
  input: Record<string, unknown>;
}

/** What the tests add to the simulator's world; every default is the simulator's. */
export interface WorldOptions {
  /**
   * Keep every AWS call made through the ports, reads included, in {@link SimulatedWorld.calls}. Off by
   * default: the simulator replays tens of thousands of minutes and reads none of them.
   */
  recordCalls?: boolean;
  /**
   * Whether the `api` record exists at minute 0 (default), as the simulator starts from a service already
   * serving; `false` is a fresh deploy, where the reconciler writes it on its first tick.
   */
  apiRecordAtStart?: boolean;
}

interface SimStack {
  status: string;
  parameters: Record<string, string>;
  outputs: Record<string, string>;
  createdAt: string;
  lastUpdatedAt?: string;
  dueAt: number;
  endsIn: string;
  tokens: Set<string>;
  /** Which ALB this is: clients holding an older one's address reach nothing. */
  generation: number;
}

const STATE: Record<string, StackStatus> = {
  CREATE_IN_PROGRESS: 'in-progress',
  UPDATE_IN_PROGRESS: 'in-progress',
  DELETE_IN_PROGRESS: 'in-progress',
  CREATE_COMPLETE: 'ready',
  UPDATE_COMPLETE: 'ready',
  // Only after `failNextCreate`: the create rolled back, leaving a stack that can only be deleted.
  ROLLBACK_COMPLETE: 'failed',
};
const LIVE = new Set(['CREATE_COMPLETE', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE']);

const WRITES = new Set(['cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:DeleteStack', 'route53:ChangeResourceRecordSets']);

const MINUTE_MS = 60_000;
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1';

export class SimulatedWorld {
  private minute = 0;
  private tier?: SimStack;
  private generation = 0;
  private ecs?: EcsService;
  private readonly records: ServiceRecords = {};
  private readonly changes = new Map<string, number>();
  private changeSeq = 0;
  private pending: { from: number; share: number; generation: number }[] = [];
  private current = { share: 0, generation: 0 };
  private readonly publishedShare: Float64Array;
  private readonly publishedGeneration: Int32Array;
  private readonly kernel: Float64Array;
  private readonly lambda: LambdaFunction;
  private createdThisMinute = false;
  /**
   * Per minute, as CloudWatch would have it: API Gateway count, ALB count, targets' and the ALB's own
   * 5xx, Lambda invocations, throttles and concurrency, healthy hosts (NaN: no ALB).
   */
  readonly apiCount: Float64Array;
  readonly albCount: Float64Array;
  readonly alb5xx: Float64Array;
  readonly elb5xx: Float64Array;
  readonly invocations: Float64Array;
  readonly throttles: Float64Array;
  readonly concurrency: Float64Array;
  readonly healthyHosts: Float64Array;
  /** Tier stacks created and deleted. */
  stacksCreated = 0;
  stacksDeleted = 0;
  /** Every AWS call made through the ports, in order, when the options ask for it (`recordCalls`). */
  readonly calls: AwsCall[] = [];
  private readonly recordCalls: boolean;
  /** Fault: the next tier stack create rolls back (ROLLBACK_COMPLETE, the machine's `failed`) when it would have completed. */
  failNextCreate = false;
  /** Fault: the tier's targets fail their health checks: no healthy target (the ALB answers 503 itself), probes fail. */
  unhealthy = false;
  /** The image the base stack deploys (its `ImageUri` output). */
  private image = IMAGE;

  /**
   * `load` is the requests of each minute, read as each minute is served; {@link setLoad} writes into it
   * (a test's load, set minute by minute). Its length is the most minutes the world can run.
   */
  constructor(
    readonly service: string,
    private readonly start: number,
    private readonly load: Float64Array,
    private readonly policy: Policy,
    private readonly params: SimParams,
    private readonly model: CostModel,
    options: WorldOptions = {},
  ) {
    const n = load.length;
    this.publishedShare = new Float64Array(n);
    this.publishedGeneration = new Int32Array(n);
    this.apiCount = new Float64Array(n);
    this.albCount = new Float64Array(n);
    this.alb5xx = new Float64Array(n);
    this.elb5xx = new Float64Array(n);
    this.invocations = new Float64Array(n);
    this.throttles = new Float64Array(n);
    this.concurrency = new Float64Array(n);
    this.healthyHosts = new Float64Array(n).fill(NaN);
    this.kernel = answerAgeKernel(policy.dns.ttlSeconds, params.dns.stickyShare, params.dns.stickySeconds);
    this.lambda = new LambdaFunction(lambdaLimits(params));
    this.recordCalls = options.recordCalls ?? false;
    if (options.apiRecordAtStart ?? true) {
      this.records.api = { setIdentifier: RECORD_IDS.api, weight: 100, target: { dnsName: 'd-abc123.execute-api.us-east-1.amazonaws.com', hostedZoneId: 'Z1UJRXOUMOOFQ8' } };
    }
  }

  // ---- What the tests set and inspect, and skip-ahead reads (the replay's ticks use none of it) ----

  /** Minutes the world can run: the length of its load. */
  get minutes(): number {
    return this.load.length;
  }

  /** Sets the requests of minute `minute` (before it is served). */
  setLoad(minute: number, requestsPerMinute: number) {
    if (!Number.isInteger(minute) || minute < 0 || minute >= this.load.length) throw new RangeError(`minute ${minute} is outside the world's ${this.load.length} minutes`);
    if (!(requestsPerMinute >= 0 && Number.isFinite(requestsPerMinute))) throw new RangeError(`requests per minute must be finite and not negative, got ${requestsPerMinute}`);
    this.load[minute] = requestsPerMinute;
  }

  /** Deploys a new image to the base stack (the function), as the user's own deploy would. */
  deployImage(imageUri: string) {
    this.image = imageUri;
  }

  /** The base stack's outputs, as DescribeStacks shows them. */
  baseStackOutputs(): Record<string, string> {
    return { ...baseOutputs(this.service), [BASE_OUTPUTS.imageUri]: this.image };
  }

  /** The tier stack's CloudFormation status, undefined when it does not exist. */
  tierStatus(): string | undefined {
    return this.tier?.status;
  }

  /** The tier stack as DescribeStacks shows it (a copy), undefined when it does not exist. */
  describeTier(): StackDescription | undefined {
    const s = this.tier;
    if (!s) return undefined;
    return {
      name: tierStackName(this.service),
      status: s.status,
      state: STATE[s.status],
      parameters: { ...s.parameters },
      outputs: { ...s.outputs },
      createdAt: s.createdAt,
      lastUpdatedAt: s.lastUpdatedAt,
    };
  }

  /** The tier stack as the machine sees it. */
  tierState(): StackStatus {
    return this.tier ? STATE[this.tier.status] : 'absent';
  }

  /** The weighted records as Route53 holds them now (a copy). */
  dnsRecords(): ServiceRecords {
    return structuredClone(this.records);
  }

  /** Tasks the tier's ECS service runs and bills now, and how many are healthy (0 without a tier). */
  tasks(): { billed: number; healthy: number } {
    const live = this.tier !== undefined && LIVE.has(this.tier.status);
    return { billed: this.ecs?.billed(this.minute) ?? 0, healthy: live && !this.unhealthy ? (this.ecs?.healthy(this.minute) ?? 0) : 0 };
  }

  /** The calls that change something, in order (reads left out). */
  writes(): AwsCall[] {
    return this.calls.filter((c) => WRITES.has(c.api));
  }

  private log(api: string, input: Record<string, unknown>) {
    if (this.recordCalls) this.calls.push({ api, input });
  }

  private get delays() {
    const d = this.params.delays;
    return {
      create: Math.max(1, ticks(d.createSeconds)),
      delete: Math.max(1, ticks(d.deleteSeconds)),
      update: Math.max(1, ticks(d.updateSeconds)),
      lead: ticks(d.taskStartSeconds + d.targetHealthSeconds),
      propagation: ticks(d.dnsPropagationSeconds),
    };
  }

  /** One minute passes: what was due completes, Route53 propagates, ECS target tracking decides. */
  advance(minute: number) {
    this.minute = minute;
    this.createdThisMinute = false;
    const tier = this.tier;
    if (tier && tier.dueAt === minute) {
      if (tier.endsIn === 'DELETE_COMPLETE') {
        this.tier = undefined;
        this.ecs = undefined;
      } else {
        tier.status = tier.endsIn;
        if (tier.status === 'CREATE_COMPLETE') tier.outputs = tierOutputs(this.service, tier.generation);
        if (tier.status === 'ROLLBACK_COMPLETE') this.ecs = undefined; // a rolled-back create leaves no service
        if (tier.status === 'UPDATE_COMPLETE') this.ecs?.setDesired(Number(tier.parameters[TIER_PARAMETERS.desiredCount]), minute);
      }
    }
    const due = this.pending.filter((p) => p.from <= minute);
    if (due.length) {
      this.current = due[due.length - 1];
      this.pending = this.pending.filter((p) => p.from > minute);
    }
    this.publishedShare[minute] = this.current.share;
    this.publishedGeneration[minute] = this.current.generation;
    if (this.tier && LIVE.has(this.tier.status)) this.ecs?.autoscale(minute);
  }

  /** Serves minute `minute` and adds its cost into `items`. */
  serve(minute: number, items: LineItems): WorldMinute {
    const requests = this.load[minute];
    const tier = this.tier;
    const live = tier !== undefined && LIVE.has(tier.status);
    // Requests that follow an ALB answer: to the live ALB, or to one that no longer exists (lost).
    let albShare = 0;
    let lostShare = 0;
    for (let j = 0; j < this.kernel.length && j <= minute; j++) {
      const share = this.kernel[j] * this.publishedShare[minute - j];
      if (share === 0) continue;
      if (live && this.publishedGeneration[minute - j] === tier.generation) albShare += share;
      else lostShare += share;
    }
    const toAlb = requests * albShare;
    const lost = requests * lostShare;
    const toApi = requests - toAlb - lost;
    const healthy = live && !this.unhealthy ? (this.ecs?.healthy(minute) ?? 0) : 0;
    const capacity = healthy * this.model.taskCapacityPerMinute;
    const albServed = Math.min(toAlb, capacity);
    const overflow = toAlb - albServed;
    // The instant spill: a full task hands its excess to the function; an ALB with no healthy target has no task to.
    const spill = this.params.spill.instant && healthy > 0 ? overflow : 0;
    const lambda = this.lambda.serve(toApi + spill);
    const servedShare = toApi + spill > 0 ? lambda.served / (toApi + spill) : 0;
    const spillServed = spill * servedShare;
    const apiServed = lambda.served - spillServed;
    // Lambda's throttles include the spill it refused; what the tasks could not hand over is lost too.
    const unserved = lambda.throttled + (overflow - spill) + lost;
    const billed = tier ? (this.ecs?.billed(minute) ?? 0) : 0;

    chargeLambda(items, this.model, apiServed, lambda.coldStarts);
    chargeLambdaInvoke(items, this.model, spillServed);
    // A stack that rolled back on create holds no ALB: nothing of the tier is billed.
    if (tier && tier.status !== 'ROLLBACK_COMPLETE') chargeTier(items, this.model, billed, toAlb);
    if (this.createdThisMinute) chargeTierCreated(items, this.model);

    this.apiCount[minute] = toApi;
    this.albCount[minute] = live ? toAlb : 0;
    // No healthy target: the ALB answers 503 itself; else a task that could not hand over answers 503.
    this.elb5xx[minute] = live && healthy === 0 ? toAlb : 0;
    this.alb5xx[minute] = live && healthy > 0 ? overflow - spillServed : 0;
    this.invocations[minute] = lambda.served;
    this.throttles[minute] = lambda.throttled;
    this.concurrency[minute] = (lambda.served / 60) * (this.params.workload.durationMs / 1000);
    if (live) this.healthyHosts[minute] = healthy;
    if (live) this.ecs?.record(minute, toAlb);
    return {
      lambdaServed: lambda.served,
      albServed,
      shortfall: unserved,
      coldStarts: lambda.coldStarts,
      albShare: albShare + lostShare,
      tasksBilled: billed,
      tasksHealthy: healthy,
      tierExists: tier !== undefined,
      demand: requests,
      capacity,
      spilled: spillServed,
    };
  }

  private time(minute = this.minute): string {
    return new Date(this.start + minute * MINUTE_MS).toISOString();
  }

  private minuteOf(now: number): number {
    return Math.round((now - this.start) / MINUTE_MS);
  }

  // ---- CloudFormation ----
  readonly stacks: StackPort = {
    describe: async (name) => {
      this.log('cloudformation:DescribeStacks', { StackName: name });
      if (name === baseStackName(this.service)) {
        return { name, status: 'CREATE_COMPLETE', state: 'ready', parameters: {}, outputs: this.baseStackOutputs(), createdAt: '2020-01-01T00:00:00.000Z' };
      }
      return name === tierStackName(this.service) ? this.describeTier() : undefined;
    },
    // One service's world: a fleet read is its single reads, each logged as the adapter's would be.
    describeMany: async (names) => {
      const found = new Map<string, StackDescription>();
      for (const name of names) {
        const d = await this.stacks.describe(name);
        if (d) found.set(name, d);
      }
      return found;
    },
    create: async (name, parameters, token) => {
      this.log('cloudformation:CreateStack', { StackName: name, Parameters: parameters, ClientRequestToken: token });
      if (this.tier) {
        if (this.tier.tokens.has(token)) return;
        throw Object.assign(new Error(`Stack [${name}] already exists`), { name: 'AlreadyExistsException' });
      }
      const d = this.delays;
      const m = this.minute;
      this.generation++;
      this.tier = {
        status: 'CREATE_IN_PROGRESS',
        parameters: { ...parameters },
        outputs: {},
        createdAt: this.time(),
        dueAt: m + d.create,
        endsIn: this.failNextCreate ? 'ROLLBACK_COMPLETE' : 'CREATE_COMPLETE',
        tokens: new Set([token]),
        generation: this.generation,
      };
      this.failNextCreate = false;
      this.stacksCreated++;
      this.createdThisMinute = true;
      this.ecs = new EcsService(ecsSettings(parameters, this.params, this.policy), m);
      // The service's first tasks start late enough in the stack's creation to be healthy as it completes.
      this.ecs.setDesired(Number(parameters[TIER_PARAMETERS.desiredCount]), m, m + Math.max(0, d.create - d.lead));
    },
    update: async (name, parameters, token) => {
      this.log('cloudformation:UpdateStack', { StackName: name, Parameters: parameters, ClientRequestToken: token });
      const s = this.tier;
      if (!s) throw Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });
      if (s.tokens.has(token)) return 'updating';
      if (STATE[s.status] !== 'ready') throw new Error(`${name} is in ${s.status} state and can not be updated`);
      if (Object.entries(parameters).every(([k, v]) => s.parameters[k] === v)) return 'no-change';
      Object.assign(s, { status: 'UPDATE_IN_PROGRESS', parameters: { ...parameters }, dueAt: this.minute + this.delays.update, endsIn: 'UPDATE_COMPLETE', lastUpdatedAt: this.time() });
      s.tokens.add(token);
      return 'updating';
    },
    delete: async (name, token) => {
      this.log('cloudformation:DeleteStack', { StackName: name, ClientRequestToken: token });
      const s = this.tier;
      if (!s || s.status === 'DELETE_IN_PROGRESS') return;
      Object.assign(s, { status: 'DELETE_IN_PROGRESS', dueAt: this.minute + this.delays.delete, endsIn: 'DELETE_COMPLETE' });
      this.stacksDeleted++;
    },
  };

  // ---- Route53 ----
  readonly dns: DnsPort = {
    read: async (zone, name) => {
      this.log('route53:ListResourceRecordSets', { HostedZoneId: zone, StartRecordName: name });
      return structuredClone(this.records);
    },
    readMany: async (targets) => {
      const found = new Map<string, ServiceRecords>();
      for (const t of targets) found.set(recordKey(t.recordName), await this.dns.read(t.hostedZoneId, t.recordName));
      return found;
    },
    change: async (zone, _name, changes: RecordChange[]) => {
      this.log('route53:ChangeResourceRecordSets', { HostedZoneId: zone, Changes: changes.map((c) => `${c.action} ${c.record.setIdentifier}=${c.record.weight}`) });
      // Route53 checks the whole batch first and applies it all or nothing.
      for (const c of changes) {
        const existing = this.records[c.record.setIdentifier as keyof ServiceRecords];
        if (c.action === 'DELETE' && JSON.stringify(existing) !== JSON.stringify(c.record)) {
          throw Object.assign(new Error('Tried to delete resource record set but it was not found'), { name: 'InvalidChangeBatch' });
        }
      }
      for (const c of changes) {
        const id = c.record.setIdentifier as keyof ServiceRecords;
        if (c.action === 'DELETE') delete this.records[id];
        else this.records[id] = structuredClone(c.record) as WeightedRecord;
      }
      const id = `/change/C${++this.changeSeq}`;
      const from = this.minute + this.delays.propagation;
      this.changes.set(id, from);
      this.pending.push({ from, share: albShareOf(this.records.api?.weight, this.records.alb?.weight), generation: this.generation });
      return id;
    },
    inSync: async (id) => {
      this.log('route53:GetChange', { Id: id });
      return this.minute >= (this.changes.get(id) ?? 0);
    },
  };

  // ---- CloudWatch, with the real adapter's windows ----
  readonly metrics: MetricsPort = {
    read: async (target: MetricsTarget, policy: Policy, now: number): Promise<ServiceMetrics> => {
      this.log('cloudwatch:GetMetricData', { ApiId: target.apiId, LoadBalancer: target.loadBalancer });
      return this.metricsAt(target, policy, now);
    },
    readMany: async (requests, now) => {
      const found = new Map<string, ServiceMetrics>();
      for (const r of requests) found.set(r.service, await this.metrics.read(r.target, r.policy, now));
      return found;
    },
  };

  /** What a metrics read at `now` returns, without the call: the port's answer, and what skip-ahead looks at every minute. */
  metricsAt(target: MetricsTarget, policy: Policy, now: number): ServiceMetrics {
    const w = metricWindows(policy, now, this.params.delays.metricLagSeconds);
    const end = this.minuteOf(w.end); // exclusive
    const hasAlb = Boolean(target.loadBalancer);
    let upLow = Infinity;
    let throttles = 0;
    for (let i = end - w.upMinutes; i < end; i++) {
      upLow = Math.min(upLow, this.totalAt(i, hasAlb));
      throttles += at(this.throttles, i);
    }
    let downHigh = 0;
    for (let i = end - w.downMinutes; i < end; i++) downHigh = Math.max(downHigh, this.totalAt(i, hasAlb));
    let albRequests = 0;
    let apiRequests = 0;
    let alb5xx = 0;
    for (let i = end - w.stepMinutes; i < end; i++) {
      albRequests += hasAlb ? at(this.albCount, i) : 0;
      alb5xx += hasAlb ? at(this.alb5xx, i) : 0;
      apiRequests += at(this.apiCount, i);
    }
    let albHigh = 0;
    for (let i = end - w.drainMinutes; i < end; i++) albHigh = Math.max(albHigh, hasAlb ? at(this.albCount, i) : 0);
    // The capacity window: the demand, and what says the tier is full.
    const recent = { demand: 0, alb: 0, spilled: 0, overload: 0, perTarget: 0, concurrency: 0, invocations: 0 };
    for (let i = end - w.capacityMinutes; i < end; i++) {
      recent.demand = Math.max(recent.demand, this.totalAt(i, hasAlb));
      recent.alb = Math.max(recent.alb, hasAlb ? at(this.albCount, i) : 0);
      recent.spilled = Math.max(recent.spilled, Math.max(0, at(this.invocations, i) - at(this.apiCount, i)));
      recent.overload = Math.max(recent.overload, hasAlb ? at(this.elb5xx, i) : 0);
      const hosts = at(this.healthyHosts, i);
      if (hasAlb && hosts > 0) recent.perTarget = Math.max(recent.perTarget, at(this.albCount, i) / hosts);
      recent.concurrency = Math.max(recent.concurrency, at(this.concurrency, i));
      recent.invocations = Math.max(recent.invocations, at(this.invocations, i));
    }
    let healthy: number | undefined;
    if (hasAlb) {
      for (let i = end - 1; i >= this.minuteOf(w.start) && i >= 0; i--) {
        if (!Number.isNaN(this.healthyHosts[i])) {
          healthy = this.healthyHosts[i];
          break;
        }
      }
    }
    return {
      totalRpsUpWindow: upLow / 60,
      totalRpsDownWindow: downHigh / 60,
      lambdaThrottles: throttles,
      albRpsMax: albHigh / 60,
      albRequests,
      alb5xx,
      // TargetResponseTime is published only for minutes with requests.
      albP95Ms: hasAlb && albRequests > 0 ? this.params.workload.durationMs : undefined,
      albShare: albRequests + apiRequests === 0 ? undefined : albRequests / (albRequests + apiRequests),
      healthyTargets: healthy,
      stepWindowStart: w.end - w.stepMinutes * MINUTE_MS,
      demandRps: recent.demand / 60,
      albRpsRecent: recent.alb / 60,
      spilledRps: recent.spilled / 60,
      albOverloadRps: recent.overload / 60,
      rpsPerTarget: hasAlb ? recent.perTarget / 60 : undefined,
      lambdaConcurrency: recent.concurrency,
      lambdaRps: recent.invocations / 60,
    };
  }

  /** Requests of both tiers in minute `i`, as CloudWatch counts them (the ALB's only while it has one). */
  private totalAt(i: number, hasAlb: boolean): number {
    return at(this.apiCount, i) + (hasAlb ? at(this.albCount, i) : 0);
  }

  // ---- Probes through the ALB ----
  readonly probe: ProbePort = {
    probe: async (target, count) => {
      this.log('https:GET', { url: target.url, count });
      const ok = this.tasks().healthy > 0;
      return ok ? { ok: count, failed: 0 } : { ok: 0, failed: count };
    },
  };
}

/** A series' value in minute `i`: 0 outside it (CloudWatch has no datapoint). */
function at(series: Float64Array, i: number): number {
  return i >= 0 && i < series.length ? series[i] : 0;
}

/** Lambda's limits from the simulator's parameters. */
export function lambdaLimits(p: SimParams) {
  return {
    durationMs: p.workload.durationMs,
    concurrencyLimit: p.lambda.concurrencyLimit,
    scalingPer10Seconds: p.lambda.scalingPer10Seconds,
    idleMinutes: Math.max(1, ticks(p.lambda.idleEnvironmentSeconds)),
    apiThrottleRps: p.lambda.apiThrottleRps,
  };
}

/** The ECS service the tier stack's parameters configure (target tracking on requests per target). */
function ecsSettings(parameters: Record<string, string>, p: SimParams, policy: Policy) {
  const num = (key: string, fallback: number) => (parameters[key] === undefined ? fallback : Number(parameters[key]));
  return {
    minTasks: num(TIER_PARAMETERS.minTasks, policy.fargate.minTasks),
    maxTasks: num(TIER_PARAMETERS.maxTasks, policy.fargate.maxTasks),
    targetPerMinute: num(TIER_PARAMETERS.requestsPerTargetPerMinute, policy.fargate.targetRpsPerTask * 60),
    ...ecsTiming(p),
  };
}

/** The delays and alarms of ECS target tracking, from the simulator's parameters. */
export function ecsTiming(p: SimParams) {
  return {
    leadMinutes: ticks(p.delays.taskStartSeconds + p.delays.targetHealthSeconds),
    deregistrationMinutes: ticks(p.delays.deregistrationDelaySeconds),
    alarmLagMinutes: ticks(p.delays.scalingAlarmLagSeconds),
    scaleOutDatapoints: p.ecs.scaleOutDatapoints,
    scaleInDatapoints: p.ecs.scaleInDatapoints,
    scaleInBelow: p.ecs.scaleInBelow,
    scaleInCooldownMinutes: ticks(p.ecs.scaleInCooldownSeconds),
  };
}

function baseOutputs(service: string): Record<string, string> {
  return {
    [BASE_OUTPUTS.apiId]: 'a1b2c3',
    [BASE_OUTPUTS.apiDomainName]: 'd-abc123.execute-api.us-east-1.amazonaws.com',
    [BASE_OUTPUTS.apiHostedZoneId]: 'Z1UJRXOUMOOFQ8',
    [BASE_OUTPUTS.functionName]: `${service}-api`,
    [BASE_OUTPUTS.imageUri]: IMAGE,
    [BASE_OUTPUTS.hostedZoneId]: 'Z0SIMULATED',
    [BASE_OUTPUTS.recordName]: `${service}.example.com`,
    [BASE_OUTPUTS.certificateArn]: 'arn:aws:acm:us-east-1:123456789012:certificate/sim',
    [BASE_OUTPUTS.taskExecutionRoleArn]: 'arn:aws:iam::123456789012:role/exec',
    [BASE_OUTPUTS.taskRoleArn]: 'arn:aws:iam::123456789012:role/task',
    [BASE_OUTPUTS.petsTable]: `${service}-pets`,
  };
}

function tierOutputs(service: string, generation: number): Record<string, string> {
  const name = `${tierStackName(service)}-${generation}`;
  return {
    [TIER_OUTPUTS.loadBalancerDnsName]: `${name}.us-east-1.elb.amazonaws.com`,
    [TIER_OUTPUTS.loadBalancerHostedZoneId]: 'Z35SXDOTRQ7X7K',
    [TIER_OUTPUTS.loadBalancerFullName]: `app/${name}/50dc6c495c0c9188`,
    [TIER_OUTPUTS.targetGroupFullName]: `targetgroup/${name}/73e2d6bc24d8a067`,
  };
}
