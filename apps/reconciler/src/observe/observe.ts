import {
  BASE_OUTPUTS,
  DEFAULT_HEALTH_CHECK_PATH,
  OPTIONAL_BASE_OUTPUTS,
  baseStackName,
  defaultPolicy,
  TIER_OUTPUTS,
  TIER_PARAMETERS,
  tierStackName,
  recordKey,
  type FleetItem,
  type MetricsRequest,
  type MetricsTarget,
  type Observation,
  type Policy,
  type PolicyIssue,
  type StackObservation,
  type StatePort,
  type StoredPolicy,
  type StoredStatus,
  usesAutoThresholds,
} from '@lambdaflex/state';
import { autoThresholds, createCostModel } from '@lambdaflex/cost';
import type { DnsPort, MetricsPort, ProbePort, ServiceMetrics, ServiceRecords, StackDescription, StackPort } from '../ports';

/** What one tick reads about one service, before deciding. */
export interface World {
  service: string;
  /** The policy in force (the last good one when the stored one is invalid) and its generation. */
  policy: Policy;
  generation: number;
  policyIssues?: PolicyIssue[];
  status?: StoredStatus;
  base: BaseStack;
  tier?: StackDescription;
  records: ServiceRecords;
  /** Whether the last submitted Route53 change is INSYNC (true when there is none). */
  dnsInSync: boolean;
  metrics: ServiceMetrics;
  probes?: { ok: number; failed: number };
}

/** The base stack's outputs the reconciler needs. */
export interface BaseStack {
  apiId: string;
  apiDomainName: string;
  apiHostedZoneId: string;
  functionName: string;
  imageUri: string;
  hostedZoneId: string;
  recordName: string;
  certificateArn: string;
  taskExecutionRoleArn: string;
  taskRoleArn: string;
  petsTable: string;
  /** The path the ALB checks and the probes request (the base stack's `HealthCheckPath`, else `/healthz`). */
  healthCheckPath?: string;
}

/** The service cannot be reconciled until a person fixes something (no policy, no base stack). */
export class ServiceSetupError extends Error {
  override readonly name = 'ServiceSetupError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ObservePorts {
  store: StatePort;
  stacks: StackPort;
  dns: DnsPort;
  metrics: MetricsPort;
  probe: ProbePort;
}

/** Reads everything one tick needs about one service: policy, status, both stacks, records, metrics. */
export async function observe(ports: ObservePorts, service: string, now: number): Promise<World> {
  const [stored, status, baseStack, tier] = await Promise.all([
    ports.store.readPolicy(service),
    ports.store.readStatus(service),
    ports.stacks.describe(baseStackName(service)),
    ports.stacks.describe(tierStackName(service)),
  ]);
  const known = knownService(service, stored, status, baseStack, tier);
  const change = status?.status.dnsChange;
  const [records, dnsInSync, metrics] = await Promise.all([
    ports.dns.read(known.base.hostedZoneId, known.base.recordName),
    change ? ports.dns.inSync(change.id) : Promise.resolve(true),
    ports.metrics.read(metricsTarget(known), known.policy, now),
  ]);
  return withProbes(ports.probe, { ...known, records, dnsInSync, metrics });
}

/**
 * Reads what one tick needs about many services in a few calls for all of them (the fleet's stacks in
 * one paged listing, each hosted zone's records once, metrics in batches), given their policies and
 * statuses from one fleet read. A service that cannot be observed maps to its error; the others go on.
 */
export async function observeFleet(ports: Omit<ObservePorts, 'store'>, items: readonly FleetItem[], now: number): Promise<Map<string, World | Error>> {
  const worlds = new Map<string, World | Error>();
  const stacks = await ports.stacks.describeMany(items.flatMap((i) => [baseStackName(i.service), tierStackName(i.service)]));
  const known: Known[] = [];
  for (const item of items) {
    try {
      known.push(knownService(item.service, item.policy, item.status, stacks.get(baseStackName(item.service)), stacks.get(tierStackName(item.service))));
    } catch (err) {
      worlds.set(item.service, err as Error);
    }
  }
  const requests: MetricsRequest[] = known.map((k) => ({ service: k.service, target: metricsTarget(k), policy: k.policy }));
  const [records, inSync, metrics] = await Promise.all([
    ports.dns.readMany(known.map((k) => ({ hostedZoneId: k.base.hostedZoneId, recordName: k.base.recordName }))),
    changesInSync(ports.dns, known),
    ports.metrics.readMany(requests, now),
  ]);
  await Promise.all(
    known.map(async (k) => {
      try {
        const world = { ...k, records: records.get(recordKey(k.base.recordName)) ?? {}, dnsInSync: inSync.get(k.service) ?? true, metrics: metrics.get(k.service) ?? {} };
        worlds.set(k.service, await withProbes(ports.probe, world));
      } catch (err) {
        worlds.set(k.service, err as Error);
      }
    }),
  );
  return worlds;
}

/** What is known of a service before its records and metrics are read. */
type Known = Omit<World, 'records' | 'dnsInSync' | 'metrics' | 'probes'>;

function knownService(
  service: string,
  stored: StoredPolicy | undefined,
  status: StoredStatus | undefined,
  baseStack: StackDescription | undefined,
  tier: StackDescription | undefined,
): Known {
  if (!stored) throw new ServiceSetupError('NoPolicy', `service ${service} has no policy item`);
  // A bad hand edit never stops the service: the last good policy goes on, and the status says why.
  const policy = stored.result.ok ? stored.result.policy : (status?.status.lastGoodPolicy ?? defaultPolicy(service));
  const policyIssues = stored.result.ok ? undefined : stored.result.issues;
  return { service, policy, generation: stored.generation, policyIssues, status, base: readBase(service, baseStack), tier };
}

/** What a service's metrics are read from: its API, its function, and its ALB while the tier has one. */
export function metricsTarget(k: Known): MetricsTarget {
  return {
    apiId: k.base.apiId,
    functionName: k.base.functionName,
    loadBalancer: k.tier?.outputs[TIER_OUTPUTS.loadBalancerFullName],
    targetGroup: k.tier?.outputs[TIER_OUTPUTS.targetGroupFullName],
  };
}

/** Whether each service's last Route53 change is INSYNC: one GetChange per pending change, none when there is none. */
async function changesInSync(dns: DnsPort, known: readonly Known[]): Promise<Map<string, boolean>> {
  const pending = known.filter((k) => k.status?.status.dnsChange);
  const answers = await Promise.all(pending.map((k) => dns.inSync(k.status!.status.dnsChange!.id)));
  return new Map(pending.map((k, i) => [k.service, answers[i]]));
}

/** Probes through the ALB when the last intent asked for them (dual at thin traffic). */
async function withProbes(probe: ProbePort, world: Omit<World, 'probes'>): Promise<World> {
  const albDns = world.tier?.outputs[TIER_OUTPUTS.loadBalancerDnsName];
  const probes =
    world.status?.status.intent.probe && albDns
      ? await probe.probe({ url: `https://${albDns}${world.base.healthCheckPath ?? DEFAULT_HEALTH_CHECK_PATH}`, host: world.base.recordName }, world.policy.dual.analysis.probes)
      : undefined;
  return { ...world, probes };
}

function readBase(service: string, stack: StackDescription | undefined): BaseStack {
  if (!stack || stack.state === 'absent') {
    throw new ServiceSetupError('BaseStackMissing', `base stack ${baseStackName(service)} does not exist: deploy it first`);
  }
  const entries = Object.entries(BASE_OUTPUTS).map(([key, output]) => [key, stack.outputs[output]] as const);
  const missing = entries.filter(([, value]) => !value).map(([key]) => BASE_OUTPUTS[key as keyof typeof BASE_OUTPUTS]);
  if (missing.length) {
    throw new ServiceSetupError('BaseStackIncomplete', `base stack ${stack.name} lacks outputs ${missing.join(', ')}`);
  }
  const healthCheckPath = stack.outputs[OPTIONAL_BASE_OUTPUTS.healthCheckPath];
  return { ...(Object.fromEntries(entries) as unknown as BaseStack), ...(healthCheckPath ? { healthCheckPath } : {}) };
}

/** The machine's view of a world. */
export function toObservation(world: World): Observation {
  const { tier, records, metrics } = world;
  const { healthyTargets, ...rates } = metrics;
  const desiredCount = tier?.parameters[TIER_PARAMETERS.desiredCount];
  const stack: StackObservation = tier
    ? {
        status: tier.state,
        image: tier.parameters[TIER_PARAMETERS.imageUri],
        desiredTasks: desiredCount === undefined ? undefined : Number(desiredCount),
        healthyTargets,
      }
    : { status: 'absent' };
  return {
    policy: world.policy,
    policyIssues: world.policyIssues,
    image: world.base.imageUri,
    stack,
    dns: {
      apiWeight: records.api?.weight ?? 0,
      albWeight: records.alb?.weight ?? 0,
      albRecordExists: records.alb !== undefined,
      inSync: world.dnsInSync,
    },
    metrics: rates,
    probes: world.probes,
    autoThresholds: usesAutoThresholds(world.policy) ? derivedThresholds(world.policy) : undefined,
  };
}

/**
 * `auto` thresholds from the cost model at list prices (libs/cost): up where the tier's saving over the
 * minimum stay pays for building and tearing it down, down where keeping it stops paying.
 */
function derivedThresholds(policy: Policy): { upRps: number; downRps: number } {
  const model = createCostModel({ task: { cpu: policy.fargate.cpu, memoryMiB: policy.fargate.memoryMiB } });
  const { upRps, downRps } = autoThresholds(policy, model);
  return { upRps, downRps };
}
