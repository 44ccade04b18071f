/**
 * `nx run api:bench-spill`: what the instant spill costs a request, measured on this machine with the
 * built bundle (docs/decisions.md, "Instant spill").
 *
 *   direct         the server answers itself (LAMBDAFLEX_MAX_INFLIGHT=0)
 *   spilled        the server is at its limit (one slot held open) and hands every request to the
 *                  function through the local Lambda Invoke API with the AWS SDK — warm, and cold
 *                  (every worker stopped before each sample)
 *   Lambda alone   the same function invoked with an ALB event, no task in between: what an ALB
 *                  listener rule forwarding to a Lambda target group would add — warm and cold
 *   throttled      the function has no concurrency: how long the task takes to answer 503
 *   payloads       a 900 KB JSON body (under the API's 1 MB limit, near a Lambda target group's) and a
 *                  7 MB one (over the 6 MB an Invoke takes): what each path answers
 *
 * Sequential requests on a keep-alive connection, as the ALB reuses its connections; p50 and p99 per
 * route. Absolute times on a shared 2-core machine mean little; the differences between rows hold.
 */
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  albEvent,
  API_DIST,
  createPetsTable,
  LambdaPool,
  LOCAL_CREDENTIALS,
  LocalLambdaInvokeApi,
  startDynalite,
  startProcess,
  type Child,
} from '@lambdaflex/local-cloud';

const N = Number(process.env.BENCH_SPILL_REQUESTS ?? 300);
const COLD = Number(process.env.BENCH_SPILL_COLD ?? 12);
const FUNCTION = 'lambdaflex-api-bench';

type Reply = { status: number; ms: number; spilled: boolean; tier?: string };

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function call(url: string, method = 'GET', urlPath = '/healthz', body?: Buffer): Promise<Reply> {
  const { port } = new URL(url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: urlPath, agent, headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {} },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, spilled: res.headers['x-lambdaflex-spilled'] === '1', tier: res.headers['x-lambdaflex-tier'] as string }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

async function series(n: number, one: () => Promise<Reply>, expect: (r: Reply) => boolean, before?: () => Promise<void>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    await before?.();
    const r = await one();
    if (!expect(r)) throw new Error(`unexpected answer ${JSON.stringify(r)}`);
    ms.push(r.ms);
  }
  return ms;
}

/** Holds one of the server's in-flight slots with a create whose body never comes (until the end). */
async function holdSlot(url: string): Promise<() => void> {
  const { port } = new URL(url);
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/pets',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': 1000, expect: '100-continue' },
  });
  req.on('error', () => undefined);
  req.on('response', (res) => res.resume());
  // The server's 100 Continue comes once the request has entered the app and holds the slot.
  await new Promise<void>((resolve) => {
    req.on('continue', () => resolve());
    req.flushHeaders();
  });
  return () => req.destroy();
}

async function main() {
  const db = await startDynalite();
  await createPetsTable(db.client, 'pets-bench');
  const env = {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    DYNAMODB_ENDPOINT: db.endpoint,
    PETS_TABLE: 'pets-bench',
    LOG_LEVEL: 'info',
  };
  const pool = new LambdaPool({ appDir: API_DIST, env, concurrency: 4 });
  const lambdaApi = new LocalLambdaInvokeApi(FUNCTION, pool);
  const none = new LambdaPool({ appDir: API_DIST, env, concurrency: 0, queueMs: 0 });
  const throttling = new LocalLambdaInvokeApi(FUNCTION, none);
  await Promise.all([lambdaApi.start(), throttling.start()]);
  const children: Child[] = [];
  const server = async (extra: NodeJS.ProcessEnv) => {
    const child = startProcess(process.execPath, [path.join(API_DIST, 'main.js')], { ...env, PORT: '0', HOST: '127.0.0.1', LAMBDAFLEX_TIER: 'fargate', ...extra }, { keepLines: 20 });
    children.push(child);
    return `http://127.0.0.1:${(await child.waitForLine((l) => l.msg === 'listening')).port}`;
  };
  const spillEnv = (endpoint: string) => ({ LAMBDAFLEX_MAX_INFLIGHT: '1', LAMBDAFLEX_SPILL_FUNCTION: FUNCTION, LAMBDA_ENDPOINT: endpoint });

  try {
    const direct = await server({ LAMBDAFLEX_MAX_INFLIGHT: '0' });
    const spilling = await server(spillEnv(lambdaApi.url));
    const refusing = await server(spillEnv(throttling.url));
    const created = await fetch(`${direct}/pets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Bench', species: 'cat' }) });
    const petPath = `/pets/${((await created.json()) as { id: string }).id}`;
    const releases = [await holdSlot(spilling), await holdSlot(refusing)];

    const ok = (r: Reply) => r.status === 200 && !r.spilled;
    const spilled = (r: Reply) => r.status === 200 && r.spilled && r.tier === 'lambda';
    const lambdaOk = (r: Reply) => r.status === 200;
    const invokeAlb = (p: string) => async (): Promise<Reply> => {
      const started = performance.now();
      const inv = await pool.invoke(albEvent({ method: 'GET', path: p }));
      const status = !inv.throttled && inv.outcome.kind === 'response' ? (JSON.parse(inv.outcome.body) as { statusCode: number }).statusCode : 0;
      return { status, ms: performance.now() - started, spilled: false };
    };

    const rows: [string, number[]][] = [];
    for (const [route, p] of [['GET /healthz', '/healthz'], ['GET /pets/{id} (DynamoDB)', petPath]] as const) {
      await series(20, () => call(direct, 'GET', p), ok); // warm-up
      rows.push([`direct, ${route}`, await series(N, () => call(direct, 'GET', p), ok)]);
      await series(20, () => call(spilling, 'GET', p), spilled);
      rows.push([`spilled, warm, ${route}`, await series(N, () => call(spilling, 'GET', p), spilled)]);
      rows.push([`Lambda alone (ALB event), warm, ${route}`, await series(N, invokeAlb(p), lambdaOk)]);
    }
    rows.push(['spilled, cold, GET /healthz', await series(COLD, () => call(spilling), spilled, () => pool.reset())]);
    rows.push(['Lambda alone (ALB event), cold, GET /healthz', await series(COLD, invokeAlb('/healthz'), lambdaOk, () => pool.reset())]);
    rows.push(['spill throttled (503), GET /healthz', await series(50, () => call(refusing), (r) => r.status === 503)]);

    // Payloads: a JSON body of 900 KB (the API's limit is 1 MB) and one of 7 MB (Invoke takes 6 MB).
    const body = (bytes: number) => Buffer.from(JSON.stringify({ name: 'x'.repeat(bytes), species: 'cat' }));
    const payloads = [];
    for (const [label, bytes] of [['900 KB', 900 * 1024], ['7 MB', 7 * 1024 * 1024]] as const) {
      const d = await call(direct, 'POST', '/pets', body(bytes));
      const s = await call(spilling, 'POST', '/pets', body(bytes));
      payloads.push({ body: label, direct: d.status, spilled: s.status, handedToLambda: s.spilled });
    }
    releases.forEach((release) => release());

    console.log(`\nspill bench: ${N} sequential requests per warm row, ${COLD} per cold row (ms)\n`);
    console.log('| path | p50 | p99 | mean |\n|---|---|---|---|');
    for (const [name, ms] of rows) console.log(`| ${name} | ${pct(ms, 0.5).toFixed(1)} | ${pct(ms, 0.99).toFixed(1)} | ${(ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(1)} |`);
    console.log('\n| body | direct | spilled | handed to Lambda |\n|---|---|---|---|');
    for (const p of payloads) console.log(`| ${p.body} | ${p.direct} | ${p.spilled} | ${p.handedToLambda} |`);
    console.log('\n' + JSON.stringify({ bench: 'spill', rows: Object.fromEntries(rows.map(([n, ms]) => [n, { p50: +pct(ms, 0.5).toFixed(1), p99: +pct(ms, 0.99).toFixed(1) }])), payloads }));
  } finally {
    agent.destroy();
    await Promise.all(children.map((c) => c.stop()));
    await Promise.all([lambdaApi.stop(), throttling.stop()]);
    await Promise.all([pool.stop(), none.stop()]);
    await db.stop();
  }
}

main().catch((err: Error) => {
  console.error(`spill bench failed: ${err.message}`);
  process.exit(1);
});
