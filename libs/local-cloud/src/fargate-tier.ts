import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { startProcess, type Child } from './processes';

/**
 * The local Fargate tier: N real server processes (the bundle's `main.js`, as ECS runs the image)
 * behind a balancer that health-checks `/healthz` and routes only to healthy tasks, round robin. On
 * scale-in or teardown a task is first taken out of rotation, then after the deregistration delay
 * sent SIGTERM, and it finishes its in-flight requests — as an ALB target group and ECS do.
 *
 * Its capacity is bounded as a real tier's is: each task serves at most `maxInFlightPerTask` requests
 * at once (the API's own limit, LAMBDAFLEX_MAX_INFLIGHT) and hands the excess to the spill function
 * through the local Lambda Invoke API, or answers 503 when there is none; and the tier runs at most
 * `maxTasks` tasks whatever it is asked.
 */
export interface FargateTierOptions {
  appDir: string;
  env: NodeJS.ProcessEnv;
  healthIntervalMs?: number;
  /** Consecutive good checks before a task takes traffic. */
  healthyThreshold?: number;
  /** Consecutive failed checks before a task is taken out of rotation (2, as the tier template sets the ALB's). */
  unhealthyThreshold?: number;
  deregistrationMs?: number;
  /** How long a task has to exit after SIGTERM before it is killed (ECS's stopTimeout, 30 s by default). */
  stopTimeoutMs?: number;
  /** Requests one task serves at once (LAMBDAFLEX_MAX_INFLIGHT); 0: no limit. Absent: the API's default. */
  maxInFlightPerTask?: number;
  /** Most tasks the tier runs, whatever the desired count (an account's Fargate quota, a money cap). */
  maxTasks?: number;
  /** Where a saturated task hands its excess: the function and the Lambda API serving it. Absent: a saturated task answers 503. */
  spill?: { functionName: string; lambdaEndpoint: string };
  /** Told when a task dies on its own and is replaced (a crash, not a drain). */
  onEvent?: (event: string) => void;
}

/** What the ALB's target health checks send as their User-Agent; the API serves them past its in-flight limit. */
export const HEALTH_CHECK_USER_AGENT = 'ELB-HealthChecker/2.0';

interface Task {
  id: number;
  /** The task's process, once its port is chosen and it is started. */
  child?: Child;
  /** Resolves with the process, or with nothing when the task was drained before it started. */
  started: Promise<Child | undefined>;
  port?: number;
  okChecks: number;
  failedChecks: number;
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
    // An ALB keeps idle client connections for its idle timeout (60 s); Node's 5 s default would race the edge's reuse.
    this.balancer.keepAliveTimeout = 65_000;
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

  /** Starts or drains tasks until `count` are running, never more than the task cap. */
  async scaleTo(desired: number): Promise<void> {
    const count = Math.min(desired, this.o.maxTasks ?? Infinity);
    while (this.tasks.length < count) this.startTask();
    const extra = this.tasks.slice(count);
    await Promise.all(extra.map((t) => this.drainTask(t)));
  }

  /** Kills one task at once (SIGKILL), as a crashed container: for the fault tests. */
  killTask(): number | undefined {
    const victim = this.tasks.find((t) => t.inRotation && t.child);
    victim?.child?.proc.kill('SIGKILL');
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

  /**
   * Starts a task on a port of its own, given in PORT as ECS gives the container port: the service
   * needs only to listen on PORT and answer /healthz (it need not say where it listens).
   */
  private startTask() {
    const id = ++this.ids;
    const task: Task = { id, started: Promise.resolve(undefined), okChecks: 0, failedChecks: 0, healthy: false, inRotation: true };
    this.tasks.push(task);
    task.started = freePort().then((port) => {
      if (!task.inRotation) {
        this.remove(task); // drained before it started
        return undefined;
      }
      const child = startProcess(process.execPath, [path.join(this.o.appDir, 'main.js')], { ...this.taskEnv(), PORT: String(port) }, { keepLines: 50 });
      task.child = child;
      task.port = port;
      void child.exited.then(() => {
        const crashed = task.inRotation && !this.stopping;
        task.healthy = false;
        task.inRotation = false;
        this.remove(task);
        // ECS keeps the service at its desired count: a task that dies is replaced.
        if (crashed) {
          this.o.onEvent?.(`task ${id} exited (${child.proc.exitCode ?? child.proc.signalCode}) and is replaced; stderr: ${child.stderr().slice(-300)}`);
          this.startTask();
        }
      });
      return child;
    }, (err: Error) => {
      this.remove(task);
      this.o.onEvent?.(`task ${id} could not start: ${err.message}`);
      return undefined;
    });
  }

  private remove(task: Task) {
    const i = this.tasks.indexOf(task);
    if (i >= 0) this.tasks.splice(i, 1);
  }

  /** The environment ECS would give a task of this tier: the task definition's, with the spill's. */
  private taskEnv(): NodeJS.ProcessEnv {
    const { maxInFlightPerTask, spill } = this.o;
    return {
      ...this.o.env,
      HOST: '127.0.0.1',
      LAMBDAFLEX_TIER: 'fargate',
      LOG_LEVEL: 'info',
      ...(maxInFlightPerTask !== undefined ? { LAMBDAFLEX_MAX_INFLIGHT: String(maxInFlightPerTask) } : {}),
      ...(spill ? { LAMBDAFLEX_SPILL_FUNCTION: spill.functionName, LAMBDA_ENDPOINT: spill.lambdaEndpoint } : {}),
    };
  }

  private async drainTask(task: Task) {
    task.inRotation = false;
    await new Promise((r) => setTimeout(r, this.o.deregistrationMs ?? 2000));
    const child = await task.started;
    if (!child) return;
    child.proc.kill('SIGTERM');
    // As ECS: a task still running after its stop timeout is killed.
    const kill = setTimeout(() => child.proc.kill('SIGKILL'), this.o.stopTimeoutMs ?? 30_000);
    await child.exited;
    clearTimeout(kill);
  }

  private async checkHealth() {
    await Promise.all(
      this.tasks.map(async (t) => {
        const ok = t.port !== undefined && (await this.get(t.port, '/healthz'));
        t.okChecks = ok ? t.okChecks + 1 : 0;
        t.failedChecks = ok ? 0 : t.failedChecks + 1;
        // One slow answer from a busy task does not take it out: as the ALB, it takes consecutive failures.
        if (t.okChecks >= (this.o.healthyThreshold ?? 2)) t.healthy = true;
        if (t.failedChecks >= (this.o.unhealthyThreshold ?? 2)) t.healthy = false;
      }),
    );
  }

  private get(port: number, urlPath: string): Promise<boolean> {
    return new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: 2000, agent: false, headers: { 'user-agent': HEALTH_CHECK_USER_AGENT } }, (res) => {
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

/** A port free on 127.0.0.1 now: the system's choice for a listener on port 0, released for the task to take. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
