import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startProcess, type Child } from './processes';
import { LocalRuntimeApi, type InvocationOutcome } from './runtime-api';

/**
 * The local Lambda tier: a pool of real worker processes, each running the bundled API's Lambda
 * bootstrap against a Runtime API of its own, one invocation at a time — Lambda's model. A request
 * with no idle worker starts a new one (a real cold start); idle workers are reaped after a
 * timeout; past the concurrency cap the answer is a throttle, as Lambda's 429.
 */
/**
 * How long a request waits for a worker before it is throttled. Lambda does not queue a synchronous
 * invocation at all (it throttles at once); the pool waits a little only because two cores cannot start
 * many workers at once. Far below any client's timeout (10 s in the load driver, 29–30 s at API Gateway),
 * so a busy pool answers a 429 the client retries, never a request that silently times out.
 */
const DEFAULT_QUEUE_MS = 2_000;

export interface LambdaPoolOptions {
  /** Directory of the built API (bootstrap.js, lambda.js). */
  appDir: string;
  env: NodeJS.ProcessEnv;
  /** Most workers at once (Lambda's reserved concurrency). */
  concurrency?: number;
  /** A worker idle this long is stopped. */
  idleMs?: number;
  /**
   * Cold starts at once. Lambda starts one environment per concurrent request; two cores cannot, and
   * a burst of cold starts would slow every one of them. Past this, a request waits for the next free
   * worker (up to `queueMs`), then is throttled.
   */
  maxConcurrentStarts?: number;
  queueMs?: number;
}

interface Worker {
  runtime: LocalRuntimeApi;
  child: Child;
  busy: boolean;
  lastUsed: number;
}

/** What an invocation gave: the function's answer, or a throttle when the pool is full. */
export type Invocation = { throttled: true } | { throttled: false; outcome: InvocationOutcome; coldStart: boolean; ms: number };

export class LambdaPool {
  private readonly workers = new Set<Worker>();
  /** Workers being set up, not yet in `workers`. */
  private launching = 0;
  /** Workers whose cold start is not over (their runtime has not asked for an invocation yet). */
  private starting = 0;
  private readonly reaper: NodeJS.Timeout;
  /** Cold starts so far, for the console and the metrics. */
  coldStarts = 0;

  constructor(private readonly o: LambdaPoolOptions) {
    this.reaper = setInterval(() => this.reap(), Math.min(1000, this.idleMs)).unref();
  }

  private get idleMs() {
    return this.o.idleMs ?? 30_000;
  }

  get size(): number {
    return this.workers.size + this.launching;
  }

  async invoke(event: unknown): Promise<Invocation> {
    const started = performance.now();
    let worker = [...this.workers].find((w) => !w.busy);
    let coldStart = false;
    if (!worker) {
      const canStart = this.size < (this.o.concurrency ?? 10) && this.starting < (this.o.maxConcurrentStarts ?? 2);
      if (canStart) {
        worker = await this.startWorker();
        coldStart = true;
      } else {
        worker = await this.nextFree();
        if (!worker) return { throttled: true };
      }
    }
    worker.busy = true;
    try {
      const outcome = await worker.runtime.invoke(event);
      return { throttled: false, outcome, coldStart, ms: performance.now() - started };
    } finally {
      this.release(worker);
    }
  }

  private readonly waiting: ((w: Worker | undefined) => void)[] = [];

  /** The next worker to come free, or undefined when none does within `queueMs`. */
  private nextFree(): Promise<Worker | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(take);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(undefined);
      }, this.o.queueMs ?? DEFAULT_QUEUE_MS);
      const take = (w: Worker | undefined) => {
        clearTimeout(timer);
        resolve(w);
      };
      this.waiting.push(take);
    });
  }

  private release(worker: Worker) {
    worker.lastUsed = Date.now();
    const next = this.workers.has(worker) ? this.waiting.shift() : undefined;
    if (next) next(worker); // handed over, still busy
    else worker.busy = false;
  }

  /**
   * Starts a worker and returns it at once: the invocation it is started for waits in its Runtime API
   * until the cold start is over. It counts against `maxConcurrentStarts` until then (or until it dies).
   */
  private async startWorker(): Promise<Worker> {
    this.launching++;
    this.starting++;
    this.coldStarts++;
    let started = false;
    try {
      const runtime = new LocalRuntimeApi();
      const api = await runtime.start();
      const child = startProcess(process.execPath, [path.join(this.o.appDir, 'bootstrap.js'), 'lambda.handler'], {
        ...this.o.env,
        AWS_LAMBDA_RUNTIME_API: api,
        AWS_LAMBDA_FUNCTION_NAME: 'lambdaflex-api-local',
      }, { keepLines: 50 });
      const worker: Worker = { runtime, child, busy: false, lastUsed: Date.now() };
      this.workers.add(worker);
      started = true;
      void Promise.race([runtime.polled, child.exited]).then(() => this.starting--);
      void child.exited.then(() => {
        this.workers.delete(worker);
        void runtime.stop();
      });
      return worker;
    } finally {
      this.launching--;
      if (!started) this.starting--;
    }
  }

  private reap() {
    const now = Date.now();
    for (const w of this.workers) if (!w.busy && now - w.lastUsed > this.idleMs) void this.stopWorker(w);
  }

  private async stopWorker(w: Worker) {
    this.workers.delete(w);
    await w.child.stop();
    await w.runtime.stop();
  }

  /** Stops every idle worker at once, so that the next invocation is a cold start (for the benches). */
  async reset(): Promise<void> {
    await Promise.all([...this.workers].filter((w) => !w.busy).map((w) => this.stopWorker(w)));
  }

  async stop(): Promise<void> {
    clearInterval(this.reaper);
    await Promise.all([...this.workers].map((w) => this.stopWorker(w)));
  }
}
