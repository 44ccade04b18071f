/**
 * `npm run load [-- --profile cycle|burst] [--mix mixed|health|reads | --path <path>...]`: a bounded
 * load profile against the local edge, with a progress line, so a user watches it happen in
 * `npm start`'s console. Stops by itself.
 *   cycle (default): ramp up, hold above the up-threshold, ramp down, stay low while the tier drains —
 *                    a whole cycle, about two and a half minutes.
 *   burst:           into the fargate phase, then a surge of concurrent clients above the local tier's
 *                    capacity for 20 s, then easing: the instant spill hands the excess to Lambda.
 * The requests are the pet store's by default; `--path` (repeatable) sends GETs of your service's
 * paths instead, in turn (`npm start -- --service <dir>`), and `--mix health` only /healthz.
 */
import { failed, parseLoadArgs, profileSeconds, runLoad, type LoadMix, type LoadStage } from '@lambdaflex/local-cloud';

const edge = process.env.EDGE_URL ?? `http://127.0.0.1:${process.env.EDGE_PORT ?? 3000}`;

function describe(profile: LoadStage[]): string {
  const rates = profile.flatMap((s) => ('toRps' in s ? [s.fromRps, s.toRps] : []));
  const surges = profile.flatMap((s) => ('concurrency' in s ? [s.concurrency] : []));
  return `up to ${profileSeconds(profile)} s, up to ${Math.max(...rates)} rps` + (surges.length ? `, surges of ${Math.max(...surges)} concurrent clients` : '');
}

function describeMix(mix: LoadMix): string {
  return typeof mix === 'object' ? `GET ${mix.get.join(', ')}` : `${mix} requests`;
}

async function main() {
  const { profileName: name, profile, mix } = parseLoadArgs(process.argv.slice(2));
  const reachable = await fetch(`${edge}/healthz`).then((r) => r.ok, () => false);
  if (!reachable) throw new Error(`no LambdaFlex edge at ${edge}: start it with npm start`);
  const tty = process.stdout.isTTY;
  process.stdout.write(`load (${name}, ${describeMix(mix)}) against ${edge}: ${describe(profile)}\n`);
  let stage = '';
  const result = await runLoad(edge, profile, (p) => {
    const load = p.concurrency ? `${String(p.concurrency).padStart(3)} clients` : `${p.rps.toFixed(0).padStart(3)} rps`;
    const text = `${String(p.second).padStart(4)}/${p.of}s  ${p.stage.padEnd(18)} ${load}  ${p.requests} answered  ${p.spilled} spilled  ${p.failures} failed`;
    // A new stage gets its own line, so the surge's start stays on screen.
    if (p.stage !== stage) {
      stage = p.stage;
      process.stdout.write(`${tty ? '\r\x1b[2K' : ''}${text}\n`);
    } else if (tty) process.stdout.write(`\r\x1b[2K${text}`);
    else if (p.second % 10 === 0) process.stdout.write(`${text}\n`);
  }, undefined, mix);
  process.stdout.write(
    `\n${result.requests} requests: ${Object.entries(result.byTier).map(([t, n]) => `${n} by ${t}`).join(', ')}` +
      ` (${result.spilled} of them handed by a task to Lambda; ${result.retried} throttled and retried)\nfailed requests: ${result.failures}\n`,
  );
  for (const a of result.answers.filter(failed).slice(0, 5)) {
    process.stdout.write(`  ${new Date(a.at).toISOString()}  ${a.error ?? a.status}  ${a.tier ?? ''}  ${a.detail ?? ''}\n`);
  }
  process.exitCode = result.failures === 0 ? 0 : 1;
}

main().catch((err: Error) => {
  process.stderr.write(`lambdaflex: ${err.message}\n`);
  process.exit(1);
});
