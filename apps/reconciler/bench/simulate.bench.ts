/**
 * `nx run reconciler:bench` (second half): every shared trace replayed through LambdaFlex and the
 * baselines, with the default policy and with the proposed one (src/simulate/policies/proposed.json).
 * Prints, per trace, the requests LambdaFlex lost, then its cost against the offline optimum and against
 * the best single tier (the cheaper of all-Lambda and all-Fargate without a task cap, with what that one
 * lost), and the targets: no lost minute, within 10 % of the optimum, within 2 % of the best
 * single tier.
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
      const best = c[h.bestBaseline];
      rows.push(
        `| ${trace.name} | ${name} | ${Math.round(h.lostRequests)} (${(h.lostShare * 100).toFixed(2)} %) | ${h.lostMinutes} ${mark(h.lostMinutes === 0)} | ${h.spillMinutes} | ` +
          `${c.lambdaflex.total.toFixed(2)} | ${c.optimum.total.toFixed(2)} | ${h.lambdaflexOverOptimum.toFixed(3)} ${mark(h.lambdaflexOverOptimum <= 1.1)} | ` +
          `${best.label} ${best.total.toFixed(2)}, lost ${Math.round(best.lostRequests)} | ${h.lambdaflexOverBestBaseline.toFixed(3)} ${mark(h.lambdaflexOverBestBaseline <= 1.02)} | ` +
          `${h.lambdaflexOverPlacement.toFixed(3)} | ${c.lambdaflex.transitions} | ${(sim.timing.replayMs / 1000).toFixed(1)} |`,
      );
      json.push({
        trace: trace.name,
        policy: name,
        lostRequests: Math.round(h.lostRequests),
        lostShare: +h.lostShare.toFixed(6),
        lostMinutes: h.lostMinutes,
        spillMinutes: h.spillMinutes,
        lambdaflexUsd: +c.lambdaflex.total.toFixed(4),
        optimumUsd: +c.optimum.total.toFixed(4),
        overOptimum: +h.lambdaflexOverOptimum.toFixed(4),
        bestBaseline: h.bestBaseline,
        bestBaselineLostRequests: Math.round(h.bestBaselineLostRequests),
        overBestBaseline: +h.lambdaflexOverBestBaseline.toFixed(4),
        overPlacement: +h.lambdaflexOverPlacement.toFixed(4),
        replaySeconds: +(sim.timing.replayMs / 1000).toFixed(2),
      });
    }
  }
  console.log(`\nsimulate bench: ${files.length} shared traces × ${POLICIES.length} policies (targets: 0 lost minutes, ≤ 1.10 × optimum, ≤ 1.02 × the best single tier)\n`);
  console.log('| trace | policy | lost req | lost min | spill min | LambdaFlex $ | optimum $ | / optimum | best single tier $ | / best single tier | / best placement at its sizing | transitions | replay s |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
  console.log('\n' + JSON.stringify({ bench: 'simulate', results: json }));
}

main().catch((err: Error) => {
  console.error(`simulate bench failed: ${err.message}`);
  process.exit(1);
});
