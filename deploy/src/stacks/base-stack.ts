import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BASE_OUTPUTS, baseStackName } from '@lambdaflex/state';
import { Aws, CfnCondition, CfnOutput, CfnParameter, Duration, Fn, RemovalPolicy, Stack, Stage, Token, Validations, type StackProps } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { Construct } from 'constructs';
import { environmentProblems, renderEnvironmentFile, type EnvironmentVariables } from '../container-environment';
import { acknowledgeNag, acknowledgeWildcardResources } from '../nag';
import {
  NO_PETS_TABLE,
  STATE_TABLE_NAME,
  TIER_ROLE_PATH,
  adminKeysParameterName,
  fargateLogGroupName,
  tierSettingParameterName,
  type TierSetting,
} from '../naming';
import { DEFAULT_API_THROTTLE, DEFAULT_SERVICE_SETTINGS, SettingsError, type ApiThrottle, type ImageRegistry } from '../settings';

/** What a service's base stack is built from: known when the user deploys, fixed until the next deploy. */
export interface BaseStackProps extends StackProps {
  /** The service's name: the stack is `lambdaflex-<service>`, its policy's key in the state table. */
  readonly service: string;
  /** The name clients call (e.g. api.example.com); the reconciler's two weighted records carry it. */
  readonly domainName: string;
  /** The public hosted zone holding {@link domainName}, without `/hostedzone/`. */
  readonly hostedZoneId: string;
  /** The ECR repository holding the service's image (the pet store's: apps/api/Dockerfile). */
  readonly imageRepositoryName: string;
  /** The image's tag, or its digest (`sha256:...`); both tiers run exactly this image. */
  readonly imageTagOrDigest: string;
  /**
   * The repository's account and region, when the image was given by its URI. Lambda runs images of its
   * own region only; another account's repository must let this account pull. @default this stack's account and region
   */
  readonly imageRegistry?: ImageRegistry;
  /** The port the image listens on outside Lambda: `PORT` on both tiers, the tier's target group port. @default 8080 */
  readonly containerPort?: number;
  /** The path the tier's target group probes (200: healthy); `AWS_LWA_READINESS_CHECK_PATH` on Lambda. @default '/healthz' */
  readonly healthCheckPath?: string;
  /** The default of the `FunctionMemory` parameter, MiB. @default 1024 */
  readonly lambdaMemoryMiB?: number;
  /** The default of the `FunctionTimeout` parameter, seconds. @default 29 */
  readonly lambdaTimeoutSeconds?: number;
  /**
   * The user's variables, on both tiers: in the function's configuration, and in an environment file the
   * Fargate tasks load. Plain values only (container-environment.ts refuses reserved names). @default {}
   */
  readonly environment?: EnvironmentVariables;
  /** Whether the service has the pet store's table (`PETS_TABLE`, the `PetsTable` statements). @default false */
  readonly petsTable?: boolean;
  /**
   * What the HTTP API's stage holds every route to: past it API Gateway answers 429 before Lambda is
   * invoked. @default DEFAULT_API_THROTTLE
   */
  readonly apiThrottle?: ApiThrottle;
}

/**
 * One JSON line per request in the HTTP API's access log: who (source IP), what (method, path, route),
 * the outcome and its latencies, and the request id that joins it to the app's own log line. No header,
 * query string or body: nothing a client sends as a secret can land here.
 */
export const API_ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTimeEpoch',
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
} as const;

/** The app's DynamoDB calls (apps/api/src/pets/pets.repository.ts and the /readyz check). */
const PETS_TABLE_ACTIONS = [
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
];

/**
 * The admin API's calls on the state table (StateStore: read and write the policy, read the status and
 * the history), for its own service's items only.
 */
const STATE_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'];

/** `ADMIN_KEYS` entries as the API accepts them: `<read|operate>:<SHA-256 hex>`, comma-separated. */
const ADMIN_KEYS_PATTERN = '^$|^(read|operate):[0-9a-fA-F]{64}(,(read|operate):[0-9a-fA-F]{64})*$';

/**
 * ECR's registry login: account-wide, AWS offers no resource to scope it to. The task execution role
 * needs it to pull the image; the image itself is pulled with permissions scoped to its repository.
 */
const ECR_UNSCOPABLE_ACTIONS = ['ecr:GetAuthorizationToken'] as const;

/**
 * The Lambda path of one service, and what its Fargate tier borrows: the function from the image behind
 * an HTTP API on a custom domain, the pets table when the service has one, and the task roles, log
 * group, environment file and SSM parameters the tier stack uses. It changes only when the user
 * deploys. It does not create the service's DNS records: the reconciler owns both weighted records
 * (`api` and `alb`), and writes the first one on its first tick.
 *
 * The tier template is one for every service and the reconciler passes it only `TIER_PARAMETERS`, so
 * what differs per image reaches the tier through SSM parameters this stack writes and the tier
 * resolves by the service's name (naming.ts, `TIER_SETTINGS`):
 *
 * ```
 * settings ─▶ base stack ─▶ /lambdaflex/<service>/container-port     ─┐ {{resolve:ssm:...}} when the
 *                          /lambdaflex/<service>/health-check-path   ─┤ reconciler creates or updates
 *                          /lambdaflex/<service>/environment-file    ─┘ lambdaflex-<service>-tier
 *                            └─▶ s3://<CDK assets bucket>/<hash>.env (the user's variables)
 * ```
 *
 * Deploy-time knobs are CloudFormation parameters (`--parameters lambdaflex-<service>:Name=value`):
 * FunctionMemory and FunctionTimeout (defaults from the settings), ReservedConcurrency (-1: unreserved),
 * ExistingCertificateArn (empty: a DNS-validated certificate is created in the stack's hosted zone) and
 * AdminKeys (the admin API's key hashes; empty: every admin call is refused).
 */
export class BaseStack extends Stack {
  constructor(scope: Construct, id: string, props: BaseStackProps) {
    super(scope, id, {
      description: `LambdaFlex base stack of ${props.service}: HTTP API, Lambda, custom domain`,
      ...props,
      stackName: baseStackName(props.service),
    });
    const { service, domainName, hostedZoneId } = props;
    const environment = props.environment ?? DEFAULT_SERVICE_SETTINGS.environment;
    const problems = environmentProblems(environment);
    if (problems.length) throw new SettingsError(`the environment of ${service} cannot be deployed: ${problems.join('; ')}`);
    const containerPort = props.containerPort ?? DEFAULT_SERVICE_SETTINGS.containerPort;
    const healthCheckPath = props.healthCheckPath ?? DEFAULT_SERVICE_SETTINGS.healthPath;
    const p = this.parameters(domainName, {
      memory: props.lambdaMemoryMiB ?? DEFAULT_SERVICE_SETTINGS.lambdaMemoryMiB,
      timeout: props.lambdaTimeoutSeconds ?? DEFAULT_SERVICE_SETTINGS.lambdaTimeoutSeconds,
    });
    const certificateArn = this.certificate(domainName, hostedZoneId, p.existingCertificateArn);

    const petsTable = props.petsTable
      ? new dynamodb.Table(this, 'PetsTable', {
          tableName: `${baseStackName(service)}-pets`,
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          // The app's data outlives the stack; see docs/deploy.md to remove it on purpose.
          removalPolicy: RemovalPolicy.RETAIN,
        })
      : undefined;
    const grantApp = this.appPermissions(service, petsTable);
    const repository = this.imageRepository(props.imageRepositoryName, props.imageRegistry);
    const imageUri = repository.repositoryUriForTagOrDigest(props.imageTagOrDigest);

    // Lambda reads the key hashes from its environment; Fargate tasks from this parameter, at start.
    const adminKeysName = adminKeysParameterName(service);
    new ssm.CfnParameter(this, 'AdminKeysParameter', {
      name: adminKeysName,
      type: 'String',
      // A leading comma keeps the value non-empty, as SSM requires, when there are no keys; the API skips empty entries.
      value: Fn.join('', [',', p.adminKeys.valueAsString]),
      description: `LambdaFlex ${service}: the admin API's key hashes (ADMIN_KEYS)`,
    });

    // What the tier template resolves by the service's name when the reconciler creates or updates it.
    const environmentFile = this.environmentFile(service, environment);
    const tierSetting = (id: string, setting: TierSetting, value: string, what: string) =>
      new ssm.CfnParameter(this, id, { name: tierSettingParameterName(service, setting), type: 'String', value, description: `LambdaFlex ${service}: ${what} (read by the tier template)` });
    tierSetting('ContainerPortParameter', 'container-port', String(containerPort), 'the port the container listens on');
    tierSetting('HealthCheckPathParameter', 'health-check-path', healthCheckPath, "the path the tier's target group probes");
    tierSetting('EnvironmentFileParameter', 'environment-file', environmentFile.objectArn, "the S3 object ARN of the Fargate tier's environment file");

    const fn = this.lambdaFunction(props, p, {
      repository,
      grantApp,
      environment: {
        ...environment,
        PORT: String(containerPort),
        // For images that run on Lambda through the Lambda Web Adapter: its readiness check, on the same path as the ALB's.
        AWS_LWA_READINESS_CHECK_PATH: healthCheckPath,
        ...(petsTable ? { PETS_TABLE: petsTable.tableName } : {}),
      },
    });
    const domain = new apigwv2.DomainName(this, 'Domain', {
      domainName,
      certificate: acm.Certificate.fromCertificateArn(this, 'DomainCertificate', certificateArn),
      endpointType: apigwv2.EndpointType.REGIONAL,
      securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
    });
    const api = new apigwv2.HttpApi(this, 'Api', {
      apiName: baseStackName(service),
      description: `LambdaFlex ${service}: the Lambda path`,
      defaultIntegration: new HttpLambdaIntegration('Function', fn),
      defaultDomainMapping: { domainName: domain },
      // The custom domain is the only way in: the default https://<id>.execute-api.<region>.amazonaws.com
      // endpoint would reach the function around it (and around its TLS policy).
      disableExecuteApiEndpoint: true,
    });
    acknowledgeNag(
      api,
      'AwsSolutions-APIG4',
      "A public API by design: its $default route proxies every request to the service's image, which authorizes what it must itself on " +
        'both tiers (the pet store its admin endpoints: ADMIN_KEYS, docs/admin.md); an API Gateway authorizer would guard the Lambda path only, never the ALB path.',
    );
    this.stageSettings(api, props.apiThrottle ?? DEFAULT_API_THROTTLE);

    const { taskExecutionRole, taskRole } = this.tierRoles(service, { repository, adminKeysName, environmentFile, grantApp });
    // The instant spill: a saturated task invokes this function, and no other, with the request.
    taskRole.addToPolicy(new iam.PolicyStatement({ sid: 'SpillToFunction', actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }));

    const o = BASE_OUTPUTS;
    const output = (name: string, value: string, description: string) => new CfnOutput(this, name, { value, description });
    output(o.apiId, api.apiId, 'CloudWatch dimension ApiId');
    output(o.apiDomainName, domain.regionalDomainName, 'The alias target of the api record');
    output(o.apiHostedZoneId, domain.regionalHostedZoneId, "The API's regional hosted zone");
    output(o.functionName, fn.functionName, 'CloudWatch dimension FunctionName');
    output(o.imageUri, imageUri, 'The image both tiers run');
    output(o.hostedZoneId, hostedZoneId, "The zone of the service's name");
    output(o.recordName, domainName, "The service's name: two weighted alias records, owned by the reconciler");
    output(o.certificateArn, certificateArn, 'For the API and the ALB listener alike');
    output(o.taskExecutionRoleArn, taskExecutionRole.roleArn, "The tier's task execution role");
    output(o.taskRoleArn, taskRole.roleArn, "The tier's task role");
    output(o.petsTable, petsTable?.tableName ?? NO_PETS_TABLE, `The app's table, served by both tiers; ${NO_PETS_TABLE}: the service has none`);
    // Not read by the reconciler (yet): what the tier runs with, for the reader of the stack.
    output('ContainerPort', String(containerPort), 'The port the container listens on outside Lambda');
    output('HealthCheckPath', healthCheckPath, "The path the tier's target group probes");
  }

  /** The deploy-time knobs, with defaults that make a working stack (the function's from the settings). */
  private parameters(domainName: string, defaults: { memory: number; timeout: number }) {
    return {
      memory: new CfnParameter(this, 'FunctionMemory', {
        type: 'Number',
        description: "The Lambda function's memory (MB); CPU grows with it",
        default: defaults.memory,
        minValue: 128,
        maxValue: 10_240,
      }),
      timeout: new CfnParameter(this, 'FunctionTimeout', {
        type: 'Number',
        description: "The Lambda function's timeout (s); the HTTP API gives up after 30",
        default: defaults.timeout,
        minValue: 1,
        maxValue: 900,
      }),
      reservedConcurrency: new CfnParameter(this, 'ReservedConcurrency', {
        type: 'Number',
        description: "The function's reserved concurrency; -1 leaves it unreserved",
        default: -1,
        minValue: -1,
      }),
      existingCertificateArn: new CfnParameter(this, 'ExistingCertificateArn', {
        type: 'String',
        description: `An ACM certificate for ${domainName} in this region; empty creates a DNS-validated one`,
        default: '',
        allowedPattern: '^$|^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$',
      }),
      adminKeys: new CfnParameter(this, 'AdminKeys', {
        type: 'String',
        description: 'The admin API keys as <read|operate>:<sha256 hex>, comma-separated (hashes, not keys: docs/admin.md); empty refuses every admin call',
        default: '',
        allowedPattern: ADMIN_KEYS_PATTERN,
      }),
    };
  }

  /**
   * The default stage's throttle (every route: the one `$default`) and its JSON access log. Set on the
   * stage CDK creates, so that its logical id, and the `$default` stage in a deployed stack, stay.
   */
  private stageSettings(api: apigwv2.HttpApi, throttle: ApiThrottle): void {
    const stage = api.defaultStage;
    if (!stage) throw new Error('the HTTP API has no default stage');
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.TWO_WEEKS, removalPolicy: RemovalPolicy.DESTROY });
    const cfnStage = stage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.accessLogSettings = {
      destinationArn: new apigwv2.LogGroupLogDestination(accessLogs).bind(stage).destinationArn,
      format: JSON.stringify(API_ACCESS_LOG_FORMAT),
    };
    cfnStage.defaultRouteSettings = { throttlingRateLimit: throttle.rateLimit, throttlingBurstLimit: throttle.burstLimit };
  }

  /** The given certificate's ARN, or a DNS-validated one created here when none is given. */
  private certificate(domainName: string, hostedZoneId: string, existingArn: CfnParameter): string {
    const create = new CfnCondition(this, 'CreateCertificate', { expression: Fn.conditionEquals(existingArn.valueAsString, '') });
    // CloudFormation writes the validation record into the zone and waits for ACM.
    const certificate = new acm.CfnCertificate(this, 'Certificate', {
      domainName,
      validationMethod: 'DNS',
      domainValidationOptions: [{ domainName, hostedZoneId }],
    });
    certificate.cfnOptions.condition = create;
    // The validator reads each branch of an Fn::If alone; ours is guarded by the Fn::If's own condition.
    Validations.of(this).acknowledge({ id: 'CloudFormation-Validate::W1001', reason: 'Certificate is referenced only in the CreateCertificate branch of Fn::If' });
    return Token.asString(Fn.conditionIf(create.logicalId, certificate.ref, existingArn.valueAsString));
  }

  /**
   * The image's repository: by name in this stack's account and region, or by the ARN of the registry
   * its URI named (the partition is the region's; an unknown region is taken as the commercial one's).
   */
  private imageRepository(name: string, registry: ImageRegistry | undefined): ecr.IRepository {
    if (!registry) return ecr.Repository.fromRepositoryName(this, 'ImageRepository', name);
    const partition = RegionInfo.get(registry.region).partition ?? 'aws';
    return ecr.Repository.fromRepositoryArn(this, 'ImageRepository', `arn:${partition}:ecr:${registry.region}:${registry.account}:repository/${name}`);
  }

  /**
   * The user's variables as the environment file the Fargate tasks load (ECS `environmentFiles`): an
   * asset, uploaded by `cdk deploy` to the CDK assets bucket under its content hash, so the same
   * variables make the same object. Written into the cloud assembly directory, beside the templates.
   */
  private environmentFile(service: string, environment: EnvironmentVariables): { objectArn: string; bucketArn: string } {
    const outdir = Stage.of(this)?.outdir;
    if (!outdir) throw new Error('the base stack must be inside an App (it writes the environment file into its output)');
    const file = path.join(outdir, `${this.artifactId}.environment.env`);
    writeFileSync(file, renderEnvironmentFile(service, environment));
    const asset = new s3assets.Asset(this, 'EnvironmentFile', { path: file });
    return { objectArn: asset.bucket.arnForObjects(asset.s3ObjectKey), bucketArn: asset.bucket.bucketArn };
  }

  /** What the app does on either tier: its table when it has one, and its own service's items of the state table. */
  private appPermissions(service: string, petsTable: dynamodb.ITable | undefined): (role: iam.Role) => void {
    // The control stack's table, by its fixed name: no cross-stack reference ties the two stacks together.
    const stateTableArn = this.formatArn({ service: 'dynamodb', resource: 'table', resourceName: STATE_TABLE_NAME });
    return (role) => {
      if (petsTable) role.addToPolicy(new iam.PolicyStatement({ sid: 'PetsTable', actions: PETS_TABLE_ACTIONS, resources: [petsTable.tableArn] }));
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'OwnServiceState',
          actions: STATE_TABLE_ACTIONS,
          resources: [stateTableArn],
          conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [service] } },
        }),
      );
    };
  }

  /** The API on Lambda, from the image, with its own role and log group. */
  private lambdaFunction(
    props: BaseStackProps,
    p: ReturnType<BaseStack['parameters']>,
    deps: { repository: ecr.IRepository; grantApp: (role: iam.Role) => void; environment: Record<string, string> },
  ): lambda.DockerImageFunction {
    const logGroup = new logs.LogGroup(this, 'FunctionLogs', { retention: logs.RetentionDays.TWO_WEEKS, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `LambdaFlex ${props.service}: the API on Lambda`,
    });
    // Its own log group with the role's scoped permission: no AWSLambdaBasicExecutionRole (logs on *).
    logGroup.grantWrite(role);
    deps.grantApp(role);

    const fn = new lambda.DockerImageFunction(this, 'Function', {
      description: `LambdaFlex ${props.service}: the API on Lambda (the same image as the Fargate tier)`,
      code: lambda.DockerImageCode.fromEcr(deps.repository, { tagOrDigest: props.imageTagOrDigest }),
      // The tier's task definition runs the image as X86_64 too: one image, one architecture.
      architecture: lambda.Architecture.X86_64,
      memorySize: p.memory.valueAsNumber,
      timeout: Duration.seconds(p.timeout.valueAsNumber),
      role,
      logGroup,
      environment: {
        ...deps.environment,
        STATE_TABLE: STATE_TABLE_NAME,
        SERVICE_NAME: props.service,
        ADMIN_KEYS: p.adminKeys.valueAsString,
      },
    });
    const reserved = new CfnCondition(this, 'HasReservedConcurrency', {
      expression: Fn.conditionNot(Fn.conditionEquals(p.reservedConcurrency.valueAsString, '-1')),
    });
    (fn.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = Token.asNumber(
      Fn.conditionIf(reserved.logicalId, p.reservedConcurrency.valueAsNumber, Aws.NO_VALUE),
    );
    Validations.of(this).acknowledge({
      id: 'CloudFormation-Validate::W1030',
      reason: 'ReservedConcurrency -1 is only used in the HasReservedConcurrency condition, never as the value',
    });
    return fn;
  }

  /**
   * The roles the tier's task definition names, under TIER_ROLE_PATH (the only roles the tier's
   * CloudFormation service role may pass), and the tier's log group, which lives here so that its logs
   * outlive the tier (see naming.ts).
   */
  private tierRoles(
    service: string,
    deps: {
      repository: ecr.IRepository;
      adminKeysName: string;
      environmentFile: { objectArn: string; bucketArn: string };
      grantApp: (role: iam.Role) => void;
    },
  ) {
    const { repository, adminKeysName, environmentFile, grantApp } = deps;
    const fargateLogs = new logs.LogGroup(this, 'FargateLogs', {
      logGroupName: fargateLogGroupName(service),
      retention: logs.RetentionDays.TWO_WEEKS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const tasks = new iam.ServicePrincipal('ecs-tasks.amazonaws.com');
    const taskExecutionRole = new iam.Role(this, 'TaskExecutionRole', {
      assumedBy: tasks,
      path: TIER_ROLE_PATH,
      description: `LambdaFlex ${service}: ECS pulls the image and writes the tier's logs`,
    });
    const allow = (sid: string, actions: readonly string[], resources: string[]) =>
      taskExecutionRole.addToPolicy(new iam.PolicyStatement({ sid, actions: [...actions], resources }));
    allow('RegistryLogin', ECR_UNSCOPABLE_ACTIONS, ['*']);
    acknowledgeWildcardResources(taskExecutionRole, ['*'], 'ecr:GetAuthorizationToken is account-wide (no resource type); the pull itself is scoped to the repository');
    allow('PullImage', ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], [repository.repositoryArn]);
    allow('WriteLogs', ['logs:CreateLogStream', 'logs:PutLogEvents'], [fargateLogs.logGroupArn]);
    // The parameter's ARN is parameter/<name without its leading slash>.
    allow('ReadAdminKeys', ['ssm:GetParameters'], [this.formatArn({ service: 'ssm', resource: 'parameter', resourceName: adminKeysName.slice(1) })]);
    // ECS fetches the environment file at task start: this one object, and its bucket's location.
    allow('ReadEnvironmentFile', ['s3:GetObject'], [environmentFile.objectArn]);
    allow('LocateEnvironmentFile', ['s3:GetBucketLocation'], [environmentFile.bucketArn]);

    const taskRole = new iam.Role(this, 'TaskRole', { assumedBy: tasks, path: TIER_ROLE_PATH, description: `LambdaFlex ${service}: the API on Fargate` });
    grantApp(taskRole);
    return { taskExecutionRole, taskRole };
  }
}
