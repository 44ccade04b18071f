/**
 * The contract between deploy/ (which writes the templates) and the reconciler (which reads the base
 * stack and drives the tier stack): stack names, parameter names and output names, in one place.
 */

/** The base stack of a service: API Gateway, the Lambda, the custom domain. Deployed by the user. */
export const baseStackName = (service: string) => `lambdaflex-${service}`;
/** The Fargate tier stack of a service: created, updated and deleted only by the reconciler. */
export const tierStackName = (service: string) => `lambdaflex-${service}-tier`;

/** Outputs of the base stack that the reconciler reads. */
export const BASE_OUTPUTS = {
  apiId: 'ApiId',
  /** The API's regional domain name and its hosted zone: the target of the `api` alias record. */
  apiDomainName: 'ApiRegionalDomainName',
  apiHostedZoneId: 'ApiRegionalHostedZoneId',
  functionName: 'FunctionName',
  imageUri: 'ImageUri',
  /** The user's hosted zone and the service's name in it (e.g. api.example.com). */
  hostedZoneId: 'HostedZoneId',
  recordName: 'RecordName',
  certificateArn: 'CertificateArn',
  taskExecutionRoleArn: 'TaskExecutionRoleArn',
  taskRoleArn: 'TaskRoleArn',
  /** The app's data table: both tiers serve the same data. */
  petsTable: 'PetsTableName',
} as const;

/**
 * Outputs of the base stack the reconciler reads when present: a base stack deployed before them lacks
 * them, and the default holds (the health path the ALB checks, and the reconciler's probes request).
 */
export const OPTIONAL_BASE_OUTPUTS = {
  healthCheckPath: 'HealthCheckPath',
} as const;
export const DEFAULT_HEALTH_CHECK_PATH = '/healthz';

/** Parameters of the tier stack template. */
export const TIER_PARAMETERS = {
  serviceName: 'ServiceName',
  imageUri: 'ImageUri',
  desiredCount: 'DesiredCount',
  minTasks: 'MinTasks',
  maxTasks: 'MaxTasks',
  cpu: 'Cpu',
  memory: 'Memory',
  /** ALB requests per target per minute that ECS target tracking holds. */
  requestsPerTargetPerMinute: 'RequestsPerTargetPerMinute',
  certificateArn: 'CertificateArn',
  taskExecutionRoleArn: 'TaskExecutionRoleArn',
  taskRoleArn: 'TaskRoleArn',
  petsTable: 'PetsTable',
  /** The function a saturated task hands its excess to, per request (the instant spill): the base stack's. */
  spillFunctionName: 'SpillFunctionName',
  /** Requests one task serves at once; past it, the next ones go to the spill function. */
  maxInFlightPerTask: 'MaxInFlightPerTask',
} as const;

/** Outputs of the tier stack that the reconciler reads. */
export const TIER_OUTPUTS = {
  loadBalancerDnsName: 'LoadBalancerDnsName',
  loadBalancerHostedZoneId: 'LoadBalancerCanonicalHostedZoneId',
  /** `app/<name>/<id>` and `targetgroup/<name>/<id>`: CloudWatch's dimensions. */
  loadBalancerFullName: 'LoadBalancerFullName',
  targetGroupFullName: 'TargetGroupFullName',
} as const;

/** The set identifiers of the two weighted records of a service's name. */
export const RECORD_IDS = { api: 'api', alb: 'alb' } as const;
