import { z } from 'zod';
import { PolicySchema } from '@lambdaflex/state';

/** The tier that serves a response, as told in the `x-lambdaflex-tier` header. */
export type Tier = 'lambda' | 'fargate' | 'local';

/** What an admin credential may do: `read` the status, policy and history; `operate` also changes them. */
export const ADMIN_SCOPES = ['read', 'operate'] as const;
export type AdminScope = (typeof ADMIN_SCOPES)[number];

/** One admin API key as configured: its scope and the SHA-256 of the key (lower-case hex), never the key. */
export interface AdminKeyHash {
  scope: AdminScope;
  sha256: string;
}

const ADMIN_KEY_ENTRY = /^(read|operate):([0-9a-f]{64})$/i;

// `<scope>:<sha256-hex>` entries, comma-separated. Only hashes are configured, so the variable may sit in
// a Lambda's configuration without handing out a key; a bad entry is named by position, not echoed.
const AdminKeysSchema = z
  .string()
  .default('')
  .transform((raw, ctx): AdminKeyHash[] => {
    const entries = raw.split(',').map((e) => e.trim()).filter((e) => e !== '');
    const keys: AdminKeyHash[] = [];
    entries.forEach((entry, i) => {
      const match = ADMIN_KEY_ENTRY.exec(entry);
      if (match) keys.push({ scope: match[1].toLowerCase() as AdminScope, sha256: match[2].toLowerCase() });
      else ctx.addIssue({ code: 'custom', message: `entry ${i + 1} is not <read|operate>:<64 hex digits of SHA-256>` });
    });
    return keys;
  });

const perMinute = (fallback: number) => z.coerce.number().int().min(1).max(100_000).default(fallback);

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
  STATE_TABLE: z.string().min(3).max(255).default('lambdaflex-state'),
  // One API is one service: its admin routes read and change this service's policy and status only.
  SERVICE_NAME: PolicySchema.shape.service.default('lambdaflex'),
  ADMIN_KEYS: AdminKeysSchema,
  ADMIN_READ_LIMIT_PER_MINUTE: perMinute(60),
  ADMIN_WRITE_LIMIT_PER_MINUTE: perMinute(20),
  // The instant spill (src/spill/): requests a server task holds at once before it hands the next ones
  // to Lambda. 0 turns the limit off. Only the server reads these; the Lambda entry never spills.
  LAMBDAFLEX_MAX_INFLIGHT: z.coerce.number().int().min(0).max(100_000).default(64),
  // A function name, or its unqualified ARN: the same image's handler, invoked synchronously with an HTTP
  // API event. Empty is absent, so a template can switch the spill off without removing the variable.
  LAMBDAFLEX_SPILL_FUNCTION: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}$/, 'must be a Lambda function name or unqualified function ARN')
      .optional(),
  ),
  // A local Lambda Invoke API (the local cloud's), as DYNAMODB_ENDPOINT is for DynamoDB.
  LAMBDA_ENDPOINT: z.url().optional(),
  // The key paging cursors are signed with (common/cursor.ts): the same value on every process of a
  // deployment. Absent (or empty), a key derived from the table and service names is used.
  CURSOR_SECRET: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(32, 'must be at least 32 characters').optional()),
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
  /** The LambdaFlex state table (policy, status, history), shared with the reconciler. */
  stateTable: string;
  /** The service this API administers: the partition of the state table its admin routes use. */
  serviceName: string;
  admin: AdminConfig;
  spill: SpillConfig;
  /** The key paging cursors are signed with (`CURSOR_SECRET`); absent: one derived from the table and service names. */
  cursorSecret?: string;
}

/**
 * The server's in-flight limit and where the excess goes. At the limit, a request is handed to
 * `functionName` (if set) or refused with a 503 (if not), never queued into overload.
 */
export interface SpillConfig {
  /** Requests a task serves at once; 0: no limit, nothing spills. */
  maxInFlight: number;
  /** The Lambda function that takes the excess: the same image's handler. Absent: the excess is a 503. */
  functionName?: string;
  /** The Lambda API's endpoint, when it is not AWS's (the local cloud). */
  lambdaEndpoint?: string;
}

/** The admin API's credentials and rate limits. No keys: every admin call is refused (401). */
export interface AdminConfig {
  keys: AdminKeyHash[];
  /** Requests per minute per client to the read routes (status, policy, history, the page). */
  readLimitPerMinute: number;
  /** Requests per minute per client to the routes that change the policy. */
  writeLimitPerMinute: number;
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
    stateTable: e.STATE_TABLE,
    serviceName: e.SERVICE_NAME,
    admin: {
      keys: e.ADMIN_KEYS,
      readLimitPerMinute: e.ADMIN_READ_LIMIT_PER_MINUTE,
      writeLimitPerMinute: e.ADMIN_WRITE_LIMIT_PER_MINUTE,
    },
    spill: {
      maxInFlight: e.LAMBDAFLEX_MAX_INFLIGHT,
      functionName: e.LAMBDAFLEX_SPILL_FUNCTION,
      lambdaEndpoint: e.LAMBDA_ENDPOINT,
    },
    cursorSecret: e.CURSOR_SECRET,
  };
}

/** Nest injection token of the {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');
