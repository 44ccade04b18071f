/**
 * The local stand-ins for CloudFormation, Route53 and CloudWatch that the edge and the tiers share.
 * They live in the local cloud's process; the reconciler reaches them through the control API with
 * the same ports it uses on AWS (see local-ports.ts).
 */
import {
  BASE_OUTPUTS,
  baseStackName,
  RECORD_IDS,
  TIER_OUTPUTS,
  TIER_PARAMETERS,
  tierStackName,
  type Policy,
  type RecordChange,
  type StackDescription,
  type StackStatus,
  type WeightedRecord,
} from '@lambdaflex/state';
import { LocalFargateTier, type FargateTierOptions } from './fargate-tier';

export const LOCAL_ZONE = 'ZLOCAL';
export const LOCAL_RECORD = 'api.lambdaflex.localhost';

// ---- Route53: changes take effect at the edge only after the propagation delay ----

interface Change {
  id: string;
  appliesAt: number;
  records: Map<string, WeightedRecord>;
}

export class LocalDns {
  private readonly changes: Change[];
  /** Every change batch accepted, in order: what the tests count (an UPSERT made once, not every tick). */
  readonly submitted: { id: string; at: number; changes: RecordChange[] }[] = [];

  /**
   * @param idPrefix starts this zone's change ids (`/change/<prefix><n>`): each service's records have
   * their own LocalDns, and the control API finds a change by its id alone, as GetChange does.
   */
  constructor(
    private readonly propagationMs: number,
    private readonly idPrefix = 'C',
  ) {
    this.changes = [{ id: `/change/${idPrefix}0`, appliesAt: 0, records: new Map() }];
  }

  /** The records as Route53 answers the API (authoritative, at once). */
  read(): { api?: WeightedRecord; alb?: WeightedRecord } {
    const latest = this.changes.at(-1)!.records;
    return { api: latest.get(RECORD_IDS.api), alb: latest.get(RECORD_IDS.alb) };
  }

  change(changes: RecordChange[], now = Date.now()): string {
    const records = new Map(this.changes.at(-1)!.records);
    for (const c of changes) {
      const existing = records.get(c.record.setIdentifier);
      if (c.action === 'DELETE' && JSON.stringify(existing) !== JSON.stringify(c.record)) {
        throw Object.assign(new Error('Tried to delete resource record set but it was not found'), { code: 'InvalidChangeBatch' });
      }
    }
    for (const c of changes) {
      if (c.action === 'DELETE') records.delete(c.record.setIdentifier);
      else records.set(c.record.setIdentifier, structuredClone(c.record));
    }
    const id = `/change/${this.idPrefix}${this.changes.length}`;
    this.changes.push({ id, appliesAt: now + this.propagationMs, records });
    this.submitted.push({ id, at: now, changes: structuredClone(changes) });
    return id;
  }

  /** Whether this zone issued the change `id`. */
  has(id: string): boolean {
    return this.changes.some((c) => c.id === id);
  }

  inSync(id: string, now = Date.now()): boolean {
    const change = this.changes.find((c) => c.id === id);
    return !change || now >= change.appliesAt;
  }

  /** The weights resolvers see now: the newest change that has propagated. */
  effective(now = Date.now()): { api: number; alb: number; albTarget?: string } {
    const seen = [...this.changes].reverse().find((c) => c.appliesAt <= now)!.records;
    const api = seen.get(RECORD_IDS.api);
    const alb = seen.get(RECORD_IDS.alb);
    return { api: api?.weight ?? 0, alb: alb?.weight ?? 0, albTarget: alb?.target.dnsName };
  }
}

// ---- CloudWatch: the edge counts requests per tier in one-second buckets ----

interface Bucket {
  api: number;
  alb: number;
  apiErrors: number;
  albErrors: number;
  throttles: number;
  albLatencies: number[];
  /** ALB requests a task handed to Lambda at its in-flight limit and Lambda answered (the instant spill). Counted in `alb` too. */
  spilled: number;
  /** ALB requests a task refused at its limit (503 + Retry-After): no spill function, or Lambda could not take them. Counted in `alb` and `albErrors` too. */
  overloaded: number;
}

const emptyBucket = (): Bucket => ({ api: 0, alb: 0, apiErrors: 0, albErrors: 0, throttles: 0, albLatencies: [], spilled: 0, overloaded: 0 });

/** What a task did with an ALB request at its in-flight limit, as its answer's headers tell. */
export type TaskOutcome = 'spilled' | 'overloaded';

/** Seconds the capacity figures look back locally (the AWS adapter's three minutes, at the local policy's scale). */
const CAPACITY_SECONDS = 3;

export class EdgeMetrics {
  private readonly buckets = new Map<number, Bucket>();

  /** One answered request: the tier the edge sent it to and, for an ALB request a task did not serve itself, what it did. */
  record(tier: 'api' | 'alb', status: number, latencyMs: number, at = Date.now(), task?: TaskOutcome) {
    const b = this.bucket(Math.floor(at / 1000));
    b[tier]++;
    if (status >= 500) b[tier === 'api' ? 'apiErrors' : 'albErrors']++;
    if (status === 429 && tier === 'api') b.throttles++;
    if (tier === 'alb') b.albLatencies.push(latencyMs);
    if (tier === 'alb' && task) b[task]++;
  }

  private bucket(second: number): Bucket {
    let b = this.buckets.get(second);
    if (!b) {
      b = emptyBucket();
      this.buckets.set(second, b);
      // An hour is the longest window anyone asks for; older seconds go once there are more than that.
      if (this.buckets.size > 3600) for (const old of this.buckets.keys()) if (old <= second - 3600) this.buckets.delete(old);
    }
    return b;
  }

  /**
   * Requests per second of each tier over the last `seconds` complete seconds, for the console: those the
   * edge sent to each, and of the ALB's, those its tasks handed to Lambda or refused at their limit.
   */
  rates(seconds: number, now = Date.now()): { api: number; alb: number; spilled: number; overloaded: number } {
    const last = this.window(seconds, now);
    const per = (k: 'api' | 'alb' | 'spilled' | 'overloaded') => last.reduce((n, b) => n + b[k], 0) / seconds;
    return { api: per('api'), alb: per('alb'), spilled: per('spilled'), overloaded: per('overloaded') };
  }

  /** Per-second counts of the last `seconds` complete seconds, oldest first: the e2e suites' view of the edge. */
  seconds(seconds: number, now = Date.now()): { second: number; api: number; alb: number; spilled: number; overloaded: number }[] {
    const end = Math.floor(now / 1000);
    return this.window(seconds, now)
      .map((b, i) => ({ second: end - 1 - i, api: b.api, alb: b.alb, spilled: b.spilled, overloaded: b.overloaded }))
      .reverse();
  }

  /** The complete seconds of the window ending before `now` (the current second is still counting). */
  private window(seconds: number, now: number): Bucket[] {
    const end = Math.floor(now / 1000);
    // A second with no bucket saw no request: reading must not create one.
    return Array.from({ length: Math.max(1, Math.round(seconds)) }, (_, i) => this.buckets.get(end - 1 - i) ?? emptyBucket());
  }

  /** The machine's figures, with the policy's windows read as seconds of one-second buckets. */
  read(policy: Policy, hasAlb: boolean, healthyTargets: number | undefined, now = Date.now()) {
    const perSecond = (b: Bucket) => b.api + b.alb;
    const up = this.window(policy.scaleUp.windowSeconds, now);
    const down = this.window(policy.scaleDown.windowSeconds, now);
    const step = this.window(policy.dual.stepHoldSeconds, now);
    const drain = this.window(Math.max(2 * policy.dns.ttlSeconds, 5), now);
    const recent = this.window(CAPACITY_SECONDS, now);
    const albRequests = step.reduce((n, b) => n + b.alb, 0);
    const total = step.reduce((n, b) => n + perSecond(b), 0);
    const latencies = step.flatMap((b) => b.albLatencies).sort((a, b) => a - b);
    return {
      totalRpsUpWindow: Math.min(...up.map(perSecond)),
      totalRpsDownWindow: Math.max(...down.map(perSecond)),
      lambdaThrottles: up.reduce((n, b) => n + b.throttles, 0),
      albRpsMax: Math.max(...drain.map((b) => b.alb)),
      albRequests: hasAlb ? albRequests : undefined,
      alb5xx: hasAlb ? step.reduce((n, b) => n + b.albErrors, 0) : undefined,
      albP95Ms: latencies.length ? latencies[Math.floor(latencies.length * 0.95)] : undefined,
      albShare: total > 0 ? albRequests / total : undefined,
      healthyTargets,
      stepWindowStart: Math.floor(now / 1000) * 1000 - step.length * 1000,
      // The capacity window: the last few seconds, as the AWS adapter's last few minutes.
      demandRps: Math.max(...recent.map(perSecond)),
      albRpsRecent: hasAlb ? Math.max(...recent.map((b) => b.alb)) : 0,
      spilledRps: Math.max(...recent.map((b) => b.spilled)),
      albOverloadRps: hasAlb ? Math.max(...recent.map((b) => b.overloaded)) : 0,
      rpsPerTarget: hasAlb && healthyTargets ? Math.max(...recent.map((b) => b.alb)) / healthyTargets : undefined,
      lambdaRps: Math.max(...recent.map((b) => b.api + b.spilled)),
    };
  }
}

// ---- CloudFormation: the base stack is given; the tier stack is the local Fargate tier ----

/** What a tier stack runs once created: the local Fargate tier, or an extra service's tier without processes. */
export interface LocalTier {
  /** The balancer's URL; its host is the stack's load balancer DNS name. */
  readonly url: string;
  readonly healthyTargets: number;
  readonly taskCount: number;
  start(): Promise<string>;
  scaleTo(desired: number): Promise<void>;
  stop(): Promise<void>;
}

interface TierStack<T extends LocalTier> {
  status: string;
  parameters: Record<string, string>;
  createdAt: string;
  lastUpdatedAt?: string;
  tier?: T;
}

/**
 * One service's stacks: its base stack (given) and its tier stack, which runs a `T` once provisioned —
 * by default the local Fargate tier of real processes.
 */
export class LocalStacks<T extends LocalTier = LocalFargateTier> {
  private tierStack?: TierStack<T>;

  constructor(
    readonly service: string,
    private readonly base: Record<string, string>,
    private readonly tierOptions: FargateTierOptions,
    private readonly provisioningMs: number,
    private readonly onEvent: (event: string) => void = () => undefined,
    private readonly newTier: (options: FargateTierOptions) => T = (options) => new LocalFargateTier(options) as unknown as T,
  ) {}

  /** The running tier, if any: the edge routes ALB traffic to its balancer. */
  get tier(): T | undefined {
    return this.tierStack?.tier;
  }

  /** Whether `name` is this service's base or tier stack. */
  owns(name: string): boolean {
    return name === baseStackName(this.service) || name === tierStackName(this.service);
  }

  describe(name: string): StackDescription | undefined {
    if (name === baseStackName(this.service)) {
      return { name, status: 'CREATE_COMPLETE', state: 'ready', parameters: {}, outputs: this.base, createdAt: '2026-01-01T00:00:00.000Z' };
    }
    const t = this.tierStack;
    if (name !== tierStackName(this.service) || !t) return undefined;
    const outputs: Record<string, string> = t.tier?.url
      ? {
          [TIER_OUTPUTS.loadBalancerDnsName]: t.tier.url.replace('http://', ''),
          [TIER_OUTPUTS.loadBalancerHostedZoneId]: LOCAL_ZONE,
          [TIER_OUTPUTS.loadBalancerFullName]: `app/${this.service}/1`,
          [TIER_OUTPUTS.targetGroupFullName]: `targetgroup/${this.service}/1`,
        }
      : {};
    const state: StackStatus = t.status.endsWith('_IN_PROGRESS') ? 'in-progress' : t.status.endsWith('_FAILED') ? 'failed' : 'ready';
    return { name, status: t.status, state, parameters: { ...t.parameters }, outputs, createdAt: t.createdAt, lastUpdatedAt: t.lastUpdatedAt };
  }

  create(name: string, parameters: Record<string, string>): void {
    if (this.tierStack) return; // a retry of the same create
    const stack: TierStack<T> = { status: 'CREATE_IN_PROGRESS', parameters, createdAt: new Date().toISOString() };
    this.tierStack = stack;
    this.onEvent(`stack ${name} CREATE_IN_PROGRESS`);
    // Provisioning takes a while, as VPC, ALB and ECS do; then the tasks start and get healthy.
    setTimeout(async () => {
      const tier = this.newTier({ onEvent: this.onEvent, ...this.tierOptionsFor(parameters) });
      await tier.start();
      await tier.scaleTo(Number(parameters[TIER_PARAMETERS.desiredCount] ?? 1));
      stack.tier = tier;
      stack.status = 'CREATE_COMPLETE';
      this.onEvent(`stack ${name} CREATE_COMPLETE (${tier.taskCount} task(s))`);
    }, this.provisioningMs).unref();
  }

  /**
   * The tier as the template would run it with these parameters: the function the tasks spill to and
   * their in-flight limit are the stack's (what the reconciler passes), unless the local cloud fixes them
   * (its tasks are not 0.25 vCPU, so their limit is its own choice).
   */
  private tierOptionsFor(parameters: Record<string, string>): FargateTierOptions {
    const o = this.tierOptions;
    const fromStack = parameters[TIER_PARAMETERS.maxInFlightPerTask];
    const functionName = parameters[TIER_PARAMETERS.spillFunctionName];
    return {
      ...o,
      maxInFlightPerTask: o.maxInFlightPerTask ?? (fromStack === undefined ? undefined : Number(fromStack)),
      spill: o.spill && { ...o.spill, functionName: functionName || o.spill.functionName },
    };
  }

  update(name: string, parameters: Record<string, string>): 'updating' | 'no-change' {
    const stack = this.tierStack;
    if (!stack) throw Object.assign(new Error(`Stack with id ${name} does not exist`), { code: 'ValidationError' });
    if (Object.entries(parameters).every(([k, v]) => stack.parameters[k] === v)) return 'no-change';
    stack.parameters = parameters;
    stack.status = 'UPDATE_IN_PROGRESS';
    stack.lastUpdatedAt = new Date().toISOString();
    void stack.tier?.scaleTo(Number(parameters[TIER_PARAMETERS.desiredCount] ?? 1)).then(() => (stack.status = 'UPDATE_COMPLETE'));
    return 'updating';
  }

  delete(name: string): void {
    const stack = this.tierStack;
    if (!stack || stack.status === 'DELETE_IN_PROGRESS') return;
    stack.status = 'DELETE_IN_PROGRESS';
    this.onEvent(`stack ${name} DELETE_IN_PROGRESS`);
    void (async () => {
      await stack.tier?.stop();
      this.tierStack = undefined;
      this.onEvent(`stack ${name} deleted`);
    })();
  }

  async stop(): Promise<void> {
    await this.tierStack?.tier?.stop();
  }
}

/**
 * The base stack's outputs in the local cloud: the pet store's, or with `extraService` those of an
 * extra service, whose names (API, function, record) are its own.
 */
export function localBaseOutputs(imageUri: string, extraService?: string): Record<string, string> {
  const host = extraService ? `${extraService}.lambdaflex.localhost` : 'lambdaflex.localhost';
  return {
    [BASE_OUTPUTS.apiId]: extraService ? `local-${extraService}` : 'local',
    [BASE_OUTPUTS.apiDomainName]: `lambda.${host}`,
    [BASE_OUTPUTS.apiHostedZoneId]: LOCAL_ZONE,
    [BASE_OUTPUTS.functionName]: `lambdaflex-api-${extraService ?? 'local'}`,
    [BASE_OUTPUTS.imageUri]: imageUri,
    [BASE_OUTPUTS.hostedZoneId]: LOCAL_ZONE,
    [BASE_OUTPUTS.recordName]: extraService ? `api.${host}` : LOCAL_RECORD,
    [BASE_OUTPUTS.certificateArn]: 'local',
    [BASE_OUTPUTS.taskExecutionRoleArn]: 'local',
    [BASE_OUTPUTS.taskRoleArn]: 'local',
    [BASE_OUTPUTS.petsTable]: 'lambdaflex-pets',
  };
}
