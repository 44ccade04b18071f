import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LambdaPool } from './lambda-pool';

/**
 * Lambda's Invoke API (`POST /2015-03-31/functions/{name}/invocations`, synchronous) on 127.0.0.1,
 * backed by the local Lambda pool: the endpoint a local Fargate task's AWS SDK client is pointed at for
 * the instant spill, so the very same `InvokeCommand` runs against AWS and here. Answers as Lambda does:
 * the function's JSON with 200; `X-Amz-Function-Error: Unhandled` and the error's JSON on a function
 * error; 429 `TooManyRequestsException` when the pool throttles; 404 `ResourceNotFoundException` for a
 * function it does not have. Signatures are not checked.
 */
export class LocalLambdaInvokeApi {
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private sequence = 0;
  url = '';
  /** Invocations answered (including function errors) and throttled, since the start. */
  invocations = 0;
  throttles = 0;

  constructor(
    /** The one function it serves: the base stack's function name. */
    readonly functionName: string,
    private readonly pool: LambdaPool,
  ) {}

  async start(): Promise<string> {
    // The tasks' SDK clients keep their connections between spills; a 5 s server timeout would race their reuse.
    this.server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const requestId = `local-invoke-${++this.sequence}`;
    const send = (status: number, body: string, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': requestId, ...headers }).end(body);
    const error = (status: number, type: string, body: Record<string, unknown>) =>
      send(status, JSON.stringify({ Type: 'User', ...body }), { 'x-amzn-errortype': type });

    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const match = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(\?.*)?$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) return error(404, 'UnknownOperationException', { message: `${req.method} ${req.url}` });
    // A name, a partial ARN or a full ARN all end with the function's name (qualifiers are not served).
    const name = decodeURIComponent(match[1]).split(':').at(-1);
    if (name !== this.functionName) {
      return error(404, 'ResourceNotFoundException', { message: `Function not found: ${decodeURIComponent(match[1])}` });
    }
    if (req.headers['x-amz-invocation-type'] && req.headers['x-amz-invocation-type'] !== 'RequestResponse') {
      return error(400, 'InvalidParameterValueException', { message: 'only RequestResponse invocations are served locally' });
    }
    let event: unknown;
    try {
      event = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      return error(400, 'InvalidRequestContentException', { message: 'Could not parse request body into json' });
    }
    const invocation = await this.pool.invoke(event);
    if (invocation.throttled) {
      this.throttles++;
      return error(429, 'TooManyRequestsException', { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded', message: 'Rate Exceeded.' });
    }
    this.invocations++;
    const versioned = { 'x-amz-executed-version': '$LATEST' };
    if (invocation.outcome.kind === 'error') return send(200, invocation.outcome.body, { ...versioned, 'x-amz-function-error': 'Unhandled' });
    send(200, invocation.outcome.body, versioned);
  }
}
