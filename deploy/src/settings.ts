import { z } from 'zod';
import { parseEnvironment, type EnvironmentVariables } from './container-environment';
import { DEFAULT_CONTAINER_PORT, DEFAULT_HEALTH_CHECK_PATH, SERVICE_NAME_PATTERN } from './naming';

/** The HTTP API stage's throttle: API Gateway's token bucket, refilled at `rateLimit` requests a second, `burstLimit` deep. */
export interface ApiThrottle {
  rateLimit: number;
  burstLimit: number;
}

/**
 * 1,000 requests a second, the scale the product is sized for (the policy's default task cap serves
 * about as much), and bursts to 2,000 while the reconciler moves traffic: far under the account's shared
 * 10,000 / 5,000, so one service cannot starve the others, and a runaway client is cut at 429 before it
 * costs Lambda time. The reconciler does not know it: raise it with the traffic you expect on Lambda.
 */
export const DEFAULT_API_THROTTLE: ApiThrottle = { rateLimit: 1000, burstLimit: 2000 };

/** The account and region of an image's ECR registry, when the image is given as a full URI. */
export interface ImageRegistry {
  account: string;
  region: string;
}

/** What a deploy of one service needs from the user; read once, from CDK context or the environment. */
export interface DeploySettings {
  service: string;
  domainName: string;
  hostedZoneId: string;
  /** The image's ECR repository; in this account and region unless {@link imageRegistry} says otherwise. */
  imageRepository: string;
  /** The image's tag, or its digest (`sha256:...`). */
  imageTag: string;
  /** Where the repository is, when the image was given as `imageUri`; absent: the deploy's own account and region. */
  imageRegistry?: ImageRegistry;
  /** Every zone the reconciler may change records in: this service's and those of services deployed before. */
  hostedZoneIds: string[];
  /** The HTTP API's stage throttle; optional settings, {@link DEFAULT_API_THROTTLE} when unset. */
  apiThrottle: ApiThrottle;
  /** The port the image listens on outside Lambda (`PORT` on both tiers; the target group's port). */
  containerPort: number;
  /** The path the ALB's target group probes; 200 means healthy. */
  healthPath: string;
  /** The function's memory, MiB: the default of the base stack's `FunctionMemory` parameter. */
  lambdaMemoryMiB: number;
  /** The function's timeout, seconds: the default of the base stack's `FunctionTimeout` parameter. */
  lambdaTimeoutSeconds: number;
  /** The user's own variables, on both tiers; plain values, never secrets (container-environment.ts). */
  environment: EnvironmentVariables;
  /** Whether the service gets the pet store's table (`PETS_TABLE`): the pet store example's, off for any other image. */
  petsTable: boolean;
}

/** What runs, and how, when the settings do not say: the pet store image's port and health path, no variables, no table. */
export const DEFAULT_SERVICE_SETTINGS = {
  containerPort: DEFAULT_CONTAINER_PORT,
  healthPath: DEFAULT_HEALTH_CHECK_PATH,
  lambdaMemoryMiB: 1024,
  lambdaTimeoutSeconds: 29,
  environment: {},
  petsTable: false,
} as const satisfies Partial<DeploySettings>;

/** A setting's CDK context key (`--context key=value`) and environment variable, in that order of precedence. */
export const SETTING_SOURCES = {
  service: { context: 'service', env: 'LAMBDAFLEX_SERVICE' },
  domainName: { context: 'domainName', env: 'LAMBDAFLEX_DOMAIN_NAME' },
  hostedZoneId: { context: 'hostedZoneId', env: 'LAMBDAFLEX_HOSTED_ZONE_ID' },
  imageRepository: { context: 'imageRepository', env: 'LAMBDAFLEX_IMAGE_REPOSITORY' },
  imageTag: { context: 'imageTag', env: 'LAMBDAFLEX_IMAGE_TAG' },
  imageUri: { context: 'imageUri', env: 'LAMBDAFLEX_IMAGE_URI' },
  hostedZoneIds: { context: 'hostedZoneIds', env: 'LAMBDAFLEX_HOSTED_ZONE_IDS' },
  apiThrottleRate: { context: 'apiThrottleRate', env: 'LAMBDAFLEX_API_THROTTLE_RATE' },
  apiThrottleBurst: { context: 'apiThrottleBurst', env: 'LAMBDAFLEX_API_THROTTLE_BURST' },
  containerPort: { context: 'containerPort', env: 'LAMBDAFLEX_CONTAINER_PORT' },
  healthPath: { context: 'healthPath', env: 'LAMBDAFLEX_HEALTH_PATH' },
  lambdaMemoryMiB: { context: 'lambdaMemoryMiB', env: 'LAMBDAFLEX_LAMBDA_MEMORY_MIB' },
  lambdaTimeoutSeconds: { context: 'lambdaTimeoutSeconds', env: 'LAMBDAFLEX_LAMBDA_TIMEOUT_SECONDS' },
  environment: { context: 'environment', env: 'LAMBDAFLEX_ENVIRONMENT' },
  petsTable: { context: 'petsTable', env: 'LAMBDAFLEX_PETS_TABLE' },
} as const;

type SettingKey = keyof typeof SETTING_SOURCES;

/**
 * The settings that decide between the example and a real deploy, and that a real deploy needs: the
 * image is `imageUri`, or `imageRepository` and `imageTag`. Every other setting has a default.
 */
const REQUIRED_SETTINGS = ['service', 'domainName', 'hostedZoneId'] as const;
const IMAGE_SETTINGS = ['imageUri', 'imageRepository', 'imageTag'] as const;

/** The context key the deploy target sets: without it, missing settings fall back to {@link EXAMPLE_SETTINGS}. */
export const REQUIRE_SETTINGS_CONTEXT = 'lambdaflex:requireSettings';

/**
 * Placeholders that let `nx run deploy:synth` write every template on a fresh clone, with no account
 * and no settings; never deployed (the deploy target requires real settings). The example is the pet
 * store (apps/api), so it has the pets table.
 */
export const EXAMPLE_SETTINGS: DeploySettings = {
  service: 'example',
  domainName: 'api.example.com',
  hostedZoneId: 'Z0000000EXAMPLE',
  imageRepository: 'lambdaflex-api',
  imageTag: 'example',
  hostedZoneIds: ['Z0000000EXAMPLE'],
  apiThrottle: DEFAULT_API_THROTTLE,
  ...DEFAULT_SERVICE_SETTINGS,
  petsTable: true,
};

// Route53 answers ids with or without the `/hostedzone/` prefix; IAM ARNs need the bare id.
const zoneId = z
  .string()
  .transform((id) => id.trim().replace(/^\/?hostedzone\//, ''))
  .pipe(z.string().regex(/^Z[A-Z0-9]{1,31}$/, 'a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ'));

const REPOSITORY = '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*';
const TAG = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';
const DIGEST = 'sha256:[a-f0-9]{64}';
// <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>(:<tag>|@sha256:<digest>)
const ECR_IMAGE_URI = new RegExp(`^(\\d{12})\\.dkr\\.ecr\\.([a-z]{2,3}(?:-[a-z]+)+-\\d{1,2})\\.amazonaws\\.com(?:\\.cn)?/(${REPOSITORY})(?::(${TAG})|@(${DIGEST}))$`);

/** Whole numbers only: `z.coerce.number` would read `8080.5`, `1e3` or ` ` as numbers. */
const wholeNumber = (min: number, max: number, message: string) =>
  z
    .string()
    .regex(/^\d+$/, message)
    .transform(Number)
    .pipe(z.number().min(min, message).max(max, message));

const SettingsSchema = z.object({
  service: z.string().regex(SERVICE_NAME_PATTERN, 'lower-case letters, digits and -, starting with a letter, at most 40, not ending in -tier'),
  domainName: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a lower-case fully qualified domain name such as api.example.com'),
  hostedZoneId: zoneId,
  imageRepository: z.string().regex(new RegExp(`^${REPOSITORY}$`), 'an ECR repository name'),
  imageTag: z.string().regex(new RegExp(`^(?:${DIGEST}|${TAG})$`), 'an image tag or a sha256: digest'),
  hostedZoneIds: z.array(zoneId),
  // API Gateway takes a rate as a double and a burst as an integer.
  apiThrottleRate: z.coerce.number().positive('a positive number of requests a second').max(1_000_000),
  apiThrottleBurst: z.coerce.number().int('a whole number of requests').positive('a positive whole number of requests').max(1_000_000),
  containerPort: wholeNumber(1, 65_535, 'a port number from 1 to 65535'),
  // What an ALB health check path may hold (ELB: at most 1024 characters, starting with /; no query string).
  healthPath: z.string().regex(/^\/[A-Za-z0-9_.~\-/$@:+]{0,1023}$/, 'a path starting with / such as /healthz, of letters, digits and _ . ~ - / $ @ : + (no query string)'),
  lambdaMemoryMiB: wholeNumber(128, 10_240, 'a whole number of MiB from 128 to 10240'),
  lambdaTimeoutSeconds: wholeNumber(1, 900, 'a whole number of seconds from 1 to 900'),
  environment: z.string().transform((raw, ctx) => {
    const parsed = parseEnvironment(raw);
    if (parsed.ok) return parsed.environment;
    for (const problem of parsed.problems) ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }),
  petsTable: z.enum(['true', 'false'], 'true or false').transform((on) => on === 'true'),
});

/** Raised when the settings cannot make a deploy; the message names every bad or missing setting and where to set it. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** `key (--context key=... or ENV_VAR)`: where a setting is read from, for messages. */
const where = (key: SettingKey) => `${key} (--context ${SETTING_SOURCES[key].context}=... or ${SETTING_SOURCES[key].env})`;

/**
 * Reads and validates the settings. `lookup` answers a context key or an environment variable.
 * `required` (the deploy target) makes a missing setting an error; otherwise nothing set at all means
 * {@link EXAMPLE_SETTINGS}, and anything set must be complete. The image is `imageUri` (an ECR image URI,
 * its account and region included) or `imageRepository` and `imageTag` (in the deploy's own account and
 * region), never both. The optional settings have defaults ({@link DEFAULT_SERVICE_SETTINGS}, other
 * zones, the API throttle), and do not count as "set" for that choice.
 * @throws SettingsError naming every problem, one entry per setting, with where to set it.
 */
export function readSettings(lookup: (source: { context: string; env: string }) => string | undefined, required: boolean): DeploySettings {
  const raw = Object.fromEntries(
    Object.entries(SETTING_SOURCES).map(([key, source]) => {
      const value = lookup(source)?.trim();
      return [key, value === '' ? undefined : value];
    }),
  ) as Record<SettingKey, string | undefined>;
  // Only the required settings (the image included) decide between the example and a real deploy.
  if (!required && [...REQUIRED_SETTINGS, ...IMAGE_SETTINGS].every((key) => raw[key] === undefined)) return EXAMPLE_SETTINGS;

  const missing: string[] = REQUIRED_SETTINGS.filter((key) => raw[key] === undefined).map(where);
  if (raw.imageUri === undefined) {
    const image = (['imageRepository', 'imageTag'] as const).filter((key) => raw[key] === undefined);
    if (image.length === 2) missing.push(`${where('imageUri')}, or ${where('imageRepository')} and ${where('imageTag')}`);
    else missing.push(...image.map(where));
  }
  if (missing.length) throw new SettingsError(`missing deploy settings: ${missing.join('; ')}`);

  const problems = new Map<SettingKey, string[]>();
  const problem = (key: SettingKey, message: string) => problems.set(key, [...(problems.get(key) ?? []), message]);
  // From imageUri, the URI's pattern checks the repository and tag: a bad URI is reported once, as imageUri.
  let image: Pick<DeploySettings, 'imageRepository' | 'imageTag' | 'imageRegistry'> =
    raw.imageUri === undefined ? { imageRepository: raw.imageRepository ?? '', imageTag: raw.imageTag ?? '' } : { imageRepository: 'unset', imageTag: 'unset' };
  if (raw.imageUri !== undefined) {
    const match = ECR_IMAGE_URI.exec(raw.imageUri);
    if (raw.imageRepository !== undefined || raw.imageTag !== undefined) {
      problem('imageUri', 'give imageUri, or imageRepository and imageTag, not both');
    } else if (match) {
      const [, account, region, repository, tag, digest] = match;
      image = { imageRepository: repository, imageTag: tag ?? digest, imageRegistry: { account, region } };
    } else {
      problem('imageUri', 'an ECR image URI such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-service:v1 or …/my-service@sha256:<digest> (Lambda runs images from ECR only)');
    }
  }

  const d = DEFAULT_SERVICE_SETTINGS;
  const parsed = SettingsSchema.safeParse({
    service: raw.service,
    domainName: raw.domainName,
    hostedZoneId: raw.hostedZoneId,
    imageRepository: image.imageRepository,
    imageTag: image.imageTag,
    // This service's zone always, and any other listed (services deployed before, in other zones).
    hostedZoneIds: [raw.hostedZoneId, ...(raw.hostedZoneIds ?? '').split(',').filter((id) => id.trim() !== '')],
    apiThrottleRate: raw.apiThrottleRate ?? DEFAULT_API_THROTTLE.rateLimit,
    apiThrottleBurst: raw.apiThrottleBurst ?? DEFAULT_API_THROTTLE.burstLimit,
    containerPort: raw.containerPort ?? String(d.containerPort),
    healthPath: raw.healthPath ?? d.healthPath,
    lambdaMemoryMiB: raw.lambdaMemoryMiB ?? String(d.lambdaMemoryMiB),
    lambdaTimeoutSeconds: raw.lambdaTimeoutSeconds ?? String(d.lambdaTimeoutSeconds),
    environment: raw.environment ?? '{}',
    petsTable: raw.petsTable ?? String(d.petsTable),
  });
  for (const issue of parsed.error?.issues ?? []) problem(String(issue.path[0]) as SettingKey, issue.message);
  if (problems.size || !parsed.success) {
    // One line per bad setting: where to set it, then everything wrong with it.
    const each = [...problems].map(([key, messages]) => `\n- ${where(key)}: ${[...new Set(messages)].join('; ')}`);
    throw new SettingsError(`invalid deploy settings:${each.join('')}`);
  }
  const { apiThrottleRate: rateLimit, apiThrottleBurst: burstLimit, ...rest } = parsed.data;
  return {
    ...rest,
    ...(image.imageRegistry ? { imageRegistry: image.imageRegistry } : {}),
    hostedZoneIds: [...new Set(parsed.data.hostedZoneIds)],
    apiThrottle: { rateLimit, burstLimit },
  };
}

/** An AWS account and region that gets its own control stack. */
export interface ControlTarget {
  account: string;
  region: string;
}

/**
 * Where the control stacks go: `account/region` entries, comma-separated. Unset means one control stack
 * in the account and region of the deploying credentials, as a single-environment deploy has always had.
 */
export const CONTROL_TARGETS_SOURCE = { context: 'controlTargets', env: 'LAMBDAFLEX_CONTROL_TARGETS' } as const;

const ACCOUNT_ID = /^\d{12}$/;
// us-east-1, eu-central-2, us-gov-west-1, cn-northwest-1, us-isob-east-1...
const REGION = /^[a-z]{2,3}(-[a-z]+)+-\d{1,2}$/;

/**
 * Reads the control targets ({@link CONTROL_TARGETS_SOURCE}): one control stack per account and region,
 * so each entry is `<12-digit account>/<region>` and none may repeat. `[]` when unset.
 * @throws SettingsError naming every malformed or repeated entry.
 */
export function readControlTargets(lookup: (source: { context: string; env: string }) => string | undefined): ControlTarget[] {
  const entries = (lookup(CONTROL_TARGETS_SOURCE) ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const problems: string[] = [];
  const targets: ControlTarget[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const [account, region, ...rest] = entry.split('/').map((part) => part.trim());
    if (rest.length || !ACCOUNT_ID.test(account ?? '') || !REGION.test(region ?? '')) {
      problems.push(`"${entry}" is not <12-digit account>/<region> such as 111111111111/eu-west-1`);
    } else if (seen.has(`${account}/${region}`)) {
      problems.push(`"${entry}" is listed twice (one control stack per account and region)`);
    } else {
      seen.add(`${account}/${region}`);
      targets.push({ account, region });
    }
  }
  if (problems.length) {
    throw new SettingsError(
      `invalid controlTargets (--context ${CONTROL_TARGETS_SOURCE.context}=... or ${CONTROL_TARGETS_SOURCE.env}): ${problems.join('; ')}`,
    );
  }
  return targets;
}
