import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { Phase } from '@lambdaflex/state';
import { CONTENDERS, type ContenderId, type Simulation } from './simulate';

/**
 * The report's timeline as SVG, drawn by vega-lite and rendered on the server by vega (no browser, no
 * canvas), top to bottom:
 *
 *   load          peak rps
 *   phase         LambdaFlex's phase
 *   requests      demand against the ALB's capacity: what Lambda and the ALB served and what was lost
 *                 (red), stacked up to the demand; the tasks' spill to Lambda; a red tick under every
 *                 stretch that lost a request, however few
 *   ALB %         the weight the reconciler asked for against the share measured at the ALB
 *   cost          each contender's cumulative cost (what it paid; losses are not priced)
 *
 * Long traces are cut into at most `MAX_POINTS` buckets: the load shows each bucket's peak, the phase the
 * one that held longest, the requests and weights their mean per minute (so the stack still adds up to
 * the demand), the ticks any loss at all.
 */

const MAX_POINTS = 1200;
const MINUTE_MS = 60_000;
const PHASE_COLOURS: Record<Phase, string> = { lambda: '#ff9900', warming: '#f2cf5b', dual: '#9ecae9', fargate: '#3366cc', draining: '#b07aa1' };
const LOST_RED = '#d62728';
/** The requests panel's series: three stacked areas that add up to the demand, then three lines. */
const REQUEST_SERIES: Record<string, string> = {
  'served by Lambda': '#ff9900',
  'served by the ALB': '#3366cc',
  lost: LOST_RED,
  demand: '#222222',
  'ALB capacity (healthy tasks)': '#2ca02c',
  'spilled by the tasks to Lambda': '#9467bd',
};
const STACKED = ['served by Lambda', 'served by the ALB', 'lost'];
/** Less than half a request lost in a bucket is the fractional model's rounding, not a loss to mark. */
const LOSS_MARKED = 0.5;

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
  const requests: object[] = [];
  const losses: object[] = [];
  const weights: object[] = [];
  const costs: object[] = [];
  // A contender that lost requests says so in the cost legend: its line is cheaper for serving less.
  const costLabel = Object.fromEntries(
    CONTENDERS.map((id) => {
      const c = contenders[id];
      return [id, Math.round(c.lostRequests) > 0 ? `${c.label}, lost ${(c.lostShare * 100).toFixed(2)} %` : c.label];
    }),
  ) as Record<ContenderId, string>;
  const all = buckets(trace.requests.length);
  const perBucket = all.length ? all[0].to - all[0].from : 1;
  for (const b of all) {
    let peak = 0;
    let weight = 0;
    let share = 0;
    const sums = { demand: 0, capacity: 0, lambda: 0, alb: 0, spilled: 0, lost: 0 };
    const held = new Map<Phase, number>();
    for (let m = b.from; m < b.to; m++) {
      peak = Math.max(peak, trace.requests[m] / 60);
      weight += lf.albWeight[m];
      share += lf.albShare[m] * 100;
      sums.demand += lf.demand[m];
      sums.capacity += lf.capacity[m];
      sums.lambda += lf.lambdaServed[m];
      sums.alb += lf.albServed[m];
      sums.spilled += lf.spilled[m];
      sums.lost += lf.lost[m];
      held.set(lf.phase[m], (held.get(lf.phase[m]) ?? 0) + 1);
    }
    const count = b.to - b.from;
    const mean = (v: number) => +(v / count).toFixed(3);
    const phase = [...held].sort((x, y) => y[1] - x[1])[0][0];
    const t = time(b.from);
    load.push({ t, rps: +peak.toFixed(3) });
    phases.push({ t, t2: time(b.to), phase });
    requests.push(
      // `order` stacks Lambda at the bottom and the loss on top, where the demand line meets it.
      { t, series: 'served by Lambda', value: mean(sums.lambda), order: 0 },
      { t, series: 'served by the ALB', value: mean(sums.alb), order: 1 },
      { t, series: 'lost', value: mean(sums.lost), order: 2 },
      { t, series: 'demand', value: mean(sums.demand) },
      { t, series: 'ALB capacity (healthy tasks)', value: mean(sums.capacity) },
      { t, series: 'spilled by the tasks to Lambda', value: mean(sums.spilled) },
    );
    if (sums.lost > LOSS_MARKED) losses.push({ t, t2: time(b.to), lost: sums.lost });
    weights.push({ t, series: 'ALB weight asked (%)', value: +(weight / count).toFixed(2) });
    weights.push({ t, series: 'share measured at the ALB (%)', value: +(share / count).toFixed(2) });
    for (const id of CONTENDERS) costs.push({ t: time(b.to - 1), contender: costLabel[id], usd: +contenders[id].cumulative[b.to - 1].toFixed(4) });
  }
  const x = { field: 't', type: 'temporal' as const, title: null };
  const width = 900;
  const requestColour = {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    scale: { domain: Object.keys(REQUEST_SERIES), range: Object.values(REQUEST_SERIES) },
    legend: { orient: 'right' as const },
  };
  const lost = sim.contenders.lambdaflex.lostRequests;
  const requestsHeight = 200;
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
        height: requestsHeight,
        title: {
          text: `LambdaFlex: demand against capacity, requests / min${perBucket > 1 ? ` (mean of ${perBucket} min)` : ''}`,
          subtitle: `lost ${Math.round(lost).toLocaleString('en-US')} requests${losses.length ? ' (red ticks: every stretch that lost one)' : ''}`,
          subtitleColor: Math.round(lost) > 0 ? LOST_RED : undefined,
          anchor: 'start',
          fontSize: 12,
        },
        layer: [
          {
            data: { values: requests },
            transform: [{ filter: { field: 'series', oneOf: STACKED } }],
            mark: { type: 'area', opacity: 0.7, interpolate: 'step-after' },
            encoding: {
              x,
              y: { field: 'value', type: 'quantitative', stack: 'zero', title: 'requests / min' },
              color: requestColour,
              order: { field: 'order', type: 'quantitative' },
            },
          },
          {
            data: { values: requests },
            transform: [{ filter: { not: { field: 'series', oneOf: STACKED } } }],
            mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.2 },
            encoding: {
              x,
              y: { field: 'value', type: 'quantitative' },
              color: requestColour,
              strokeDash: { condition: { test: "datum.series === 'ALB capacity (healthy tasks)'", value: [5, 3] }, value: [1, 0] },
            },
          },
          // Drawn under the axis so that a loss too small to see in the stack still shows.
          ...(losses.length
            ? [
                {
                  data: { values: losses },
                  mark: { type: 'rect' as const, color: LOST_RED, y: requestsHeight, y2: requestsHeight + 6 },
                  encoding: { x, x2: { field: 't2' } },
                },
              ]
            : []),
        ],
      },
      {
        width,
        height: 90,
        data: { values: weights },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: 'ALB: asked / measured %', scale: { domain: [0, 100] } },
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
          y: { field: 'usd', type: 'quantitative', title: 'cumulative cost paid, USD' },
          color: { field: 'contender', type: 'nominal', title: null, sort: CONTENDERS.map((id) => costLabel[id]), legend: { orient: 'right' } },
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
