import { ControlApi } from './control-api';
import { Edge } from './edge';
import { LambdaPool } from './lambda-pool';
import { EdgeMetrics, LocalDns, LocalStacks, localBaseOutputs } from './local-aws';

/**
 * The whole local cloud in one object: the edge (Route53 + API Gateway + ALB front doors), the Lambda
 * pool, the Fargate tier's stack, and the control API the reconciler talks to. Delays are options
 * with defaults sized for a cycle of about two minutes.
 */
export interface LocalCloudOptions {
  /** The built API (dist/apps/api). */
  appDir: string;
  /** The API's environment (DynamoDB endpoint, tables, credentials, log level). */
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
  onEvent?: (event: string) => void;
}

export interface LocalCloud {
  edgeUrl: string;
  controlUrl: string;
  service: string;
  dns: LocalDns;
  stacks: LocalStacks;
  pool: LambdaPool;
  metrics: EdgeMetrics;
  control: ControlApi;
  stop(): Promise<void>;
}

export async function startLocalCloud(o: LocalCloudOptions): Promise<LocalCloud> {
  const service = o.service ?? 'local';
  const dns = new LocalDns(o.propagationMs ?? 2000);
  const metrics = new EdgeMetrics();
  const pool = new LambdaPool({ appDir: o.appDir, env: o.appEnv, concurrency: o.lambdaConcurrency ?? 16, idleMs: o.lambdaIdleMs ?? 60_000 });
  const stacks = new LocalStacks(
    service,
    localBaseOutputs('lambdaflex-api:local'),
    { appDir: o.appDir, env: o.appEnv, healthIntervalMs: o.healthIntervalMs ?? 500, healthyThreshold: 2, deregistrationMs: o.deregistrationMs ?? 1500 },
    o.provisioningMs ?? 5000,
    o.onEvent,
  );
  const edge = new Edge(dns, pool, metrics);
  const control = new ControlApi({ stacks, dns, metrics, pool });
  const [edgeUrl, controlUrl] = await Promise.all([edge.start(o.edgePort), control.start(o.controlPort)]);
  return {
    edgeUrl,
    controlUrl,
    service,
    dns,
    stacks,
    pool,
    metrics,
    control,
    stop: async () => {
      await edge.stop();
      await control.stop();
      await stacks.stop();
      await pool.stop();
    },
  };
}
