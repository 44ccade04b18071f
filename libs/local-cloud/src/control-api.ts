import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BASE_OUTPUTS, baseStackName, recordKey, type Policy, type RecordChange } from '@lambdaflex/state';
import type { ExtraService } from './extra-service';
import type { EdgeMetrics, LocalDns, LocalStacks, LocalTier } from './local-aws';
import type { LambdaPool } from './lambda-pool';

/** One service's models, as the control API finds them by stack name, record name, API id or change id. */
interface ServiceParts {
  service: string;
  stacks: LocalStacks<LocalTier>;
  dns: LocalDns;
  metrics: EdgeMetrics;
  recordKey: string;
  apiId: string;
  extra?: ExtraService;
}

/**
 * The local cloud's control API: what AWS's APIs are to the reconciler, on 127.0.0.1, as plain JSON.
 * The reconciler, in its own process, reaches it through local-ports.ts — the same ports it uses on
 * AWS — so a reconciler killed mid-transition is a real process dying.
 *
 * It serves the pet store and any extra services: a request names its service as AWS's would (the
 * stack name, the record name, the API id, the change id); one that names none is the pet store's.
 */
export class ControlApi {
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly services: ServiceParts[];
  url = '';

  constructor(
    private readonly parts: { stacks: LocalStacks; dns: LocalDns; metrics: EdgeMetrics; pool: LambdaPool; extras?: readonly ExtraService[] },
  ) {
    const partsOf = (stacks: LocalStacks<LocalTier>, dns: LocalDns, metrics: EdgeMetrics, extra?: ExtraService): ServiceParts => {
      const outputs = stacks.describe(baseStackName(stacks.service))!.outputs;
      return { service: stacks.service, stacks, dns, metrics, recordKey: recordKey(outputs[BASE_OUTPUTS.recordName]), apiId: outputs[BASE_OUTPUTS.apiId], extra };
    };
    this.services = [partsOf(parts.stacks, parts.dns, parts.metrics), ...(parts.extras ?? []).map((e) => partsOf(e.stacks, e.dns, e.metrics, e))];
  }

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
      extras: (this.parts.extras ?? []).map((e) => ({ service: e.service, weights: e.dns.effective(), rps: e.metrics.rate, tasks: e.stacks.tier?.taskCount ?? 0 })),
    };
  }

  /** The service whose record name is `name`. */
  private byRecord(name: unknown): ServiceParts | undefined {
    return typeof name === 'string' ? this.services.find((s) => s.recordKey === recordKey(name)) : undefined;
  }

  /** A name no service has is answered as AWS answers for a resource that does not exist. */
  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? null));
    const refuse = (code: string, message: string) => send(400, { code, message });
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      const [, kind, ...rest] = (req.url ?? '/').split('/');
      const name = decodeURIComponent(rest.join('/'));
      const main = this.services[0];
      const owner = this.services.find((s) => s.stacks.owns(name));
      switch (`${req.method} ${kind}`) {
        case 'GET stacks': {
          const d = owner?.stacks.describe(name);
          return d ? send(200, d) : send(404, { code: 'ValidationError', message: `Stack with id ${name} does not exist` });
        }
        case 'POST stacks':
          if (!owner) return refuse('ValidationError', `Stack ${name} is no stack of this local cloud`);
          owner.stacks.create(name, body.parameters);
          return send(200, {});
        case 'PUT stacks':
          if (!owner) return refuse('ValidationError', `Stack with id ${name} does not exist`);
          return send(200, { outcome: owner.stacks.update(name, body.parameters) });
        case 'DELETE stacks':
          owner?.stacks.delete(name); // deleting a stack that does not exist succeeds, as CloudFormation's does
          return send(200, {});
        case 'GET records':
          return send(200, (name ? this.byRecord(name) : main)?.dns.read() ?? {});
        case 'POST changes': {
          const parts = body.recordName === undefined ? main : this.byRecord(body.recordName);
          if (!parts) return refuse('InvalidChangeBatch', `no service has the record ${body.recordName}`);
          return send(200, { id: parts.dns.change(body.changes as RecordChange[]) });
        }
        case 'GET changes': {
          const id = `/${name}`;
          return send(200, { inSync: (this.services.find((s) => s.dns.has(id)) ?? main).dns.inSync(id) });
        }
        case 'POST metrics': {
          const parts =
            body.service !== undefined ? this.services.find((s) => s.service === body.service) : body.apiId !== undefined ? this.services.find((s) => s.apiId === body.apiId) : main;
          if (!parts) return refuse('ValidationError', `no service ${body.service ?? body.apiId}`);
          const tier = parts.stacks.tier;
          return send(200, parts.metrics.read(body.policy as Policy, body.hasAlb === true, tier ? tier.healthyTargets : undefined));
        }
        case 'POST probe': {
          const parts = body.host === undefined ? main : this.byRecord(body.host);
          const count = Number(body.count ?? 1);
          // An extra service's tier has no process to ask: its targets answer while it has any.
          if (!parts?.extra) return send(200, await probe(parts?.stacks.tier?.url, count));
          return send(200, (parts.stacks.tier?.healthyTargets ?? 0) > 0 ? { ok: count, failed: 0 } : { ok: 0, failed: count });
        }
        case 'POST traffic': {
          const extra = this.services.find((s) => s.extra && s.service === name)?.extra;
          if (!extra) return send(404, { code: 'NotFound', message: `no extra service ${name}` });
          const rps = Number(body.rps);
          if (!Number.isFinite(rps) || rps < 0) return send(400, { code: 'ValidationError', message: 'rps must be a number, at least 0' });
          extra.metrics.setRate(rps);
          return send(200, { service: name, rps: extra.metrics.rate });
        }
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
