import http from 'node:http';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { localEnv } from '../support/api';
import {
  API_DIST,
  apiGatewayV2Event,
  createPetsTable,
  LambdaPool,
  LocalLambdaInvokeApi,
  LocalRuntimeApi,
  startDynalite,
  startProcess,
  type Child,
  type LocalDynamoDb,
} from '@lambdaflex/local-cloud';

// The built image contents, run as the image runs them: entrypoint.sh decides the mode.
const entrypoint = path.join(API_DIST, 'entrypoint.sh');

function baseEnv(db: LocalDynamoDb): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, ...localEnv(db.endpoint, 'pets-entry'), LOG_LEVEL: 'info' };
}

function get(
  url: string,
  headers: http.OutgoingHttpHeaders = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

describe('entrypoint.sh, run for real from the built bundle', () => {
  let db: LocalDynamoDb;
  const children: Child[] = [];
  beforeAll(async () => {
    if (!existsSync(entrypoint)) throw new Error(`${entrypoint} is missing: run nx run api:build first`);
    db = await startDynalite();
    await createPetsTable(db.client, 'pets-entry');
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop()));
  });
  afterAll(() => db.stop());

  async function startServer(extraEnv: NodeJS.ProcessEnv = {}) {
    const child = startProcess(entrypoint, [], { ...baseEnv(db), PORT: '0', ...extraEnv });
    children.push(child);
    const listening = await child.waitForLine((l) => l.msg === 'listening');
    return { child, url: `http://127.0.0.1:${listening.port}` };
  }

  describe('as a server (no AWS_LAMBDA_RUNTIME_API)', () => {
    it('serves HTTP on PORT, as the local tier', async () => {
      const { url } = await startServer();
      const res = await get(`${url}/healthz`);
      expect(res.status).toBe(200);
      expect(res.headers['x-lambdaflex-tier']).toBe('local');
    });

    it('names itself fargate when ECS gives it task metadata', async () => {
      const { url } = await startServer({ ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/task' });
      const res = await get(`${url}/healthz`);
      expect(res.headers['x-lambdaflex-tier']).toBe('fargate');
    });

    it('logs each request as one JSON line, the first one as the cold start', async () => {
      // Arrange
      const { child, url } = await startServer();
      // Act
      const first = await get(`${url}/healthz`);
      const second = await get(`${url}/pets/not-a-uuid`);
      // Assert
      const requestLines = await Promise.all(
        [first, second].map((r) => child.waitForLine((l) => l.msg === 'request' && l.requestId === r.headers['x-request-id'])),
      );
      expect(requestLines[0]).toMatchObject({ tier: 'local', coldStart: true, status: 200, method: 'GET', path: '/healthz' });
      expect(requestLines[1]).toMatchObject({ tier: 'local', coldStart: false, status: 400 });
      for (const line of requestLines) expect(line.latencyMs).toEqual(expect.any(Number));
      expect(child.lines.filter((l) => l.msg === 'request')).toHaveLength(2);
    });

    it('never writes request headers, where credentials travel, to the log', async () => {
      const { child, url } = await startServer();
      const res = await get(`${url}/healthz`, { authorization: 'Bearer secret-token-123', cookie: 'session=secret-cookie' });
      await child.waitForLine((l) => l.msg === 'request' && l.requestId === res.headers['x-request-id']);
      const log = JSON.stringify(child.lines);
      expect(log).not.toContain('secret-token-123');
      expect(log).not.toContain('secret-cookie');
    });

    it('on SIGTERM stops accepting, finishes the request in flight, then exits 0', async () => {
      // Arrange: a create whose body is still arriving when the signal comes
      const { child, url } = await startServer();
      const body = JSON.stringify({ name: 'Slow', species: 'reptile' });
      const { port } = new URL(url);
      const inFlight = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port, method: 'POST', path: '/pets', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
          (res) => {
            let text = '';
            res.on('data', (c) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 10));
        setTimeout(() => req.end(body.slice(10)), 700);
      });
      await new Promise((r) => setTimeout(r, 100));

      // Act
      child.proc.kill('SIGTERM');
      await child.waitForLine((l) => l.msg === 'draining');
      const refused = await get(`${url}/healthz`).then(
        () => 'accepted',
        (err: NodeJS.ErrnoException) => err.code,
      );

      // Assert
      expect(refused).toBe('ECONNREFUSED');
      const answer = await inFlight;
      expect(answer.status).toBe(201);
      expect(JSON.parse(answer.body)).toMatchObject({ name: 'Slow' });
      expect(await child.exited).toBe(0);
      expect(child.lines.some((l) => l.msg === 'stopped')).toBe(true);
    });

    it('refuses to start on a bad configuration, with one readable line', async () => {
      const child = startProcess(entrypoint, [], { ...baseEnv(db), PORT: 'eighty' });
      children.push(child);
      expect(await child.exited).toBe(1);
      expect(child.stderr()).toMatch(/invalid configuration: PORT/);
    });
  });

  describe('as a Fargate task at its in-flight limit (the instant spill)', () => {
    const FUNCTION = 'lambdaflex-api-spill';
    let pool: LambdaPool;
    let lambdaApi: LocalLambdaInvokeApi;
    beforeAll(async () => {
      // The same bundle as a Lambda function behind the local Invoke API: what AWS gives the task.
      pool = new LambdaPool({ appDir: API_DIST, env: baseEnv(db), concurrency: 2, queueMs: 200 });
      lambdaApi = new LocalLambdaInvokeApi(FUNCTION, pool);
      await lambdaApi.start();
    });
    afterAll(async () => {
      await lambdaApi.stop();
      await pool.stop();
    });

    /**
     * A create whose body is held back: it keeps one of the task's in-flight slots until released.
     * Resolves once the task holds it: its `100 Continue` comes when the request has entered the app.
     */
    async function holdSlot(url: string) {
      const body = JSON.stringify({ name: 'Holder', species: 'cat' });
      const { port } = new URL(url);
      let release = () => undefined as void;
      let entered = () => undefined as void;
      const inApp = new Promise<void>((resolve) => (entered = resolve));
      const answered = new Promise<{ status: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/pets',
            agent: false,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
          },
        );
        req.on('error', reject);
        req.on('continue', () => {
          req.write(body.slice(0, 5));
          entered();
        });
        release = () => void req.end(body.slice(5));
        req.flushHeaders();
      });
      await inApp;
      return { answered, release: () => release() };
    }

    async function startTask(spill: boolean) {
      return startServer({
        LAMBDAFLEX_TIER: 'fargate',
        LAMBDAFLEX_MAX_INFLIGHT: '1',
        ...(spill ? { LAMBDAFLEX_SPILL_FUNCTION: FUNCTION, LAMBDA_ENDPOINT: lambdaApi.url } : {}),
      });
    }

    it('hands a request past its limit to the function and answers with the function’s answer', async () => {
      // Arrange: the one slot held by a create still receiving its body
      const { child, url } = await startTask(true);
      const holder = await holdSlot(url);

      // Act: the next requests find the task full
      const health = await get(`${url}/healthz`, { authorization: 'Bearer secret-token-123' });
      const created = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
        const body = JSON.stringify({ name: 'Spilled', species: 'dog' });
        const { port } = new URL(url);
        const req = http.request(
          { host: '127.0.0.1', port, method: 'POST', path: '/pets', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
          (res) => {
            let text = '';
            res.on('data', (c) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      holder.release();

      // Assert: served by Lambda, through the task
      expect(health.status).toBe(200);
      expect(health.headers).toMatchObject({ 'x-lambdaflex-tier': 'lambda', 'x-lambdaflex-spilled': '1' });
      expect(JSON.parse(health.body)).toEqual({ status: 'ok', tier: 'lambda' });
      expect(created.status).toBe(201);
      expect(created.headers['x-lambdaflex-spilled']).toBe('1');
      const pet = JSON.parse(created.body) as { id: string };
      expect(pet).toMatchObject({ name: 'Spilled', species: 'dog' });
      // ... into the same table: the task reads back what Lambda wrote
      expect((await holder.answered).status).toBe(201);
      const readBack = await get(`${url}/pets/${pet.id}`);
      expect(readBack.headers['x-lambdaflex-tier']).toBe('fargate');
      expect(JSON.parse(readBack.body)).toEqual(pet);
      // One spill line per spill, with the request's id and never its headers
      const spills = await Promise.all(
        [health, created].map((r) => child.waitForLine((l) => l.msg === 'spill' && l.requestId === r.headers['x-request-id'])),
      );
      expect(spills.map((l) => [l.outcome, l.status, l.path])).toEqual([
        ['answered', 200, '/healthz'],
        ['answered', 201, '/pets'],
      ]);
      expect(JSON.stringify(child.lines)).not.toContain('secret-token-123');
    });

    it('answers 503 with Retry-After and the error shape when Lambda throttles', async () => {
      // A function with no concurrency to give (reserved concurrency 0 on AWS): every Invoke is a 429.
      const none = new LambdaPool({ appDir: API_DIST, env: {}, concurrency: 0, queueMs: 50 });
      const throttling = new LocalLambdaInvokeApi(FUNCTION, none);
      await throttling.start();
      try {
        const { child, url } = await startServer({
          LAMBDAFLEX_TIER: 'fargate',
          LAMBDAFLEX_MAX_INFLIGHT: '1',
          LAMBDAFLEX_SPILL_FUNCTION: FUNCTION,
          LAMBDA_ENDPOINT: throttling.url,
        });
        const holder = await holdSlot(url);
        const res = await get(`${url}/healthz`);
        holder.release();
        await holder.answered;
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toBe('1');
        expect(res.headers['x-lambdaflex-spilled']).toBeUndefined();
        expect(JSON.parse(res.body)).toEqual({
          statusCode: 503,
          error: 'Service Unavailable',
          message: 'the task is at its in-flight limit and Lambda is throttling',
          requestId: res.headers['x-request-id'],
        });
        expect(throttling.throttles).toBe(1);
        const line = await child.waitForLine((l) => l.msg === 'spill' && l.requestId === res.headers['x-request-id']);
        expect(line).toMatchObject({ outcome: 'throttled', level: 'warn', throttled: 1 });
      } finally {
        await throttling.stop();
        await none.stop();
      }
    });

    it('answers 503 with Retry-After, as an overloaded ALB target, when no spill function is configured', async () => {
      const { url } = await startTask(false);
      const holder = await holdSlot(url);
      const res = await get(`${url}/healthz`);
      holder.release();
      await holder.answered;
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(JSON.parse(res.body)).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'the task is at its in-flight limit',
        requestId: res.headers['x-request-id'],
      });
    });
  });

  describe('as a Lambda function (AWS_LAMBDA_RUNTIME_API set)', () => {
    let runtime: LocalRuntimeApi;
    let runtimeApi: string;
    beforeEach(async () => {
      runtime = new LocalRuntimeApi();
      runtimeApi = await runtime.start();
    });
    afterEach(async () => {
      await Promise.all(children.splice(0).map((c) => c.stop()));
      await runtime.stop();
    });

    function startLambda(args: string[] = []) {
      const child = startProcess(entrypoint, args, { ...baseEnv(db), AWS_LAMBDA_RUNTIME_API: runtimeApi, AWS_LAMBDA_FUNCTION_NAME: 'lambdaflex-api' });
      children.push(child);
      return child;
    }

    it('answers API Gateway events through the Runtime API, as the lambda tier', async () => {
      // Arrange
      const child = startLambda();
      // Act
      const health = await runtime.invoke(apiGatewayV2Event({ method: 'GET', path: '/healthz' }));
      const created = await runtime.invoke(
        apiGatewayV2Event({ method: 'POST', path: '/pets', headers: { 'content-type': 'application/json' }, body: '{"name":"Luna","species":"cat"}' }),
      );
      // Assert
      expect(health.kind).toBe('response');
      const healthResult = JSON.parse(health.body);
      expect(healthResult.statusCode).toBe(200);
      expect(healthResult.headers['x-lambdaflex-tier']).toBe('lambda');
      expect(JSON.parse(healthResult.body)).toEqual({ status: 'ok', tier: 'lambda' });
      const createdResult = JSON.parse(created.body);
      expect(createdResult.statusCode).toBe(201);
      expect(JSON.parse(createdResult.body)).toMatchObject({ name: 'Luna', species: 'cat' });
      // The log line may reach the pipe after the response reaches the Runtime API: wait for both.
      await child.waitForLine((l) => l.msg === 'request' && l.status === 201);
      const logged = child.lines.filter((l) => l.msg === 'request');
      expect(logged.map((l) => [l.tier, l.coldStart])).toEqual([
        ['lambda', true],
        ['lambda', false],
      ]);
      // The build wrote lambda.js's code cache with this Node, so V8 took it.
      expect(child.lines.find((l) => l.msg === 'handler loaded')).toMatchObject({ handler: 'lambda.handler', codeCache: 'used', loadMs: expect.any(Number) });
    });

    it('loads the handler without its code cache when told to, and answers the same', async () => {
      const child = startProcess(entrypoint, [], { ...baseEnv(db), AWS_LAMBDA_RUNTIME_API: runtimeApi, LAMBDAFLEX_CODE_CACHE: 'off' });
      children.push(child);
      const health = await runtime.invoke(apiGatewayV2Event({ method: 'GET', path: '/healthz' }));
      expect(JSON.parse(health.body).statusCode).toBe(200);
      expect(child.lines.find((l) => l.msg === 'handler loaded')).toMatchObject({ codeCache: 'absent' });
    });

    it('writes the cause of a 500 to the log (Nest holds no lines for a listen() that Lambda never calls)', async () => {
      const child = startProcess(entrypoint, [], { ...baseEnv(db), DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', AWS_LAMBDA_RUNTIME_API: runtimeApi });
      children.push(child);
      const read = await runtime.invoke(apiGatewayV2Event({ method: 'GET', path: '/pets/3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a2b' }));
      expect(JSON.parse(read.body).statusCode).toBe(500);
      const error = await child.waitForLine((l) => l.level === 'error');
      expect(error).toMatchObject({ tier: 'lambda', context: 'HttpErrorFilter', msg: expect.stringContaining('ECONNREFUSED') });
    });

    it('posts a handler failure to /error and goes on serving', async () => {
      startLambda();
      const failed = await runtime.invoke({ not: 'an http event' });
      expect(failed.kind).toBe('error');
      expect(JSON.parse(failed.body)).toMatchObject({ errorType: expect.any(String), errorMessage: expect.any(String) });
      const next = await runtime.invoke(apiGatewayV2Event({ method: 'GET', path: '/healthz' }));
      expect(JSON.parse(next.body).statusCode).toBe(200);
    });

    it('reports a handler it cannot load to /init/error and exits non-zero', async () => {
      const child = startLambda(['lambda.nope']);
      await runtime.whenInitError();
      expect(JSON.parse(runtime.initError!.body).errorMessage).toContain('lambda.nope');
      expect(await child.exited).not.toBe(0);
    });
  });
});
