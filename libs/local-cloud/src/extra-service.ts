/**
 * Extra services: the rest of a fleet, beside the pet store, for the fleet tick to reconcile. Each has
 * what the pet store has in the local cloud's models — its base stack outputs, its tier stack, its own
 * weighted records, its own metrics — but no process: its tier is a balancer on paper whose tasks are
 * healthy as soon as they are asked for, and its traffic is a request rate a test (or the control API's
 * `POST /traffic/<service>`) sets, split between the tiers by the weights its resolvers see.
 *
 *   setRate(rps) ─▶ SyntheticMetrics ─(each complete second: rps split by LocalDns.effective)─▶ buckets
 *                                                                     ▲ the reconciler reads them as CloudWatch
 */
import type { Policy } from '@lambdaflex/state';
import type { FargateTierOptions } from './fargate-tier';
import { EdgeMetrics, LocalDns, LocalStacks, localBaseOutputs, type LocalTier } from './local-aws';

/** A tier stack's tasks without processes: as many healthy targets as asked for, at once. */
export class PaperTier implements LocalTier {
  url = '';
  private tasks = 0;

  constructor(
    private readonly service: string,
    private readonly maxTasks = Infinity,
  ) {}

  get healthyTargets(): number {
    return this.tasks;
  }

  get taskCount(): number {
    return this.tasks;
  }

  async start(): Promise<string> {
    this.url = `http://alb.${this.service}.lambdaflex.localhost`;
    return this.url;
  }

  async scaleTo(desired: number): Promise<void> {
    this.tasks = Math.min(desired, this.maxTasks);
  }

  async stop(): Promise<void> {
    this.tasks = 0;
  }
}

/** A synthetic answer's latency at each front door, in ms. */
const LATENCY_MS = { api: 5, alb: 20 } as const;
/** The most seconds filled in one go: the longest window anyone reads is an hour. */
const MAX_FILL_SECONDS = 3600;

/**
 * The local CloudWatch of a service with no edge traffic: `rps` requests every second (zero until
 * set), counted per tier by the weights resolvers saw in that second. Seconds are filled when read,
 * so the figures are the same however often the reconciler asks. An ALB request while the tier has
 * no healthy target is a 502, as a real ALB answers.
 */
export class SyntheticMetrics extends EdgeMetrics {
  private rps = 0;
  /** The last complete second counted. */
  private filled: number;

  constructor(
    private readonly dns: LocalDns,
    private readonly albServing: () => boolean,
    now = Date.now(),
  ) {
    super();
    this.filled = Math.floor(now / 1000) - 1;
  }

  /** The request rate now. */
  get rate(): number {
    return this.rps;
  }

  /** Sets the request rate from the current second on (whole requests per second). */
  setRate(rps: number, now = Date.now()): void {
    this.fill(now);
    this.rps = Math.max(0, Math.round(rps));
  }

  override read(policy: Policy, hasAlb: boolean, healthyTargets: number | undefined, now = Date.now()) {
    this.fill(now);
    return super.read(policy, hasAlb, healthyTargets, now);
  }

  override rates(seconds: number, now = Date.now()) {
    this.fill(now);
    return super.rates(seconds, now);
  }

  override seconds(seconds: number, now = Date.now()) {
    this.fill(now);
    return super.seconds(seconds, now);
  }

  private fill(now: number): void {
    const last = Math.floor(now / 1000) - 1;
    for (let second = Math.max(this.filled + 1, last - MAX_FILL_SECONDS); second <= last; second++) {
      const at = second * 1000 + 500;
      const w = this.dns.effective(at);
      const alb = w.albTarget && w.alb > 0 ? Math.round((this.rps * w.alb) / (w.api + w.alb)) : 0;
      const albStatus = this.albServing() ? 200 : 502;
      for (let i = 0; i < this.rps - alb; i++) this.record('api', 200, LATENCY_MS.api, at);
      for (let i = 0; i < alb; i++) this.record('alb', albStatus, LATENCY_MS.alb, at);
    }
    this.filled = Math.max(this.filled, last);
  }
}

/** One extra service in the local cloud: its stacks, its records, its metrics. */
export interface ExtraService {
  service: string;
  stacks: LocalStacks<PaperTier>;
  dns: LocalDns;
  metrics: SyntheticMetrics;
}

export interface ExtraServiceOptions {
  /** The base stack's image (both tiers run it). */
  imageUri: string;
  propagationMs: number;
  provisioningMs: number;
  maxTasks?: number;
  onEvent?: (event: string) => void;
}

/**
 * An extra service named `service`. `index` (from 1) makes its Route53 change ids its own, so the control
 * API finds a change by its id alone.
 */
export function createExtraService(service: string, index: number, o: ExtraServiceOptions): ExtraService {
  const dns = new LocalDns(o.propagationMs, `X${index}-`);
  const tierOptions: FargateTierOptions = { appDir: '', env: {}, maxTasks: o.maxTasks };
  const stacks = new LocalStacks<PaperTier>(service, localBaseOutputs(o.imageUri, service), tierOptions, o.provisioningMs, o.onEvent, (t) => new PaperTier(service, t.maxTasks));
  const metrics = new SyntheticMetrics(dns, () => (stacks.tier?.healthyTargets ?? 0) > 0);
  return { service, stacks, dns, metrics };
}
