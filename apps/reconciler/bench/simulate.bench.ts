/**
 * `nx run reconciler:bench` (second half): every shared trace replayed through LambdaFlex and the
 * baselines, with the default policy and with the proposed one (src/simulate/policies/proposed.json).
 * Prints, per trace, LambdaFlex's cost against the offline optimum and against the better single-tier
 * baseline, its shortfall, and the targets: within 10 % of the optimum, within 2 % of the better
 * baseline, no shortfall minute.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveParams } from '../src/simulate/params';
import { resolvePolicy } from '../src/simulate/policy-file';
import { headline } from '../src/simulate/report';
import { modelFor, simulate } from '../src/simulate/simulate';
import { parseTrace } from '../src/simulate/trace';

const TRACES = process.env.BENCH_TRACES ?? path.resolve(__dirname, '../../../../shared/traces');
const POLICIES: [string, unknown][] = [
  ['default', {}],
  ['proposed', JSON.parse(readFileSync(path.join(__dirname, '../src/simulate/policies/proposed.json'), 'utf8'))],
];

async function main() {
  const files = readdirSync(TRACES).filter((f) => f.endsWith('.csv')).sort();
  if (!files.length) throw new Error(`no traces in ${TRACES}`);
  const params = resolveParams({});
  const rows: string[] = [];
  const json: object[] = [];
  for (const file of files) {
    const trace = parseTrace(readFileSync(path.join(TRACES, file), 'utf8'), file.replace(/\.csv$/, ''));
    for (const [name, input] of POLICIES) {
      const { policy, auto } = resolvePolicy(input, (p) => modelFor(p, params));
      const sim = await simulate({ trace, policy, params, auto });
      const h = headline(sim);
      const c = sim.contenders;
      const mark = (ok: boolean) => (ok ? '✓' : '✗');
      rows.push(
        `| ${trace.name} | ${name} | ${c.lambdaflex.total.toFixed(2)} | ${c.optimum.total.toFixed(2)} | ${h.lambdaflexOverOptimum.toFixed(3)} ${mark(h.lambdaflexOverOptimum <= 1.1)} | ` +
          `${c[h.bestBaseline].label} ${c[h.bestBaseline].total.toFixed(2)} | ${h.lambdaflexOverBestBaseline.toFixed(3)} ${mark(h.lambdaflexOverBestBaseline <= 1.02)} | ` +
          `${h.lambdaflexOverPlacement.toFixed(3)} | ${c.lambdaflex.shortfallMinutes} ${mark(c.lambdaflex.shortfallMinutes === 0)} | ${Math.round(c.lambdaflex.shortfallRequests)} | ` +
          `${c.lambdaflex.transitions} | ${(sim.timing.replayMs / 1000).toFixed(1)} |`,
      );
      json.push({
        trace: trace.name,
        policy: name,
        lambdaflexUsd: +c.lambdaflex.total.toFixed(4),
        optimumUsd: +c.optimum.total.toFixed(4),
        overOptimum: +h.lambdaflexOverOptimum.toFixed(4),
        bestBaseline: h.bestBaseline,
        overBestBaseline: +h.lambdaflexOverBestBaseline.toFixed(4),
        overPlacement: +h.lambdaflexOverPlacement.toFixed(4),
        shortfallMinutes: c.lambdaflex.shortfallMinutes,
        replaySeconds: +(sim.timing.replayMs / 1000).toFixed(2),
      });
    }
  }
  console.log(`\nsimulate bench: ${files.length} shared traces × ${POLICIES.length} policies (targets: ≤ 1.10 × optimum, ≤ 1.02 × the better single-tier baseline, 0 shortfall minutes)\n`);
  console.log('| trace | policy | LambdaFlex $ | optimum $ | / optimum | best baseline $ | / best baseline | / best placement at its sizing | shortfall min | shortfall req | transitions | replay s |');
  console.log('|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
  console.log('\n' + JSON.stringify({ bench: 'simulate', results: json }));
}

main().catch((err: Error) => {
  console.error(`simulate bench failed: ${err.message}`);
  process.exit(1);
});
