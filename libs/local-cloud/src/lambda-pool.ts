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
export interface LambdaPoolOptions {
  /** Directory of the built API (bootstrap.js, lambda.js). */
  appDir: string;
  env: NodeJS.ProcessEnv;
  /** Most workers at once (Lambda's reserved concurrency). */
  concurrency?: number;
  /** A worker idle this long is stopped. */
  idleMs?: number;
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
    return this.workers.size + this.starting;
  }

  async invoke(event: unknown): Promise<Invocation> {
    const started = performance.now();
    let worker = [...this.workers].find((w) => !w.busy);
    let coldStart = false;
    if (!worker) {
      if (this.size >= (this.o.concurrency ?? 10)) return { throttled: true };
      worker = await this.startWorker();
      coldStart = true;
    }
    worker.busy = true;
    try {
      const outcome = await worker.runtime.invoke(event);
      return { throttled: false, outcome, coldStart, ms: performance.now() - started };
    } finally {
      worker.busy = false;
      worker.lastUsed = Date.now();
    }
  }

  private async startWorker(): Promise<Worker> {
    this.starting++;
    this.coldStarts++;
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
      void child.exited.then(() => {
        this.workers.delete(worker);
        void runtime.stop();
      });
      return worker;
    } finally {
      this.starting--;
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

  async stop(): Promise<void> {
    clearInterval(this.reaper);
    await Promise.all([...this.workers].map((w) => this.stopWorker(w)));
  }
}
