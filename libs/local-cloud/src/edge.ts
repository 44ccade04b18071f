import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { LambdaPool } from './lambda-pool';
import { apiGatewayV2Event, type LambdaHttpResult } from './lambda-events';
import type { EdgeMetrics, LocalDns } from './local-aws';

/**
 * The local edge: one port that plays Route53 and the two front doors. Each request goes to a tier
 * by the weights resolvers see (changes apply only after the propagation delay): to "API Gateway",
 * which turns it into an HTTP API (v2) event for the Lambda pool, or to "the ALB", the Fargate tier's
 * balancer. Every request is counted per tier in one-second buckets: the local CloudWatch.
 */
export class Edge {
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  url = '';

  constructor(
    private readonly dns: LocalDns,
    private readonly pool: LambdaPool,
    private readonly metrics: EdgeMetrics,
  ) {}

  async start(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', resolve);
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const started = performance.now();
    const w = this.dns.effective();
    const toAlb = !!w.albTarget && w.alb > 0 && Math.random() * (w.api + w.alb) < w.alb;
    const done = (tier: 'api' | 'alb', status: number) => this.metrics.record(tier, status, performance.now() - started);
    if (toAlb) return this.toAlb(req, res, w.albTarget!, (status) => done('alb', status));
    const status = await this.toLambda(req, res);
    done('api', status);
  }

  private toAlb(req: http.IncomingMessage, res: http.ServerResponse, target: string, done: (status: number) => void) {
    const [host, port] = target.split(':');
    const upstream = http.request({ host, port: Number(port), method: req.method, path: req.url, headers: req.headers, agent: this.agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      up.on('end', () => done(up.statusCode ?? 502));
    });
    upstream.on('error', () => {
      // A request sent to an ALB that is gone: the loss the drain exists to prevent.
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end('{"statusCode":502,"message":"the ALB did not answer"}');
      done(502);
    });
    req.pipe(upstream);
  }

  private async toLambda(req: http.IncomingMessage, res: http.ServerResponse): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://edge');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
    const event = apiGatewayV2Event({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined,
    });
    const invocation = await this.pool.invoke(event);
    if (invocation.throttled) {
      // What API Gateway answers when Lambda throttles.
      res.writeHead(429, { 'content-type': 'application/json' }).end('{"message":"Too Many Requests"}');
      return 429;
    }
    if (invocation.outcome.kind === 'error') {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}');
      return 500;
    }
    const result = JSON.parse(invocation.outcome.body) as LambdaHttpResult & { cookies?: string[] };
    const body = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : Buffer.from(result.body ?? '', 'utf8');
    res.writeHead(result.statusCode, { ...(result.headers ?? {}), ...(result.cookies?.length ? { 'set-cookie': result.cookies } : {}) });
    res.end(body);
    return result.statusCode;
  }
}
