/**
 * Synthetic request traces, one per shape of traffic the policy must hold without tuning to any one
 * of them: a surge from a Fargate-served base, a plateau far above the task cap, short bursts, spikes
 * from idle, a slow daily wave, and growth. Deterministic (a seeded generator adds ±10 % noise), per
 * minute, in the simulator's `Trace` shape. `npx tsx test/support/synthetic-traces.ts DIR` writes them
 * as CSV files for the simulator's CLI.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Trace } from '@lambdaflex/reconciler';

const T0 = Date.parse('2026-06-01T00:00:00Z');
const HOUR = 60;
const DAY = 24 * HOUR;

/** A shape: its name, what it checks, its requests per second minute by minute, and the policy it is judged with. */
export interface SyntheticShape {
  name: string;
  about: string;
  minutes: number;
  rps: (minute: number) => number;
  /** Policy fields the shape is judged with (the default policy otherwise). */
  policy?: { fargate?: { maxTasks?: number } };
}

/** Linear from `a` to `b` as `m` goes from `m0` to `m1`. */
const ramp = (m: number, m0: number, m1: number, a: number, b: number) => a + ((b - a) * Math.min(1, Math.max(0, (m - m0) / (m1 - m0))));

export const SHAPES: SyntheticShape[] = [
  {
    name: 'surge-x20',
    about: 'a ×20 surge in two minutes from a Fargate-served base (a kick-off, a launch), held 45 minutes',
    minutes: 8 * HOUR,
    rps: (m) => {
      const at = 4 * HOUR;
      if (m < at) return 40;
      if (m < at + 2) return ramp(m, at, at + 2, 40, 800);
      if (m < at + 47) return 800;
      return ramp(m, at + 47, at + 52, 800, 40);
    },
  },
  {
    name: 'plateau-3x-cap',
    about: 'a ramp to three times the capacity of fargate.maxTasks (10 tasks) held for six hours',
    minutes: 10 * HOUR,
    policy: { fargate: { maxTasks: 10 } },
    rps: (m) => (m < HOUR ? 5 : m < 2 * HOUR ? ramp(m, HOUR, 2 * HOUR, 5, 300) : m < 8 * HOUR ? 300 : ramp(m, 8 * HOUR, 9 * HOUR, 300, 5)),
  },
  {
    name: 'bursts-8min-x4',
    about: '8-minute bursts of ×4 every other hour over a base the tier serves',
    minutes: 2 * DAY,
    rps: (m) => (m % (2 * HOUR) >= HOUR && m % (2 * HOUR) < HOUR + 8 ? 120 : 30),
  },
  {
    name: 'daily-wave',
    about: 'a slow daily wave between 1 and 80 rps',
    minutes: 3 * DAY,
    rps: (m) => 40.5 - 39.5 * Math.cos((2 * Math.PI * m) / DAY),
  },
  {
    name: 'spikes-from-idle',
    about: 'two-minute spikes to 90 rps every three hours from 3 rps: Lambda territory with bursts',
    minutes: 2 * DAY,
    rps: (m) => (m % (3 * HOUR) < 2 ? 90 : 3),
  },
  {
    name: 'idle-then-surge',
    about: 'six idle hours, then 500 rps within two minutes for an hour: Lambda holds it while the tier warms',
    minutes: 9 * HOUR,
    rps: (m) => (m < 6 * HOUR ? 0 : m < 6 * HOUR + 2 ? ramp(m, 6 * HOUR, 6 * HOUR + 2, 0, 500) : m < 7 * HOUR ? 500 : 2),
  },
  {
    name: 'growth',
    about: 'a daily wave whose peak grows tenfold over two weeks',
    minutes: 14 * DAY,
    rps: (m) => {
      const peak = 10 * 10 ** (m / (14 * DAY));
      return 0.5 + (peak / 2) * (1 - Math.cos((2 * Math.PI * m) / DAY));
    },
  },
];

/** The shape's requests per minute, with ±10 % seeded noise (the same every run). */
export function traceOf(shape: SyntheticShape): Trace {
  let seed = [...shape.name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  const random = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const requests = new Float64Array(shape.minutes);
  for (let m = 0; m < shape.minutes; m++) requests[m] = Math.round(shape.rps(m) * 60 * (0.9 + 0.2 * random()));
  return { name: shape.name, start: T0, requests, filledMinutes: 0 };
}

/** The trace as the shared CSV format. */
export function toCsv(trace: Trace): string {
  const rows = Array.from(trace.requests, (r, m) => `${new Date(trace.start + m * 60_000).toISOString().slice(0, 16)}:00Z,${r}`);
  return `timestamp,requests\n${rows.join('\n')}\n`;
}

if (require.main === module) {
  const dir = process.argv[2] ?? 'tmp/traces';
  mkdirSync(dir, { recursive: true });
  for (const shape of SHAPES) writeFileSync(path.join(dir, `${shape.name}.csv`), toCsv(traceOf(shape)));
  console.log(`wrote ${SHAPES.length} traces to ${dir}`);
}
