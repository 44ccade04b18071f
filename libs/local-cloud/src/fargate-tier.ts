import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startProcess, type Child } from './processes';

/**
 * The local Fargate tier: N real server processes (the bundle's `main.js`, as ECS runs the image)
 * behind a balancer that health-checks `/healthz` and routes only to healthy tasks, round robin. On
 * scale-in or teardown a task is first taken out of rotation, then after the deregistration delay
 * sent SIGTERM, and it finishes its in-flight requests — as an ALB target group and ECS do.
 */
export interface FargateTierOptions {
  appDir: string;
  env: NodeJS.ProcessEnv;
  healthIntervalMs?: number;
  /** Consecutive good checks before a task takes traffic. */
  healthyThreshold?: number;
  deregistrationMs?: number;
}

interface Task {
  id: number;
  child: Child;
  port?: number;
  okChecks: number;
  healthy: boolean;
  inRotation: boolean;
}

export class LocalFargateTier {
  private readonly tasks: Task[] = [];
  private readonly balancer = http.createServer((req, res) => this.route(req, res));
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private health?: NodeJS.Timeout;
  private next = 0;
  private ids = 0;
  private stopping = false;
  /** Requests the balancer could not place (no healthy task) or lost (a task died mid-request). */
  failures = 0;
  url = '';

  constructor(private readonly o: FargateTierOptions) {}

  /** Starts the balancer; tasks come with `scaleTo`. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.balancer.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.balancer.address() as AddressInfo).port}`;
    this.health = setInterval(() => void this.checkHealth(), this.o.healthIntervalMs ?? 1000);
    return this.url;
  }

  get healthyTargets(): number {
    return this.tasks.filter((t) => t.healthy && t.inRotation).length;
  }

  get taskCount(): number {
    return this.tasks.length;
  }

  /** Starts or drains tasks until `count` are running. */
  async scaleTo(count: number): Promise<void> {
    while (this.tasks.length < count) this.startTask();
    const extra = this.tasks.slice(count);
    await Promise.all(extra.map((t) => this.drainTask(t)));
  }

  /** Kills one task at once (SIGKILL), as a crashed container: for the fault tests. */
  killTask(): number | undefined {
    const victim = this.tasks.find((t) => t.inRotation);
    victim?.child.proc.kill('SIGKILL');
    return victim?.id;
  }

  /** Takes every task out of rotation, waits the deregistration delay, stops them and the balancer. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.scaleTo(0);
    clearInterval(this.health);
    this.balancer.closeAllConnections();
    await new Promise<void>((resolve) => this.balancer.close(() => resolve()));
    this.agent.destroy();
  }

  private startTask() {
    const id = ++this.ids;
    const child = startProcess(process.execPath, [path.join(this.o.appDir, 'main.js')], { ...this.o.env, PORT: '0', HOST: '127.0.0.1', LAMBDAFLEX_TIER: 'fargate', LOG_LEVEL: 'info' }, { keepLines: 50 });
    const task: Task = { id, child, okChecks: 0, healthy: false, inRotation: true };
    this.tasks.push(task);
    void child.waitForLine((l) => l.msg === 'listening', 60_000).then(
      (line) => (task.port = Number(line.port)),
      () => undefined,
    );
    void child.exited.then(() => {
      const crashed = task.inRotation && !this.stopping;
      task.healthy = false;
      task.inRotation = false;
      const i = this.tasks.indexOf(task);
      if (i >= 0) this.tasks.splice(i, 1);
      // ECS keeps the service at its desired count: a task that dies is replaced.
      if (crashed) this.startTask();
    });
  }

  private async drainTask(task: Task) {
    task.inRotation = false;
    await new Promise((r) => setTimeout(r, this.o.deregistrationMs ?? 2000));
    task.child.proc.kill('SIGTERM');
    await task.child.exited;
  }

  private async checkHealth() {
    await Promise.all(
      this.tasks.map(async (t) => {
        const ok = t.port !== undefined && (await this.get(t.port, '/healthz'));
        t.okChecks = ok ? t.okChecks + 1 : 0;
        t.healthy = t.okChecks >= (this.o.healthyThreshold ?? 2);
      }),
    );
  }

  private get(port: number, urlPath: string): Promise<boolean> {
    return new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: 2000, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
    });
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse) {
    const healthy = this.tasks.filter((t) => t.healthy && t.inRotation && t.port);
    if (!healthy.length) {
      this.failures++;
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"statusCode":503,"message":"no healthy target"}');
      return;
    }
    const task = healthy[this.next++ % healthy.length];
    const upstream = http.request(
      { host: '127.0.0.1', port: task.port, method: req.method, path: req.url, headers: req.headers, agent: this.agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      this.failures++;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end('{"statusCode":502,"message":"target failed"}');
      else res.destroy();
    });
    req.pipe(upstream);
  }
}
