import type { Condition, ServiceStatus, TransitionRecord } from '@lambdaflex/state';
import { describeChange } from './act/apply';
import type { Act } from './act/plan';
import type { TickResult } from './reconcile';

/** The AWS call an act makes, as the API is named in IAM and CloudTrail. */
export function awsCall(act: Act): string {
  switch (act.type) {
    case 'dns.change':
      return `route53:ChangeResourceRecordSets  zone ${act.hostedZoneId}  ${act.changes.map(describeChange).join(', ')}`;
    case 'stack.create':
      return `cloudformation:CreateStack  ${act.stackName}  ${params(act.parameters)}  token ${act.token}`;
    case 'stack.update':
      return `cloudformation:UpdateStack  ${act.stackName}  (previous template)  ${params(act.parameters)}  token ${act.token}`;
    case 'stack.delete':
      return `cloudformation:DeleteStack  ${act.stackName}  token ${act.token}`;
  }
}

function params(p: Record<string, string>): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

const rate = (v: number | undefined) => (v === undefined ? 'unknown' : `${v.toFixed(1)} rps`);
const conditions = (cs: Condition[]) => cs.map((c) => `${c.type}=${c.status} (${c.reason})`).join(' · ');

/** `plan`: what the tick saw, where the machine would go, and the exact AWS calls it would make. */
export function renderPlan(r: TickResult): string {
  const { world, decision, plan } = r;
  if (!world || !decision || !plan) return `service ${r.service}: nothing planned`;
  const from = world.status?.status.phase ?? 'lambda';
  const moves = decision.transitions.map((t) => `${t.to} (${t.reason})`).join(' → ');
  const tier = world.tier ? `${world.tier.status}, ${world.metrics.healthyTargets ?? 'unknown'} healthy target(s)` : 'absent';
  const m = world.metrics;
  const i = decision.intent;
  const stack = i.stack.present ? `present (${i.stack.image}, ${i.stack.desiredTasks} task(s))` : 'absent';
  return [
    `service ${world.service}: ${from}${moves ? ` → ${moves}` : ' (stays)'}`,
    `  observed  tier stack ${tier}; weights api ${world.records.api?.weight ?? '-'} / alb ${world.records.alb?.weight ?? '-'}` +
      ` (${world.dnsInSync ? 'INSYNC' : 'PENDING'}); load ${rate(m.totalRpsUpWindow)} (up-window low), ${rate(m.totalRpsDownWindow)} (down-window high); ALB ${rate(m.albRpsMax)}`,
    `  intent    tier stack ${stack}; weights api ${i.weights.api} / alb ${i.weights.alb}; ALB record ${i.albRecord ? 'present' : 'absent'}${i.probe ? '; probe the ALB' : ''}`,
    plan.acts.length ? `  would call\n${plan.acts.map((a) => `    ${awsCall(a)}`).join('\n')}` : '  would call nothing',
    ...(plan.waiting.length ? [`  waiting   ${plan.waiting.join('; ')}`] : []),
    `  conditions ${conditions(decision.conditions)}`,
  ].join('\n');
}

/** `status`: the stored status and the latest transitions. */
export function renderStatus(status: ServiceStatus, generation: number | undefined, history: TransitionRecord[]): string {
  return [
    `service ${status.service}: ${status.phase} (updated ${status.updatedAt}; observed generation ${status.observedGeneration}${generation === undefined ? '' : ` of ${generation}`})`,
    `  weights   api ${status.intent.weights.api} / alb ${status.intent.weights.alb}; tier stack ${status.intent.stack.present ? 'present' : 'absent'}`,
    `  conditions ${conditions(status.conditions)}`,
    ...status.conditions.filter((c) => c.status === 'True' && c.type === 'Degraded').map((c) => `  degraded  ${c.message}`),
    // The overflow: whether the tier carries the demand, and how Lambda takes the rest.
    ...status.conditions.filter((c) => c.status === 'True' && (c.type === 'AtCapacity' || c.type === 'Spilling')).map((c) => `  ${c.type === 'AtCapacity' ? 'capacity' : 'spilling'}  ${c.message}`),
    history.length ? '  recent transitions' : '  no transitions yet',
    ...history.map((t) => `    ${t.at}  ${t.from} → ${t.to}  ${t.reason}`),
  ].join('\n');
}
