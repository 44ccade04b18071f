import { z } from 'zod';
import { PolicySchema } from '@lambdaflex/state';

/** The tier that serves a response, as told in the `x-lambdaflex-tier` header. */
export const TIERS = ['lambda', 'fargate', 'local'] as const;
export type Tier = (typeof TIERS)[number];

/** What an admin credential may do: `read` the status, policy and history; `operate` also changes them. */
export const ADMIN_SCOPES = ['read', 'operate'] as const;
export type AdminScope = (typeof ADMIN_SCOPES)[number];

/** Log levels of the one logger (pino's). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_WRITES = ['sync', 'async'] as const;
export type LogWrites = (typeof LOG_WRITES)[number];

/** One admin API key as configured: its scope and the SHA-256 of the key (lower-case hex), never the key. */
export interface AdminKeyHash {
  scope: AdminScope;
  sha256: string;
}

/** Which entry runs the app: the Lambda handler, or the HTTP server (Fargate, local). */
export type RunsOn = 'lambda' | 'server';

/**
 * What LambdaFlex needs of any service, validated once at start. Every field has a default from the
 * environment (the variable is named beside each), so a service deployed by LambdaFlex needs no options.
 */
export interface LambdaFlexConfig {
  /** The tier that serves: `lambda` under the Lambda handler; on a server `LAMBDAFLEX_TIER`, else `fargate` on ECS, else `local`. */
  tier: Tier;
  /** `AWS_REGION`, default `us-east-1`. */
  region: string;
  /** `DYNAMODB_ENDPOINT`: a local DynamoDB (dynalite in the local cloud). */
  dynamodbEndpoint?: string;
  /** `LOG_LEVEL`, default `info`. */
  logLevel: LogLevel;
  /**
   * `LOG_WRITES`: `sync` writes each line before the request goes on; `async` buffers lines while a
   * write is under way (one write for many lines under load). Default `sync` on Lambda, whose process is
   * frozen between invocations with whatever is buffered, `async` on a server (flushed on exit).
   */
  logWrites: LogWrites;
  /** `STATE_TABLE`: the LambdaFlex state table (policy, status, history), shared with the reconciler. */
  stateTable: string;
  /** `SERVICE_NAME`: the service the admin routes read and change, its partition of the state table. */
  serviceName: string;
  admin: AdminConfig;
  /** `CURSOR_SECRET`: the key paging cursors are signed with; absent, one derived from the deployment's names. */
  cursorSecret?: string;
}

/** The admin API's credentials and rate limits. No keys: every admin call is refused (401). */
export interface AdminConfig {
  /** `ADMIN_KEYS`: `<read|operate>:<sha256-hex>` entries, comma-separated (or, as an option, the parsed list). */
  keys: AdminKeyHash[];
  /** `ADMIN_READ_LIMIT_PER_MINUTE`: requests per minute per client to the read routes (status, policy, history, the page). */
  readLimitPerMinute: number;
  /** `ADMIN_WRITE_LIMIT_PER_MINUTE`: requests per minute per client to the routes that change the policy. */
  writeLimitPerMinute: number;
}

/** The HTTP server's settings (`runServer`): where it listens, how it keeps connections, how it drains. */
export interface ServerConfig {
  /** `PORT`, default 3000 (the image sets 8080). */
  port: number;
  /** `HOST`, default loopback: the image sets 0.0.0.0. */
  host: string;
  /** `SHUTDOWN_TIMEOUT_MS`: how long a drain may take after SIGTERM; ECS kills 30 s after it. Default 25 s. */
  shutdownTimeoutMs: number;
  /** How long an idle keep-alive connection stays open: longer than the ALB's idle timeout (60 s). Default 65 s. */
  keepAliveTimeoutMs: number;
  spill: SpillConfig;
}

/**
 * The server's in-flight limit and where the excess goes. At the limit, a request is handed to
 * `functionName` (if set) or refused with a 503 (if not), never queued into overload.
 */
export interface SpillConfig {
  /** `LAMBDAFLEX_MAX_INFLIGHT`: requests a task serves at once; 0: no limit, nothing spills. Default 64. */
  maxInFlight: number;
  /** `LAMBDAFLEX_SPILL_FUNCTION`: the Lambda function that takes the excess (the same image's handler). Absent: a 503. */
  functionName?: string;
  /** `LAMBDA_ENDPOINT`: the Lambda API's endpoint, when it is not AWS's (the local cloud). */
  lambdaEndpoint?: string;
}

/** Options that override the environment: any field of {@link LambdaFlexConfig} but the resolved tier. */
export type LambdaFlexConfigOptions = Partial<Omit<LambdaFlexConfig, 'admin' | 'tier'>> & {
  /** On a server, the tier to name (else `LAMBDAFLEX_TIER`, else detected). Under the Lambda handler it is always `lambda`. */
  tier?: Tier;
  admin?: Partial<Omit<AdminConfig, 'keys'>> & { keys?: string | AdminKeyHash[] };
};

/** Options of the server that override the environment. */
export type ServerOptions = Partial<Omit<ServerConfig, 'spill'>> & { spill?: Partial<SpillConfig> };

/** Raised when options or the environment do not make a valid configuration; the one-line message names every bad field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const ADMIN_KEY_ENTRY = /^(read|operate):([0-9a-f]{64})$/i;

// `<scope>:<sha256-hex>` entries, comma-separated. Only hashes are configured, so the variable may sit in
// a Lambda's configuration without handing out a key; a bad entry is named by position, not echoed.
const AdminKeysText = z
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

const AdminKeyList = z.array(
  z.strictObject({
    scope: z.enum(ADMIN_SCOPES),
    sha256: z.string().regex(/^[0-9a-f]{64}$/i, 'must be 64 hex digits of SHA-256').transform((h) => h.toLowerCase()),
  }),
);

const perMinute = (fallback: number) => z.coerce.number().int().min(1).max(100_000).default(fallback);
// Empty is absent, so a template can switch a setting off without removing the variable.
const emptyIsAbsent = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema);

/**
 * One setting: the variable it defaults from (none: an option only), and its rule (chosen by the value,
 * for the two forms of the admin keys).
 */
export interface Field {
  env: string;
  schema: z.ZodType | ((input: unknown) => z.ZodType);
}

/**
 * The settings of {@link LambdaFlexConfig}. Keys are paths into the options; their order is the order
 * problems are listed in.
 */
export const CONFIG_FIELDS: Record<string, Field> = {
  tier: { env: 'LAMBDAFLEX_TIER', schema: z.enum(TIERS).optional() },
  region: { env: 'AWS_REGION', schema: z.string().min(1).default('us-east-1') },
  dynamodbEndpoint: { env: 'DYNAMODB_ENDPOINT', schema: z.url().optional() },
  logLevel: { env: 'LOG_LEVEL', schema: z.enum(LOG_LEVELS).default('info') },
  logWrites: { env: 'LOG_WRITES', schema: emptyIsAbsent(z.enum(LOG_WRITES).optional()) },
  stateTable: { env: 'STATE_TABLE', schema: z.string().min(3).max(255).default('lambdaflex-state') },
  // One API is one service: its admin routes read and change this service's policy and status only.
  serviceName: { env: 'SERVICE_NAME', schema: PolicySchema.shape.service.default('lambdaflex') },
  'admin.keys': { env: 'ADMIN_KEYS', schema: (v) => (Array.isArray(v) ? AdminKeyList : AdminKeysText) },
  'admin.readLimitPerMinute': { env: 'ADMIN_READ_LIMIT_PER_MINUTE', schema: perMinute(60) },
  'admin.writeLimitPerMinute': { env: 'ADMIN_WRITE_LIMIT_PER_MINUTE', schema: perMinute(20) },
  cursorSecret: { env: 'CURSOR_SECRET', schema: emptyIsAbsent(z.string().min(32, 'must be at least 32 characters').optional()) },
};

const SERVER_FIELDS: Record<string, Field> = {
  port: { env: 'PORT', schema: z.coerce.number().int().min(0).max(65535).default(3000) },
  // Loopback unless told otherwise: the image sets 0.0.0.0 for Fargate.
  host: { env: 'HOST', schema: z.string().min(1).default('127.0.0.1') },
  // ECS sends SIGKILL 30 s after SIGTERM by default; finish well before it.
  shutdownTimeoutMs: { env: 'SHUTDOWN_TIMEOUT_MS', schema: z.coerce.number().int().min(0).default(25_000) },
  // No variable: the ALB's idle timeout is the deploy's, and 65 s outlasts its default.
  keepAliveTimeoutMs: { env: '', schema: z.number().int().min(1_000).max(3_600_000).default(65_000) },
  // The instant spill (spill/): requests a server task holds at once before it hands the next ones to Lambda.
  'spill.maxInFlight': { env: 'LAMBDAFLEX_MAX_INFLIGHT', schema: z.coerce.number().int().min(0).max(100_000).default(64) },
  // A function name, or its unqualified ARN: the same image's handler, invoked synchronously with an HTTP API event.
  'spill.functionName': {
    env: 'LAMBDAFLEX_SPILL_FUNCTION',
    schema: emptyIsAbsent(
      z
        .string()
        .regex(/^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}$/, 'must be a Lambda function name or unqualified function ARN')
        .optional(),
    ),
  },
  // A local Lambda Invoke API (the local cloud's), as DYNAMODB_ENDPOINT is for DynamoDB.
  'spill.lambdaEndpoint': { env: 'LAMBDA_ENDPOINT', schema: z.url().optional() },
};

/**
 * Reads the LambdaFlex configuration: each field from `options` when given there, else from its
 * variable in `env`. `runsOn` is what the entry knows: under the Lambda handler the tier is `lambda`
 * whatever else says so; a server is `fargate` on ECS (task metadata present), `local` elsewhere, unless
 * the `tier` option or `LAMBDAFLEX_TIER` names it. Throws a {@link ConfigError} naming every bad field.
 */
export function loadLambdaFlexConfig(env: NodeJS.ProcessEnv, runsOn: RunsOn, options: LambdaFlexConfigOptions = {}): LambdaFlexConfig {
  return lambdaFlexConfigOf(resolveFields(CONFIG_FIELDS, options, env), env, runsOn);
}

/** The configuration out of the values {@link resolveFields} read with {@link CONFIG_FIELDS}. */
export function lambdaFlexConfigOf(v: Record<string, unknown>, env: NodeJS.ProcessEnv, runsOn: RunsOn): LambdaFlexConfig {
  const tier: Tier = runsOn === 'lambda' ? 'lambda' : ((v.tier as Tier | undefined) ?? (env.ECS_CONTAINER_METADATA_URI_V4 ? 'fargate' : 'local'));
  return {
    tier,
    region: v.region as string,
    dynamodbEndpoint: v.dynamodbEndpoint as string | undefined,
    logLevel: v.logLevel as LogLevel,
    logWrites: (v.logWrites as LogWrites | undefined) ?? (tier === 'lambda' ? 'sync' : 'async'),
    stateTable: v.stateTable as string,
    serviceName: v.serviceName as string,
    admin: {
      keys: v['admin.keys'] as AdminKeyHash[],
      readLimitPerMinute: v['admin.readLimitPerMinute'] as number,
      writeLimitPerMinute: v['admin.writeLimitPerMinute'] as number,
    },
    cursorSecret: v.cursorSecret as string | undefined,
  };
}

/** Reads the server's settings, as {@link loadLambdaFlexConfig} reads the rest. */
export function loadServerConfig(env: NodeJS.ProcessEnv, options: ServerOptions = {}): ServerConfig {
  const v = resolveFields(SERVER_FIELDS, options, env);
  return {
    port: v.port as number,
    host: v.host as string,
    shutdownTimeoutMs: v.shutdownTimeoutMs as number,
    keepAliveTimeoutMs: v.keepAliveTimeoutMs as number,
    spill: {
      maxInFlight: v['spill.maxInFlight'] as number,
      functionName: v['spill.functionName'] as string | undefined,
      lambdaEndpoint: v['spill.lambdaEndpoint'] as string | undefined,
    },
  };
}

/**
 * Validates each field, from the option when it is given (not undefined), else from its variable, and
 * refuses option keys no field knows (a typo must not be ignored). A problem is named by where the value
 * came from (`admin.readLimitPerMinute`, or `ADMIN_READ_LIMIT_PER_MINUTE`); all of them are listed, on one
 * line, in the {@link ConfigError} thrown.
 */
export function resolveFields(fields: Record<string, Field>, options: object, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const problems = unknownOptions(options, Object.keys(fields));
  const values: Record<string, unknown> = {};
  for (const [path, field] of Object.entries(fields)) {
    const given = valueAt(options, path);
    const [name, input] = given !== undefined || !field.env ? [path, given] : [field.env, env[field.env]];
    const schema = typeof field.schema === 'function' ? field.schema(input) : field.schema;
    const result = schema.safeParse(input);
    if (result.success) values[path] = result.data;
    else problems.push(...result.error.issues.map((i) => `${[name, ...i.path].join('.')}: ${i.message}`));
  }
  if (problems.length) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return values;
}

function unknownOptions(options: object, paths: string[]): string[] {
  const known = new Set(paths);
  const groups = new Set(paths.filter((p) => p.includes('.')).map((p) => p.split('.')[0]));
  const problems: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (!groups.has(key)) {
      if (!known.has(key)) problems.push(`${key}: unknown option`);
    } else if (isPlainObject(value)) {
      for (const inner of Object.keys(value)) if (!known.has(`${key}.${inner}`)) problems.push(`${key}.${inner}: unknown option`);
    } else if (value !== undefined) {
      problems.push(`${key}: must be an object`);
    }
  }
  return problems;
}

function valueAt(options: object, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (isPlainObject(o) ? o[k] : undefined), options);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
