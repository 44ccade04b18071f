/**
 * `nx run reconciler:bench` (third part): how fast the simulator replays the shared traces, with the
 * default policy: trace-minutes per second of replay (`timing.replayMs`: every contender minute by
 * minute; the optimum and the set-up left out), with skip-ahead (the default) and, as the baseline in the
 * same run, without it (`reconcileOnce` every minute). Skip-ahead replays each trace a few times
 * (BENCH_SKIP_RUNS, 3) and the median counts (the slowest is printed too): a replay takes about a
 * second, so one busy moment of the machine, or the first replay's compiling, would otherwise decide
 * the figure. Every report must be the one
 * without skip-ahead (everything but the timing), or the bench fails. Target: 50,000 minutes per second.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { resolveParams } from '../src/simulate/params';
import { resolvePolicy } from '../src/simulate/policy-file';
import { modelFor, simulate, type Simulation } from '../src/simulate/simulate';
import { parseTrace } from '../src/simulate/trace';

const TRACES = process.env.BENCH_TRACES ?? path.resolve(__dirname, '../../../../shared/traces');
const TARGET = 50_000;
const SKIP_RUNS = Math.max(1, Number(process.env.BENCH_SKIP_RUNS ?? 3));

/** A replay's result without its timing: what skip-ahead must leave unchanged. */
function result({ timing: _timing, ...rest }: Simulation) {
  return rest;
}

async function main() {
  const files = readdirSync(TRACES).filter((f) => f.endsWith('.csv')).sort();
  if (!files.length) throw new Error(`no traces in ${TRACES}`);
  const params = resolveParams({});
  const { policy, auto } = resolvePolicy({}, (p) => modelFor(p, params));
  const shared = files.map((file) => parseTrace(readFileSync(path.join(TRACES, file), 'utf8'), file.replace(/\.csv$/, '')));
  // Each mode over every trace in turn, skip-ahead first: one mode's garbage is not collected in the other's timing.
  const skipping: Simulation[][] = shared.map(() => []);
  for (let run = 0; run < SKIP_RUNS; run++) {
    for (const [i, trace] of shared.entries()) skipping[i].push(await simulate({ trace, policy, params, auto }));
  }
  const ticking: Simulation[] = [];
  for (const trace of shared) ticking.push(await simulate({ trace, policy, params, auto, skipAhead: false }));

  const total = { minutes: 0, skipMs: 0, slowestSkipMs: 0, noSkipMs: 0 };
  const traces: Record<string, object> = {};
  shared.forEach((trace, i) => {
    const noSkip = ticking[i];
    if (skipping[i].some((sim) => !isDeepStrictEqual(result(sim), result(noSkip)))) throw new Error(`${trace.name}: skip-ahead changed the report`);
    const replays = skipping[i].map((sim) => sim.timing.replayMs);
    const [median, slowest] = [[...replays].sort((a, b) => a - b)[Math.floor(replays.length / 2)], Math.max(...replays)];
    const minutes = trace.requests.length;
    total.minutes += minutes;
    total.skipMs += median;
    total.slowestSkipMs += slowest;
    total.noSkipMs += noSkip.timing.replayMs;
    traces[trace.name] = {
      minutes,
      ticks: skipping[i][0].timing.ticks,
      minutesPerSecond: perSecond(minutes, median),
      minutesPerSecondSlowest: perSecond(minutes, slowest),
      minutesPerSecondNoSkip: perSecond(minutes, noSkip.timing.replayMs),
    };
  });
  const minutesPerSecond = perSecond(total.minutes, total.skipMs);
  const minutesPerSecondNoSkip = perSecond(total.minutes, total.noSkipMs);
  console.log(
    `\nsimulate speed: ${total.minutes.toLocaleString('en-US')} trace-minutes of ${files.length} shared traces, default policy: ` +
      `${minutesPerSecond.toLocaleString('en-US')} minutes/s with skip-ahead (median of ${SKIP_RUNS}) ${minutesPerSecond >= TARGET ? '✓' : '✗'} (target ${TARGET.toLocaleString('en-US')}), ` +
      `${minutesPerSecondNoSkip.toLocaleString('en-US')} without; identical reports ✓\n`,
  );
  console.log(
    JSON.stringify({
      bench: 'simulate-speed',
      minutesPerSecond,
      minutesPerSecondNoSkip,
      minutesPerSecondSlowest: perSecond(total.minutes, total.slowestSkipMs),
      ratio: +(minutesPerSecond / minutesPerSecondNoSkip).toFixed(1),
      skipRuns: SKIP_RUNS,
      minutes: total.minutes,
      replaySeconds: +(total.skipMs / 1000).toFixed(2),
      replaySecondsNoSkip: +(total.noSkipMs / 1000).toFixed(2),
      traces,
    }),
  );
}

function perSecond(minutes: number, ms: number): number {
  return Math.round(minutes / (ms / 1000));
}

main().catch((err: Error) => {
  console.error(`simulate-speed bench failed: ${err.message}`);
  process.exit(1);
});
