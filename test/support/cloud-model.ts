/**
 * An in-memory model of the parts of AWS the reconciler drives, behind the reconciler's own ports:
 * CloudFormation stacks that take several ticks to complete (and can fail or roll back), Route53
 * changes that go INSYNC after a delay, CloudWatch figures computed from a load the test sets, and
 * probes that succeed while the tier is healthy. Every call is recorded, in order, as an AWS call.
 */
import {
  BASE_OUTPUTS,
  baseStackName,
  RECORD_IDS,
  TIER_OUTPUTS,
  TIER_PARAMETERS,
  type Policy,
  type StackStatus,
} from '@lambdaflex/state';
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
} from '@lambdaflex/reconciler';

export interface ModelOptions {
  /** Ticks a create, update and delete take before they complete. */
  createTicks?: number;
  updateTicks?: number;
  deleteTicks?: number;
  /** Ticks a Route53 change stays PENDING. */
  dnsTicks?: number;
}

interface ModelStack {
  name: string;
  status: string;
  parameters: Record<string, string>;
  outputs: Record<string, string>;
  createdAt: string;
  lastUpdatedAt?: string;
  ticksLeft: number;
  /** What the operation in progress ends in. */
  endsIn: string;
  tokens: Set<string>;
}

/** The recorded call: the AWS API name and its important input. */
export interface AwsCall {
  api: string;
  input: Record<string, unknown>;
}

const STATE: Record<string, StackStatus> = {
  CREATE_IN_PROGRESS: 'in-progress',
  UPDATE_IN_PROGRESS: 'in-progress',
  DELETE_IN_PROGRESS: 'in-progress',
  ROLLBACK_IN_PROGRESS: 'in-progress',
  CREATE_COMPLETE: 'ready',
  UPDATE_COMPLETE: 'ready',
  UPDATE_ROLLBACK_COMPLETE: 'ready',
  ROLLBACK_COMPLETE: 'failed',
  DELETE_FAILED: 'failed',
};

export class CloudModel {
  readonly calls: AwsCall[] = [];
  readonly stacks = new Map<string, ModelStack>();
  readonly records = new Map<string, WeightedRecord>();
  private readonly changes = new Map<string, number>();
  private changeSeq = 0;
  /** Total requests per second the service receives, set by the test tick by tick. */
  load = 0;
  /** Per-minute history of what the model served: total rps and the ALB's share of it. */
  private readonly history: { at: number; total: number; alb: number }[] = [];
  /** Set to make the next create roll back (ROLLBACK_COMPLETE), or healthy targets drop to 0. */
  failNextCreate = false;
  unhealthy = false;
  now = 0;
  private readonly o: Required<ModelOptions>;

  constructor(
    readonly service: string,
    options: ModelOptions = {},
  ) {
    this.o = { createTicks: 3, updateTicks: 2, deleteTicks: 2, dnsTicks: 1, ...options };
    this.stacks.set(baseStackName(service), {
      name: baseStackName(service),
      status: 'CREATE_COMPLETE',
      parameters: {},
      outputs: {
        [BASE_OUTPUTS.apiId]: 'a1b2c3',
        [BASE_OUTPUTS.apiDomainName]: 'd-abc123.execute-api.us-east-1.amazonaws.com',
        [BASE_OUTPUTS.apiHostedZoneId]: 'Z1UJRXOUMOOFQ8',
        [BASE_OUTPUTS.functionName]: `${service}-api`,
        [BASE_OUTPUTS.imageUri]: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1',
        [BASE_OUTPUTS.hostedZoneId]: 'Z0USERZONE',
        [BASE_OUTPUTS.recordName]: 'api.example.com',
        [BASE_OUTPUTS.certificateArn]: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
        [BASE_OUTPUTS.taskExecutionRoleArn]: 'arn:aws:iam::123456789012:role/exec',
        [BASE_OUTPUTS.taskRoleArn]: 'arn:aws:iam::123456789012:role/task',
        [BASE_OUTPUTS.petsTable]: `${service}-pets`,
      },
      createdAt: '2026-11-01T00:00:00.000Z',
      ticksLeft: 0,
      endsIn: 'CREATE_COMPLETE',
      tokens: new Set(),
    });
  }

  /** Deploys a new image to the base stack (the Lambda), as the user's deploy would. */
  deployImage(imageUri: string) {
    this.stacks.get(baseStackName(this.service))!.outputs[BASE_OUTPUTS.imageUri] = imageUri;
  }

  /** One minute passes: operations progress, changes propagate, traffic is served by the weights. */
  advance(now: number) {
    this.now = now;
    for (const stack of [...this.stacks.values()]) {
      if (stack.ticksLeft > 0 && --stack.ticksLeft === 0) {
        if (stack.endsIn === 'DELETE_COMPLETE') this.stacks.delete(stack.name);
        else stack.status = stack.endsIn;
        if (stack.status === 'CREATE_COMPLETE') stack.outputs = tierOutputs(stack.name);
      }
    }
    for (const [id, left] of this.changes) if (left > 0) this.changes.set(id, left - 1);
    const api = this.records.get(RECORD_IDS.api)?.weight ?? 0;
    const alb = this.records.get(RECORD_IDS.alb)?.weight ?? 0;
    const albShare = api + alb === 0 ? 0 : alb / (api + alb);
    this.history.push({ at: now, total: this.load, alb: this.load * albShare });
  }

  /** The stack's machine state, for assertions. */
  tierState(name: string): StackStatus {
    const s = this.stacks.get(name);
    return s ? STATE[s.status] : 'absent';
  }

  // ---- CloudFormation ----
  readonly stacksPort: StackPort = {
    describe: async (name) => {
      this.calls.push({ api: 'cloudformation:DescribeStacks', input: { StackName: name } });
      const s = this.stacks.get(name);
      if (!s) return undefined;
      const d: StackDescription = {
        name,
        status: s.status,
        state: STATE[s.status],
        parameters: { ...s.parameters },
        outputs: { ...s.outputs },
        createdAt: s.createdAt,
        lastUpdatedAt: s.lastUpdatedAt,
      };
      return d;
    },
    create: async (name, parameters, token) => {
      this.calls.push({ api: 'cloudformation:CreateStack', input: { StackName: name, Parameters: parameters, ClientRequestToken: token } });
      const existing = this.stacks.get(name);
      if (existing) {
        if (existing.tokens.has(token)) return; // a retry of the same request
        throw Object.assign(new Error(`Stack [${name}] already exists`), { name: 'AlreadyExistsException' });
      }
      const fails = this.failNextCreate;
      this.failNextCreate = false;
      this.stacks.set(name, {
        name,
        status: 'CREATE_IN_PROGRESS',
        parameters: { ...parameters },
        outputs: {},
        createdAt: new Date(this.now).toISOString(),
        ticksLeft: this.o.createTicks,
        endsIn: fails ? 'ROLLBACK_COMPLETE' : 'CREATE_COMPLETE',
        tokens: new Set([token]),
      });
    },
    update: async (name, parameters, token) => {
      this.calls.push({ api: 'cloudformation:UpdateStack', input: { StackName: name, Parameters: parameters, ClientRequestToken: token } });
      const s = this.stacks.get(name);
      if (!s) throw Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });
      if (s.tokens.has(token)) return 'updating';
      if (STATE[s.status] !== 'ready') throw new Error(`${name} is in ${s.status} state and can not be updated`);
      if (Object.entries(parameters).every(([k, v]) => s.parameters[k] === v)) return 'no-change';
      Object.assign(s, { status: 'UPDATE_IN_PROGRESS', parameters: { ...parameters }, ticksLeft: this.o.updateTicks, endsIn: 'UPDATE_COMPLETE', lastUpdatedAt: new Date(this.now).toISOString() });
      s.tokens.add(token);
      return 'updating';
    },
    delete: async (name, token) => {
      this.calls.push({ api: 'cloudformation:DeleteStack', input: { StackName: name, ClientRequestToken: token } });
      const s = this.stacks.get(name);
      if (!s || s.status === 'DELETE_IN_PROGRESS') return;
      Object.assign(s, { status: 'DELETE_IN_PROGRESS', ticksLeft: this.o.deleteTicks, endsIn: 'DELETE_COMPLETE' });
    },
  };

  // ---- Route53 ----
  readonly dnsPort: DnsPort = {
    read: async (zone, name) => {
      this.calls.push({ api: 'route53:ListResourceRecordSets', input: { HostedZoneId: zone, StartRecordName: name } });
      const records: ServiceRecords = {};
      const api = this.records.get(RECORD_IDS.api);
      const alb = this.records.get(RECORD_IDS.alb);
      if (api) records.api = structuredClone(api);
      if (alb) records.alb = structuredClone(alb);
      return records;
    },
    change: async (zone, name, changes: RecordChange[]) => {
      this.calls.push({ api: 'route53:ChangeResourceRecordSets', input: { HostedZoneId: zone, Changes: changes.map((c) => `${c.action} ${c.record.setIdentifier}=${c.record.weight}`) } });
      // Route53 checks the whole batch first and applies it all or nothing.
      for (const c of changes) {
        const existing = this.records.get(c.record.setIdentifier);
        if (c.action === 'DELETE' && JSON.stringify(existing) !== JSON.stringify(c.record)) {
          throw Object.assign(new Error('Tried to delete resource record set but it was not found'), { name: 'InvalidChangeBatch' });
        }
      }
      for (const c of changes) {
        if (c.action === 'DELETE') this.records.delete(c.record.setIdentifier);
        else this.records.set(c.record.setIdentifier, structuredClone(c.record));
      }
      const id = `/change/C${++this.changeSeq}`;
      this.changes.set(id, this.o.dnsTicks);
      return id;
    },
    inSync: async (id) => {
      this.calls.push({ api: 'route53:GetChange', input: { Id: id } });
      return (this.changes.get(id) ?? 0) === 0;
    },
  };

  // ---- CloudWatch ----
  readonly metricsPort: MetricsPort = {
    read: async (target: MetricsTarget, policy: Policy, now: number): Promise<ServiceMetrics> => {
      this.calls.push({ api: 'cloudwatch:GetMetricData', input: { ApiId: target.apiId, LoadBalancer: target.loadBalancer } });
      const window = (seconds: number) => this.history.filter((h) => h.at > now - seconds * 1000 && h.at <= now);
      const up = window(policy.scaleUp.windowSeconds);
      const down = window(policy.scaleDown.windowSeconds);
      const step = window(policy.dual.stepHoldSeconds);
      const drain = window(Math.max(2 * policy.dns.ttlSeconds, 300));
      const albRequests = step.reduce((n, h) => n + h.alb * 60, 0);
      const total = step.reduce((n, h) => n + h.total * 60, 0);
      const tier = [...this.stacks.values()].find((s) => s.name !== baseStackName(this.service));
      const healthy = tier && target.loadBalancer && STATE[tier.status] !== 'failed' && tier.outputs[TIER_OUTPUTS.loadBalancerFullName]
        ? (this.unhealthy ? 0 : Number(tier.parameters[TIER_PARAMETERS.desiredCount] ?? 1))
        : undefined;
      return {
        totalRpsUpWindow: up.length ? Math.min(...up.map((h) => h.total)) : undefined,
        totalRpsDownWindow: down.length ? Math.max(...down.map((h) => h.total)) : undefined,
        lambdaThrottles: 0,
        albRpsMax: target.loadBalancer ? Math.max(0, ...drain.map((h) => h.alb)) : 0,
        albRequests: target.loadBalancer ? albRequests : undefined,
        alb5xx: target.loadBalancer ? 0 : undefined,
        albP95Ms: target.loadBalancer && albRequests > 0 ? 40 : undefined,
        albShare: total > 0 ? albRequests / total : undefined,
        healthyTargets: healthy,
      };
    },
  };

  readonly probePort: ProbePort = {
    probe: async (target, count) => {
      this.calls.push({ api: 'https:GET', input: { url: target.url, count } });
      return this.unhealthy ? { ok: 0, failed: count } : { ok: count, failed: 0 };
    },
  };

  /** The AWS calls that change something, in order (reads left out). */
  writes(): AwsCall[] {
    return this.calls.filter((c) => /CreateStack|UpdateStack|DeleteStack|ChangeResourceRecordSets/.test(c.api));
  }
}

function tierOutputs(stackName: string): Record<string, string> {
  return {
    [TIER_OUTPUTS.loadBalancerDnsName]: `${stackName}-alb-123.us-east-1.elb.amazonaws.com`,
    [TIER_OUTPUTS.loadBalancerHostedZoneId]: 'Z35SXDOTRQ7X7K',
    [TIER_OUTPUTS.loadBalancerFullName]: `app/${stackName}/50dc6c495c0c9188`,
    [TIER_OUTPUTS.targetGroupFullName]: `targetgroup/${stackName}/73e2d6bc24d8a067`,
  };
}
