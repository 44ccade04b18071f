import { createHash } from 'node:crypto';
import { RECORD_IDS, TIER_OUTPUTS, TIER_PARAMETERS, tierStackName, type Intent } from '@lambdaflex/state';
import type { AliasTarget, RecordChange, WeightedRecord } from '../ports';
import type { World } from '../observe/observe';

/** One AWS effect, as plain data: what `plan` prints and `apply` performs. */
export type Act =
  | { type: 'dns.change'; hostedZoneId: string; recordName: string; changes: RecordChange[] }
  | { type: 'stack.create'; stackName: string; parameters: Record<string, string>; token: string }
  | { type: 'stack.update'; stackName: string; parameters: Record<string, string>; token: string }
  | { type: 'stack.delete'; stackName: string; token: string };

/** The acts that bring the world to the intent, in a safe order, and what must wait for a later tick. */
export interface Plan {
  acts: Act[];
  waiting: string[];
}

/**
 * Diffs the intent against the world: only the difference becomes acts. Route53 goes first (weights
 * before teardown), the stack after; anything that cannot run yet (a stack in progress, a DNS change
 * pending) is left for the next tick, which sees the world afresh. Pure.
 *
 * `attempt` tells one creation of the tier from the next (the time the current tier change began), so a
 * retried create reuses its token and a later create does not.
 */
export function planActs(intent: Intent, world: World, attempt: number): Plan {
  const waiting: string[] = [];
  const acts: Act[] = [];
  const dns = dnsChanges(intent, world, waiting);
  if (dns.length) {
    if (world.dnsInSync) acts.push({ type: 'dns.change', hostedZoneId: world.base.hostedZoneId, recordName: world.base.recordName, changes: dns });
    else waiting.push('a Route53 change is still PENDING');
  }
  const stack = stackAct(intent, world, attempt, waiting);
  if (stack) acts.push(stack);
  return { acts, waiting };
}

function dnsChanges(intent: Intent, world: World, waiting: string[]): RecordChange[] {
  const changes: RecordChange[] = [];
  const api: WeightedRecord = {
    setIdentifier: RECORD_IDS.api,
    weight: intent.weights.api,
    target: { dnsName: world.base.apiDomainName, hostedZoneId: world.base.apiHostedZoneId },
  };
  if (!sameRecord(world.records.api, api)) changes.push({ action: 'UPSERT', record: api });

  const existing = world.records.alb;
  if (intent.albRecord) {
    const target = albTarget(world);
    if (!target) waiting.push('the tier stack has no load balancer outputs yet');
    else {
      const alb: WeightedRecord = { setIdentifier: RECORD_IDS.alb, weight: intent.weights.alb, target };
      if (!sameRecord(existing, alb)) changes.push({ action: 'UPSERT', record: alb });
    }
  } else if (existing) {
    changes.push({ action: 'DELETE', record: existing }); // Route53 deletes only an exact match
  }
  return changes;
}

function stackAct(intent: Intent, world: World, attempt: number, waiting: string[]): Act | undefined {
  const stackName = tierStackName(world.service);
  const tier = world.tier;
  if (intent.stack.present) {
    const parameters = tierParameters(intent, world);
    if (!tier) return { type: 'stack.create', stackName, parameters, token: token(world.service, 'create', String(attempt)) };
    if (tier.state === 'in-progress') return void waiting.push(`tier stack is ${tier.status}`);
    if (tier.state === 'failed') return void waiting.push(`tier stack is ${tier.status}: the machine drains it`);
    const changed = Object.entries(parameters).some(([k, v]) => tier.parameters[k] !== v);
    if (!changed) return undefined;
    const revision = hash(JSON.stringify(parameters) + (tier.lastUpdatedAt ?? tier.createdAt));
    return { type: 'stack.update', stackName, parameters, token: token(world.service, 'update', revision) };
  }
  if (!tier) return undefined;
  if (tier.state === 'in-progress') return void waiting.push(`tier stack is ${tier.status}`);
  // Defence in depth: the machine deletes the record first; never strand clients on a deleted ALB.
  if (world.records.alb) return void waiting.push('the ALB record still exists');
  // The status is part of the token: a delete that failed (DELETE_FAILED) is a new request when retried.
  return { type: 'stack.delete', stackName, token: token(world.service, 'delete', `${Date.parse(tier.createdAt)}/${tier.status}`) };
}

/** The tier stack's parameters for an intent: what the template takes, as strings. */
export function tierParameters(intent: Intent, world: World): Record<string, string> {
  if (!intent.stack.present) return {};
  const s = intent.stack;
  const p = TIER_PARAMETERS;
  return {
    [p.serviceName]: world.service,
    [p.imageUri]: s.image,
    [p.desiredCount]: String(s.desiredTasks),
    [p.minTasks]: String(s.minTasks),
    [p.maxTasks]: String(s.maxTasks),
    [p.cpu]: String(s.cpu),
    [p.memory]: String(s.memoryMiB),
    [p.requestsPerTargetPerMinute]: String(Math.round(s.targetRpsPerTask * 60)),
    [p.certificateArn]: world.base.certificateArn,
    [p.taskExecutionRoleArn]: world.base.taskExecutionRoleArn,
    [p.taskRoleArn]: world.base.taskRoleArn,
    [p.petsTable]: world.base.petsTable,
    // The instant spill: a saturated task hands its excess to the service's own function.
    [p.spillFunctionName]: world.base.functionName,
    [p.maxInFlightPerTask]: String(MAX_INFLIGHT_PER_TASK),
  };
}

/**
 * Requests a task serves at once before it hands the next ones to Lambda: the API's own default
 * (LAMBDAFLEX_MAX_INFLIGHT), enough for a 0.25 vCPU Node.js task whose requests wait mostly on DynamoDB.
 */
const MAX_INFLIGHT_PER_TASK = 64;

function albTarget(world: World): AliasTarget | undefined {
  const dnsName = world.tier?.outputs[TIER_OUTPUTS.loadBalancerDnsName];
  const hostedZoneId = world.tier?.outputs[TIER_OUTPUTS.loadBalancerHostedZoneId];
  return dnsName && hostedZoneId ? { dnsName, hostedZoneId } : undefined;
}

function sameRecord(a: WeightedRecord | undefined, b: WeightedRecord): boolean {
  return (
    !!a &&
    a.weight === b.weight &&
    a.target.dnsName.replace(/\.$/, '').toLowerCase() === b.target.dnsName.replace(/\.$/, '').toLowerCase() &&
    a.target.hostedZoneId === b.target.hostedZoneId
  );
}

/** A ClientRequestToken CloudFormation accepts ([a-zA-Z][-a-zA-Z0-9]*, ≤ 128): the same inputs, the same token. */
function token(service: string, action: string, discriminator: string): string {
  return `lf-${action}-${hash(`${service}/${discriminator}`)}`;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
