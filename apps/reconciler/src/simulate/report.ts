import { breakEven, LINE_ITEMS, type LineItem } from '@lambdaflex/cost';
import { PHASES, type Phase } from '@lambdaflex/state';
import { CONTENDERS, RUNNABLE, type ContenderId, type Simulation } from './simulate';

/**
 * What a simulation says, in three shapes: a one-screen summary for the terminal, a Markdown report
 * (with the SVG timeline beside it), JSON for machines, and the minutes as CSV.
 */

const MINUTE_MS = 60_000;
const DAYS_PER_MONTH = 730 / 24;

const usd = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
const int = (v: number) => Math.round(v).toLocaleString('en-US');
const ratio = (v: number) => (Number.isFinite(v) ? `${v.toFixed(3)}×` : '—');

/** The headline figures: the ratios the issue's targets are stated in. */
export interface Headline {
  lambdaflexOverOptimum: number;
  bestBaseline: ContenderId;
  lambdaflexOverBestBaseline: number;
  lambdaflexOverPlacement: number;
  shortfallMinutes: number;
  days: number;
}

export function headline(sim: Simulation): Headline {
  const c = sim.contenders;
  const baselines: ContenderId[] = ['all-lambda', 'all-fargate-1', 'all-fargate-2'];
  const bestBaseline = baselines.reduce((best, id) => (c[id].total < c[best].total ? id : best));
  return {
    lambdaflexOverOptimum: c.lambdaflex.total / c.optimum.total,
    bestBaseline,
    lambdaflexOverBestBaseline: c.lambdaflex.total / c[bestBaseline].total,
    lambdaflexOverPlacement: c.lambdaflex.total / c.placement.total,
    shortfallMinutes: c.lambdaflex.shortfallMinutes,
    days: sim.trace.requests.length / 1440,
  };
}

function policyLine(sim: Simulation): string {
  const p = sim.policy;
  const auto = sim.auto ? ' (auto)' : '';
  const be = breakEven(sim.model, { minTasks: p.fargate.minTasks, rpsPerTask: Math.min(p.fargate.targetRpsPerTask, sim.model.taskCapacityPerMinute / 60) });
  return (
    `policy: up ${p.scaleUp.thresholdRps} rps / down ${p.scaleDown.thresholdRps} rps${auto}, dwell ${p.minDwellSeconds / 60} min; ` +
    `tasks ${p.fargate.cpu / 1024} vCPU / ${p.fargate.memoryMiB / 1024} GB, ${p.fargate.minTasks}–${p.fargate.maxTasks} at ${p.fargate.targetRpsPerTask} rps each ` +
    `(capacity ${(sim.model.taskCapacityPerMinute / 60).toFixed(1)}); break-even ${be.rps.toFixed(1)} rps`
  );
}

/** The one-screen summary printed to stdout. */
export function summaryTable(sim: Simulation): string {
  const h = headline(sim);
  const t = sim.trace;
  const c = sim.contenders;
  const rows = CONTENDERS.map((id) => {
    const x = c[id];
    const reference = !RUNNABLE.includes(id);
    return [
      x.label,
      usd(x.total),
      usd((x.total / h.days) * DAYS_PER_MONTH),
      ratio(x.total / c.optimum.total),
      String(x.transitions),
      reference ? '—' : int(x.shortfallRequests),
      reference ? '—' : int(x.shortfallMinutes),
    ];
  });
  const head = ['contender', 'total $', '$ / month', 'vs optimum', 'transitions', 'shortfall req', 'shortfall min'];
  const widths = head.map((hd, i) => Math.max(hd.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [
    `LambdaFlex simulation · ${t.name} · ${int(t.requests.length)} min (${h.days.toFixed(1)} days) from ${new Date(t.start).toISOString().slice(0, 16)}Z`,
    policyLine(sim),
    '',
    line(head),
    rule,
    ...rows.map(line),
    '',
    `LambdaFlex / optimum ${ratio(h.lambdaflexOverOptimum)} · LambdaFlex / best single-tier (${c[h.bestBaseline].label}) ${ratio(h.lambdaflexOverBestBaseline)} · ` +
      `LambdaFlex / best placement at its sizing ${ratio(h.lambdaflexOverPlacement)} · LambdaFlex shortfall minutes ${int(h.shortfallMinutes)}`,
  ].join('\n');
}

function phaseMinutes(phases: Phase[]): Record<Phase, number> {
  const out = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  for (const p of phases) out[p]++;
  return out;
}

const ITEM_LABELS: Record<LineItem, string> = {
  lambdaRequests: 'Lambda requests',
  lambdaDuration: 'Lambda duration',
  lambdaInit: 'Lambda INIT (cold starts)',
  apiGateway: 'API Gateway',
  fargateVcpu: 'Fargate vCPU',
  fargateMemory: 'Fargate memory',
  taskIpv4: 'task public IPv4',
  albHours: 'ALB hours',
  albIpv4: 'ALB public IPv4',
  albLcu: 'ALB LCU',
  albPartialHour: 'ALB partial hours',
  shortfall: 'shortfall (priced as Lambda)',
};

/** The Markdown report; `svgFile` is the timeline's file name beside it. */
export function markdownReport(sim: Simulation, svgFile = 'timeline.svg'): string {
  const c = sim.contenders;
  const lf = sim.lambdaflex;
  const phases = phaseMinutes(lf.phase);
  const p = sim.params;
  const out: string[] = [];
  out.push(`# LambdaFlex simulation: ${sim.trace.name}`, '');
  out.push('```', summaryTable(sim), '```', '');
  out.push(`![timeline](${svgFile})`, '');
  out.push('## Cost by line item (USD over the trace)', '');
  out.push(`| line item | ${CONTENDERS.map((id) => c[id].label).join(' | ')} |`);
  out.push(`|---|${CONTENDERS.map(() => '---:').join('|')}|`);
  for (const item of LINE_ITEMS) out.push(`| ${ITEM_LABELS[item]} | ${CONTENDERS.map((id) => c[id].items[item].toFixed(4)).join(' | ')} |`);
  out.push(`| **total** | ${CONTENDERS.map((id) => `**${c[id].total.toFixed(4)}**`).join(' | ')} |`, '');
  out.push('## LambdaFlex', '');
  out.push(`Minutes per phase: ${PHASES.map((ph) => `${ph} ${int(phases[ph])}`).join(', ')}. Tier stacks created and deleted: ${c.lambdaflex.transitions}. ` +
    `Tier minutes: ${int(c.lambdaflex.tierMinutes)}. Cold starts: ${int(lf.coldStarts.reduce((a, b) => a + b, 0))}. ` +
    `Requests served by Lambda ${int(lf.lambdaServed.reduce((a, b) => a + b, 0))}, by the ALB ${int(lf.albServed.reduce((a, b) => a + b, 0))}, shortfall ${int(c.lambdaflex.shortfallRequests)}.`, '');
  if (sim.tickProblems.count) out.push(`**${sim.tickProblems.count} tick(s) did not reconcile**; the first: ${sim.tickProblems.first}`, '');
  const shown = sim.history.slice(0, 40);
  out.push(`Transitions (${sim.history.length}${sim.history.length > shown.length ? `, the first ${shown.length}` : ''}):`, '');
  if (shown.length) {
    out.push('| at | from | to | reason |', '|---|---|---|---|');
    for (const t of shown) out.push(`| ${t.at.slice(0, 16)}Z | ${t.from} | ${t.to} | ${t.reason} |`);
  } else out.push('none: the load never called for the tier.');
  out.push('');
  if (sim.auto) {
    const a = sim.auto;
    out.push('## Auto thresholds', '');
    out.push(`Break-even ${a.breakEvenRps.toFixed(2)} rps. One round trip to the tier costs $${a.oneTime.total.toFixed(4)} ` +
      `(${a.oneTime.upMinutes} min paid before it carries the load, ${a.oneTime.downMinutes} min after, and the ALB's partial hour), ` +
      `spread over a minimum stay of ${a.minStayMinutes} min: up at ${a.upRps} rps, down at ${a.downRps} rps.`, '');
  }
  out.push('## How to read it', '');
  out.push(
    '- Every contender runs in the same simulated world, with the same prices and delays. LambdaFlex is the real `reconcileOnce` (observe, `decide()`, plan, act) ticking once a minute against simulated CloudFormation, Route53, CloudWatch and probes.',
    '- Requests not served (Lambda or API Gateway throttles, beyond the healthy tasks\' capacity, sent to an ALB that is gone) are **shortfall**, priced as Lambda would have charged: dropping requests never makes a contender cheaper.',
    '- The **offline optimum** knows the whole trace and chooses when the tier exists and how many tasks serve each minute (any split with Lambda), paying the same build and delete times. It is a floor: it scales tasks instantly to 100 % of their capacity, moves DNS instantly, has no cold starts and no Lambda limits. The gap to it is the price of not knowing the future *and* of any autoscaler\'s headroom and lag.',
    `- The **best placement at the policy's sizing** is the same search with tasks sized as the policy sizes them (at least ${sim.policy.fargate.minTasks}, ${Math.min(sim.policy.fargate.targetRpsPerTask, sim.model.taskCapacityPerMinute / 60)} rps each): what the switching decisions alone could reach. It is a reference, not a floor.`,
    '- `$ / month` scales the trace\'s cost to 730 hours.',
    '',
  );
  out.push('## Parameters', '');
  out.push('| parameter | value |', '|---|---|');
  const rows: [string, string][] = [
    ['workload', `${p.workload.durationMs} ms, ${p.workload.memoryMb} MB ${p.workload.architecture}, ${p.workload.api.toUpperCase()} API, ${p.workload.payloadKb} KB, ${p.workload.requestsPerConnection} request(s) per connection`],
    ['task capacity', `${(sim.model.taskCapacityPerMinute / 60).toFixed(1)} rps (${sim.model.workload.rpsPerVcpu} rps per vCPU)`],
    ['INIT per cold start', `${sim.model.workload.coldStartInitMs} ms`],
    ['tier stack create / delete / update', `${p.delays.createSeconds} / ${p.delays.deleteSeconds} / ${p.delays.updateSeconds} s`],
    ['task start + target health', `${p.delays.taskStartSeconds} + ${p.delays.targetHealthSeconds} s`],
    ['deregistration delay', `${p.delays.deregistrationDelaySeconds} s`],
    ['Route53 propagation, TTL', `${p.delays.dnsPropagationSeconds} s, ${sim.policy.dns.ttlSeconds} s`],
    ['sticky resolvers', `${(p.dns.stickyShare * 100).toFixed(1)} % of clients keep an answer up to ${p.dns.stickySeconds} s`],
    ['CloudWatch lag (reconciler / scaling alarms)', `${p.delays.metricLagSeconds} s / ${p.delays.scalingAlarmLagSeconds} s`],
    ['Lambda', `${p.lambda.concurrencyLimit} concurrent, +${p.lambda.scalingPer10Seconds} per 10 s, idle environments kept ${p.lambda.idleEnvironmentSeconds} s; API Gateway ${p.lambda.apiThrottleRps} rps`],
    ['ECS target tracking', `out after ${p.ecs.scaleOutDatapoints} datapoints above target, in after ${p.ecs.scaleInDatapoints} below ${p.ecs.scaleInBelow * 100} %, cooldown ${p.ecs.scaleInCooldownSeconds} s`],
  ];
  for (const [k, v] of rows) out.push(`| ${k} | ${v} |`);
  out.push('', `Prices and limits: libs/cost/src/prices/aws-prices.json (${sim.params.region}), each figure with its source and date.`, '');
  out.push(`Replay ${(sim.timing.replayMs / 1000).toFixed(1)} s, optimum ${(sim.timing.optimumMs / 1000).toFixed(2)} s.`, '');
  return out.join('\n');
}

/** The report as JSON: every figure of the Markdown, the transitions, the parameters; no per-minute series. */
export function jsonReport(sim: Simulation): object {
  const contenders = Object.fromEntries(
    CONTENDERS.map((id) => {
      const { cumulative: _cumulative, ...rest } = sim.contenders[id];
      return [id, { ...rest, perMonth: (rest.total / (sim.trace.requests.length / 1440)) * DAYS_PER_MONTH }];
    }),
  );
  return {
    trace: { name: sim.trace.name, start: new Date(sim.trace.start).toISOString(), minutes: sim.trace.requests.length, filledMinutes: sim.trace.filledMinutes, requests: sim.trace.requests.reduce((a, b) => a + b, 0) },
    headline: headline(sim),
    contenders,
    lambdaflex: { phaseMinutes: phaseMinutes(sim.lambdaflex.phase), history: sim.history, tickProblems: sim.tickProblems },
    policy: sim.policy,
    auto: sim.auto,
    params: sim.params,
    model: {
      lambdaPerRequest: sim.model.lambdaPerRequest,
      perTaskMinute: sim.model.perTaskMinute,
      tierFixedPerMinute: sim.model.tierFixedPerMinute,
      lcuPerRequest: sim.model.lcuPerRequest,
      taskCapacityRps: sim.model.taskCapacityPerMinute / 60,
      workload: sim.model.workload,
    },
    timing: sim.timing,
  };
}

/** The minutes, one CSV row each: load, LambdaFlex's phase, weights, tasks, cost by line item, shortfall; each contender's cumulative cost. */
export function minutesCsv(sim: Simulation): string {
  const lf = sim.lambdaflex;
  const head = ['timestamp', 'requests', 'phase', 'alb_weight', 'alb_share', 'tasks', 'lambda_served', 'alb_served', 'shortfall', 'cold_starts', ...LINE_ITEMS.map((i) => `usd_${i}`), ...CONTENDERS.map((id) => `cumulative_usd_${id}`)];
  const rows = [head.join(',')];
  const f = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(6));
  for (let m = 0; m < sim.trace.requests.length; m++) {
    rows.push(
      [
        new Date(sim.trace.start + m * MINUTE_MS).toISOString().replace('.000Z', 'Z'),
        f(sim.trace.requests[m]),
        lf.phase[m],
        f(lf.albWeight[m]),
        f(lf.albShare[m]),
        f(lf.tasks[m]),
        f(lf.lambdaServed[m]),
        f(lf.albServed[m]),
        f(lf.shortfall[m]),
        f(lf.coldStarts[m]),
        ...LINE_ITEMS.map((i) => f(lf.cost[i][m])),
        ...CONTENDERS.map((id) => f(sim.contenders[id].cumulative[m])),
      ].join(','),
    );
  }
  return rows.join('\n') + '\n';
}
