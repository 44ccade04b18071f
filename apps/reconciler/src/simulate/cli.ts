import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ZodError } from 'zod';
import { InvalidPolicyError } from '@lambdaflex/state';
import type { StackPort } from '../ports';
import { timelineSvg } from './chart';
import { resolveParams, type SimParams } from './params';
import { resolvePolicy } from './policy-file';
import { jsonReport, markdownReport, minutesCsv, summaryTable } from './report';
import { fetchRequestHistory, HistoryError, resolveHistoryTarget } from './shadow';
import { modelFor, simulate } from './simulate';
import { formatTrace, parseTrace, TraceError, type Trace } from './trace';

/**
 * `nx run reconciler:simulate`: replays a trace (or, in shadow mode, the service's own CloudWatch
 * history) through LambdaFlex and the baselines, writes report.md, report.json, timeline.svg and
 * minutes.csv, and prints the summary. One readable line and exit 1 on a bad input; exit 2 with the
 * usage on a usage mistake; with `--fail-on-shortfall`, the reports as usual and exit 3 with one line
 * naming the loss when LambdaFlex lost a request.
 */

const USAGE = [
  'usage: simulate --trace FILE [--policy FILE] [--params FILE] [--out DIR] [--store memory|dynalite] [--fail-on-shortfall] [--no-skip]',
  '       simulate --from-cloudwatch --service NAME --days N [--api-id ID] [--load-balancer app/NAME/ID] [--region R] [--endpoint URL] [--policy FILE] [--params FILE] [--out DIR] [--fail-on-shortfall] [--no-skip]',
].join('\n');

/** The exit code of a run that lost requests under `--fail-on-shortfall` (1 and 2 are bad input and usage). */
export const EXIT_LOST_REQUESTS = 3;

/**
 * Requests LambdaFlex may lose before `--fail-on-shortfall` fails the run: half of one, since each
 * minute is modelled in fractions of requests and anything less rounds to none lost.
 */
export const LOST_REQUESTS_TOLERATED = 0.5;

/** A usage mistake: exit 2 with the usage lines. */
export class SimulateUsageError extends Error {
  override readonly name = 'SimulateUsageError';
}

/** The options after parsing. */
export interface SimulateOptions {
  trace?: string;
  fromCloudWatch: boolean;
  service?: string;
  days?: number;
  apiId?: string;
  loadBalancer?: string;
  region?: string;
  endpoint?: string;
  policy?: string;
  params?: string;
  out?: string;
  store: 'memory' | 'dynalite';
  /** Exit 3 when LambdaFlex lost any request (more than {@link LOST_REQUESTS_TOLERATED}). */
  failOnShortfall: boolean;
  /** Skip the ticks that change nothing (the default); `--no-skip` runs the reconciler every minute, for the same report. */
  skipAhead: boolean;
}

/** What the CLI needs from outside: the AWS clients (shadow mode), the clock, the progress bar. */
export interface SimulateDeps {
  /** The directory relative paths and the default output are taken from. */
  cwd?: string;
  now?: () => number;
  aws?: (options: { region?: string; endpoint?: string }) => { cloudwatch: CloudWatchClient; stacks: StackPort };
  progress?: (done: number, total: number) => void;
}

export function parseSimulateArgs(argv: string[]): SimulateOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        trace: { type: 'string' },
        'from-cloudwatch': { type: 'boolean', default: false },
        service: { type: 'string' },
        days: { type: 'string' },
        'api-id': { type: 'string' },
        'load-balancer': { type: 'string' },
        region: { type: 'string' },
        endpoint: { type: 'string' },
        policy: { type: 'string' },
        params: { type: 'string' },
        out: { type: 'string' },
        store: { type: 'string', default: 'memory' },
        'fail-on-shortfall': { type: 'boolean', default: false },
        'no-skip': { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    throw new SimulateUsageError((err as Error).message);
  }
  const v = parsed.values;
  const fromCloudWatch = v['from-cloudwatch'] ?? false;
  if (fromCloudWatch && v.trace) throw new SimulateUsageError('give --trace or --from-cloudwatch, not both');
  if (!fromCloudWatch && !v.trace) throw new SimulateUsageError('--trace FILE is required (or --from-cloudwatch)');
  let days: number | undefined;
  if (fromCloudWatch) {
    if (!v.service) throw new SimulateUsageError('--from-cloudwatch needs --service NAME');
    days = Number(v.days);
    if (!v.days || !Number.isInteger(days) || days < 1 || days > 455) throw new SimulateUsageError('--days must be a whole number of days from 1 to 455');
  }
  if (v.store !== 'memory' && v.store !== 'dynalite') throw new SimulateUsageError(`--store must be memory or dynalite, not "${v.store}"`);
  return {
    trace: v.trace,
    fromCloudWatch,
    service: v.service,
    days,
    apiId: v['api-id'],
    loadBalancer: v['load-balancer'],
    region: v.region,
    endpoint: v.endpoint,
    policy: v.policy,
    params: v.params,
    out: v.out,
    store: v.store,
    failOnShortfall: v['fail-on-shortfall'] ?? false,
    skipAhead: !(v['no-skip'] ?? false),
  };
}

/** A failure to report on one line (exit 1). */
class InputError extends Error {}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${what} ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

async function readJson(file: string, what: string): Promise<unknown> {
  const text = await readText(file, what);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${what} ${file} is not JSON: ${(err as Error).message}`);
  }
}

function zodLine(err: ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** What the command printed and how it exited. */
export interface SimulateResult {
  code: number;
  /** The summary (exit 0 and 3, for stdout), or the error or usage lines (exit 1 and 2, for stderr). */
  out: string;
  /** Exit 3 only: the one line naming what LambdaFlex lost, for stderr. */
  failure?: string;
  outDir?: string;
}

/**
 * Runs the simulate command and returns what to print and the exit code. Never throws: an error is one
 * readable line (exit 1), a usage mistake the usage lines (exit 2), a loss under `--fail-on-shortfall`
 * the summary and reports as usual, exit 3 and one line in `failure`.
 */
export async function runSimulateCli(argv: string[], deps: SimulateDeps = {}): Promise<SimulateResult> {
  let options: SimulateOptions;
  try {
    options = parseSimulateArgs(argv);
  } catch (err) {
    return { code: 2, out: `lambdaflex simulate: ${(err as Error).message}\n${USAGE}` };
  }
  const cwd = deps.cwd ?? process.cwd();
  const at = (file: string) => path.resolve(cwd, file);
  try {
    let params: SimParams;
    try {
      params = resolveParams(options.params ? await readJson(at(options.params), 'parameters') : {});
    } catch (err) {
      if (err instanceof ZodError) throw new InputError(`parameters ${options.params}: ${zodLine(err)}`);
      if (err instanceof RangeError) throw new InputError(`parameters ${options.params}: ${err.message}`);
      throw err;
    }
    const policyInput = options.policy ? await readJson(at(options.policy), 'policy') : {};
    let resolved;
    try {
      resolved = resolvePolicy(policyInput, (p) => modelFor(p, params), options.service ?? 'simulated');
    } catch (err) {
      if (err instanceof InvalidPolicyError) throw new InputError(`policy ${options.policy ?? '(default)'}: ${err.message}`);
      throw err;
    }

    let trace: Trace;
    let shadowNote: string | undefined;
    if (options.fromCloudWatch) {
      if (!deps.aws) throw new InputError('shadow mode needs AWS access, which this runner does not have');
      const aws = deps.aws({ region: options.region, endpoint: options.endpoint });
      const service = options.service as string;
      const target = await resolveHistoryTarget(aws.stacks, service, { apiId: options.apiId, loadBalancer: options.loadBalancer });
      const history = await fetchRequestHistory(aws.cloudwatch, target, options.days as number, (deps.now ?? Date.now)(), params.delays.metricLagSeconds, `cloudwatch-${service}-${options.days}d`);
      trace = history.trace;
      shadowNote =
        `shadow mode: ${service}'s last ${options.days} day(s) from CloudWatch (${history.periodSeconds} s datapoints): ` +
        `API Gateway ${Math.round(history.apiRequests).toLocaleString('en-US')} requests, ALB ${Math.round(history.albRequests).toLocaleString('en-US')}` +
        (history.albRequests === 0 ? ' — on Lambda today, all-Lambda is what it paid at list prices' : '');
    } else {
      const file = at(options.trace as string);
      const text = await readText(file, 'trace');
      try {
        trace = parseTrace(text, path.basename(file).replace(/\.csv$/i, ''));
      } catch (err) {
        if (err instanceof TraceError) throw new InputError(`trace ${options.trace}: ${err.message}`);
        throw err;
      }
    }

    const sim = await simulate({ trace, policy: resolved.policy, params, auto: resolved.auto, store: options.store, onProgress: deps.progress, skipAhead: options.skipAhead });
    const outDir = at(options.out ?? path.join('tmp', 'simulate', trace.name));
    await mkdir(outDir, { recursive: true });
    await Promise.all([
      writeFile(path.join(outDir, 'report.md'), markdownReport(sim, 'timeline.svg', shadowNote)),
      writeFile(path.join(outDir, 'report.json'), JSON.stringify({ ...jsonReport(sim), shadow: shadowNote }, null, 2) + '\n'),
      writeFile(path.join(outDir, 'minutes.csv'), minutesCsv(sim)),
      writeFile(path.join(outDir, 'timeline.svg'), await timelineSvg(sim)),
      ...(options.fromCloudWatch ? [writeFile(path.join(outDir, 'trace.csv'), formatTrace(trace))] : []),
    ]);
    const relative = path.relative(cwd, outDir) || '.';
    const lines = [summaryTable(sim), '', ...(shadowNote ? [shadowNote] : []), `report: ${relative}/report.md (report.json, timeline.svg, minutes.csv)`];
    const lf = sim.contenders.lambdaflex;
    if (options.failOnShortfall && lf.lostRequests > LOST_REQUESTS_TOLERATED) {
      const failure =
        `lambdaflex simulate: LambdaFlex lost ${Math.round(lf.lostRequests).toLocaleString('en-US')} requests ` +
        `(${(lf.lostShare * 100).toFixed(2)} % of the trace) in ${lf.lostMinutes.toLocaleString('en-US')} minutes (--fail-on-shortfall)`;
      return { code: EXIT_LOST_REQUESTS, out: lines.join('\n'), failure, outDir };
    }
    return { code: 0, out: lines.join('\n'), outDir };
  } catch (err) {
    const message = err instanceof InputError || err instanceof HistoryError ? err.message : `${(err as Error).name}: ${(err as Error).message}`;
    return { code: 1, out: `lambdaflex simulate: ${message.split('\n')[0]}` };
  }
}
