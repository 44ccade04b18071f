import { z } from 'zod';

/** The tier that serves a response, as told in the `x-lambdaflex-tier` header. */
export type Tier = 'lambda' | 'fargate' | 'local';

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  // Loopback unless told otherwise: the image sets 0.0.0.0 for Fargate.
  HOST: z.string().min(1).default('127.0.0.1'),
  LAMBDAFLEX_TIER: z.enum(['lambda', 'fargate', 'local']).optional(),
  PETS_TABLE: z.string().min(3).max(255).default('lambdaflex-pets'),
  DYNAMODB_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // ECS sends SIGKILL 30 s after SIGTERM by default; finish well before it.
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(25_000),
  ECS_CONTAINER_METADATA_URI_V4: z.string().optional(),
});

/** The API's configuration, validated once at start; nothing else reads `process.env`. */
export interface AppConfig {
  tier: Tier;
  port: number;
  host: string;
  petsTable: string;
  region: string;
  dynamodbEndpoint?: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  shutdownTimeoutMs: number;
}

/** Raised when the environment does not make a valid configuration; the message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads the configuration from an environment. `runsOn` is what the entry point knows: the Lambda handler
 * passes `lambda`; the server passes `server` and is `fargate` on ECS, `local` elsewhere, unless
 * `LAMBDAFLEX_TIER` says otherwise.
 */
export function loadConfig(env: NodeJS.ProcessEnv, runsOn: 'lambda' | 'server'): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const tier: Tier =
    runsOn === 'lambda' ? 'lambda' : (e.LAMBDAFLEX_TIER ?? (e.ECS_CONTAINER_METADATA_URI_V4 ? 'fargate' : 'local'));
  return {
    tier,
    port: e.PORT,
    host: e.HOST,
    petsTable: e.PETS_TABLE,
    region: e.AWS_REGION,
    dynamodbEndpoint: e.DYNAMODB_ENDPOINT,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}

/** Nest injection token of the {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');
