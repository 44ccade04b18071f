/**
 * `nx run state:bench`: decide() on 10,000 random observations, as one tick after another, against a
 * baseline measured in the same run: the same number of XState `transition()` calls on a bare
 * five-state machine with one guard. Prints the time per decide and the ratio to the baseline.
 */
import { performance } from 'node:perf_hooks';
import { createMachine, initialTransition, transition } from 'xstate';
import { decide, defaultPolicy, type Decision, type Observation } from '../src';

const N = Number(process.env.BENCH_OBSERVATIONS ?? 10_000);
const ROUNDS = 5;

// A seeded generator, so every run decides on the same observations.
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function observations(): { o: Observation; now: number }[] {
  const random = mulberry32(42);
  const policy = defaultPolicy('bench');
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  let now = Date.parse('2026-11-23T00:00:00Z');
  return Array.from({ length: N }, () => {
    now += Math.floor(random() * 300_000);
    const weight = pick([0, 10, 50, 100]);
    const load = random() < 0.05 ? undefined : random() * 40;
    return {
      now,
      o: {
        policy,
        image: 'app:1',
        stack: pick<Observation['stack']>([{ status: 'absent' }, { status: 'in-progress' }, { status: 'ready', image: 'app:1', desiredTasks: 2, healthyTargets: pick([0, 1, 2, undefined]) }]),
        dns: { apiWeight: 100 - weight, albWeight: weight, albRecordExists: weight > 0 || random() < 0.5, inSync: random() < 0.8 },
        metrics: { totalRpsUpWindow: load, totalRpsDownWindow: load, albRpsMax: pick([0, 1, undefined]), albRequests: pick([0, 5000]), alb5xx: 0, albP95Ms: 90, albShare: weight / 100 },
      },
    };
  });
}

const bare = createMachine({
  initial: 'a',
  states: Object.fromEntries(
    ['a', 'b', 'c', 'd', 'e'].map((s, i, all) => [
      s,
      { on: { observe: { guard: ({ event }) => (event as unknown as { go: boolean }).go, target: all[(i + 1) % all.length] } } },
    ]),
  ),
});

function timeDecide(inputs: ReturnType<typeof observations>): number {
  const started = performance.now();
  let previous: Decision | undefined;
  for (const { o, now } of inputs) previous = decide(previous?.snapshot, o, now);
  return performance.now() - started;
}

function timeBare(inputs: ReturnType<typeof observations>): number {
  const started = performance.now();
  let [snapshot] = initialTransition(bare);
  for (const { o } of inputs) [snapshot] = transition(bare, snapshot, { type: 'observe', go: o.dns.inSync } as never);
  return performance.now() - started;
}

const inputs = observations();
timeDecide(inputs.slice(0, 500)); // warm the JIT for both
timeBare(inputs.slice(0, 500));
const decideMs: number[] = [];
const bareMs: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  decideMs.push(timeDecide(inputs));
  bareMs.push(timeBare(inputs));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const d = median(decideMs);
const b = median(bareMs);
const decideUsPerTick = (d / N) * 1000;
console.log(`\nstate bench: decide() on ${N} observations, median of ${ROUNDS} rounds\n`);
console.log('| measure | decide | bare XState transition | ratio |\n|---|---|---|---|');
console.log(`| ${N} ticks, ms | ${d.toFixed(1)} | ${b.toFixed(1)} | ${(d / b).toFixed(2)} |`);
console.log(`| per tick, µs | ${decideUsPerTick.toFixed(1)} | ${((b / N) * 1000).toFixed(1)} | |`);
console.log('\n' + JSON.stringify({ bench: 'state', observations: N, decideMs: +d.toFixed(1), decideUsPerTick: +decideUsPerTick.toFixed(1), ratioToBareTransition: +(d / b).toFixed(2) }));
