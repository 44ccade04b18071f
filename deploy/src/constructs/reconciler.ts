import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { baseStackName, tierStackName } from '@lambdaflex/state';
import { acknowledgeWildcardResources } from '../nag';

/**
 * The only IAM action of the reconciler granted on `*`: CloudWatch offers no resource-level
 * permissions for GetMetricData (metrics are not resources).
 */
const RECONCILER_UNSCOPABLE_ACTIONS = ['cloudwatch:GetMetricData'] as const;

/** Environment variable carrying the CloudFormation service role's ARN (to pass as `RoleARN`). */
export const TIER_STACK_ROLE_ARN_ENV = 'TIER_STACK_ROLE_ARN';

/** What the reconciler is given: its bundle, its table, the tier template and the role that deploys it. */
export interface ReconcilerProps {
  /** A directory holding `handler.js` (the bundle of apps/reconciler/src/handler.ts). */
  readonly codePath: string;
  readonly stateTable: dynamodb.ITable;
  /** The tier template, uploaded: its URL goes to the reconciler, which creates tier stacks from it. */
  readonly tierTemplate: s3assets.Asset;
  /** The role CloudFormation assumes for tier stacks; the only role the reconciler may pass. */
  readonly tierStackRole: iam.IRole;
  /** The hosted zones whose weighted records the reconciler owns (ids without `/hostedzone/`). */
  readonly hostedZoneIds: readonly string[];
}

/**
 * The reconciler Lambda on a one-minute EventBridge schedule, with a role limited to the calls it makes
 * (apps/reconciler/src/adapters): its table; `DescribeStacks` on `lambdaflex-*`; create, update and
 * delete on tier stacks only, only through the CloudFormation service role, and create and update only
 * from the uploaded template; the `A` records of the given hosted zones; `GetChange`;
 * `GetMetricData`; reading the template object.
 *
 * A tick is level-triggered and idempotent: a failed or late tick is never retried (by EventBridge or
 * by Lambda's async queue) — the next one, a minute later, reads the world afresh.
 */
export class Reconciler extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ReconcilerProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'LambdaFlex reconciler: exactly the AWS calls one tick makes',
    });
    const allow = (sid: string, actions: readonly string[], resources: string[], conditions?: Record<string, Record<string, unknown>>) =>
      this.role.addToPolicy(new iam.PolicyStatement({ sid, actions: [...actions], resources, ...(conditions ? { conditions } : {}) }));
    // Why a resource pattern holds a `*`: the acknowledgment of cdk-nag's AwsSolutions-IAM5 finding for it.
    const wildcards = (resources: string[], reason: string) => acknowledgeWildcardResources(this.role, resources, reason);

    // StateStore: get/put/delete items, query a service's history, scan for the services with a policy.
    allow(
      'StateTable',
      ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:Scan'],
      [props.stateTable.tableArn],
    );

    // `stack/lambdaflex-*` covers both `lambdaflex-<service>/<id>` (base) and `lambdaflex-<service>-tier/<id>`.
    const stackArn = (name: string) => stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: name });
    allow('DescribeStacks', ['cloudformation:DescribeStacks'], [stackArn(baseStackName('*'))]);
    const tierStacks = stackArn(`${tierStackName('*')}/*`);
    wildcards([stackArn(baseStackName('*')), tierStacks], 'one reconciler serves every service: stacks lambdaflex-<service>[-tier], with the id CloudFormation appends');
    // Every stack operation names the service role (`RoleARN`): without it CloudFormation would act
    // with the role already associated with the stack, or with the reconciler's own rights.
    const throughServiceRole = { 'cloudformation:RoleArn': props.tierStackRole.roleArn };
    const fromTierTemplate = { 'cloudformation:TemplateUrl': props.tierTemplate.httpUrl };
    allow('CreateTierStacks', ['cloudformation:CreateStack'], [tierStacks], { StringEquals: { ...throughServiceRole, ...fromTierTemplate } });
    // Updates send the uploaded template too (the adapter never uses UsePreviousTemplate): both writes are
    // bound to it, so neither an inline TemplateBody nor a stack's own older template can get through.
    allow('UpdateTierStacks', ['cloudformation:UpdateStack'], [tierStacks], { StringEquals: { ...throughServiceRole, ...fromTierTemplate } });
    allow('DeleteTierStacks', ['cloudformation:DeleteStack'], [tierStacks], { StringEquals: throughServiceRole });
    // CreateStack with Tags (the adapter tags `lambdaflex:managed-by`) is also authorized as TagResource.
    allow('TagTierStacks', ['cloudformation:TagResource'], [tierStacks]);
    allow('PassTierStackRole', ['iam:PassRole'], [props.tierStackRole.roleArn], {
      StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
    });
    // CloudFormation fetches a TemplateURL with the caller's permissions.
    allow('ReadTierTemplate', ['s3:GetObject'], [props.tierTemplate.bucket.arnForObjects(props.tierTemplate.s3ObjectKey)]);

    if (props.hostedZoneIds.length) {
      const zones = props.hostedZoneIds.map((zone) => stack.formatArn({ service: 'route53', region: '', account: '', resource: 'hostedzone', resourceName: zone }));
      allow('ReadRecords', ['route53:ListResourceRecordSets'], zones);
      // Only the weighted alias A records (`api` and `alb`), only UPSERT and DELETE.
      allow('ChangeRecords', ['route53:ChangeResourceRecordSets'], zones, {
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsRecordTypes': ['A'],
          'route53:ChangeResourceRecordSetsActions': ['UPSERT', 'DELETE'],
        },
      });
    }
    const changes = [stack.formatArn({ service: 'route53', region: '', account: '', resource: 'change', resourceName: '*' })];
    allow('FollowRecordChanges', ['route53:GetChange'], changes);
    wildcards(changes, 'Route53 generates change ids; GetChange only reads the status of a change');
    allow('ReadMetrics', RECONCILER_UNSCOPABLE_ACTIONS, ['*']);
    wildcards(['*'], 'cloudwatch:GetMetricData has no resource-level permission (metrics are not IAM resources); read-only');

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.TWO_WEEKS, removalPolicy: RemovalPolicy.DESTROY });

    this.function = new lambda.Function(this, 'Function', {
      description: 'LambdaFlex reconciler: one tick a minute over every service with a policy',
      // The newest Node.js Lambda runs; the bundle targets node20 and the handler is async.
      runtime: lambda.Runtime.NODEJS_24_X,
      // A pure JavaScript bundle: Graviton is cheaper per GB-second.
      architecture: lambda.Architecture.ARM_64,
      handler: 'handler.handler',
      code: lambda.Code.fromAsset(props.codePath),
      memorySize: 256,
      // Under the schedule's minute, so one tick is over before the next begins.
      timeout: Duration.seconds(55),
      role: this.role,
      // Its own log group, written with the role's own scoped permission (no AWSLambdaBasicExecutionRole).
      logGroup,
      environment: {
        STATE_TABLE: props.stateTable.tableName,
        TIER_TEMPLATE_URL: props.tierTemplate.httpUrl,
        [TIER_STACK_ROLE_ARN_ENV]: props.tierStackRole.roleArn,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    logGroup.grantWrite(this.role);
    this.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });

    new events.Rule(this, 'Schedule', {
      description: 'LambdaFlex: one reconcile tick a minute',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });
  }
}
