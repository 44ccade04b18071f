import { z } from 'zod';
import { SERVICE_NAME_PATTERN } from './naming';

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

/** What a deploy of one service needs from the user; read once, from CDK context or the environment. */
export interface DeploySettings {
  service: string;
  domainName: string;
  hostedZoneId: string;
  imageRepository: string;
  imageTag: string;
  /** Every zone the reconciler may change records in: this service's and those of services deployed before. */
  hostedZoneIds: string[];
  /** The HTTP API's stage throttle; optional settings, {@link DEFAULT_API_THROTTLE} when unset. */
  apiThrottle: ApiThrottle;
}

/** A setting's CDK context key (`--context key=value`) and environment variable, in that order of precedence. */
export const SETTING_SOURCES = {
  service: { context: 'service', env: 'LAMBDAFLEX_SERVICE' },
  domainName: { context: 'domainName', env: 'LAMBDAFLEX_DOMAIN_NAME' },
  hostedZoneId: { context: 'hostedZoneId', env: 'LAMBDAFLEX_HOSTED_ZONE_ID' },
  imageRepository: { context: 'imageRepository', env: 'LAMBDAFLEX_IMAGE_REPOSITORY' },
  imageTag: { context: 'imageTag', env: 'LAMBDAFLEX_IMAGE_TAG' },
  hostedZoneIds: { context: 'hostedZoneIds', env: 'LAMBDAFLEX_HOSTED_ZONE_IDS' },
  apiThrottleRate: { context: 'apiThrottleRate', env: 'LAMBDAFLEX_API_THROTTLE_RATE' },
  apiThrottleBurst: { context: 'apiThrottleBurst', env: 'LAMBDAFLEX_API_THROTTLE_BURST' },
} as const;

/** The context key the deploy target sets: without it, missing settings fall back to {@link EXAMPLE_SETTINGS}. */
export const REQUIRE_SETTINGS_CONTEXT = 'lambdaflex:requireSettings';

/**
 * Placeholders that let `nx run deploy:synth` write every template on a fresh clone, with no account
 * and no settings; never deployed (the deploy target requires real settings).
 */
export const EXAMPLE_SETTINGS: DeploySettings = {
  service: 'example',
  domainName: 'api.example.com',
  hostedZoneId: 'Z0000000EXAMPLE',
  imageRepository: 'lambdaflex-api',
  imageTag: 'example',
  hostedZoneIds: ['Z0000000EXAMPLE'],
  apiThrottle: DEFAULT_API_THROTTLE,
};

// Route53 answers ids with or without the `/hostedzone/` prefix; IAM ARNs need the bare id.
const zoneId = z
  .string()
  .transform((id) => id.trim().replace(/^\/?hostedzone\//, ''))
  .pipe(z.string().regex(/^Z[A-Z0-9]{1,31}$/, 'a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ'));

const SettingsSchema = z.object({
  service: z.string().regex(SERVICE_NAME_PATTERN, 'lower-case letters, digits and -, starting with a letter, at most 40, not ending in -tier'),
  domainName: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a lower-case fully qualified domain name such as api.example.com'),
  hostedZoneId: zoneId,
  imageRepository: z.string().regex(/^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/, 'an ECR repository name'),
  imageTag: z.string().regex(/^(?:sha256:[a-f0-9]{64}|[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/, 'an image tag or a sha256: digest'),
  hostedZoneIds: z.array(zoneId),
  // API Gateway takes a rate as a double and a burst as an integer.
  apiThrottleRate: z.coerce.number().positive('a positive number of requests a second').max(1_000_000),
  apiThrottleBurst: z.coerce.number().int('a whole number of requests').positive('a positive whole number of requests').max(1_000_000),
});

/** Raised when the settings cannot make a deploy; the message names every bad or missing setting and where to set it. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/**
 * Reads and validates the settings. `lookup` answers a context key or an environment variable.
 * `required` (the deploy target) makes a missing setting an error; otherwise nothing set at all means
 * {@link EXAMPLE_SETTINGS}, and anything set must be complete. The optional settings (other zones, the
 * API throttle) have defaults, and do not count as "set" for that choice.
 * @throws SettingsError naming every problem.
 */
export function readSettings(lookup: (source: { context: string; env: string }) => string | undefined, required: boolean): DeploySettings {
  const raw = Object.fromEntries(
    Object.entries(SETTING_SOURCES).map(([key, source]) => {
      const value = lookup(source)?.trim();
      return [key, value === '' ? undefined : value];
    }),
  ) as Record<keyof typeof SETTING_SOURCES, string | undefined>;
  const { hostedZoneIds, apiThrottleRate, apiThrottleBurst, ...single } = raw;
  // Only the required settings decide between the example and a real deploy.
  if (!required && Object.values(single).every((v) => v === undefined)) return EXAMPLE_SETTINGS;

  const missing = (Object.keys(single) as (keyof typeof single)[]).filter((key) => single[key] === undefined);
  if (missing.length) {
    const where = missing.map((key) => `${key} (--context ${SETTING_SOURCES[key].context}=... or ${SETTING_SOURCES[key].env})`);
    throw new SettingsError(`missing deploy settings: ${where.join('; ')}`);
  }
  const parsed = SettingsSchema.safeParse({
    ...single,
    // This service's zone always, and any other listed (services deployed before, in other zones).
    hostedZoneIds: [single.hostedZoneId, ...(hostedZoneIds ?? '').split(',').filter((id) => id.trim() !== '')],
    apiThrottleRate: apiThrottleRate ?? DEFAULT_API_THROTTLE.rateLimit,
    apiThrottleBurst: apiThrottleBurst ?? DEFAULT_API_THROTTLE.burstLimit,
  });
  if (!parsed.success) {
    throw new SettingsError(`invalid deploy settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const { apiThrottleRate: rateLimit, apiThrottleBurst: burstLimit, ...rest } = parsed.data;
  return { ...rest, hostedZoneIds: [...new Set(parsed.data.hostedZoneIds)], apiThrottle: { rateLimit, burstLimit } };
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
