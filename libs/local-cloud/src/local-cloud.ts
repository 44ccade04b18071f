import { BASE_OUTPUTS } from '@lambdaflex/state';
import { ControlApi } from './control-api';
import { Edge } from './edge';
import { createExtraService, type ExtraService } from './extra-service';
import { LocalLambdaInvokeApi } from './lambda-invoke-api';
import { LambdaPool } from './lambda-pool';
import { EdgeMetrics, LocalDns, LocalStacks, localBaseOutputs } from './local-aws';

/**
 * The whole local cloud in one object: the edge (Route53 + API Gateway + ALB front doors), the Lambda
 * pool, the Fargate tier's stack, and the control API the reconciler talks to. Delays are options
 * with defaults sized for a cycle of about two minutes.
 */
export interface LocalCloudOptions {
  /** The built service both tiers run: the pet store's dist/apps/api, or any directory with main.js, bootstrap.js and lambda.js. */
  appDir: string;
  /** The service's environment (DynamoDB endpoint, tables, credentials, log level). */
  appEnv: NodeJS.ProcessEnv;
  service?: string;
  edgePort?: number;
  controlPort?: number;
  /** How long a Route53 change takes to reach resolvers. */
  propagationMs?: number;
  /** How long the tier stack takes before its tasks start. */
  provisioningMs?: number;
  lambdaConcurrency?: number;
  lambdaIdleMs?: number;
  healthIntervalMs?: number;
  deregistrationMs?: number;
  /**
   * Requests one local task serves at once before it hands the next ones to Lambda (its
   * LAMBDAFLEX_MAX_INFLIGHT). Small, so that a load one machine can drive saturates the tier.
   */
  taskMaxInFlight?: number;
  /** Most tasks the local tier runs, whatever the reconciler asks. */
  maxTasks?: number;
  /** The instant spill: false runs the tasks without a spill function, so a saturated task answers 503. */
  spill?: boolean;
  /**
   * More services beside the pet store, by name: each with its own base stack, tier stack, records and
   * metrics, and no process (see extra-service.ts). Idle until a request rate is set for one.
   */
  extraServices?: readonly string[];
  onEvent?: (event: string) => void;
}

export interface LocalCloud {
  edgeUrl: string;
  controlUrl: string;
  service: string;
  dns: LocalDns;
  stacks: LocalStacks;
  pool: LambdaPool;
  /** Lambda's Invoke API for the pool: where the local tasks spill. */
  lambdaApi: LocalLambdaInvokeApi;
  metrics: EdgeMetrics;
  control: ControlApi;
  /** The extra services, by name. */
  extras: Map<string, ExtraService>;
  stop(): Promise<void>;
}

/** Defaults of the local tier's capacity: 4 tasks of 4 requests in flight at most. */
export const LOCAL_TASK_MAX_INFLIGHT = 4;
export const LOCAL_MAX_TASKS = 4;

export async function startLocalCloud(o: LocalCloudOptions): Promise<LocalCloud> {
  const service = o.service ?? 'local';
  const dns = new LocalDns(o.propagationMs ?? 2000);
  const metrics = new EdgeMetrics();
  const pool = new LambdaPool({ appDir: o.appDir, env: o.appEnv, concurrency: o.lambdaConcurrency ?? 16, idleMs: o.lambdaIdleMs ?? 60_000 });
  const base = localBaseOutputs('lambdaflex-api:local');
  // One pool behind both doors, as one function is behind API Gateway and the tasks' Invoke calls.
  const lambdaApi = new LocalLambdaInvokeApi(base[BASE_OUTPUTS.functionName], pool);
  const lambdaEndpoint = await lambdaApi.start();
  const stacks = new LocalStacks(
    service,
    base,
    {
      appDir: o.appDir,
      env: o.appEnv,
      healthIntervalMs: o.healthIntervalMs ?? 500,
      healthyThreshold: 2,
      deregistrationMs: o.deregistrationMs ?? 1500,
      maxInFlightPerTask: o.taskMaxInFlight ?? LOCAL_TASK_MAX_INFLIGHT,
      maxTasks: o.maxTasks ?? LOCAL_MAX_TASKS,
      spill: o.spill === false ? undefined : { functionName: lambdaApi.functionName, lambdaEndpoint },
    },
    o.provisioningMs ?? 5000,
    o.onEvent,
  );
  const extras = new Map<string, ExtraService>();
  for (const name of o.extraServices ?? []) {
    if (name === service || extras.has(name)) throw new Error(`extra service ${name} is named twice`);
    const options = { imageUri: base[BASE_OUTPUTS.imageUri], propagationMs: o.propagationMs ?? 2000, provisioningMs: o.provisioningMs ?? 5000, maxTasks: o.maxTasks ?? LOCAL_MAX_TASKS, onEvent: o.onEvent };
    extras.set(name, createExtraService(name, extras.size + 1, options));
  }
  const edge = new Edge(dns, pool, metrics);
  const control = new ControlApi({ stacks, dns, metrics, pool, extras: [...extras.values()] });
  const [edgeUrl, controlUrl] = await Promise.all([edge.start(o.edgePort), control.start(o.controlPort)]);
  return {
    edgeUrl,
    controlUrl,
    service,
    dns,
    stacks,
    pool,
    lambdaApi,
    metrics,
    control,
    extras,
    stop: async () => {
      await edge.stop();
      await control.stop();
      // The tasks drain first: their last spills still find the Invoke API.
      await stacks.stop();
      await lambdaApi.stop();
      await pool.stop();
    },
  };
}
