import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Policy } from '@lambdaflex/state';
import type { RecordChange } from '@lambdaflex/state';
import type { EdgeMetrics, LocalDns, LocalStacks } from './local-aws';
import type { LambdaPool } from './lambda-pool';

/**
 * The local cloud's control API: what AWS's APIs are to the reconciler, on 127.0.0.1, as plain JSON.
 * The reconciler, in its own process, reaches it through local-ports.ts — the same ports it uses on
 * AWS — so a reconciler killed mid-transition is a real process dying.
 */
export class ControlApi {
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  url = '';

  constructor(
    private readonly parts: { stacks: LocalStacks; dns: LocalDns; metrics: EdgeMetrics; pool: LambdaPool },
  ) {}

  async start(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * What the console shows: effective weights, rates per tier (over 3 s, and the last second for the
   * instant spill, which comes and goes within seconds), tasks and workers.
   */
  snapshot() {
    const { stacks, dns, metrics, pool } = this.parts;
    return {
      weights: dns.effective(),
      rates: metrics.rates(3),
      lastSecond: metrics.rates(1),
      tasks: stacks.tier?.taskCount ?? 0,
      healthyTasks: stacks.tier?.healthyTargets ?? 0,
      lambdaWorkers: pool.size,
      coldStarts: pool.coldStarts,
    };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? null));
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      const [, kind, ...rest] = (req.url ?? '/').split('/');
      const name = decodeURIComponent(rest.join('/'));
      const { stacks, dns, metrics } = this.parts;
      switch (`${req.method} ${kind}`) {
        case 'GET stacks': {
          const d = stacks.describe(name);
          return d ? send(200, d) : send(404, { code: 'ValidationError', message: `Stack with id ${name} does not exist` });
        }
        case 'POST stacks':
          stacks.create(name, body.parameters);
          return send(200, {});
        case 'PUT stacks':
          return send(200, { outcome: stacks.update(name, body.parameters) });
        case 'DELETE stacks':
          stacks.delete(name);
          return send(200, {});
        case 'GET records':
          return send(200, dns.read());
        case 'POST changes':
          return send(200, { id: dns.change(body.changes as RecordChange[]) });
        case 'GET changes':
          return send(200, { inSync: dns.inSync(`/${name}`) });
        case 'POST metrics': {
          const tier = stacks.tier;
          return send(200, metrics.read(body.policy as Policy, body.hasAlb === true, tier ? tier.healthyTargets : undefined));
        }
        case 'POST probe':
          return send(200, await probe(stacks.tier?.url, Number(body.count ?? 1)));
        case 'GET state':
          return send(200, this.snapshot());
        default:
          return send(404, { code: 'NotFound', message: `${req.method} ${req.url}` });
      }
    } catch (err) {
      const e = err as Error & { code?: string };
      send(400, { code: e.code ?? e.name, message: e.message });
    }
  }
}

async function probe(url: string | undefined, count: number): Promise<{ ok: number; failed: number }> {
  let ok = 0;
  for (let i = 0; i < count; i++) {
    const good = url !== undefined && (await fetch(`${url}/healthz`).then((r) => r.ok, () => false));
    if (good) ok++;
  }
  return { ok, failed: count - ok };
}
