import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FLEET_INDEX, LEASE_SAFETY_MS, LEASE_TTL_MS, baseStackName, tierStackName } from '@lambdaflex/state';
import { acknowledgeNag, acknowledgeWildcardResources } from '../nag';

/**
 * The only IAM action of a tick granted on `*`: CloudWatch offers no resource-level permissions for
 * GetMetricData (metrics are not resources).
 */
const RECONCILER_UNSCOPABLE_ACTIONS = ['cloudwatch:GetMetricData'] as const;

/**
 * The coordinator's listing of the account's stacks: `DescribeStacks` without a `StackName` is
 * authorized on `*` only, and AWS documents that it needs `ListStacks` (no resource type) as well.
 */
const FLEET_LISTING_ACTIONS = ['cloudformation:DescribeStacks', 'cloudformation:ListStacks'] as const;

/** Environment variable carrying the CloudFormation service role's ARN (to pass as `RoleARN`). */
export const TIER_STACK_ROLE_ARN_ENV = 'TIER_STACK_ROLE_ARN';

/** Environment variable carrying the work queue's URL, where the coordinator hands a service's tick to a worker. */
export const WORK_QUEUE_URL_ENV = 'WORK_QUEUE_URL';

/** The coordinator's default timeout: under the schedule's minute, so one tick is over before the next begins. */
export const DEFAULT_COORDINATOR_TIMEOUT = Duration.seconds(55);

/** The worker's default timeout: one service's tick, with room for CloudFormation and Route53 calls to be retried. */
export const DEFAULT_WORKER_TIMEOUT = Duration.minutes(2);

/**
 * How many workers may run at once. The SQS event source's floor (2), and deliberately no more: every
 * worker shares the account's Route53 budget (5 requests a second) with the coordinator.
 */
export const WORKER_MAX_CONCURRENCY = 2;

/**
 * Each function's share of the account's AWS API budget (apps/reconciler's `AWS_RATE_SHARE`): AWS
 * counts the coordinator and every worker together, so half goes to the coordinator and the other half
 * is split between the workers that may run at once. Route53's 4 requests a second (of AWS's 5) stay
 * 4 for the whole reconciler.
 */
export const COORDINATOR_RATE_SHARE = 0.5;
/** A worker's share of the account's AWS API budget: see {@link COORDINATOR_RATE_SHARE}. */
export const WORKER_RATE_SHARE = (1 - COORDINATOR_RATE_SHARE) / WORKER_MAX_CONCURRENCY;

/** Environment variable carrying a function's share of the account's AWS API budget (a fraction). */
export const AWS_RATE_SHARE_ENV = 'AWS_RATE_SHARE';

/** How often a message may fail before it moves to the dead-letter queue. */
export const WORK_MAX_RECEIVE_COUNT = 3;

/**
 * The longest any function that acts under a lease may run: the lease's TTL less the margin a tick
 * keeps before each act. A function that could run longer might act after its lease passed to another.
 */
export const LEASE_BOUND_MS = LEASE_TTL_MS - LEASE_SAFETY_MS;

/** Raised while the app is built when a reconciler function could outlive the lease it acts under. */
export class LeaseTimeoutError extends Error {
  override readonly name = 'LeaseTimeoutError';
}

/**
 * Checks that a function acting under a lease times out before the lease can expire (strictly under
 * {@link LEASE_BOUND_MS}); the Reconciler construct calls it for the coordinator and the worker.
 * @throws LeaseTimeoutError in one sentence naming the function, its timeout and the bound.
 */
export function assertTimeoutWithinLease(functionName: string, timeout: Duration): void {
  if (timeout.toMilliseconds() < LEASE_BOUND_MS) return;
  throw new LeaseTimeoutError(
    `The reconciler ${functionName}'s timeout of ${timeout.toHumanString()} must be under ${Duration.millis(LEASE_BOUND_MS).toHumanString()} ` +
      `(the lease's TTL of ${Duration.millis(LEASE_TTL_MS).toHumanString()} less its safety margin of ${Duration.millis(LEASE_SAFETY_MS).toHumanString()}), ` +
      'or it could act after its lease has expired.',
  );
}

/** What the reconciler is given: its bundle, its table, the tier template and the role that deploys it. */
export interface ReconcilerProps {
  /** A directory holding `handler.js` (the bundle of apps/reconciler/src/handler.ts: `handler` and `worker`). */
  readonly codePath: string;
  readonly stateTable: dynamodb.ITable;
  /** The tier template, uploaded: its URL goes to the reconciler, which creates tier stacks from it. */
  readonly tierTemplate: s3assets.Asset;
  /** The role CloudFormation assumes for tier stacks; the only role the reconciler may pass. */
  readonly tierStackRole: iam.IRole;
  /** The hosted zones whose weighted records the reconciler owns (ids without `/hostedzone/`). */
  readonly hostedZoneIds: readonly string[];
  /** The coordinator's timeout; {@link DEFAULT_COORDINATOR_TIMEOUT} unless a test says otherwise. */
  readonly coordinatorTimeout?: Duration;
  /** The worker's timeout; {@link DEFAULT_WORKER_TIMEOUT} unless a test says otherwise. */
  readonly workerTimeout?: Duration;
}

/**
 * The reconciler: a coordinator Lambda on a one-minute EventBridge schedule, and workers fed by an SQS
 * FIFO queue, both from the same bundle.
 *
 * ```
 * EventBridge rate(1 minute) ─▶ coordinator (handler.handler, 1 at a time)
 *                                 │ observes the fleet in a few batched reads, decides, acts where it has time
 *                                 └─ SendMessage {service, tick} ─▶ work queue (FIFO, group = service)
 *                                                                    │ batch 1, ≤ 2 at once
 *                                                                    ▼
 *                                                  worker (handler.worker): one service's tick under its lease
 *                                                                    │ 3 failed receives
 *                                                                    ▼
 *                                                            dead-letter queue (FIFO)
 * ```
 *
 * Each function has its own role, limited to the calls it makes (apps/reconciler/src/adapters). Both
 * may act: their table; `DescribeStacks` on `lambdaflex-*`; create, update and delete on tier stacks
 * only, only through the CloudFormation service role, and create and update only from the uploaded
 * template; the `A` records of the given hosted zones; `GetChange`; `GetMetricData`; reading the
 * template object. The coordinator may also query the fleet index, list the account's stacks and send
 * to the work queue; the worker may also consume it. Both time out before a lease can expire.
 *
 * A tick is level-triggered and idempotent: a failed or late tick is never retried (by EventBridge or
 * by Lambda's async queue) — the next one, a minute later, reads the world afresh.
 */
export class Reconciler extends Construct {
  /** The coordinator. */
  readonly function: lambda.Function;
  /** The coordinator's role. */
  readonly role: iam.Role;
  readonly worker: lambda.Function;
  readonly workerRole: iam.Role;
  /** Per-service ticks the coordinator hands off: FIFO, grouped by service. */
  readonly workQueue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ReconcilerProps) {
    super(scope, id);
    const coordinatorTimeout = props.coordinatorTimeout ?? DEFAULT_COORDINATOR_TIMEOUT;
    const workerTimeout = props.workerTimeout ?? DEFAULT_WORKER_TIMEOUT;
    assertTimeoutWithinLease('coordinator', coordinatorTimeout);
    assertTimeoutWithinLease('worker', workerTimeout);

    // AWS's advice for a Lambda event source: at least six times the function's timeout.
    const visibilityTimeout = Duration.seconds(workerTimeout.toSeconds() * 6);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      fifo: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Kept for the operator to read: the longest SQS allows.
      retentionPeriod: Duration.days(14),
    });
    this.workQueue = new sqs.Queue(this, 'WorkQueue', {
      fifo: true,
      // The coordinator sets MessageDeduplicationId `${service}:${tick}` itself.
      contentBasedDeduplication: false,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout,
      // A tick is worth doing soon or not at all (the next tick re-reads the world): after workers stop,
      // the backlog expires instead of replaying hours of ticks, yet not before every receive it is allowed.
      retentionPeriod: Duration.seconds(visibilityTimeout.toSeconds() * (WORK_MAX_RECEIVE_COUNT + 1)),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: WORK_MAX_RECEIVE_COUNT },
    });

    const code = lambda.Code.fromAsset(props.codePath);
    // What both handlers of the bundle are told; each function adds its own.
    const environment = {
      STATE_TABLE: props.stateTable.tableName,
      TIER_TEMPLATE_URL: props.tierTemplate.httpUrl,
      [TIER_STACK_ROLE_ARN_ENV]: props.tierStackRole.roleArn,
      NODE_OPTIONS: '--enable-source-maps',
    };
    const reconcilerFunction = (
      name: string,
      fn: { handler: string; description: string; role: iam.Role; timeout: Duration; reservedConcurrentExecutions?: number; environment: Record<string, string> },
    ) => {
      const logGroup = new logs.LogGroup(this, `${name}Logs`, { retention: logs.RetentionDays.TWO_WEEKS, removalPolicy: RemovalPolicy.DESTROY });
      const created = new lambda.Function(this, `${name}Function`, {
        ...fn,
        // The newest Node.js Lambda runs; the bundle targets node20 and the handler is async.
        runtime: lambda.Runtime.NODEJS_24_X,
        // A pure JavaScript bundle: Graviton is cheaper per GB-second.
        architecture: lambda.Architecture.ARM_64,
        code,
        memorySize: 256,
        // Its own log group, written with the role's own scoped permission (no AWSLambdaBasicExecutionRole).
        logGroup,
        environment: { ...environment, ...fn.environment },
      });
      logGroup.grantWrite(fn.role);
      return created;
    };

    // The coordinator keeps the construct ids it had as the only function ("Role", "Logs", "Function").
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'LambdaFlex reconciler coordinator: the fleet reads, the calls one tick makes, handing work to the queue',
    });
    grantTickPermissions(this.role, props);
    this.role.addToPolicy(
      // The fleet's policies and statuses in one paged Query each (FLEET_INDEX: keyed by sk, then pk).
      new iam.PolicyStatement({ sid: 'QueryFleetIndex', actions: ['dynamodb:Query'], resources: [`${props.stateTable.tableArn}/index/${FLEET_INDEX}`] }),
    );
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'SendWork', actions: ['sqs:SendMessage'], resources: [this.workQueue.queueArn] }));
    // Its own policy, so that the one `*` it adds carries its own acknowledgment (the role's `*` is GetMetricData's).
    const fleetListing = new iam.Policy(this, 'FleetListing', {
      roles: [this.role],
      statements: [new iam.PolicyStatement({ sid: 'ListAccountStacks', actions: [...FLEET_LISTING_ACTIONS], resources: ['*'] })],
    });
    acknowledgeNag(
      fleetListing,
      'AwsSolutions-IAM5[Resource::*]',
      "the coordinator lists the account's stacks in pages: DescribeStacks without a StackName is authorized on * only and needs ListStacks, which has no resource type; read-only",
    );

    this.function = reconcilerFunction('', {
      description: 'LambdaFlex reconciler coordinator: one tick a minute over every service with a policy',
      handler: 'handler.handler',
      role: this.role,
      timeout: coordinatorTimeout,
      // One coordinator per account and region: a late tick never overlaps the next.
      reservedConcurrentExecutions: 1,
      environment: { [WORK_QUEUE_URL_ENV]: this.workQueue.queueUrl, [AWS_RATE_SHARE_ENV]: String(COORDINATOR_RATE_SHARE) },
    });
    this.function.node.addDependency(fleetListing);
    this.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });

    new events.Rule(this, 'Schedule', {
      description: 'LambdaFlex: one reconcile tick a minute',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });

    this.workerRole = new iam.Role(this, 'WorkerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'LambdaFlex reconciler worker: the calls one service tick makes, reading the work queue',
    });
    grantTickPermissions(this.workerRole, props);
    this.worker = reconcilerFunction('Worker', {
      description: 'LambdaFlex reconciler worker: one service tick, handed over by the coordinator',
      handler: 'handler.worker',
      role: this.workerRole,
      timeout: workerTimeout,
      // No WORK_QUEUE_URL: a worker only consumes (Lambda polls the queue for it) and never sends.
      environment: { [AWS_RATE_SHARE_ENV]: String(WORKER_RATE_SHARE) },
    });
    // Grants the worker's role ReceiveMessage, DeleteMessage, ChangeMessageVisibility and the queue's attributes.
    this.worker.addEventSource(
      new SqsEventSource(this.workQueue, { batchSize: 1, maxConcurrency: WORKER_MAX_CONCURRENCY, reportBatchItemFailures: true }),
    );
  }
}

/**
 * The calls one service's tick makes (apps/reconciler/src/adapters), granted to a role: the coordinator
 * and the worker both act. Each wildcard resource is acknowledged on that role, with its reason.
 */
function grantTickPermissions(role: iam.Role, props: ReconcilerProps): void {
  const stack = Stack.of(role);
  const allow = (sid: string, actions: readonly string[], resources: string[], conditions?: Record<string, Record<string, unknown>>) =>
    role.addToPolicy(new iam.PolicyStatement({ sid, actions: [...actions], resources, ...(conditions ? { conditions } : {}) }));
  // Why a resource pattern holds a `*`: the acknowledgment of cdk-nag's AwsSolutions-IAM5 finding for it.
  const wildcards = (resources: string[], reason: string) => acknowledgeWildcardResources(role, resources, reason);

  // StateStore: get and put items, take and give up a lease (a conditional UpdateItem; a lease is never
  // deleted, so its epoch only rises), query a service's history. No Scan, no DeleteItem.
  allow(
    'StateTable',
    ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
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
}
