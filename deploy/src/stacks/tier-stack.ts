import { TIER_OUTPUTS, TIER_PARAMETERS } from '@lambdaflex/state';
import { Aws, BootstraplessSynthesizer, CfnCondition, CfnOutput, CfnParameter, Duration, Fn, Stack, Tags, Token, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { acknowledgeNag } from '../nag';
import {
  NO_PETS_TABLE,
  SERVICE_NAME_ALLOWED_PATTERN,
  SERVICE_TAG_KEY,
  STATE_TABLE_NAME,
  TIER_ROLE_PATH,
  adminKeysParameterName,
  albAccessLogsBucketName,
  albAccessLogsPrefix,
  fargateLogGroupName,
  fargateResourceName,
  tierSettingParameterName,
  type TierSetting,
} from '../naming';

/** The container's name in the task definition (one container per task). */
const CONTAINER_NAME = 'api';

/** Fargate's CPU units; the memory that goes with each is checked by ECS when the task is registered. */
const FARGATE_CPU_UNITS = ['256', '512', '1024', '2048', '4096', '8192', '16384'];

/** An IAM role ARN under {@link TIER_ROLE_PATH}: the only roles the CloudFormation service role may pass. */
const TIER_ROLE_ARN_PATTERN = `^arn:aws[a-z-]*:iam::[0-9]{12}:role${TIER_ROLE_PATH}.+$`;

/**
 * The Fargate tier of one service: a two-AZ VPC with public subnets only (no NAT gateway: tasks pull
 * the image and reach DynamoDB through their public IPs), an internet-facing ALB (HTTPS 443, HTTP 80
 * redirecting to it), an ECS cluster and a Fargate service with the deployment circuit breaker and
 * target tracking on requests per target. Every resource that can carry a tag carries
 * `lambdaflex:service` = the service (the CloudFormation service role acts on nothing else), and the ALB
 * writes access logs to the control stack's bucket.
 *
 * The reconciler creates, updates and deletes this stack by parameters (`TIER_PARAMETERS`), always with
 * this one uploaded template (its role may use no other): every input is a `CfnParameter` or one of
 * the service's SSM parameters the base stack writes (`TIER_SETTINGS`: the container port, the health
 * check path, the environment file), resolved by CloudFormation with `{{resolve:ssm:...}}` when it
 * creates or updates the stack; nothing is looked up at synth time, and the stack is synthesized
 * without bootstrap resources (no `BootstrapVersion` parameter, no assets). It creates no IAM role: the task roles come from the base
 * stack as parameters, so the CloudFormation service role that deploys it needs no IAM write access.
 * Being its own stack, a failed tier change rolls back here and never touches the Lambda path.
 */
export class TierStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description: 'LambdaFlex Fargate tier: created, updated and deleted by the reconciler',
      synthesizer: new BootstraplessSynthesizer(),
      analyticsReporting: false,
      ...props,
    });
    const p = this.parameters();
    const service = p.serviceName.valueAsString;
    // The service's own values, from the base stack by the service's name (the reconciler passes no parameter for them).
    const fromBaseStack = (setting: TierSetting) =>
      ssm.StringParameter.fromStringParameterAttributes(this, `Setting-${setting}`, {
        parameterName: tierSettingParameterName(service, setting),
        // A path, which CDK cannot see through the ServiceName token; resolved at deploy, never at synth.
        simpleName: false,
        forceDynamicReference: true,
      }).stringValue;
    const port = fromBaseStack('container-port');
    const containerPort = Token.asNumber(port);
    const healthCheckPath = fromBaseStack('health-check-path');
    const environmentFileArn = fromBaseStack('environment-file');
    // On every resource that can carry it, in the template itself (not left to stack tags): the
    // CloudFormation service role creates, changes and deletes only what carries it.
    Tags.of(this).add(SERVICE_TAG_KEY, service);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
      // Fn::GetAZs picks the two zones at deploy time: no context lookup, no account needed to synthesize.
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
      // The restriction is a custom resource (a Lambda with its own role): not worth it in a VPC that
      // holds nothing but this tier and lives for hours.
      restrictDefaultSecurityGroup: false,
    });
    acknowledgeNag(
      vpc,
      'AwsSolutions-VPC7',
      'No flow logs, by decision: the VPC holds only the ALB and the tasks, behind security groups that admit the listeners and the container port; ' +
        'every request is in the ALB access logs. Flow logs would give the tier service role logs:CreateLogDelivery on * and s3:PutBucketPolicy ' +
        '(S3 delivery) or an IAM role to pass (CloudWatch delivery), power this role is scoped to avoid.',
    );

    const albSecurityGroup = new ec2.SecurityGroup(this, 'AlbSecurityGroup', {
      vpc,
      description: 'LambdaFlex ALB: HTTPS and HTTP from anywhere, to the tasks only',
      allowAllOutbound: false,
    });
    acknowledgeNag(
      albSecurityGroup,
      'AwsSolutions-EC23',
      'The internet-facing ALB of a public API: 443 (HTTPS, TLS policy RECOMMENDED_TLS) and 80 (only a redirect to 443) from anywhere, by design; the tasks admit the ALB only.',
    );
    const taskSecurityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc,
      description: 'LambdaFlex Fargate tasks: the container port from the ALB only',
      allowAllOutbound: false,
    });
    // ECR, DynamoDB, CloudWatch Logs and Lambda (the instant spill) all answer on HTTPS; nothing else leaves the tasks.
    taskSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs (ECR, DynamoDB, CloudWatch Logs)');

    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      securityGroup: albSecurityGroup,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
    });
    // Access logs to the control stack's bucket, found by its account-and-region name (the template
    // takes no parameter for it); ELB checks it can write there when the attribute is set.
    loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
    loadBalancer.setAttribute('access_logs.s3.bucket', albAccessLogsBucketName(Aws.ACCOUNT_ID, Aws.REGION));
    loadBalancer.setAttribute('access_logs.s3.prefix', albAccessLogsPrefix(service));
    const https = loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(p.certificateArn.valueAsString)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: true,
    });
    loadBalancer.addRedirect({
      sourcePort: 80,
      sourceProtocol: elbv2.ApplicationProtocol.HTTP,
      targetPort: 443,
      targetProtocol: elbv2.ApplicationProtocol.HTTPS,
    });

    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, clusterName: fargateResourceName(service) });
    acknowledgeNag(
      cluster,
      'AwsSolutions-ECS4',
      'No Container Insights, for cost: it bills its cluster, service and task metrics as custom metrics plus their log ingestion, for every ' +
        "hour the tier exists, where ECS's free service CPU and memory metrics and the ALB metrics the reconciler reads already show the load.",
    );

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: fargateResourceName(service),
      cpu: p.cpu.valueAsNumber,
      memoryLimitMiB: p.memory.valueAsNumber,
      // Imported and immutable: CDK adds no policy to them (the base stack owns their permissions).
      executionRole: iam.Role.fromRoleArn(this, 'TaskExecutionRole', p.taskExecutionRoleArn.valueAsString, { mutable: false }),
      taskRole: iam.Role.fromRoleArn(this, 'TaskRole', p.taskRoleArn.valueAsString, { mutable: false }),
      // The same image runs on Lambda, whose function is x86_64 (see the base stack).
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    acknowledgeNag(
      taskDefinition,
      'AwsSolutions-ECS2',
      'The environment holds configuration only (port, host, tier, table and function names, the in-flight limit); the one value read from a ' +
        "store, the admin key hashes, comes from SSM through `secrets`; the user's own variables come from the base stack's environment file " +
        'and are plain configuration by contract (docs/deploy.md: never a secret in the settings). No secret is in the template.',
    );
    const platformEnvironment = {
      PORT: port,
      HOST: '0.0.0.0',
      LAMBDAFLEX_TIER: 'fargate',
      // Replaced below by the same entry under the HasPetsTable condition (a service without the table has no PETS_TABLE).
      PETS_TABLE: p.petsTable.valueAsString,
      STATE_TABLE: STATE_TABLE_NAME,
      SERVICE_NAME: service,
      AWS_REGION: Aws.REGION,
      // The instant spill: past this many requests in flight, a task hands the next ones to the function
      // (the task role may invoke exactly that one, see the base stack).
      LAMBDAFLEX_MAX_INFLIGHT: p.maxInFlightPerTask.valueAsString,
      LAMBDAFLEX_SPILL_FUNCTION: p.spillFunctionName.valueAsString,
    };
    const container = taskDefinition.addContainer(CONTAINER_NAME, {
      image: ecs.ContainerImage.fromRegistry(p.imageUri.valueAsString),
      portMappings: [{ containerPort, protocol: ecs.Protocol.TCP }],
      // These win over the environment file's (ECS gives `environment` precedence; the settings refuse these names anyway).
      environment: platformEnvironment,
      secrets: {
        // Written by the base stack; read by ECS at task start with the base stack's execution role.
        ADMIN_KEYS: ecs.Secret.fromSsmParameter(
          // simpleName false: the name is a path (`/lambdaflex/...`), which CDK cannot see through the ServiceName token.
          ssm.StringParameter.fromStringParameterAttributes(this, 'AdminKeys', { parameterName: adminKeysParameterName(service), simpleName: false }),
        ),
      },
      logging: ecs.LogDrivers.awsLogs({
        // Created by the base stack (with its retention) so that logs outlive the tier.
        logGroup: logs.LogGroup.fromLogGroupName(this, 'Logs', fargateLogGroupName(service)),
        streamPrefix: CONTAINER_NAME,
      }),
      // The app drains in-flight requests on SIGTERM within 25 s (SHUTDOWN_TIMEOUT_MS).
      stopTimeout: Duration.seconds(30),
    });
    this.serviceEnvironment(taskDefinition, container, Object.keys(platformEnvironment).indexOf('PETS_TABLE'), p.petsTable, environmentFileArn);

    const fargateService = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      serviceName: fargateResourceName(service),
      desiredCount: p.desiredCount.valueAsNumber,
      // Public subnets and public IPs instead of a NAT gateway ($0.045/h) to pull the image.
      assignPublicIp: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroups: [taskSecurityGroup],
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      // A Node.js app is up in seconds; the grace only covers the image pull's tail.
      healthCheckGracePeriod: Duration.seconds(60),
    });

    const targetGroup = https.addTargets('Fargate', {
      port: containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [fargateService.loadBalancerTarget({ containerName: CONTAINER_NAME, containerPort })],
      // Healthy after 2 × 10 s instead of the default 5 × 30 s: the machine waits for healthy targets.
      healthCheck: {
        path: healthCheckPath,
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
        healthyHttpCodes: '200',
      },
      // The default 300 s would hold every scale-in and teardown for five minutes; requests take well under 30 s.
      deregistrationDelay: Duration.seconds(30),
    });

    const taskCount = fargateService.autoScaleTaskCount({
      minCapacity: p.minTasks.valueAsNumber,
      maxCapacity: p.maxTasks.valueAsNumber,
    });
    taskCount.scaleOnRequestCount('RequestsPerTarget', {
      requestsPerTarget: p.requestsPerTargetPerMinute.valueAsNumber,
      targetGroup,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.seconds(120),
    });

    const o = TIER_OUTPUTS;
    new CfnOutput(this, o.loadBalancerDnsName, { value: loadBalancer.loadBalancerDnsName, description: 'The alias target of the alb record' });
    new CfnOutput(this, o.loadBalancerHostedZoneId, { value: loadBalancer.loadBalancerCanonicalHostedZoneId, description: "The ALB's canonical hosted zone" });
    new CfnOutput(this, o.loadBalancerFullName, { value: loadBalancer.loadBalancerFullName, description: 'CloudWatch dimension LoadBalancer (app/...)' });
    new CfnOutput(this, o.targetGroupFullName, { value: targetGroup.targetGroupFullName, description: 'CloudWatch dimension TargetGroup (targetgroup/...)' });
  }

  /**
   * What differs between services' containers beyond the parameters: `PETS_TABLE` only while the
   * `PetsTable` parameter names a table (not {@link NO_PETS_TABLE}), and the user's variables from the
   * environment file the base stack uploaded. CDK renders neither (a conditional list entry, a file
   * whose ARN is resolved at deploy), so both are set on the rendered container definition.
   */
  private serviceEnvironment(
    taskDefinition: ecs.FargateTaskDefinition,
    container: ecs.ContainerDefinition,
    petsTableIndex: number,
    petsTable: CfnParameter,
    environmentFileArn: string,
  ): void {
    const hasPetsTable = new CfnCondition(this, 'HasPetsTable', { expression: Fn.conditionNot(Fn.conditionEquals(petsTable.valueAsString, NO_PETS_TABLE)) });
    const cfn = taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
    const index = taskDefinition.node.children.filter((c) => c instanceof ecs.ContainerDefinition).indexOf(container);
    cfn.addPropertyOverride(
      `ContainerDefinitions.${index}.Environment.${petsTableIndex}`,
      Fn.conditionIf(hasPetsTable.logicalId, { Name: 'PETS_TABLE', Value: petsTable.valueAsString }, Aws.NO_VALUE),
    );
    cfn.addPropertyOverride(`ContainerDefinitions.${index}.EnvironmentFiles`, [{ Type: ecs.EnvironmentFileType.S3, Value: environmentFileArn }]);
  }

  /** One `CfnParameter` per entry of `TIER_PARAMETERS`, each with the bounds CloudFormation checks before it acts. */
  private parameters() {
    const p = TIER_PARAMETERS;
    const number = (id: string, description: string, minValue: number, maxValue: number) =>
      new CfnParameter(this, id, { type: 'Number', description, minValue, maxValue });
    return {
      serviceName: new CfnParameter(this, p.serviceName, {
        type: 'String',
        description: "The service's name (its policy's key)",
        allowedPattern: SERVICE_NAME_ALLOWED_PATTERN,
        constraintDescription: 'lower-case letters, digits and -, starting with a letter, at most 40',
      }),
      imageUri: new CfnParameter(this, p.imageUri, { type: 'String', description: 'The image, as the base stack runs it on Lambda', minLength: 1 }),
      desiredCount: number(p.desiredCount, 'Tasks to run now (target tracking moves it between the bounds)', 0, 1000),
      minTasks: number(p.minTasks, 'Target tracking lower bound', 1, 1000),
      maxTasks: number(p.maxTasks, 'Target tracking upper bound', 1, 1000),
      cpu: new CfnParameter(this, p.cpu, { type: 'Number', description: 'Task CPU units', allowedValues: FARGATE_CPU_UNITS }),
      memory: number(p.memory, 'Task memory (MiB)', 512, 122_880),
      requestsPerTargetPerMinute: number(p.requestsPerTargetPerMinute, 'ALB requests per target per minute that target tracking holds', 1, 10_000_000),
      certificateArn: new CfnParameter(this, p.certificateArn, {
        type: 'String',
        description: "The HTTPS listener's ACM certificate (the base stack's, for the same name)",
        allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$',
      }),
      taskExecutionRoleArn: new CfnParameter(this, p.taskExecutionRoleArn, {
        type: 'String',
        description: 'Pulls the image and writes the logs (from the base stack)',
        allowedPattern: TIER_ROLE_ARN_PATTERN,
        constraintDescription: `an IAM role ARN under the path ${TIER_ROLE_PATH}`,
      }),
      taskRoleArn: new CfnParameter(this, p.taskRoleArn, {
        type: 'String',
        description: "The app's own permissions (from the base stack)",
        allowedPattern: TIER_ROLE_ARN_PATTERN,
        constraintDescription: `an IAM role ARN under the path ${TIER_ROLE_PATH}`,
      }),
      petsTable: new CfnParameter(this, p.petsTable, {
        type: 'String',
        description: `The app's DynamoDB table (PETS_TABLE), or ${NO_PETS_TABLE} when the service has none`,
        minLength: 3,
        maxLength: 255,
      }),
      spillFunctionName: new CfnParameter(this, p.spillFunctionName, {
        type: 'String',
        description: "The function a saturated task hands its excess to (the base stack's); the task role may invoke only it",
        allowedPattern: '^[A-Za-z0-9_-]{1,64}$',
        constraintDescription: 'a Lambda function name',
      }),
      maxInFlightPerTask: number(p.maxInFlightPerTask, 'Requests one task serves at once before it spills to the function (0: no limit)', 0, 100_000),
    };
  }
}
