/**
 * Names that deploy/ fixes so that IAM can be scoped to them. The contract with the reconciler (stack,
 * parameter and output names) lives in `@lambdaflex/state`; these are the names only the templates share
 * with each other: the base stack creates what the tier stack later finds by the service's name.
 */

/**
 * The control stack: one per account and region. Upper case on purpose: it can never be mistaken for
 * `lambdaflex-<service>` (a base stack) nor match the reconciler's `lambdaflex-*` IAM scopes.
 */
export const CONTROL_STACK_NAME = 'LambdaFlexControl';

/**
 * The control stack's id in the app when it is pinned to an account and region (the `controlTargets`
 * setting): the CloudFormation name stays {@link CONTROL_STACK_NAME} in every account and region, while
 * the id keeps the stacks (and their template files) apart in one app. `cdk deploy <id>` selects one.
 */
export const controlStackId = (target: { account: string; region: string }): string => `${CONTROL_STACK_NAME}-${target.account}-${target.region}`;

/** The state table; the reconciler CLI's default `--table`. */
export const STATE_TABLE_NAME = 'lambdaflex-state';

/**
 * A service name as the policy schema accepts it (libs/state/src/core/policy.ts). A name ending in
 * `-tier` is refused as well: its base stack `lambdaflex-x-tier` would be the tier stack of service `x`.
 */
export const SERVICE_NAME_PATTERN = /^(?!.*-tier$)[a-z][a-z0-9-]{0,39}$/;
/**
 * The tier template's check of `ServiceName` (CloudFormation AllowedPattern): the policy schema's rule.
 * The `-tier` rule stays in {@link SERVICE_NAME_PATTERN}: a plain pattern is the one every validator reads alike.
 */
export const SERVICE_NAME_ALLOWED_PATTERN = '^[a-z][a-z0-9-]{0,39}$';

/**
 * The IAM path of every role the tier stack is handed (task execution role, task role): the
 * CloudFormation service role may pass roles under this path and no others.
 */
export const TIER_ROLE_PATH = '/lambdaflex/';

/**
 * The tag every resource of a service's Fargate tier carries, valued with the service's name. The tier
 * template sets it on each resource it creates (it does not rely on stack tags, which the reconciler
 * chooses), and the CloudFormation service role may change and delete only resources that carry it
 * (`aws:ResourceTag`), and create taggable ones only with it in the request (`aws:RequestTag`).
 */
export const SERVICE_TAG_KEY = 'lambdaflex:service';

/**
 * The bucket of the ALBs' access logs: one per account and region, created by the control stack, named
 * by account and region so that the tier template finds it without a parameter.
 */
export const albAccessLogsBucketName = (account: string, region: string): string => `lambdaflex-alb-logs-${account}-${region}`;

/** The key prefix of a service's ALB access logs in {@link albAccessLogsBucketName} (ELB appends `/AWSLogs/<account>/...`). */
export const albAccessLogsPrefix = (service: string): string => `alb/${service}`;

/** The ECS cluster, service and task definition family of a service's Fargate tier. */
export const fargateResourceName = (service: string): string => `lambdaflex-${service}`;

/**
 * The Fargate tier's log group. It belongs to the base stack, not the tier: the tier comes and goes
 * many times a day, its logs must outlive it, and a fixed name could not be re-created while a retained
 * copy still exists.
 */
export const fargateLogGroupName = (service: string): string => `/lambdaflex/${service}/fargate`;

/**
 * The SSM parameter holding the admin API's key hashes (`ADMIN_KEYS`, docs/admin.md) of a service. The
 * base stack writes it; the Fargate tier reads it at task start, by this name, since the tier template
 * takes no parameter for it.
 */
export const adminKeysParameterName = (service: string): string => `/lambdaflex/${service}/admin-keys`;

/** The port a service's image listens on unless its settings say otherwise (the pet store's: apps/api/Dockerfile). */
export const DEFAULT_CONTAINER_PORT = 8080;

/** The liveness path the target group probes unless the settings say otherwise (`@lambdaflex/nest`'s: libs/nest/src/health). */
export const DEFAULT_HEALTH_CHECK_PATH = '/healthz';

/**
 * What the base stack outputs as `PetsTableName` for a service without the pets table. The reconciler
 * reads every base output as non-empty and passes this one to the tier as `PetsTable`; the tier template
 * leaves `PETS_TABLE` unset on this value. Not a valid DynamoDB table name, so never mistaken for one.
 */
export const NO_PETS_TABLE = '(none)';

/**
 * The per-service values the tier template needs but the reconciler does not pass (it sends exactly
 * `TIER_PARAMETERS`, the same for every service): the base stack writes each to an SSM parameter named
 * by {@link tierSettingParameterName}, and the tier template reads it with a dynamic reference
 * (`{{resolve:ssm:/lambdaflex/<ServiceName>/<setting>}}`) when CloudFormation creates or updates the tier.
 * - `container-port`: the port the container listens on (target group, port mapping, `PORT`).
 * - `health-check-path`: the path the target group probes.
 * - `environment-file`: the S3 object ARN of the service's environment file (the user's variables).
 */
export const TIER_SETTINGS = ['container-port', 'health-check-path', 'environment-file'] as const;

/** One of {@link TIER_SETTINGS}. */
export type TierSetting = (typeof TIER_SETTINGS)[number];

/** The SSM parameter holding one of a service's {@link TIER_SETTINGS}: `/lambdaflex/<service>/<setting>`. */
export const tierSettingParameterName = (service: string, setting: TierSetting): string => `/lambdaflex/${service}/${setting}`;
