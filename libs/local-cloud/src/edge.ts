import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { LambdaPool } from './lambda-pool';
import { apiGatewayV2Event, type LambdaHttpResult } from './lambda-events';
import type { EdgeMetrics, LocalDns, TaskOutcome } from './local-aws';

/**
 * The local edge: one port that plays Route53 and the two front doors. Each request goes to a tier
 * by the weights resolvers see (changes apply only after the propagation delay): to "API Gateway",
 * which turns it into an HTTP API (v2) event for the Lambda pool, or to "the ALB", the Fargate tier's
 * balancer. Every request is counted per tier in one-second buckets: the local CloudWatch. An ALB
 * answer a task did not serve itself says so in its headers (`x-lambdaflex-spilled`: handed to Lambda;
 * `x-lambdaflex-overloaded`: refused at the task's limit), and is counted as such too. An answer
 * that does not name the tier that served it (`x-lambdaflex-tier`, as the pet store does) gets it from
 * the door it came through, so that the load driver counts the tiers of any service.
 */
const TIER_HEADER = 'x-lambdaflex-tier';

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
    // Idle client connections stay open a minute, as at API Gateway and an ALB: a client that reuses one
    // a few seconds later (after a surge, say) must not find it closed under it.
    this.server.keepAliveTimeout = 65_000;
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
    const done = (tier: 'api' | 'alb', status: number, task?: TaskOutcome) => this.metrics.record(tier, status, performance.now() - started, Date.now(), task);
    if (toAlb) return this.toAlb(req, res, w.albTarget!, (status, task) => done('alb', status, task));
    const status = await this.toLambda(req, res);
    done('api', status);
  }

  private toAlb(req: http.IncomingMessage, res: http.ServerResponse, target: string, done: (status: number, task?: TaskOutcome) => void) {
    const [host, port] = target.split(':');
    const upstream = http.request({ host, port: Number(port), method: req.method, path: req.url, headers: req.headers, agent: this.agent }, (up) => {
      const tier = up.headers['x-lambdaflex-spilled'] === '1' ? 'lambda' : 'fargate';
      res.writeHead(up.statusCode ?? 502, up.headers[TIER_HEADER] ? up.headers : { ...up.headers, [TIER_HEADER]: tier });
      up.pipe(res);
      const task: TaskOutcome | undefined =
        up.headers['x-lambdaflex-spilled'] === '1' ? 'spilled' : up.headers['x-lambdaflex-overloaded'] === '1' ? 'overloaded' : undefined;
      up.on('end', () => done(up.statusCode ?? 502, task));
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
      // What API Gateway answers when Lambda throttles; Retry-After tells a client when to come back.
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"message":"Too Many Requests"}');
      return 429;
    }
    if (invocation.outcome.kind === 'error') {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}');
      return 500;
    }
    const result = JSON.parse(invocation.outcome.body) as LambdaHttpResult & { cookies?: string[] };
    const body = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : Buffer.from(result.body ?? '', 'utf8');
    const named = Object.keys(result.headers ?? {}).some((h) => h.toLowerCase() === TIER_HEADER);
    res.writeHead(result.statusCode, {
      ...(named ? {} : { [TIER_HEADER]: 'lambda' }),
      ...(result.headers ?? {}),
      ...(result.cookies?.length ? { 'set-cookie': result.cookies } : {}),
    });
    res.end(body);
    return result.statusCode;
  }
}
