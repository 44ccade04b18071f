import { FLEET_INDEX, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '@lambdaflex/state';
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import type { Construct } from 'constructs';
import { AlbAccessLogs } from '../constructs/alb-access-logs';
import { Reconciler, type ReconcilerProps } from '../constructs/reconciler';
import { TierStackServiceRole } from '../constructs/tier-stack-service-role';
import { STATE_TABLE_NAME } from '../naming';

/** The control stack's inputs: paths on disk (so tests can hand in stubs) and the zones it may change. */
export interface ControlStackProps extends StackProps {
  /** A directory holding the reconciler bundle's `handler.js` (normally dist/apps/reconciler). */
  readonly reconcilerCodePath: string;
  /** The tier template JSON file (normally dist/deploy/tier.template.json), uploaded as an asset. */
  readonly tierTemplatePath: string;
  /** Every hosted zone holding a managed service's name; the reconciler may change records there only. */
  readonly hostedZoneIds: readonly string[];
  /** The reconciler functions' timeouts, for tests; the construct's defaults otherwise. */
  readonly reconcilerTimeouts?: Pick<ReconcilerProps, 'coordinatorTimeout' | 'workerTimeout'>;
}

/**
 * The control plane, one per account and region: the state table (policy, status, lease and history of
 * every service, with the fleet index), the reconciler (coordinator on its schedule, work queue,
 * workers), the tier template it deploys, the CloudFormation service role that deploys it, and the
 * bucket the tiers' ALBs write their access logs to. Services of that account and region register here.
 */
export class ControlStack extends Stack {
  readonly stateTable: dynamodb.Table;

  constructor(scope: Construct, id: string, props: ControlStackProps) {
    super(scope, id, { description: 'LambdaFlex control plane: state table, reconciler, tier template', ...props });

    this.stateTable = new dynamodb.Table(this, 'StateTable', {
      tableName: STATE_TABLE_NAME,
      partitionKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: SORT_KEY, type: dynamodb.AttributeType.STRING },
      // A few writes a minute per service: on-demand costs cents where provisioned capacity costs dollars.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // History items expire; policy, status and lease carry no such attribute.
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // Policies and history are the operator's record: removing the stack must not delete them.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The fleet index: every POLICY (or every STATUS) item in one paged Query, for the coordinator.
    this.stateTable.addGlobalSecondaryIndex({
      indexName: FLEET_INDEX,
      partitionKey: { name: SORT_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    const tierTemplate = new s3assets.Asset(this, 'TierTemplate', { path: props.tierTemplatePath });
    const tierStackRole = new TierStackServiceRole(this, 'TierStackServiceRole');
    new AlbAccessLogs(this, 'AlbAccessLogs');

    const reconciler = new Reconciler(this, 'Reconciler', {
      codePath: props.reconcilerCodePath,
      stateTable: this.stateTable,
      tierTemplate,
      tierStackRole: tierStackRole.role,
      hostedZoneIds: props.hostedZoneIds,
      ...props.reconcilerTimeouts,
    });

    new CfnOutput(this, 'StateTableName', { value: this.stateTable.tableName });
    new CfnOutput(this, 'ReconcilerFunctionName', { value: reconciler.function.functionName });
    new CfnOutput(this, 'WorkerFunctionName', { value: reconciler.worker.functionName });
    new CfnOutput(this, 'WorkQueueUrl', { value: reconciler.workQueue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: reconciler.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'TierTemplateUrl', { value: tierTemplate.httpUrl });
    new CfnOutput(this, 'TierStackRoleArn', { value: tierStackRole.role.roleArn });
  }
}
