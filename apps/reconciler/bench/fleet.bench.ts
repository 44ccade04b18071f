/**
 * `nx run reconciler:bench-fleet`: the fleet tick (`reconcileFleet`) at N = 1, 10, 100 and 1,000
 * services, steady and with 5 % of them moving. Everything but AWS is real: the AWS adapters with the
 * rate limiters as `createAwsPorts` wires them, the state store on dynalite. AWS is one simulated
 * account behind aws-sdk-client-mock (fleet-aws.ts), answering with realistic latencies and throttling
 * at AWS's published rates. `BENCH_FLEET_N=1,10` runs a subset; `BENCH_FLEET_VERBOSE=1` prints each tick.
 *
 *   per N, per case (steady, moving), on a fresh table and account:
 *     seed N policies and the account ─▶ settling tick (not counted: it writes the first statuses)
 *       ─▶ [moving: 5 % move — half pinned to fargate (a new generation), half drift (the api weight)]
 *       ─▶ 10 ticks one simulated minute apart, one FleetMemory throughout
 *
 * Prints per N a table (calls, time, memory, observed / acted / starved, degraded, the CloudWatch bill),
 * the calls per API, whether the issue's targets hold at N = 1,000, then one JSON line per N and case.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { createStateTable, parsePolicy, StateStore, tierStackName, type ProbePort } from '@lambdaflex/state';
import { startDynalite } from '@lambdaflex/local-cloud';
import { createFleetMemory, reconcileFleet, type FleetTickResult, type ReconcilerPorts } from '../src';
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { classifyAwsError } from '../src/adapters/aws-errors';
import { createAwsPorts } from '../src/adapters/aws-ports';
import { loadConfig } from '../src/config';
import { AWS_APIS, SimulatedAccount, type AwsApi } from './fleet-aws';

const SIZES = (process.env.BENCH_FLEET_N ?? '1,10,100,1000').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const VERBOSE = process.env.BENCH_FLEET_VERBOSE === '1';
const TICKS = 10;
const MOVING = 0.05;
const T0 = Date.parse('2026-11-23T00:00:00Z');
const MINUTE_MS = 60_000;
/** GetMetricData: $0.01 per 1,000 metrics requested (aws-facts.md); one tick a minute is 43,200 a month. */
const USD_PER_METRIC = 0.01 / 1000;
const TICKS_PER_MONTH = 43_200;
/** The issue's targets at N = 1,000. */
const TARGETS = { n: 1000, steadyCalls: 50, steadyTickMs: 20_000, actedWithinTicks: 2, cloudwatchUsd: 900 };

/** One counted tick. */
interface TickSample {
  calls: Record<AwsApi, number>;
  awsCalls: number;
  throttled: number;
  dynamodb: number;
  ms: number;
  metricsRequested: number;
  due: number;
  observed: number;
  acted: number;
  handedOff: number;
  waiting: number;
  leaseHeld: number;
  failed: number;
  starved: string[];
  statusWrites: number;
  /** Time inside the fleet read and each fleet-wide observe call, ms (they overlap: records and metrics run together). */
  phases: Record<Phase, number>;
}

const PHASES = ['readFleet', 'describeMany', 'readMany (dns)', 'readMany (metrics)'] as const;
type Phase = (typeof PHASES)[number];

/** A service made to move at tick 1, and the tick it was acted on (undefined: not in 10 ticks). */
interface Mover {
  service: string;
  kind: 'pinned' | 'drift';
  actedAt?: number;
  converged?: boolean;
}

interface CaseResult {
  n: number;
  moving: number;
  ticks: TickSample[];
  movers: Mover[];
  /** Due and not observed, or owed acts and neither acted on nor handed off, in any tick; or never observed. */
  starved: string[];
  neverObserved: string[];
  /** Services whose status says Degraded (True) at the end, by reason; and at any counted tick. */
  degradedEnd: Map<string, number>;
  degradedEndCount: number;
  degradedEver: number;
  /** Throttles that reached the reconciler as errors: failed services, metric gaps, Degraded messages. */
  throttleErrors: number;
  failures: string[];
  peakRssMb: number;
  peakHeapMb: number;
}

async function main() {
  console.log(await throttleCheck());
  const results: CaseResult[] = [];
  for (const n of SIZES) {
    const steady = await runCase(n, 0);
    const moving = await runCase(n, MOVING);
    results.push(steady, moving);
    printTables(n, steady, moving);
  }
  printTargets(results);
  console.log('');
  for (const r of results) console.log(JSON.stringify(jsonLine(r)));
}

/** One case at one N, on a fresh dynalite, table, account and FleetMemory. */
async function runCase(n: number, moving: number): Promise<CaseResult> {
  const services = Array.from({ length: n }, (_, i) => `svc-${String(i + 1).padStart(4, '0')}`);
  const db = await startDynalite();
  const table = `bench-fleet-${n}-${moving ? 'moving' : 'steady'}`;
  await createStateTable(db.client, table);
  const { doc, dynamodbCalls } = countedDocumentClient(db.client);
  const store = new StateStore(doc, table);
  const account = new SimulatedAccount({ services, seed: n + (moving ? 7 : 0) });
  account.install();
  const warnings: { msg?: string; error?: string }[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
  const config = loadConfig(
    {},
    {
      STATE_TABLE: table,
      TIER_TEMPLATE_URL: 'https://lambdaflex-templates-123456789012.s3.us-east-1.amazonaws.com/tier.template.json',
      TIER_STACK_ROLE_ARN: 'arn:aws:iam::123456789012:role/lambdaflex-tier-stack-role',
      WORK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/lambdaflex-work.fifo',
    },
  );
  // The adapters and limiters exactly as production wires them; the store on dynalite (counted), and
  // probes answered here: they are HTTPS requests to the ALB, not AWS API calls.
  const ports: ReconcilerPorts = { ...createAwsPorts(config, log), store, probe: okProbes };
  const phases = timePhases(ports);
  const memory = createFleetMemory();
  const peak = { rss: 0, heap: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heap = Math.max(peak.heap, m.heapUsed);
  }, 20);
  try {
    await inBatches(services, 25, (service) => store.writePolicy(parsePolicy({ service }), undefined));
    account.startTick(T0);
    const settled = await reconcileFleet(ports, T0, memory);
    if (settled.observed.length !== n || settled.failed.length) {
      throw new Error(`settling tick at N=${n}: observed ${settled.observed.length} of ${n}; first failure: ${settled.failed[0]?.error ?? 'none'}`);
    }

    const movers = moving ? await move(services, moving, store, account) : [];
    const ticks: TickSample[] = [];
    const seen = new Set<string>();
    const starved = new Set<string>();
    const degradedEver = new Set<string>();
    const failures: string[] = [];
    let throttleErrors = 0;
    for (let i = 1; i <= TICKS; i++) {
      const now = T0 + i * MINUTE_MS;
      account.resetCounters();
      dynamodbCalls.count = 0;
      for (const p of PHASES) phases[p] = 0;
      const warned = warnings.length;
      account.startTick(now);
      const started = performance.now();
      const r = await reconcileFleet(ports, now, memory);
      const ms = performance.now() - started;
      const sample = sampleOf(r, account, dynamodbCalls.count, ms, { ...phases });
      ticks.push(sample);
      for (const s of r.observed) seen.add(s);
      for (const s of sample.starved) starved.add(s);
      for (const f of r.failed) failures.push(`tick ${i} ${f.service}: ${f.error}`);
      throttleErrors += r.failed.filter((f) => /Throttling/.test(f.error)).length;
      throttleErrors += warnings.slice(warned).filter((w) => /Throttling/.test(w.error ?? '')).length;
      for (const m of movers) {
        if (m.actedAt !== undefined || !r.acted.includes(m.service)) continue;
        const api: AwsApi = m.kind === 'pinned' ? 'CreateStack' : 'ChangeResourceRecordSets';
        if (account.writes.some((w) => w.service === m.service && w.api === api)) m.actedAt = i;
      }
      // Read outside the measured tick and its counts: who is Degraded now.
      for (const item of await store.readFleet()) if (degradedOf(item.status?.status.conditions)) degradedEver.add(item.service);
      if (VERBOSE) printTick(n, moving, i, sample, r);
    }
    for (const m of movers) {
      m.converged = m.kind === 'pinned' ? account.stackStatus(tierStackName(m.service)) !== undefined : account.recordWeight(m.service, 'api') === 100;
    }
    const degradedEnd = new Map<string, number>();
    let degradedEndCount = 0;
    const fleet = await store.readFleet();
    if (VERBOSE) {
      console.log(`  fleet read: ${fleet.length} items, ${(JSON.stringify(fleet).length / 2 ** 20).toFixed(2)} MB as JSON`);
      for (const m of movers) {
        const status = fleet.find((item) => item.service === m.service)?.status?.status;
        console.log(`  ${m.service} (${m.kind}): acted at tick ${m.actedAt ?? 'never'}, phase ${status?.phase}, ${status?.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`).join(' ')}`);
      }
    }
    for (const item of fleet) {
      const d = degradedOf(item.status?.status.conditions);
      if (!d) continue;
      degradedEndCount++;
      degradedEnd.set(d.reason, (degradedEnd.get(d.reason) ?? 0) + 1);
      if (/Throttling/.test(d.message)) throttleErrors++;
    }
    const neverObserved = services.filter((s) => !seen.has(s));
    for (const s of neverObserved) starved.add(s);
    return {
      n,
      moving,
      ticks,
      movers,
      starved: [...starved].sort(),
      neverObserved,
      degradedEnd,
      degradedEndCount,
      degradedEver: degradedEver.size,
      throttleErrors,
      failures,
      peakRssMb: peak.rss / 2 ** 20,
      peakHeapMb: peak.heap / 2 ** 20,
    };
  } finally {
    clearInterval(sampler);
    account.uninstall();
    await db.stop();
  }
}

/**
 * 5 % of the services move before tick 1 (at least one): the first half get a new policy generation
 * pinned to fargate (the next tick must CreateStack), the rest have their `api` weight changed behind
 * the reconciler's back (the next tick must UPSERT it).
 */
async function move(services: string[], share: number, store: StateStore, account: SimulatedAccount): Promise<Mover[]> {
  const count = Math.max(1, Math.round(services.length * share));
  // Spread over the fleet, not the first few: the rotation must not favour them.
  const chosen = Array.from({ length: count }, (_, i) => services[Math.floor((i * services.length) / count)]);
  const pinned = Math.ceil(count / 2);
  const movers: Mover[] = [];
  for (const [i, service] of chosen.entries()) {
    if (i < pinned) {
      const stored = await store.readPolicy(service);
      await store.writePolicy(parsePolicy({ service, mode: { type: 'pinned', tier: 'fargate' } }), stored?.generation);
      movers.push({ service, kind: 'pinned' });
    } else {
      account.setRecordWeight(service, 'api', 60);
      movers.push({ service, kind: 'drift' });
    }
  }
  return movers;
}

function sampleOf(r: FleetTickResult, account: SimulatedAccount, dynamodb: number, ms: number, phases: Record<Phase, number>): TickSample {
  const calls = { ...account.calls };
  const notDue = new Set(r.notDue);
  const observed = new Set(r.observed);
  const done = new Set([...r.acted, ...r.handedOff]);
  // Starved: due and not observed, or observed with acts owed and neither acted on nor handed off.
  const starved = [
    ...r.failed.map((f) => f.service).filter((s) => !notDue.has(s) && !observed.has(s) && !done.has(s)),
    ...r.waiting.filter((s) => !done.has(s)),
  ];
  return {
    calls,
    awsCalls: AWS_APIS.reduce((sum, api) => sum + calls[api], 0),
    throttled: AWS_APIS.reduce((sum, api) => sum + account.throttles[api], 0),
    dynamodb,
    ms,
    metricsRequested: account.metricsRequested,
    due: r.services - r.notDue.length,
    observed: r.observed.length,
    acted: r.acted.length,
    handedOff: r.handedOff.length,
    waiting: r.waiting.length,
    leaseHeld: r.leaseHeld.length,
    failed: r.failed.length,
    starved: [...new Set(starved)],
    statusWrites: r.statusWrites,
    phases,
  };
}

// ---- Report ----

function printTables(n: number, ...cases: CaseResult[]) {
  console.log(`\nfleet bench, N = ${n.toLocaleString('en')}: ${TICKS} ticks a simulated minute apart after a settling tick; medians (max)\n`);
  console.log(
    '| case | AWS calls/tick | throttled answers | DynamoDB calls/tick | tick ms | peak RSS / heap MB | due / observed per tick | acted | handed off | waiting | starved | moving acted ≤ 2 ticks | degraded at the end (at any tick) | CW metrics/tick | CW $/month (at the max) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const c of cases) {
    const t = c.ticks;
    const s = summary(c);
    const movers = c.movers.length ? `${c.movers.filter((m) => m.actedAt !== undefined && m.actedAt <= TARGETS.actedWithinTicks).length}/${c.movers.length} (ticks: ${moverTicks(c)})` : '–';
    const reasons = c.degradedEndCount ? `: ${[...c.degradedEnd].map(([r, k]) => `${r} ${k}`).join(', ')}` : '';
    const degraded = `${c.degradedEndCount}${reasons} (${c.degradedEver})`;
    console.log(
      `| ${caseName(c)} | ${s.calls} (${max(t.map((x) => x.awsCalls))}) | ${sum(t.map((x) => x.throttled))} | ${median(t.map((x) => x.dynamodb))} (${max(t.map((x) => x.dynamodb))}) | ` +
        `${Math.round(s.tickMs)} (${Math.round(max(t.map((x) => x.ms)))}) | ${c.peakRssMb.toFixed(0)} / ${c.peakHeapMb.toFixed(0)} | ` +
        `${median(t.map((x) => x.due))} / ${median(t.map((x) => x.observed))} | ${sum(t.map((x) => x.acted))} | ${sum(t.map((x) => x.handedOff))} | ${sum(t.map((x) => x.waiting))} | ` +
        `${c.starved.length} | ${movers} | ${degraded} | ${median(t.map((x) => x.metricsRequested))} (${max(t.map((x) => x.metricsRequested))}) | ` +
        `${s.cloudwatchUsd.toFixed(2)} (${s.cloudwatchUsdAtMax.toFixed(2)}) |`,
    );
  }
  console.log(`\ncalls per API per tick, N = ${n.toLocaleString('en')}: median (max)\n`);
  console.log(`| case | ${AWS_APIS.join(' | ')} |`);
  console.log(`|---|${AWS_APIS.map(() => '---').join('|')}|`);
  for (const c of cases) {
    console.log(`| ${caseName(c)} | ${AWS_APIS.map((api) => `${median(c.ticks.map((x) => x.calls[api]))} (${max(c.ticks.map((x) => x.calls[api]))})`).join(' | ')} |`);
  }
  console.log(`\nwhere a tick's time goes, N = ${n.toLocaleString('en')}: ms inside each call, median (max); records and metrics overlap\n`);
  console.log(`| case | ${PHASES.join(' | ')} |`);
  console.log(`|---|${PHASES.map(() => '---').join('|')}|`);
  for (const c of cases) {
    console.log(`| ${caseName(c)} | ${PHASES.map((p) => `${Math.round(median(c.ticks.map((x) => x.phases[p])))} (${Math.round(max(c.ticks.map((x) => x.phases[p])))})`).join(' | ')} |`);
  }
  for (const c of cases) {
    if (c.failures.length) console.log(`\n${caseName(c)}: ${c.failures.length} failure(s), first: ${c.failures.slice(0, 3).join(' · ')}`);
    if (c.starved.length) console.log(`\n${caseName(c)}: starved ${c.starved.slice(0, 10).join(', ')}${c.starved.length > 10 ? ' …' : ''}`);
    const late = c.movers.filter((m) => m.actedAt === undefined || m.actedAt > TARGETS.actedWithinTicks);
    if (late.length) console.log(`\n${caseName(c)}: moving services not acted on within ${TARGETS.actedWithinTicks} ticks: ${late.map((m) => `${m.service} (${m.kind}, ${m.actedAt ?? 'never'})`).join(', ')}`);
    const unconverged = c.movers.filter((m) => !m.converged);
    if (unconverged.length) console.log(`\n${caseName(c)}: not converged after ${TICKS} ticks: ${unconverged.map((m) => m.service).join(', ')}`);
  }
}

function printTargets(results: CaseResult[]) {
  const steady = results.find((r) => r.n === TARGETS.n && !r.moving);
  const moving = results.find((r) => r.n === TARGETS.n && r.moving);
  if (!steady || !moving) {
    console.log(`\ntargets at N = ${TARGETS.n.toLocaleString('en')}: not run (BENCH_FLEET_N=${SIZES.join(',')})`);
    return;
  }
  const mark = (ok: boolean) => (ok ? '✓' : '✗');
  const steadyCalls = max(steady.ticks.map((t) => t.awsCalls));
  const steadyMs = max(steady.ticks.map((t) => t.ms));
  const acted = moving.movers.filter((m) => m.actedAt !== undefined && m.actedAt <= TARGETS.actedWithinTicks).length;
  const starved = steady.starved.length + moving.starved.length;
  const throttleErrors = steady.throttleErrors + moving.throttleErrors;
  const bill = Math.max(summary(steady).cloudwatchUsd, summary(moving).cloudwatchUsd);
  const billMoved = summary(moving).cloudwatchUsdAtMax;
  const onTier = moving.movers.filter((m) => m.kind === 'pinned').length;
  console.log(`\ntargets at N = ${TARGETS.n.toLocaleString('en')}:`);
  console.log(`- steady tick ≤ ${TARGETS.steadyCalls} AWS calls: ${summary(steady).calls} median, ${steadyCalls} max ${mark(steadyCalls <= TARGETS.steadyCalls)}`);
  console.log(`- steady tick ≤ ${TARGETS.steadyTickMs / 1000} s: ${(summary(steady).tickMs / 1000).toFixed(1)} s median, ${(steadyMs / 1000).toFixed(1)} s max ${mark(steadyMs <= TARGETS.steadyTickMs)}`);
  console.log(`- 5 % moving, every moving service acted on within ${TARGETS.actedWithinTicks} ticks: ${acted} of ${moving.movers.length} ${mark(acted === moving.movers.length)}`);
  console.log(`- 0 services starved over ${TICKS} ticks: ${steady.starved.length} steady, ${moving.starved.length} moving ${mark(starved === 0)}`);
  console.log(
    `- 0 throttling errors surfacing (Degraded, failed, metric gaps): ${throttleErrors}; Degraded at the end: ${steady.degradedEndCount} steady, ${moving.degradedEndCount} moving ` +
      `${mark(throttleErrors === 0 && steady.degradedEndCount + moving.degradedEndCount === 0)}`,
  );
  console.log(`- CloudWatch ≤ $${TARGETS.cloudwatchUsd}/month: $${bill.toFixed(2)} (median tick, steady and moving) ${mark(bill <= TARGETS.cloudwatchUsd)}`);
  console.log(
    `  and with the ${onTier} pinned services' tiers up (the moving case's busiest tick, as a steady state): $${billMoved.toFixed(2)} ${mark(billMoved <= TARGETS.cloudwatchUsd)}`,
  );
}

function printTick(n: number, moving: number, i: number, t: TickSample, r: FleetTickResult) {
  const calls = AWS_APIS.filter((api) => t.calls[api]).map((api) => `${api} ${t.calls[api]}`).join(', ');
  console.log(
    `  N=${n} ${moving ? 'moving' : 'steady'} tick ${i}: ${Math.round(t.ms)} ms, aws ${t.awsCalls} [${calls}], throttled ${t.throttled}, dynamodb ${t.dynamodb}, ` +
      `due ${t.due}, observed ${t.observed}, acted ${t.acted}, handed off ${t.handedOff}, waiting ${t.waiting}, failed ${t.failed}, status writes ${t.statusWrites}, ` +
      PHASES.map((p) => `${p} ${Math.round(t.phases[p])} ms`).join(', ') +
      (r.failed.length ? `; first failure ${r.failed[0].service}: ${r.failed[0].error}` : ''),
  );
}

function jsonLine(c: CaseResult) {
  const s = summary(c);
  return {
    bench: 'fleet',
    n: c.n,
    moving: c.moving,
    callsPerTick: s.calls,
    tickMs: Math.round(s.tickMs),
    starved: c.starved.length,
    degraded: c.degradedEndCount,
    cloudwatchUsdPerMonth: +s.cloudwatchUsd.toFixed(2),
    maxCallsPerTick: max(c.ticks.map((t) => t.awsCalls)),
    maxTickMs: Math.round(max(c.ticks.map((t) => t.ms))),
    throttled: sum(c.ticks.map((t) => t.throttled)),
    throttleErrors: c.throttleErrors,
    ...(c.movers.length ? { movers: c.movers.length, moversActedWithin2Ticks: c.movers.filter((m) => m.actedAt !== undefined && m.actedAt <= TARGETS.actedWithinTicks).length } : {}),
    dynamodbCallsPerTick: median(c.ticks.map((t) => t.dynamodb)),
    peakRssMb: Math.round(c.peakRssMb),
  };
}

function summary(c: CaseResult) {
  const monthly = (metricsPerTick: number) => metricsPerTick * TICKS_PER_MONTH * USD_PER_METRIC;
  return {
    calls: median(c.ticks.map((t) => t.awsCalls)),
    tickMs: median(c.ticks.map((t) => t.ms)),
    cloudwatchUsd: monthly(median(c.ticks.map((t) => t.metricsRequested))),
    // The busiest tick's metrics as if every tick asked as many: the bill once the moved services' tiers serve.
    cloudwatchUsdAtMax: monthly(max(c.ticks.map((t) => t.metricsRequested))),
  };
}

function moverTicks(c: CaseResult): string {
  const counts = new Map<string, number>();
  for (const m of c.movers) counts.set(String(m.actedAt ?? 'never'), (counts.get(String(m.actedAt ?? 'never')) ?? 0) + 1);
  return [...counts].map(([tick, k]) => `${k}×${tick}`).join(', ');
}

function caseName(c: CaseResult): string {
  return c.moving ? `moving ${c.moving * 100} % (${c.movers.length})` : 'steady';
}

// ---- Helpers ----

/** The Degraded condition when it holds. */
function degradedOf(conditions: { type: string; status: string; reason: string; message: string }[] | undefined) {
  return conditions?.find((c) => c.type === 'Degraded' && c.status === 'True');
}

/**
 * Wraps the fleet read and the three fleet-wide observe calls of `ports` to add up the time spent
 * inside each; the bench zeroes the totals before each tick.
 */
function timePhases(ports: ReconcilerPorts): Record<Phase, number> {
  const totals = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  const wrap = <T extends object, K extends keyof T>(target: T, key: K, phase: Phase) => {
    const original = (target[key] as (...args: unknown[]) => Promise<unknown>).bind(target);
    (target as Record<K, unknown>)[key] = async (...args: unknown[]) => {
      const started = performance.now();
      try {
        return await original(...args);
      } finally {
        totals[phase] += performance.now() - started;
      }
    };
  };
  wrap(ports.store, 'readFleet', 'readFleet');
  wrap(ports.stacks, 'describeMany', 'describeMany');
  wrap(ports.dns, 'readMany', 'readMany (dns)');
  wrap(ports.metrics, 'readMany', 'readMany (metrics)');
  return totals;
}

/**
 * That the account does throttle, and as the adapters expect: 12 ListResourceRecordSets sent at once
 * without a limiter get 5 answers and 7 `Throttling`s, which classifyAwsError calls retryable.
 */
async function throttleCheck(): Promise<string> {
  const account = new SimulatedAccount({ services: ['check'] });
  account.install();
  try {
    const client = new Route53Client({ region: 'us-east-1' });
    const answers = await Promise.allSettled(Array.from({ length: 12 }, () => client.send(new ListResourceRecordSetsCommand({ HostedZoneId: 'Z04712345FLEETZONE' }))));
    const refused = answers.flatMap((a) => (a.status === 'rejected' ? [classifyAwsError('ListResourceRecordSets', a.reason)] : []));
    const kinds = [...new Set(refused.map((e) => `${e.name} ${e.code}`))].join(', ');
    return `account check: 12 ListResourceRecordSets at once, no limiter: ${answers.length - refused.length} answered, ${account.throttles.ListResourceRecordSets} throttled (classified: ${kinds || 'none'})`;
  } finally {
    account.uninstall();
  }
}

/** Probes through the ALB all answer 200, in about 40 ms. */
const okProbes: ProbePort = {
  probe: async (_target, count) => {
    await sleep(40);
    return { ok: count, failed: 0 };
  },
};

/** A DocumentClient on `client` (as the store is given in production) whose every command is counted. */
function countedDocumentClient(client: DynamoDBClient) {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const dynamodbCalls = { count: 0 };
  doc.middlewareStack.add(
    (next) => async (args) => {
      dynamodbCalls.count++;
      return next(args);
    },
    { step: 'initialize', name: 'benchCountCalls' },
  );
  return { doc, dynamodbCalls };
}

async function inBatches<T>(items: readonly T[], size: number, each: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(each));
}

function median(xs: number[]): number {
  return xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : 0;
}
function max(xs: number[]): number {
  return xs.length ? Math.max(...xs) : 0;
}
function sum(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0);
}

main().catch((err: Error) => {
  console.error(`fleet bench failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
