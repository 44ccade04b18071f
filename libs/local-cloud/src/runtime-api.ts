import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the function posted back for one invocation. */
export interface InvocationOutcome {
  requestId: string;
  kind: 'response' | 'error';
  body: string;
  errorType?: string;
}

/**
 * A minimal AWS Lambda Runtime API (2018-06-01) on 127.0.0.1, the protocol a Lambda function's
 * runtime speaks: it hands out queued events on `/invocation/next` and records what comes back on
 * `/response` and `/error`. Enough to run a real bootstrap process as Lambda runs it.
 */
export class LocalRuntimeApi {
  private readonly server = http.createServer((req, res) => this.route(req, res));
  private readonly queue: { requestId: string; event: unknown }[] = [];
  private readonly waitingForNext: http.ServerResponse[] = [];
  private readonly outcomes = new Map<string, (o: InvocationOutcome) => void>();
  private sequence = 0;
  /** Set when the runtime reported that it could not load its handler. */
  initError?: { errorType?: string; body: string };
  private initErrorSeen?: () => void;
  private markPolled!: () => void;
  /** Resolves when the runtime first asks for an invocation: its init (the cold start) is over. */
  readonly polled = new Promise<void>((resolve) => (this.markPolled = resolve));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.waitingForNext.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Queues an event and resolves with what the function answers. */
  invoke(event: unknown): Promise<InvocationOutcome> {
    const requestId = `req-${++this.sequence}`;
    const outcome = new Promise<InvocationOutcome>((resolve) => this.outcomes.set(requestId, resolve));
    this.queue.push({ requestId, event });
    this.deliver();
    return outcome;
  }

  /** Resolves when the runtime posts to `/init/error`. */
  whenInitError(): Promise<void> {
    return this.initError ? Promise.resolve() : new Promise((resolve) => (this.initErrorSeen = resolve));
  }

  private deliver() {
    while (this.queue.length && this.waitingForNext.length) {
      const { requestId, event } = this.queue.shift()!;
      const res = this.waitingForNext.shift()!;
      res.writeHead(200, {
        'content-type': 'application/json',
        'lambda-runtime-aws-request-id': requestId,
        'lambda-runtime-deadline-ms': String(Date.now() + 30_000),
        'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:us-east-1:123456789012:function:lambdaflex-api',
        'lambda-runtime-trace-id': `Root=1-00000000-${requestId}`,
      });
      res.end(JSON.stringify(event));
    }
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '';
      const errorType = req.headers['lambda-runtime-function-error-type'] as string | undefined;
      let m: RegExpExecArray | null;
      if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
        this.markPolled();
        this.waitingForNext.push(res);
        this.deliver();
      } else if (req.method === 'POST' && (m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url))) {
        this.outcomes.get(m[1])?.({ requestId: m[1], kind: m[2] as 'response' | 'error', body, errorType });
        this.outcomes.delete(m[1]);
        res.writeHead(202).end('{"status":"OK"}');
      } else if (req.method === 'POST' && url === '/2018-06-01/runtime/init/error') {
        this.initError = { errorType, body };
        this.initErrorSeen?.();
        res.writeHead(202).end('{"status":"OK"}');
      } else {
        res.writeHead(404).end();
      }
    });
  }
}
