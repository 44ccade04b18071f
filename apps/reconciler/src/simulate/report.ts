import { breakEven, LINE_ITEMS, type LineItem } from '@lambdaflex/cost';
import { PHASES, type Phase } from '@lambdaflex/state';
import { CONTENDERS, RUNNABLE, SINGLE_TIERS, type Contender, type ContenderId, type Simulation } from './simulate';

/**
 * What a simulation says, in three shapes: a one-screen summary for the terminal, a Markdown report
 * (with the SVG timeline beside it), JSON for machines, and the minutes as CSV. Each leads with the
 * requests LambdaFlex lost, then what it paid: a cost means little without the service it bought, and
 * lost requests are never priced into a cost.
 */

const MINUTE_MS = 60_000;
const DAYS_PER_MONTH = 730 / 24;

const usd = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
const int = (v: number) => Math.round(v).toLocaleString('en-US');
const ratio = (v: number) => (Number.isFinite(v) ? `${v.toFixed(3)}×` : '—');
/** A share (0–1) as a percentage; a loss too small to show at two decimals still shows as one. */
const percent = (share: number) => (share === 0 ? '0 %' : share < 0.00005 ? '< 0.01 %' : `${(share * 100).toFixed(2)} %`);

/** The headline figures: LambdaFlex's loss first, then its cost and the ratios the issue's targets are stated in. */
export interface Headline {
  /** Requests LambdaFlex did not serve, their share (0–1) of every request of the trace, and the minutes with any. */
  lostRequests: number;
  lostShare: number;
  lostMinutes: number;
  /** Minutes in which LambdaFlex's tier handed requests to Lambda (see `Contender.spillMinutes`). */
  spillMinutes: number;
  /** Every request of the trace. */
  requests: number;
  /** What LambdaFlex paid, USD, over the trace and scaled to a 730-hour month. */
  usd: number;
  usdPerMonth: number;
  lambdaflexOverOptimum: number;
  /** The cheaper of all-Lambda and all-Fargate without a task cap: the best single tier, whatever it lost. */
  bestBaseline: ContenderId;
  lambdaflexOverBestBaseline: number;
  /** What the best single tier lost: a cheaper baseline that loses requests is not a like-for-like alternative. */
  bestBaselineLostRequests: number;
  bestBaselineLostShare: number;
  lambdaflexOverPlacement: number;
  days: number;
}

export function headline(sim: Simulation): Headline {
  const c = sim.contenders;
  const lf = c.lambdaflex;
  const bestBaseline = SINGLE_TIERS.reduce((best, id) => (c[id].total < c[best].total ? id : best));
  const days = sim.trace.requests.length / 1440;
  return {
    lostRequests: lf.lostRequests,
    lostShare: lf.lostShare,
    lostMinutes: lf.lostMinutes,
    spillMinutes: lf.spillMinutes,
    requests: sim.trace.requests.reduce((a, b) => a + b, 0),
    usd: lf.total,
    usdPerMonth: (lf.total / days) * DAYS_PER_MONTH,
    lambdaflexOverOptimum: lf.total / c.optimum.total,
    bestBaseline,
    lambdaflexOverBestBaseline: lf.total / c[bestBaseline].total,
    bestBaselineLostRequests: c[bestBaseline].lostRequests,
    bestBaselineLostShare: c[bestBaseline].lostShare,
    lambdaflexOverPlacement: lf.total / c.placement.total,
    days,
  };
}

/** "which lost N requests (x %)" for a contender that lost any, else nothing: said wherever its cost is compared. */
function lossNote(x: Contender): string {
  return Math.round(x.lostRequests) > 0 ? ` (which lost ${int(x.lostRequests)} requests, ${percent(x.lostShare)})` : '';
}

/** The summary line, first after the title everywhere: LambdaFlex's loss, then what it paid. */
export function summaryLine(sim: Simulation): string {
  const h = headline(sim);
  const best = sim.contenders[h.bestBaseline];
  return (
    `LambdaFlex lost ${int(h.lostRequests)} of ${int(h.requests)} requests (${percent(h.lostShare)}) in ${int(h.lostMinutes)} min, ` +
    `spilled to Lambda in ${int(h.spillMinutes)} min · paid $${usd(h.usd)} ($${usd(h.usdPerMonth)} / month), ` +
    `${ratio(h.lambdaflexOverBestBaseline)} the best single tier, ${best.label}${lossNote(best)}`
  );
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

function titleLine(sim: Simulation): string {
  const t = sim.trace;
  const days = t.requests.length / 1440;
  return `LambdaFlex simulation · ${t.name} · ${int(t.requests.length)} min (${days.toFixed(1)} days) from ${new Date(t.start).toISOString().slice(0, 16)}Z`;
}

/** Everything of the summary below its title and summary line: the policy, the table, the ratios. */
function summaryBody(sim: Simulation): string[] {
  const h = headline(sim);
  const c = sim.contenders;
  // Loss first in every row, as in the summary line; the optima serve every request by construction.
  const rows = CONTENDERS.map((id) => {
    const x = c[id];
    const reference = !RUNNABLE.includes(id);
    return [
      x.label,
      reference ? '—' : int(x.lostRequests),
      reference ? '—' : percent(x.lostShare),
      reference ? '—' : int(x.lostMinutes),
      usd(x.total),
      usd((x.total / h.days) * DAYS_PER_MONTH),
      ratio(x.total / c.optimum.total),
      String(x.transitions),
    ];
  });
  const head = ['contender', 'lost req', 'lost %', 'lost min', 'total $', '$ / month', 'vs optimum', 'transitions'];
  const widths = head.map((hd, i) => Math.max(hd.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  const baselines = RUNNABLE.filter((id) => id !== 'lambdaflex');
  const anyLoss = RUNNABLE.some((id) => Math.round(c[id].lostRequests) > 0);
  return [
    policyLine(sim),
    '',
    line(head),
    rule,
    ...rows.map(line),
    '',
    `LambdaFlex / best single tier, ${c[h.bestBaseline].label}: ${ratio(h.lambdaflexOverBestBaseline)}${lossNote(c[h.bestBaseline])} · ` +
      `LambdaFlex / optimum ${ratio(h.lambdaflexOverOptimum)} · LambdaFlex / best placement at its sizing ${ratio(h.lambdaflexOverPlacement)}`,
    `LambdaFlex / each baseline: ${baselines.map((id) => `${c[id].label} ${ratio(c.lambdaflex.total / c[id].total)}${lossNote(c[id])}`).join(' · ')}`,
    ...(anyLoss
      ? ['Lost requests are not priced: whoever lost some paid for less service than the trace asked, and can come in below the optimum, which serves every request.']
      : []),
  ];
}

/** The one-screen summary printed to stdout: the title, the summary line (loss, then cost), the policy, the table, the ratios. */
export function summaryTable(sim: Simulation): string {
  return [titleLine(sim), summaryLine(sim), ...summaryBody(sim)].join('\n');
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
};

const sum = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0);

/**
 * The Markdown report; `svgFile` is the timeline's file name beside it, `note` a paragraph to show
 * under the summary line (shadow mode's source).
 */
export function markdownReport(sim: Simulation, svgFile = 'timeline.svg', note?: string): string {
  const c = sim.contenders;
  const lf = sim.lambdaflex;
  const phases = phaseMinutes(lf.phase);
  const p = sim.params;
  const out: string[] = [];
  out.push(`# LambdaFlex simulation: ${sim.trace.name}`, '');
  out.push(`**${summaryLine(sim)}**`, '');
  if (note) out.push(note, '');
  out.push('```', titleLine(sim), ...summaryBody(sim), '```', '');
  out.push(`![timeline](${svgFile})`, '');
  out.push('## Cost by line item (USD over the trace)', '');
  out.push('What each contender paid. Requests it lost are counted under the total, not priced in it.', '');
  out.push(`| line item | ${CONTENDERS.map((id) => c[id].label).join(' | ')} |`);
  out.push(`|---|${CONTENDERS.map(() => '---:').join('|')}|`);
  for (const item of LINE_ITEMS) out.push(`| ${ITEM_LABELS[item]} | ${CONTENDERS.map((id) => c[id].items[item].toFixed(4)).join(' | ')} |`);
  out.push(`| **total** | ${CONTENDERS.map((id) => `**${c[id].total.toFixed(4)}**`).join(' | ')} |`);
  out.push(`| requests lost (not priced) | ${CONTENDERS.map((id) => (RUNNABLE.includes(id) ? `${int(c[id].lostRequests)} (${percent(c[id].lostShare)})` : '—')).join(' | ')} |`, '');
  out.push('## LambdaFlex', '');
  out.push(`Requests ${int(sum(lf.demand))}: served by Lambda ${int(sum(lf.lambdaServed))}, by the ALB ${int(sum(lf.albServed))}; ` +
    `spilled by the tasks to Lambda ${int(sum(lf.spilled))}; spilling minutes ${int(c.lambdaflex.spillMinutes)}; ` +
    `**lost ${int(c.lambdaflex.lostRequests)} (${percent(c.lambdaflex.lostShare)}) in ${int(c.lambdaflex.lostMinutes)} minutes**.`, '');
  out.push(`Minutes per phase: ${PHASES.map((ph) => `${ph} ${int(phases[ph])}`).join(', ')}. Tier stacks created and deleted: ${c.lambdaflex.transitions}. ` +
    `Tier minutes: ${int(c.lambdaflex.tierMinutes)}. Cold starts: ${int(sum(lf.coldStarts))}.`, '');
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
    '- Requests not served (Lambda or API Gateway throttles, beyond the healthy tasks\' capacity, sent to an ALB that is gone) are **lost**: counted for each contender, beside its cost and never in it. A contender\'s cost is what it paid; one that lost requests paid for less service, so compare its cost only with its loss beside it.',
    `- The baselines: **all-Lambda** within Lambda's concurrency limit and burst scaling (it loses what is throttled); **all-Fargate** always on, ECS target tracking at ${sim.policy.fargate.targetRpsPerTask} rps per task from one task, with **no task cap** or **capped** at the policy's ${sim.policy.fargate.maxTasks}; both lose what arrives while target tracking lags. The **best single tier** is the cheaper of all-Lambda and all-Fargate without a cap.`,
    '- The **offline optimum** knows the whole trace and chooses when the tier exists and how many tasks serve each minute (any split with Lambda), paying the same build and delete times, and serves every request. It is a floor for serving the whole trace: it scales tasks instantly to 100 % of their capacity, moves DNS instantly, has no cold starts and no Lambda limits. The gap to it is the price of not knowing the future *and* of any autoscaler\'s headroom and lag. A contender that lost requests can cost less than it.',
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

/** The report as JSON: every figure of the Markdown, the transitions, the parameters; no per-minute series. The headline, loss first, leads. */
export function jsonReport(sim: Simulation): object {
  const contenders = Object.fromEntries(
    CONTENDERS.map((id) => {
      const { cumulative: _cumulative, ...rest } = sim.contenders[id];
      return [id, { ...rest, perMonth: (rest.total / (sim.trace.requests.length / 1440)) * DAYS_PER_MONTH }];
    }),
  );
  const lf = sim.contenders.lambdaflex;
  return {
    headline: headline(sim),
    trace: { name: sim.trace.name, start: new Date(sim.trace.start).toISOString(), minutes: sim.trace.requests.length, filledMinutes: sim.trace.filledMinutes, requests: sim.trace.requests.reduce((a, b) => a + b, 0) },
    contenders,
    lambdaflex: {
      lostRequests: lf.lostRequests,
      lostShare: lf.lostShare,
      lostMinutes: lf.lostMinutes,
      spillMinutes: lf.spillMinutes,
      spilledRequests: sum(sim.lambdaflex.spilled),
      phaseMinutes: phaseMinutes(sim.lambdaflex.phase),
      history: sim.history,
      tickProblems: sim.tickProblems,
    },
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

/**
 * The minutes, one CSV row each: load, LambdaFlex's phase, the ALB weight asked and the share measured,
 * tasks, demand against the ALB's capacity, what each tier served, spilled and lost, cost by line item;
 * each contender's cumulative cost.
 */
export function minutesCsv(sim: Simulation): string {
  const lf = sim.lambdaflex;
  const head = [
    'timestamp',
    'requests',
    'phase',
    'alb_weight',
    'alb_share',
    'tasks',
    'demand',
    'capacity',
    'lambda_served',
    'alb_served',
    'spilled',
    'lost',
    'cold_starts',
    ...LINE_ITEMS.map((i) => `usd_${i}`),
    ...CONTENDERS.map((id) => `cumulative_usd_${id}`),
  ];
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
        f(lf.demand[m]),
        f(lf.capacity[m]),
        f(lf.lambdaServed[m]),
        f(lf.albServed[m]),
        f(lf.spilled[m]),
        f(lf.lost[m]),
        f(lf.coldStarts[m]),
        ...LINE_ITEMS.map((i) => f(lf.cost[i][m])),
        ...CONTENDERS.map((id) => f(sim.contenders[id].cumulative[m])),
      ].join(','),
    );
  }
  return rows.join('\n') + '\n';
}
