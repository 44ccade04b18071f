import {
  BASE_OUTPUTS,
  baseStackName,
  defaultPolicy,
  TIER_OUTPUTS,
  TIER_PARAMETERS,
  tierStackName,
  type Observation,
  type Policy,
  type PolicyIssue,
  type StackObservation,
  type StateStore,
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
  store: StateStore;
  stacks: StackPort;
  dns: DnsPort;
  metrics: MetricsPort;
  probe: ProbePort;
}

/** Reads everything one tick needs about a service: policy, status, both stacks, records, metrics. */
export async function observe(ports: ObservePorts, service: string, now: number): Promise<World> {
  const [stored, status, baseStack, tier] = await Promise.all([
    ports.store.readPolicy(service),
    ports.store.readStatus(service),
    ports.stacks.describe(baseStackName(service)),
    ports.stacks.describe(tierStackName(service)),
  ]);
  if (!stored) throw new ServiceSetupError('NoPolicy', `service ${service} has no policy item`);
  // A bad hand edit never stops the service: the last good policy goes on, and the status says why.
  const policy = stored.result.ok ? stored.result.policy : (status?.status.lastGoodPolicy ?? defaultPolicy(service));
  const policyIssues = stored.result.ok ? undefined : stored.result.issues;
  const base = readBase(service, baseStack);

  const change = status?.status.dnsChange;
  const [records, dnsInSync, metrics] = await Promise.all([
    ports.dns.read(base.hostedZoneId, base.recordName),
    change ? ports.dns.inSync(change.id) : Promise.resolve(true),
    ports.metrics.read(
      {
        apiId: base.apiId,
        functionName: base.functionName,
        loadBalancer: tier?.outputs[TIER_OUTPUTS.loadBalancerFullName],
        targetGroup: tier?.outputs[TIER_OUTPUTS.targetGroupFullName],
      },
      policy,
      now,
    ),
  ]);
  const albDns = tier?.outputs[TIER_OUTPUTS.loadBalancerDnsName];
  const probes =
    status?.status.intent.probe && albDns
      ? await ports.probe.probe({ url: `https://${albDns}/healthz`, host: base.recordName }, policy.dual.analysis.probes)
      : undefined;
  return {
    service,
    policy,
    generation: stored.generation,
    policyIssues,
    status,
    base,
    tier,
    records,
    dnsInSync,
    metrics,
    probes,
  };
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
  return Object.fromEntries(entries) as unknown as BaseStack;
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
