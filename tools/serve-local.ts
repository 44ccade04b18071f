/**
 * `npm start`: the whole product on this machine, no AWS account. dynalite, the edge (the one URL to
 * call), the Lambda pool, the Fargate tier, and the reconciler on a one-second interval with the
 * `local` policy preset. The console shows the phase, the weights, requests per second per tier and
 * each transition as it happens. Ctrl-C stops everything and leaves no process behind.
 */
import { randomBytes, createHash } from 'node:crypto';
import { startLocalStack, type TickLine } from '@lambdaflex/local-cloud';

const EDGE_PORT = Number(process.env.EDGE_PORT ?? 3000);
const tty = process.stdout.isTTY;
const started = Date.now();
const clock = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s`;

async function main() {
  // A fresh operator key for this run's admin endpoints: printed once, only its hash is configured.
  const adminKey = randomBytes(18).toString('base64url');
  const adminHash = createHash('sha256').update(adminKey).digest('hex');
  let last: TickLine | undefined;
  const stack = await startLocalStack({
    edgePort: EDGE_PORT,
    appEnv: { ADMIN_KEYS: `operate:${adminHash}` },
    onTick: (tick) => {
      last = tick;
      for (const t of tick.transitions ?? []) line(`${t.from} → ${t.to}  (${t.reason})`);
      if (tick.error) line(`tick failed: ${tick.error}`);
    },
    onEvent: (event) => line(event),
  });
  const edge = stack.cloud.edgeUrl;
  process.stdout.write(
    [
      '',
      'LambdaFlex, local cloud',
      `  edge (the service)  ${edge}            e.g. curl ${edge}/healthz`,
      `  OpenAPI             ${edge}/docs`,
      `  status page         ${edge}/admin/ui   (key below)`,
      `  status (JSON)       curl -H 'authorization: Bearer ${adminKey}' ${edge}/stack-status`,
      `  admin key           ${adminKey}   (operate scope, this run only)`,
      '  drive a full cycle  npm run load       (in another terminal)',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );

  const status = () => {
    const s = stack.cloud.control.snapshot();
    const bar = (n: number) => '█'.repeat(Math.round(n / 5)).padEnd(20, '·');
    return (
      `${clock()}  ${(last?.phase ?? '…').padEnd(8)}  api ${String(s.weights.api).padStart(3)}% ${bar(s.weights.api)} alb ${String(s.weights.alb).padStart(3)}%` +
      `   lambda ${s.rates.api.toFixed(1).padStart(5)} rps (${s.lambdaWorkers} workers)   fargate ${s.rates.alb.toFixed(1).padStart(5)} rps (${s.healthyTasks}/${s.tasks} tasks)` +
      (last?.degraded ? `   degraded: ${last.degraded}` : '')
    );
  };
  // Live on a terminal: one line redrawn; piped: a line every five seconds.
  const render = setInterval(() => (tty ? process.stdout.write(`\r\x1b[2K${status()}`) : process.stdout.write(`${status()}\n`)), tty ? 500 : 5000);

  function line(text: string) {
    process.stdout.write(`${tty ? '\r\x1b[2K' : ''}${clock()}  ${text}\n`);
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(render);
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
