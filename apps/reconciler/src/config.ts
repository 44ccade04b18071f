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
  /** Services reconciled at once by one scheduled invocation. */
  RECONCILE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
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
