import { z } from 'zod';

const EnvSchema = z.object({
  STATE_TABLE: z.string().min(3).default('lambdaflex-state'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** One endpoint for every AWS client (a local cloud); unset on AWS. */
  AWS_ENDPOINT_URL: z.url().optional(),
  /** Where CloudFormation finds the tier stack template (the reconciler creates the stack from it). */
  TIER_TEMPLATE_URL: z.url().optional(),
  /** The CloudFormation service role the tier stack is managed with (deploy/ creates it). */
  TIER_STACK_ROLE_ARN: z.string().startsWith('arn:').optional(),
  /** The control stack's FIFO queue, where the coordinator hands per-service work it has no time for. */
  WORK_QUEUE_URL: z.url().optional(),
  /**
   * This function's share of the account's AWS API budget (Route53, CloudFormation, CloudWatch), as
   * a fraction: the coordinator and its workers run at once and AWS counts them together.
   */
  AWS_RATE_SHARE: z.coerce.number().gt(0).max(1).default(1),
  METRIC_LAG_SECONDS: z.coerce.number().int().min(0).max(900).default(180),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** The reconciler's configuration, read once from the environment. */
export type ReconcilerConfig = z.output<typeof EnvSchema>;

export function loadConfig(env: NodeJS.ProcessEnv, overrides: Partial<ReconcilerConfig> = {}): ReconcilerConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return { ...parsed.data, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
}
