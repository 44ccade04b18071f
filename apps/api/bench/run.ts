/**
 * `nx run api:bench`: the API against bare express, measured in the same run on the same machine and on
 * the image's Node (see benchNode), reported as ratios (absolute times on a shared machine mean little; ratios hold).
 *
 *   1. Lambda cold start: process start to the first answered API Gateway v2 event, through the real
 *      Runtime API protocol (`bootstrap.js`, as the image runs it). Median of N fresh processes for each
 *      variant, interleaved: the API and the baseline (bare express + serverless-express, bundled the same
 *      way) before any lever, each lever alone, and everything the image ships. The headline ratio gives the
 *      baseline the same levers where they apply (its own code cache, its own lean bundle). Then the
 *      same with a first request that reads DynamoDB (GET /pets/:id on dynalite), against bare express
 *      doing the same GetItem: the cold start a user of the pet store meets.
 *   2. Server throughput: autocannon on GET /healthz, and on GET /pets/:id against dynalite (the baseline a
 *      bare express handler doing the same GetItem); requests per second, p99 latency, peak RSS; the logging
 *      lever (asynchronous writes) alone.
 */
import { PutCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeCodeCache } from '../build.mjs';
import { API_DIST, apiGatewayV2Event, createPetsTable, LocalRuntimeApi, ROOT, startDynalite, startProcess } from '@lambdaflex/local-cloud';

const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 15);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 8);
const CONNECTIONS = 32;
// Built by bench/build-baseline.mjs, with the same bundler as the API.
const BASELINE = path.join(ROOT, 'dist/bench/api');
const BASELINE_UNLEAN = path.join(ROOT, 'dist/bench/api-unlean');
const BASELINE_PETS = path.join(ROOT, 'dist/bench/api-pets');
const API_UNLEAN = path.join(ROOT, 'dist/bench/api-app-unlean');
const PETS_TABLE = 'bench-pets';
const PET_ID = '3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a2b';

/**
 * The Node the image runs, to measure with: the version of the Dockerfile's base image, installed once
 * from the npm registry (`node-<platform>-<arch>`, a plain binary) into dist/bench/node. `BENCH_NODE`
 * names another binary; without a package for this platform, the bench runs on its own Node.
 */
function benchNode(): string {
  if (process.env.BENCH_NODE) return process.env.BENCH_NODE;
  const dockerfile = readFileSync(path.join(ROOT, 'apps/api/Dockerfile'), 'utf8');
  const version = /^ARG NODE_IMAGE=node:(\d+\.\d+)/m.exec(dockerfile)?.[1];
  if (!version) throw new Error('apps/api/Dockerfile names no node:<major>.<minor> base image');
  const pkg = `node-${process.platform}-${process.arch}`;
  const prefix = path.join(ROOT, 'dist/bench/node', version);
  const binary = path.join(prefix, 'node_modules', pkg, 'bin/node');
  if (!existsSync(binary)) {
    try {
      execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `${pkg}@~${version}.0`], { stdio: 'inherit' });
    } catch {
      console.error(`no ${pkg}@${version} on the registry: measuring on this process's Node ${process.version}`);
      return process.execPath;
    }
  }
  return binary;
}
const NODE = benchNode();
const NODE_VERSION = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();

const baseEnv = {
  PATH: process.env.PATH,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
  PETS_TABLE,
  LOG_LEVEL: 'info',
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** One way of starting a Lambda container: a bundle folder, with or without its code cache, and its first request. */
interface ColdVariant {
  name: string;
  dir: string;
  codeCache: boolean;
  /** Default GET /healthz. */
  path?: string;
}


async function coldStart(v: ColdVariant, env: Record<string, string>): Promise<number> {
  const runtime = new LocalRuntimeApi();
  const api = await runtime.start();
  const started = performance.now();
  const child = startProcess(NODE, [path.join(v.dir, 'bootstrap.js'), 'lambda.handler'], {
    ...baseEnv,
    ...env,
    AWS_LAMBDA_RUNTIME_API: api,
    LAMBDAFLEX_CODE_CACHE: v.codeCache ? 'on' : 'off',
  });
  const outcome = await runtime.invoke(apiGatewayV2Event({ method: 'GET', path: v.path ?? '/healthz' }));
  const elapsed = performance.now() - started;
  await child.stop();
  await runtime.stop();
  if (outcome.kind !== 'response' || JSON.parse(outcome.body).statusCode !== 200) {
    throw new Error(`cold start of ${v.name} did not answer 200: ${outcome.body}`);
  }
  return elapsed;
}

async function throughput(script: string, urlPath: string, env: Record<string, string>) {
  const child = startProcess(NODE, [script], { ...baseEnv, ...env, PORT: '0', HOST: '127.0.0.1' }, { keepLines: 5 });
  const { port } = await child.waitForLine((l) => l.msg === 'listening');
  const url = `http://127.0.0.1:${port}${urlPath}`;
  await autocannon({ url, connections: CONNECTIONS, duration: 1 }); // warm-up
  const result = await autocannon({ url, connections: CONNECTIONS, duration: LOAD_SECONDS });
  const status = readFileSync(`/proc/${child.proc.pid}/status`, 'utf8');
  const peakRssMb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  await child.stop();
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${script} ${urlPath}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99, peakRssMb };
}

const fixed = (x: number, d = 1) => x.toFixed(d);
const ratio = (a: number, b: number) => +(a / b).toFixed(3);

async function main() {
  // With the Node measured, as the image's build stage writes it with the image's.
  for (const dir of [API_DIST, BASELINE, API_UNLEAN, BASELINE_UNLEAN, BASELINE_PETS]) writeCodeCache(dir, NODE);
  const db = await startDynalite();
  await createPetsTable(db.client, PETS_TABLE);
  await DynamoDBDocumentClient.from(db.client).send(new PutCommand({ TableName: PETS_TABLE, Item: { id: PET_ID, name: 'Rex', species: 'dog', status: 'available', tags: ['good'], createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z' } }));
  const petsEnv = { DYNAMODB_ENDPOINT: db.endpoint };
  const variants: ColdVariant[] = [
    { name: 'baseline, before', dir: BASELINE_UNLEAN, codeCache: false },
    { name: 'baseline', dir: BASELINE, codeCache: true },
    { name: 'api, before', dir: API_UNLEAN, codeCache: false },
    { name: 'api, code cache alone', dir: API_UNLEAN, codeCache: true },
    { name: 'api, lean bundle alone', dir: API_DIST, codeCache: false },
    { name: 'api', dir: API_DIST, codeCache: true },
    // A first request that needs DynamoDB: the SDK's client is loaded and created at init either way.
    { name: 'baseline, GET /pets/:id', dir: BASELINE_PETS, codeCache: true, path: `/pets/${PET_ID}` },
    { name: 'api, GET /pets/:id', dir: API_DIST, codeCache: true, path: `/pets/${PET_ID}` },
  ];
  const cold = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let i = 0; i < COLD_STARTS; i++) {
    // Interleaved, so that a noisy moment of the machine hits every variant alike.
    for (const v of variants) cold.get(v.name)!.push(await coldStart(v, petsEnv));
  }
  const coldMs = (name: string) => median(cold.get(name)!);

  const apiServer = path.join(API_DIST, 'main.js');
  const bareServer = path.join(BASELINE, 'server.js');
  const health = {
    api: await throughput(apiServer, '/healthz', {}),
    apiSyncLogs: await throughput(apiServer, '/healthz', { LOG_WRITES: 'sync' }),
    baseline: await throughput(bareServer, '/healthz', {}),
  };
  const pets = {
    api: await throughput(apiServer, `/pets/${PET_ID}`, petsEnv),
    baseline: await throughput(bareServer, `/pets/${PET_ID}`, petsEnv),
  };
  await db.stop();

  const kb = (f: string) => Math.round(statSync(f).size / 1024);
  console.log(`\napi bench on Node ${NODE_VERSION}: NestJS API vs bare express (${COLD_STARTS} cold starts each, ${LOAD_SECONDS} s of load at ${CONNECTIONS} connections)\n`);
  console.log('| Lambda cold start, median ms | ms | ratio to the baseline with the same levers |\n|---|---:|---:|');
  console.log(`| baseline (bare express), before | ${fixed(coldMs('baseline, before'))} | |`);
  console.log(`| baseline with its code cache and lean bundle | ${fixed(coldMs('baseline'))} | |`);
  console.log(`| api, before | ${fixed(coldMs('api, before'))} | ${fixed(coldMs('api, before') / coldMs('baseline, before'), 2)} |`);
  console.log(`| api, code cache alone | ${fixed(coldMs('api, code cache alone'))} | |`);
  console.log(`| api, lean bundle alone | ${fixed(coldMs('api, lean bundle alone'))} | |`);
  console.log(`| api, as the image ships it | ${fixed(coldMs('api'))} | **${fixed(coldMs('api') / coldMs('baseline'), 2)}** |`);
  console.log(`| baseline, first request GET /pets/:id (DynamoDB) | ${fixed(coldMs('baseline, GET /pets/:id'))} | |`);
  console.log(`| api, first request GET /pets/:id (DynamoDB) | ${fixed(coldMs('api, GET /pets/:id'))} | ${fixed(coldMs('api, GET /pets/:id') / coldMs('baseline, GET /pets/:id'), 2)} |`);
  console.log('\n| server | api | baseline | ratio api/baseline |\n|---|---:|---:|---:|');
  const rows = [
    ['/healthz, req/s', health.api.rps, health.baseline.rps],
    ['/healthz, p99 ms', health.api.p99, health.baseline.p99],
    ['/healthz, req/s with synchronous log writes', health.apiSyncLogs.rps, health.baseline.rps],
    ['/healthz, peak RSS MB', health.api.peakRssMb, health.baseline.peakRssMb],
    ['GET /pets/:id on dynalite, req/s', pets.api.rps, pets.baseline.rps],
    ['GET /pets/:id on dynalite, p99 ms', pets.api.p99, pets.baseline.p99],
    ['Lambda bundle, KB', kb(path.join(API_DIST, 'lambda.js')), kb(path.join(BASELINE, 'lambda.js'))],
    ['Lambda bundle before the lean lever, KB', kb(path.join(API_UNLEAN, 'lambda.js')), kb(path.join(BASELINE_UNLEAN, 'lambda.js'))],
  ] as const;
  for (const [name, a, b] of rows) console.log(`| ${name} | ${fixed(a)} | ${fixed(b)} | ${fixed(a / b, 2)} |`);
  console.log(
    '\n' +
      JSON.stringify({
        bench: 'api',
        node: NODE_VERSION,
        coldStartRatio: ratio(coldMs('api'), coldMs('baseline')),
        petsColdStartRatio: ratio(coldMs('api, GET /pets/:id'), coldMs('baseline, GET /pets/:id')),
        throughputRatio: ratio(health.api.rps, health.baseline.rps),
        p99Ratio: ratio(health.api.p99, health.baseline.p99),
        petsThroughputRatio: ratio(pets.api.rps, pets.baseline.rps),
        petsP99Ratio: ratio(pets.api.p99, pets.baseline.p99),
        levers: {
          coldStartBeforeRatio: ratio(coldMs('api, before'), coldMs('baseline, before')),
          codeCacheAlone: ratio(coldMs('api, code cache alone'), coldMs('api, before')),
          leanBundleAlone: ratio(coldMs('api, lean bundle alone'), coldMs('api, before')),
          allColdStartLevers: ratio(coldMs('api'), coldMs('api, before')),
          asyncLogWrites: ratio(health.api.rps, health.apiSyncLogs.rps),
        },
        coldStartMedianMs: Object.fromEntries(variants.map((v) => [v.name, +fixed(coldMs(v.name))])),
      }),
  );
}

main().catch((err: Error) => {
  console.error(`api bench failed: ${err.message}`);
  process.exit(1);
});
