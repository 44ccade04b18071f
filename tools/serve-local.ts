/**
 * `npm start`: the whole product on this machine, no AWS account. dynalite, the edge (the one URL to
 * call), the Lambda pool, the Fargate tier, and the reconciler on a one-second interval with the
 * `local` policy preset. The console shows the phase, the weights, requests per second per tier and
 * the requests the tasks hand to Lambda (the instant spill), and prints each transition, each weight
 * change and each spill episode as it happens. Ctrl-C stops everything and leaves no process behind.
 *
 * `npm start -- --service <dir> [--name <service>]` runs a user's built service (a directory with
 * main.js, bootstrap.js and lambda.js: docs/your-service.md) instead of the pet store, through the same
 * edge, pools and reconciler.
 */
import { randomBytes, createHash } from 'node:crypto';
import path from 'node:path';
import { parseServeArgs, startLocalStack, type TickLine } from '@lambdaflex/local-cloud';

const EDGE_PORT = Number(process.env.EDGE_PORT ?? 3000);
const tty = process.stdout.isTTY;
const started = Date.now();
const clock = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s`;

async function main() {
  // Through nx (npm start) the arguments come as --service=<dir>, and the command runs at the workspace root.
  const serve = parseServeArgs(process.argv.slice(2));
  // A fresh operator key for this run's admin endpoints: printed once, only its hash is configured.
  const adminKey = randomBytes(18).toString('base64url');
  const adminHash = createHash('sha256').update(adminKey).digest('hex');
  let last: TickLine | undefined;
  let weights: TickLine['weights'];
  const stack = await startLocalStack({
    ...serve,
    edgePort: EDGE_PORT,
    // Idle services reconciled beside the pet store (`EXTRA_SERVICES=billing,orders npm start`): the fleet tick at work.
    extraServices: process.env.EXTRA_SERVICES?.split(',').map((s) => s.trim()).filter(Boolean),
    appEnv: serve.appDir ? {} : { ADMIN_KEYS: `operate:${adminHash}` },
    onTick: (tick) => {
      last = tick;
      for (const t of tick.transitions ?? []) line(`${t.from} → ${t.to}  (${t.reason})`);
      // Weights move within a phase too (the ALB's share while the tier is saturated): each change is a line.
      const w = tick.weights;
      if (w && (w.api !== weights?.api || w.alb !== weights?.alb)) {
        if (weights) line(`weights → api ${w.api}%  alb ${w.alb}%`);
        weights = w;
      }
      if (tick.error) line(`tick failed: ${tick.error}`);
    },
    onEvent: (event) => line(event),
  });
  const edge = stack.cloud.edgeUrl;
  const petStore = [
    `  edge (the service)  ${edge}            e.g. curl ${edge}/healthz`,
    `  OpenAPI             ${edge}/docs`,
    `  status page         ${edge}/admin/ui   (key below)`,
    `  status (JSON)       curl -H 'authorization: Bearer ${adminKey}' ${edge}/stack-status`,
    `  admin key           ${adminKey}   (operate scope, this run only)`,
    '  drive a full cycle  npm run load       (in another terminal)',
    '  a surge over Fargate npm run load -- --profile burst   (the instant spill to Lambda)',
  ];
  const yours = [
    `  service             ${stack.service}, from ${path.relative(process.cwd(), serve.appDir ?? '') || '.'}`,
    `  edge (the service)  ${edge}            e.g. curl ${edge}/healthz`,
    '  drive a full cycle  npm run load -- --path /healthz   (in another terminal; add --path for your routes)',
  ];
  process.stdout.write(['', 'LambdaFlex, local cloud', ...(serve.appDir ? yours : petStore), 'Ctrl-C stops everything.', ''].join('\n'));

  const status = () => {
    const s = stack.cloud.control.snapshot();
    const bar = (n: number) => '█'.repeat(Math.round(n / 5)).padEnd(20, '·');
    return (
      `${clock()}  ${(last?.phase ?? '…').padEnd(8)}  api ${String(s.weights.api).padStart(3)}% ${bar(s.weights.api)} alb ${String(s.weights.alb).padStart(3)}%` +
      `   lambda ${s.rates.api.toFixed(1).padStart(5)} rps (${s.lambdaWorkers} workers)   fargate ${s.rates.alb.toFixed(1).padStart(5)} rps (${s.healthyTasks}/${s.tasks} tasks)` +
      `   spilled→λ ${s.lastSecond.spilled.toFixed(0).padStart(3)}/s` +
      (s.lastSecond.overloaded ? `   refused ${s.lastSecond.overloaded.toFixed(0)}/s` : '') +
      (last?.degraded ? `   degraded: ${last.degraded}` : '')
    );
  };
  // Live on a terminal: one line redrawn; piped: a line every five seconds.
  const render = setInterval(() => (tty ? process.stdout.write(`\r\x1b[2K${status()}`) : process.stdout.write(`${status()}\n`)), tty ? 500 : 5000);
  // The instant spill comes and goes within seconds: its start and its end are lines of their own.
  let seen = 0; // the last complete second looked at
  let episode: { from: number; to: number; total: number; peak: number } | undefined;
  const spills = setInterval(() => {
    for (const s of stack.cloud.metrics.seconds(5)) if (s.second > seen) watchSpill(s);
  }, 500);
  function watchSpill(s: { second: number; spilled: number; overloaded: number }) {
    seen = s.second;
    if (s.spilled + s.overloaded > 0) {
      if (!episode) line(`instant spill: tasks at their in-flight limit hand ${s.spilled}/s to Lambda` + (s.overloaded ? `, refuse ${s.overloaded}/s` : ''));
      episode ??= { from: s.second, to: s.second, total: 0, peak: 0 };
      episode.to = s.second;
      episode.total += s.spilled;
      episode.peak = Math.max(episode.peak, s.spilled);
    } else if (episode && s.second - episode.to >= 3) {
      line(`instant spill over: ${episode.total} requests handed to Lambda in ${episode.to - episode.from + 1} s, at most ${episode.peak}/s`);
      episode = undefined;
    }
  }

  function line(text: string) {
    process.stdout.write(`${tty ? '\r\x1b[2K' : ''}${clock()}  ${text}\n`);
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(render);
    clearInterval(spills);
    line('stopping…');
    await stack.stop();
    line('stopped; no process left behind');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: Error) => {
  process.stderr.write(`lambdaflex: ${err.message}\n`);
  process.exit(1);
});
