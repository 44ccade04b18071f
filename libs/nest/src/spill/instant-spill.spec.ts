import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import express from 'express';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { requestLogging } from '../common/logging';
import { InstantSpill, INVOKE_PAYLOAD_LIMIT_BYTES } from './instant-spill';
import { createLambdaInvoker } from './lambda-invoker';

/**
 * The spill middleware on a real socket, in front of a tiny express app, handing over to a fake Lambda
 * Invoke API on 127.0.0.1 through the real AWS SDK client.
 */

type Answer = { status: number; headers?: Record<string, string>; body: string };

/** Lambda's Invoke REST API, as far as the SDK's InvokeCommand uses it; answers what the test says. */
class FakeLambda {
  readonly events: APIGatewayProxyEventV2[] = [];
  readonly paths: string[] = [];
  answer: (event: APIGatewayProxyEventV2) => Answer = () => ({ status: 200, body: '{}' });
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.paths.push(`${req.method} ${req.url}`);
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as APIGatewayProxyEventV2;
      this.events.push(event);
      const a = this.answer(event);
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(a.body);
    });
  });
  url = '';
  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop() {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** The function's answer to an HTTP API event, as serverless-express shapes it. */
function functionAnswer(result: Record<string, unknown>): Answer {
  return { status: 200, headers: { 'x-amz-executed-version': '$LATEST' }, body: JSON.stringify(result) };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function send(url: string, options: { method?: string; path?: string; headers?: http.OutgoingHttpHeaders; body?: Buffer | string } = {}): Promise<Reply> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('InstantSpill', () => {
  const lambda = new FakeLambda();
  const servers: http.Server[] = [];
  const releases: (() => void)[] = [];
  let served = 0;

  beforeAll(async () => {
    // The SDK signs its requests; the fake does not check them.
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    await lambda.start();
  });
  afterEach(async () => {
    releases.splice(0).forEach((r) => r());
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
    lambda.events.length = 0;
    lambda.paths.length = 0;
    served = 0;
  });
  afterAll(() => lambda.stop());

  /** The app behind the spill: `/hold` stays open until the test releases it; the rest answer at once. */
  async function startServer(maxInFlight: number, spillTo: 'fake' | 'none' | 'nowhere' = 'fake') {
    const logger = pino({ level: 'silent' });
    const endpoint = spillTo === 'nowhere' ? 'http://127.0.0.1:9' : lambda.url;
    const invoker = spillTo === 'none' ? undefined : createLambdaInvoker({ functionName: 'lambdaflex-api', region: 'us-east-1', endpoint });
    const spill = new InstantSpill({ maxInFlight, invoker, logger });
    const app = express();
    app.use(requestLogging(logger, 'fargate'));
    app.use(spill.middleware);
    app.use(express.raw({ type: '*/*' }));
    app.get('/hold', (_req, res) => {
      served++;
      releases.push(() => res.json({ held: true }));
    });
    app.all('/{*any}', (req, res) => {
      served++;
      res.json({ servedBy: 'task', path: req.path });
    });
    const server = http.createServer(app);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, spill };
  }

  /** Fills the task to its limit with requests that stay open. */
  async function fill(url: string, spill: InstantSpill, count: number) {
    const held = Array.from({ length: count }, () => send(url, { path: '/hold' }));
    while (spill.inFlight < count) await new Promise((r) => setTimeout(r, 5));
    return held;
  }

  describe('under the limit', () => {
    it('serves every request itself: nothing goes to Lambda', async () => {
      const { url, spill } = await startServer(2);
      const held = await fill(url, spill, 1);
      const reply = await send(url, { path: '/orders' });
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body.toString())).toEqual({ servedBy: 'task', path: '/orders' });
      expect(reply.headers['x-lambdaflex-tier']).toBe('fargate');
      expect(reply.headers['x-lambdaflex-spilled']).toBeUndefined();
      expect(lambda.events).toHaveLength(0);
      releases.splice(0).forEach((r) => r());
      await Promise.all(held);
      expect(spill.counts).toEqual({ spilled: 0, throttled: 0, failed: 0, refused: 0 });
    });

    it('frees the slot when a response is done, so the next request is served again', async () => {
      const { url, spill } = await startServer(1);
      const held = await fill(url, spill, 1);
      releases.splice(0).forEach((r) => r());
      await Promise.all(held);
      while (spill.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
      const reply = await send(url, { path: '/after' });
      expect(JSON.parse(reply.body.toString()).servedBy).toBe('task');
      expect(lambda.events).toHaveLength(0);
    });

    it('has no limit at 0', async () => {
      const { url, spill } = await startServer(0);
      const held = Array.from({ length: 5 }, () => send(url, { path: '/hold' }));
      while (served < 5) await new Promise((r) => setTimeout(r, 5));
      expect((await send(url, { path: '/more' })).status).toBe(200);
      releases.splice(0).forEach((r) => r());
      await Promise.all(held);
      expect(spill.counts.spilled).toBe(0);
    });
  });

  describe('at the limit', () => {
    it('hands the request to Lambda as an HTTP API event and writes its answer back byte for byte', async () => {
      // Arrange: a binary body both ways, a query, cookies, and the task full
      const { url, spill } = await startServer(1);
      await fill(url, spill, 1);
      const sent = randomBytes(4096);
      const answered = randomBytes(3000);
      lambda.answer = () =>
        functionAnswer({
          statusCode: 201,
          headers: { 'content-type': 'application/octet-stream', 'x-lambdaflex-tier': 'lambda', 'x-request-id': 'rid-1', 'content-length': '3000', etag: '"e1"' },
          cookies: ['a=1; Path=/', 'b=2; HttpOnly'],
          body: answered.toString('base64'),
          isBase64Encoded: true,
        });

      // Act
      const reply = await send(url, {
        method: 'PUT',
        path: '/orders/p1/photo?size=large&tag=a&tag=b',
        headers: { 'content-type': 'application/octet-stream', cookie: 'session=s1; theme=dark', 'x-request-id': 'rid-1', 'user-agent': 'client/1' },
        body: sent,
      });

      // Assert: the answer, as the function gave it
      expect(reply.status).toBe(201);
      expect(reply.body.equals(answered)).toBe(true);
      expect(reply.headers).toMatchObject({
        'content-type': 'application/octet-stream',
        'x-lambdaflex-tier': 'lambda',
        'x-lambdaflex-spilled': '1',
        'x-request-id': 'rid-1',
        etag: '"e1"',
        'content-length': '3000',
      });
      expect(reply.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
      // ... and the event, as API Gateway would have sent it
      expect(lambda.paths).toEqual(['POST /2015-03-31/functions/lambdaflex-api/invocations']);
      const [event] = lambda.events;
      expect(event).toMatchObject({
        version: '2.0',
        routeKey: '$default',
        rawPath: '/orders/p1/photo',
        rawQueryString: 'size=large&tag=a&tag=b',
        queryStringParameters: { size: 'large', tag: 'a,b' },
        cookies: ['session=s1', 'theme=dark'],
        isBase64Encoded: true,
        requestContext: { http: { method: 'PUT', path: '/orders/p1/photo', sourceIp: '127.0.0.1', userAgent: 'client/1' }, requestId: 'rid-1', stage: '$default' },
      });
      expect(Buffer.from(event.body!, 'base64').equals(sent)).toBe(true);
      expect(event.headers).toMatchObject({ 'content-type': 'application/octet-stream', 'x-request-id': 'rid-1' });
      expect(event.headers).not.toHaveProperty('cookie');
      expect(event.headers).not.toHaveProperty('connection');
      expect(spill.counts).toEqual({ spilled: 1, throttled: 0, failed: 0, refused: 0 });
    });

    it('sends a JSON body as text, and gives the request the task’s request id', async () => {
      const { url, spill } = await startServer(1);
      await fill(url, spill, 1);
      lambda.answer = (e) => functionAnswer({ statusCode: 200, headers: { 'content-type': 'application/json', 'x-request-id': e.headers['x-request-id']! }, body: e.body! });
      const body = JSON.stringify({ item: 'Rex', quantity: 2, note: 'ünïcødé' });
      const reply = await send(url, { method: 'POST', path: '/orders', headers: { 'content-type': 'application/json; charset=utf-8' }, body });
      expect(reply.body.toString('utf8')).toBe(body);
      expect(lambda.events[0]).toMatchObject({ body, isBase64Encoded: false });
      expect(lambda.events[0].requestContext.requestId).toBe(reply.headers['x-request-id']);
      expect(reply.headers['x-request-id']).toEqual(expect.any(String));
    });

    it('answers 503 with Retry-After and the error shape when Lambda throttles', async () => {
      const { url, spill } = await startServer(1);
      await fill(url, spill, 1);
      lambda.answer = () => ({
        status: 429,
        headers: { 'x-amzn-errortype': 'TooManyRequestsException', 'retry-after': '1' },
        body: JSON.stringify({ Type: 'User', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded', message: 'Rate Exceeded.' }),
      });
      const reply = await send(url, { path: '/orders' });
      expect(reply.status).toBe(503);
      expect(reply.headers['retry-after']).toBe('1');
      expect(reply.headers['x-lambdaflex-spilled']).toBeUndefined();
      expect(JSON.parse(reply.body.toString())).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: expect.stringMatching(/throttling/),
        requestId: reply.headers['x-request-id'],
      });
      expect(lambda.events).toHaveLength(1); // one attempt: no retry hidden in the task
      expect(spill.counts).toMatchObject({ spilled: 0, throttled: 1 });
    });

    it.each([
      ['a function error', () => ({ status: 200, headers: { 'x-amz-function-error': 'Unhandled' }, body: '{"errorType":"Error","errorMessage":"boom"}' })],
      ['an answer that is not HTTP', () => functionAnswer({ hello: 'world' })],
      ['a 5xx from the Lambda API', () => ({ status: 500, headers: { 'x-amzn-errortype': 'ServiceException' }, body: '{"message":"internal"}' })],
    ])('answers 503 with Retry-After on %s', async (_what, answer) => {
      const { url, spill } = await startServer(1);
      await fill(url, spill, 1);
      lambda.answer = answer as () => Answer;
      const reply = await send(url, { path: '/orders' });
      expect(reply.status).toBe(503);
      expect(reply.headers['retry-after']).toBe('1');
      expect(JSON.parse(reply.body.toString())).toMatchObject({ statusCode: 503, error: 'Service Unavailable', message: expect.any(String) });
      expect(spill.counts).toMatchObject({ spilled: 0, failed: 1 });
    });

    it('answers 503 at once when the Lambda API cannot be reached: never a hang', async () => {
      const { url, spill } = await startServer(1, 'nowhere');
      await fill(url, spill, 1);
      const reply = await send(url, { path: '/orders' });
      expect(reply.status).toBe(503);
      expect(reply.headers['retry-after']).toBe('1');
      expect(spill.counts.failed).toBe(1);
    });

    it('answers 503 with Retry-After, as an overloaded target, when no spill function is configured', async () => {
      const { url, spill } = await startServer(1, 'none');
      await fill(url, spill, 1);
      const reply = await send(url, { path: '/orders' });
      expect(reply.status).toBe(503);
      expect(reply.headers['retry-after']).toBe('1');
      expect(reply.headers['x-lambdaflex-overloaded']).toBe('1');
      expect(JSON.parse(reply.body.toString())).toMatchObject({ statusCode: 503, message: 'the task is at its in-flight limit' });
      expect(lambda.events).toHaveLength(0);
      expect(spill.counts.refused).toBe(1);
    });

    it('refuses (503) a body larger than an Invoke takes, without handing it over', async () => {
      const { url, spill } = await startServer(1);
      await fill(url, spill, 1);
      const reply = await send(url, { method: 'POST', path: '/orders', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(INVOKE_PAYLOAD_LIMIT_BYTES + 1) });
      expect(reply.status).toBe(503);
      expect(reply.headers['retry-after']).toBe('1');
      expect(lambda.events).toHaveLength(0);
      expect(spill.counts.refused).toBe(1);
    });

    it('still serves the ALB’s health checks itself: they ask about this task', async () => {
      const { url, spill } = await startServer(1);
      await fill(url, spill, 1);
      const reply = await send(url, { path: '/healthz', headers: { 'user-agent': 'ELB-HealthChecker/2.0' } });
      expect(JSON.parse(reply.body.toString()).servedBy).toBe('task');
      expect(lambda.events).toHaveLength(0);
    });
  });
});
