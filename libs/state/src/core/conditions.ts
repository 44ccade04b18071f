import { capacityOf } from './capacity';
import { askedAlbWeight, thresholdsOf, type TierContext } from './machine';
import type { Observation } from './observation';
import type { Condition, Phase } from './status';

/** What the conditions are computed from: the state after this tick, what was seen, and any notes. */
export interface ConditionInput {
  phase: Phase;
  drainStep?: string;
  context: TierContext;
  observation: Observation;
  now: number;
  paused: boolean;
  /** Why the stored snapshot was not used, if it was not. */
  reset?: string;
}

const STALL_MARGIN_MS = 3_600_000;

/**
 * Ready, Progressing and Degraded, each with a PascalCase reason and a sentence. Degraded lists every
 * problem in its message and names the first in its reason, so a stuck state never goes unsaid.
 */
export function conditionsFor(c: ConditionInput): Condition[] {
  const { phase } = c;
  const stable = phase === 'lambda' || phase === 'fargate';
  const ready: Condition = c.paused
    ? { type: 'Ready', status: stable ? 'True' : 'False', reason: 'Paused', message: 'paused by policy: no change is made' }
    : stable
      ? { type: 'Ready', status: 'True', reason: 'Serving', message: `${phase} serves all traffic` }
      : { type: 'Ready', status: 'False', reason: 'Moving', message: `traffic is moving (${describe(c)})` };
  const progressing: Condition =
    stable || c.paused
      ? { type: 'Progressing', status: 'False', reason: c.paused ? 'Paused' : 'Stable', message: `phase ${phase}` }
      : { type: 'Progressing', status: 'True', reason: progressReason(phase), message: describe(c) };

  const problems = degradations(c);
  const degraded: Condition = problems.length
    ? { type: 'Degraded', status: 'True', reason: problems[0].reason, message: problems.map((p) => p.message).join('; ') }
    : { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'no problem seen' };
  return [ready, progressing, degraded, ...overflowConditions(c)];
}

const rps = (v: number | undefined) => (v === undefined ? '?' : v < 10 ? v.toFixed(1) : Math.round(v).toString());

/**
 * AtCapacity and Spilling, with the numbers: whether the tier carries the demand, and whether Lambda
 * takes the rest — by the ALB's weight (the sustained spill) or per request from the tasks (the instant one).
 */
function overflowConditions(c: ConditionInput): Condition[] {
  const o = c.observation;
  const serving = c.phase === 'dual' || c.phase === 'fargate';
  const view = capacityOf(o);
  const cap = c.context.albCap ?? 100;
  const asked = serving ? askedAlbWeight(o.policy, c.context, c.phase as 'dual' | 'fargate') : 0;
  const numbers = `demand ${rps(view.demandRps)} rps, tier ${o.stack.healthyTargets ?? '?'} healthy task(s) serving ${rps(view.tierRps)} rps`;
  const atCapacity: Condition =
    serving && (view.saturated || (view.fitWeight ?? 100) < 100)
      ? view.taskCapBinds
        ? { type: 'AtCapacity', status: 'True', reason: 'TaskCapReached', message: `${numbers}; fargate.maxTasks (${o.policy.fargate.maxTasks}) binds: Lambda takes the rest` }
        : { type: 'AtCapacity', status: 'True', reason: 'ScalingOut', message: `${numbers}; tasks are being added for the demand` }
      : { type: 'AtCapacity', status: 'False', reason: 'WithinCapacity', message: serving ? numbers : `phase ${c.phase}` };
  const spilling: Condition =
    serving && cap < 100
      ? { type: 'Spilling', status: 'True', reason: 'WeightLowered', message: `ALB weight ${asked} (capped at ${cap}); Lambda takes the rest of ${numbers}` }
      : serving && (o.metrics.spilledRps ?? 0) > 0
        ? { type: 'Spilling', status: 'True', reason: 'InstantSpill', message: `the tasks hand ${rps(o.metrics.spilledRps)} rps to Lambda` }
        : { type: 'Spilling', status: 'False', reason: 'NotSpilling', message: 'the ALB takes its whole share' };
  return [atCapacity, spilling];
}

function progressReason(phase: Phase): string {
  return phase === 'warming' ? 'WarmingTier' : phase === 'dual' ? 'ShiftingTraffic' : 'DrainingTier';
}

function describe(c: ConditionInput): string {
  const steps = c.observation.policy.dual.steps;
  switch (c.phase) {
    case 'warming':
      return `creating the Fargate tier with ${c.context.desiredTasks} task(s)`;
    case 'dual':
      return `step ${c.context.stepIndex + 1} of ${steps.length}: ${steps[c.context.stepIndex]}% to the ALB`;
    case 'draining':
      return `draining the Fargate tier (${c.drainStep})`;
    default:
      return `phase ${c.phase}`;
  }
}

function degradations(c: ConditionInput): { reason: string; message: string }[] {
  const o = c.observation;
  const found: { reason: string; message: string }[] = [];
  if (o.policyIssues?.length) {
    const fields = o.policyIssues.map((i) => `${i.path || '(policy)'} ${i.rule}`).join(', ');
    found.push({ reason: 'InvalidPolicy', message: `the stored policy is invalid (${fields}); the last good policy is in use` });
  }
  if (c.reset) found.push({ reason: 'SnapshotReset', message: `${c.reset}; restarted from the observed state` });
  if (c.context.failure) found.push(c.context.failure);
  if (c.phase === 'draining' && c.drainStep === 'waiting' && c.context.drainSyncedAt !== undefined) {
    const limit = o.policy.dns.drainDelaySeconds * 1000 + STALL_MARGIN_MS;
    if (c.now - c.context.drainSyncedAt > limit) {
      found.push({ reason: 'DrainStalled', message: 'the ALB still serves traffic long after its weight went to 0' });
    }
  }
  if (c.phase === 'draining' && c.drainStep === 'deletingStack' && o.stack.status === 'failed') {
    found.push({ reason: 'StackDeleteFailed', message: 'the Fargate tier stack failed to delete' });
  }
  const throttles = o.metrics.lambdaThrottles ?? 0;
  if ((c.phase === 'dual' || c.phase === 'fargate') && throttles > 0) {
    const view = capacityOf(o);
    if (view.saturated || (view.fitWeight ?? 100) < 100 || (c.context.albCap ?? 100) < 100) {
      found.push({
        reason: 'LambdaThrottling',
        message:
          `Lambda throttled ${Math.round(throttles)} request(s) while the tier was at capacity ` +
          `(demand ${rps(view.demandRps)} rps, tier ${rps(view.tierRps)} rps, Lambda ~${rps(view.lambdaRps)} rps at lambda.concurrencyLimit ${o.policy.lambda.concurrencyLimit})`,
      });
    }
  }
  if ((c.phase === 'dual' || c.phase === 'fargate') && o.stack.healthyTargets === undefined) {
    found.push({ reason: 'TargetHealthUnknown', message: 'no healthy-target figure: the ALB weight is held, not raised' });
  }
  if (!thresholdsOf(o)) {
    found.push({ reason: 'ThresholdsUnavailable', message: 'the auto thresholds could not be derived (or would cross): no move is decided on load' });
  }
  if (o.metrics.totalRpsUpWindow === undefined || o.metrics.totalRpsDownWindow === undefined) {
    found.push({ reason: 'MetricsMissing', message: 'no request-rate data: no move is decided on load' });
  }
  return found;
}
