import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { Phase } from '@lambdaflex/state';
import { CONTENDERS, type Simulation } from './simulate';

/**
 * The report's timeline as SVG, drawn by vega-lite and rendered on the server by vega (no browser, no
 * canvas): the load with LambdaFlex's phase under it, the ALB weight asked and the share that moved, and
 * each contender's cumulative cost. Long traces are cut into at most `MAX_POINTS` buckets: the load
 * shows each bucket's peak, the phase the one that held longest, the weights their mean.
 */

const MAX_POINTS = 1200;
const MINUTE_MS = 60_000;
const PHASE_COLOURS: Record<Phase, string> = { lambda: '#ff9900', warming: '#f2cf5b', dual: '#9ecae9', fargate: '#3366cc', draining: '#b07aa1' };

interface Bucket {
  from: number;
  to: number;
}

function buckets(n: number): Bucket[] {
  const size = Math.max(1, Math.ceil(n / MAX_POINTS));
  return Array.from({ length: Math.ceil(n / size) }, (_, i) => ({ from: i * size, to: Math.min(n, (i + 1) * size) }));
}

/** Builds the vega-lite spec (exported for tests and for anyone who wants it in a notebook). */
export function timelineSpec(sim: Simulation): vl.TopLevelSpec {
  const { trace, lambdaflex: lf, contenders } = sim;
  const time = (minute: number) => new Date(trace.start + minute * MINUTE_MS).toISOString();
  const load: object[] = [];
  const phases: object[] = [];
  const weights: object[] = [];
  const costs: object[] = [];
  for (const b of buckets(trace.requests.length)) {
    let peak = 0;
    let weight = 0;
    let share = 0;
    const held = new Map<Phase, number>();
    for (let m = b.from; m < b.to; m++) {
      peak = Math.max(peak, trace.requests[m] / 60);
      weight += lf.albWeight[m];
      share += lf.albShare[m] * 100;
      held.set(lf.phase[m], (held.get(lf.phase[m]) ?? 0) + 1);
    }
    const count = b.to - b.from;
    const phase = [...held].sort((x, y) => y[1] - x[1])[0][0];
    load.push({ t: time(b.from), rps: +peak.toFixed(3) });
    phases.push({ t: time(b.from), t2: time(b.to), phase });
    weights.push({ t: time(b.from), series: 'ALB weight asked (%)', value: +(weight / count).toFixed(2) });
    weights.push({ t: time(b.from), series: 'requests to the ALB (%)', value: +(share / count).toFixed(2) });
    for (const id of CONTENDERS) costs.push({ t: time(b.to - 1), contender: contenders[id].label, usd: +contenders[id].cumulative[b.to - 1].toFixed(4) });
  }
  const x = { field: 't', type: 'temporal' as const, title: null };
  const width = 900;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: `LambdaFlex on ${trace.name}`, anchor: 'start' },
    config: { font: 'sans-serif', view: { stroke: null }, legend: { labelLimit: 320 } },
    // Each panel has its own colours (phases, weights, contenders) and its own legend.
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
    vconcat: [
      {
        width,
        height: 160,
        data: { values: load },
        mark: { type: 'area', line: true, opacity: 0.6, interpolate: 'step-after' },
        encoding: { x, y: { field: 'rps', type: 'quantitative', title: 'load, peak rps' } },
      },
      {
        width,
        height: 18,
        data: { values: phases },
        // A stroke of the fill's colour closes the hairline gaps between neighbouring buckets.
        mark: { type: 'rect', strokeWidth: 0.5 },
        encoding: {
          x,
          x2: { field: 't2' },
          stroke: { field: 'phase', type: 'nominal', legend: null, scale: { domain: Object.keys(PHASE_COLOURS), range: Object.values(PHASE_COLOURS) } },
          color: {
            field: 'phase',
            type: 'nominal',
            title: 'phase',
            scale: { domain: Object.keys(PHASE_COLOURS), range: Object.values(PHASE_COLOURS) },
            legend: { orient: 'right' },
          },
        },
      },
      {
        width,
        height: 90,
        data: { values: weights },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: 'ALB %', scale: { domain: [0, 100] } },
          color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'right' } },
        },
      },
      {
        width,
        height: 200,
        data: { values: costs },
        mark: { type: 'line' },
        encoding: {
          x,
          y: { field: 'usd', type: 'quantitative', title: 'cumulative cost, USD' },
          color: { field: 'contender', type: 'nominal', title: null, sort: CONTENDERS.map((id) => contenders[id].label), legend: { orient: 'right' } },
          strokeDash: { condition: { test: "indexof(datum.contender, 'optimum') >= 0 || indexof(datum.contender, 'placement') >= 0", value: [4, 3] }, value: [1, 0] },
        },
      },
    ],
  } as vl.TopLevelSpec;
}

/** The timeline as an SVG document. */
export async function timelineSvg(sim: Simulation): Promise<string> {
  const spec = vl.compile(timelineSpec(sim)).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
