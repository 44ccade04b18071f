/**
 * `npm run load`: a bounded load profile against the local edge — ramp up, hold above the
 * up-threshold, ramp down, stay low while the tier drains — with a progress line, so a user watches a
 * whole cycle happen in `npm start`'s console. About two and a half minutes; stops by itself.
 */
import { CYCLE_PROFILE, profileSeconds, runLoad } from '@lambdaflex/local-cloud';

const edge = process.env.EDGE_URL ?? `http://127.0.0.1:${process.env.EDGE_PORT ?? 3000}`;

async function main() {
  const reachable = await fetch(`${edge}/healthz`).then((r) => r.ok, () => false);
  if (!reachable) throw new Error(`no LambdaFlex edge at ${edge}: start it with npm start`);
  const tty = process.stdout.isTTY;
  process.stdout.write(`load against ${edge}: ${profileSeconds(CYCLE_PROFILE)} s, up to ${Math.max(...CYCLE_PROFILE.map((s) => s.toRps))} rps\n`);
  const result = await runLoad(edge, CYCLE_PROFILE, (p) => {
    const text = `${String(p.second).padStart(4)}/${p.of}s  ${p.rps.toFixed(0).padStart(3)} rps  ${p.requests} answered  ${p.failures} failed`;
    if (tty) process.stdout.write(`\r\x1b[2K${text}`);
    else if (p.second % 10 === 0) process.stdout.write(`${text}\n`);
  });
  process.stdout.write(`\n${result.requests} requests: ${Object.entries(result.byTier).map(([t, n]) => `${n} by ${t}`).join(', ')}\nfailed requests: ${result.failures}\n`);
  process.exitCode = result.failures === 0 ? 0 : 1;
}

main().catch((err: Error) => {
  process.stderr.write(`lambdaflex: ${err.message}\n`);
  process.exit(1);
});
