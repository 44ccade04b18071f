/**
 * `nx run api:bench`: the API against bare express, measured in the same run on the same machine,
 * reported as ratios (absolute times on a shared machine mean little; ratios hold).
 *
 *   1. Lambda cold start: process start to the first answered API Gateway v2 event, through the
 *      real Runtime API protocol, for the bundled NestJS handler and a bare express +
 *      serverless-express handler bundled the same way. Median of N fresh processes each.
 *   2. Server throughput: autocannon on GET /healthz of the built server and of a bare express
 *      server with the same route shape; requests per second, p99 latency, peak RSS.
 */
import autocannon from 'autocannon';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { API_DIST, apiGatewayV2Event, LocalRuntimeApi, ROOT, startProcess } from '@lambdaflex/local-cloud';

const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 15);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 8);
const CONNECTIONS = 32;
// Built by bench/build-baseline.mjs, with the same bundler as the API.
const BASELINE_DIST = path.join(ROOT, 'dist/bench/api');

const env = {
  PATH: process.env.PATH,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
  LOG_LEVEL: 'info',
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function coldStart(dir: string): Promise<number> {
  const runtime = new LocalRuntimeApi();
  const api = await runtime.start();
  const started = performance.now();
  const child = startProcess(process.execPath, [path.join(dir, 'bootstrap.js'), 'lambda.handler'], {
    ...env,
    AWS_LAMBDA_RUNTIME_API: api,
  });
  const outcome = await runtime.invoke(apiGatewayV2Event({ method: 'GET', path: '/healthz' }));
  const elapsed = performance.now() - started;
  await child.stop();
  await runtime.stop();
  if (outcome.kind !== 'response' || JSON.parse(outcome.body).statusCode !== 200) {
    throw new Error(`cold start in ${dir} did not answer 200: ${outcome.body}`);
  }
  return elapsed;
}

async function throughput(script: string) {
  const child = startProcess(process.execPath, [script], { ...env, PORT: '0', HOST: '127.0.0.1' });
  const { port } = await child.waitForLine((l) => l.msg === 'listening');
  const url = `http://127.0.0.1:${port}/healthz`;
  await autocannon({ url, connections: CONNECTIONS, duration: 1 }); // warm-up
  const result = await autocannon({ url, connections: CONNECTIONS, duration: LOAD_SECONDS });
  const status = readFileSync(`/proc/${child.proc.pid}/status`, 'utf8');
  const peakRssMb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  await child.stop();
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${script}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99, peakRssMb };
}

async function main() {
  const nest: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    // Interleaved, so that a noisy moment of the machine hits both alike.
    nest.push(await coldStart(API_DIST));
    bare.push(await coldStart(BASELINE_DIST));
  }
  const api = await throughput(path.join(API_DIST, 'main.js'));
  const baseline = await throughput(path.join(BASELINE_DIST, 'server.js'));

  const kb = (f: string) => Math.round(statSync(f).size / 1024);
  const rows = [
    ['Lambda cold start, median ms', median(nest), median(bare)],
    ['Server throughput, req/s', api.rps, baseline.rps],
    ['Server p99 latency, ms', api.p99, baseline.p99],
    ['Server peak RSS, MB', api.peakRssMb, baseline.peakRssMb],
    ['Lambda bundle, KB', kb(path.join(API_DIST, 'lambda.js')), kb(path.join(BASELINE_DIST, 'lambda.js'))],
  ] as const;
  console.log(`\napi bench: NestJS API vs bare express (${COLD_STARTS} cold starts each, ${LOAD_SECONDS} s of load at ${CONNECTIONS} connections)\n`);
  console.log('| measure | api | baseline | ratio api/baseline |\n|---|---|---|---|');
  for (const [name, a, b] of rows) console.log(`| ${name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / b).toFixed(2)} |`);
  console.log(
    '\n' +
      JSON.stringify({
        bench: 'api',
        coldStartRatio: +(median(nest) / median(bare)).toFixed(3),
        throughputRatio: +(api.rps / baseline.rps).toFixed(3),
        coldStartMs: { api: nest, baseline: bare },
      }),
  );
}

main().catch((err: Error) => {
  console.error(`api bench failed: ${err.message}`);
  process.exit(1);
});
