import { LEASE_SAFETY_MS, LEASE_TTL_MS } from '@lambdaflex/state';
import { App, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { LeaseTimeoutError, TIER_STACK_ROLE_ARN_ENV, WORK_QUEUE_URL_ENV, assertTimeoutWithinLease } from '../constructs/reconciler';
import { SERVICE_TAG_KEY } from '../naming';
import { synthesizeTierTemplate } from '../tier-template';
import { allowedActions, dynamicReferences, render, statementsOfRole, stubReconcilerBundle, templateFile, type FoundStatement } from '../testing/template-helpers';
import { ControlStack } from './control-stack';

/**
 * What CloudFormation calls to create, update and delete each resource type of the tier template
 * (the resource types' handler permissions in the CloudFormation registry schemas). A resource type
 * added to the tier fails the coverage test until it is listed here and the service role grants it.
 */
const TIER_RESOURCE_ACTIONS: Record<string, string[]> = {
  'AWS::EC2::VPC': ['ec2:CreateVpc', 'ec2:DeleteVpc', 'ec2:DescribeVpcs', 'ec2:ModifyVpcAttribute', 'ec2:CreateTags'],
  'AWS::EC2::Subnet': ['ec2:CreateSubnet', 'ec2:DeleteSubnet', 'ec2:DescribeSubnets', 'ec2:ModifySubnetAttribute', 'ec2:CreateTags'],
  'AWS::EC2::RouteTable': ['ec2:CreateRouteTable', 'ec2:DeleteRouteTable', 'ec2:DescribeRouteTables', 'ec2:CreateTags'],
  'AWS::EC2::SubnetRouteTableAssociation': ['ec2:AssociateRouteTable', 'ec2:DisassociateRouteTable', 'ec2:ReplaceRouteTableAssociation'],
  'AWS::EC2::Route': ['ec2:CreateRoute', 'ec2:DeleteRoute', 'ec2:ReplaceRoute'],
  'AWS::EC2::InternetGateway': ['ec2:CreateInternetGateway', 'ec2:DeleteInternetGateway', 'ec2:DescribeInternetGateways', 'ec2:CreateTags'],
  'AWS::EC2::VPCGatewayAttachment': ['ec2:AttachInternetGateway', 'ec2:DetachInternetGateway'],
  'AWS::EC2::SecurityGroup': [
    'ec2:CreateSecurityGroup',
    'ec2:DeleteSecurityGroup',
    'ec2:DescribeSecurityGroups',
    'ec2:AuthorizeSecurityGroupIngress',
    'ec2:RevokeSecurityGroupEgress',
    'ec2:CreateTags',
  ],
  'AWS::EC2::SecurityGroupIngress': ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
  'AWS::EC2::SecurityGroupEgress': ['ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupEgress'],
  'AWS::ElasticLoadBalancingV2::LoadBalancer': [
    'elasticloadbalancing:CreateLoadBalancer',
    'elasticloadbalancing:DeleteLoadBalancer',
    'elasticloadbalancing:DescribeLoadBalancers',
    'elasticloadbalancing:ModifyLoadBalancerAttributes',
    'elasticloadbalancing:AddTags',
  ],
  'AWS::ElasticLoadBalancingV2::Listener': [
    'elasticloadbalancing:CreateListener',
    'elasticloadbalancing:DeleteListener',
    'elasticloadbalancing:DescribeListeners',
    'elasticloadbalancing:AddTags',
  ],
  'AWS::ElasticLoadBalancingV2::TargetGroup': [
    'elasticloadbalancing:CreateTargetGroup',
    'elasticloadbalancing:DeleteTargetGroup',
    'elasticloadbalancing:DescribeTargetGroups',
    'elasticloadbalancing:ModifyTargetGroupAttributes',
    'elasticloadbalancing:AddTags',
  ],
  'AWS::ECS::Cluster': ['ecs:CreateCluster', 'ecs:DeleteCluster', 'ecs:DescribeClusters', 'ecs:TagResource'],
  'AWS::ECS::TaskDefinition': [
    'ecs:RegisterTaskDefinition',
    'ecs:DeregisterTaskDefinition',
    'ecs:DescribeTaskDefinition',
    'ecs:TagResource',
    'iam:GetRole',
    'iam:PassRole',
  ],
  'AWS::ECS::Service': ['ecs:CreateService', 'ecs:DeleteService', 'ecs:DescribeServices', 'ecs:UpdateService', 'ecs:TagResource'],
  'AWS::ApplicationAutoScaling::ScalableTarget': [
    'application-autoscaling:RegisterScalableTarget',
    'application-autoscaling:DeregisterScalableTarget',
    'application-autoscaling:DescribeScalableTargets',
    'application-autoscaling:TagResource',
  ],
  'AWS::ApplicationAutoScaling::ScalingPolicy': [
    'application-autoscaling:PutScalingPolicy',
    'application-autoscaling:DeleteScalingPolicy',
    'application-autoscaling:DescribeScalingPolicies',
  ],
};

const ZONES = ['Z0123456789ABCDEFGHIJ', 'Z9876543210ZYXWVUTSRQ'];

/** The actions one service's tick needs: both the coordinator and the worker act. */
const TICK_ACTIONS = [
  'cloudformation:CreateStack',
  'cloudformation:DeleteStack',
  'cloudformation:DescribeStacks',
  'cloudformation:TagResource',
  'cloudformation:UpdateStack',
  'cloudwatch:GetMetricData',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
  'iam:PassRole',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'route53:ChangeResourceRecordSets',
  'route53:GetChange',
  'route53:ListResourceRecordSets',
  's3:GetObject',
];

/** A resource of a template, as `Template.findResources` returns it. */
type Resource = ReturnType<Template['findResources']>[string];

describe('ControlStack', () => {
  let template: Template;
  let tierTemplate: Record<string, unknown>;
  let reconciler: FoundStatement[];
  let worker: FoundStatement[];
  let serviceRole: FoundStatement[];
  /** A function of the template by its handler (`handler.handler`: the coordinator; `handler.worker`). */
  const fn = (handler: string): Resource => {
    const found = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: handler } }));
    if (found.length !== 1) throw new Error(`${found.length} functions with handler ${handler}`);
    return found[0];
  };
  const logicalId = (type: string, prefix: string): string => {
    const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
    if (ids.length !== 1) throw new Error(`${ids.length} ${type} named ${prefix}*`);
    return ids[0];
  };
  const statement = (statements: FoundStatement[], sid: string): FoundStatement => {
    const found = statements.find((s) => s.sid === sid);
    if (!found) throw new Error(`no statement ${sid}`);
    return found;
  };

  beforeAll(() => {
    tierTemplate = synthesizeTierTemplate();
    const stack = new ControlStack(new App(), 'Control', {
      reconcilerCodePath: stubReconcilerBundle(),
      tierTemplatePath: templateFile(tierTemplate),
      hostedZoneIds: ZONES,
    });
    template = Template.fromStack(stack);
    reconciler = statementsOfRole(template.toJSON(), 'ReconcilerRole');
    worker = statementsOfRole(template.toJSON(), 'ReconcilerWorkerRole');
    serviceRole = statementsOfRole(template.toJSON(), 'TierStackServiceRole');
  });

  describe('state table', () => {
    it('is keyed by pk and sk (strings), on demand, with point-in-time recovery and TTL on expiresAt', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: 'lambdaflex-state',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
    });

    it('outlives the stack', () => {
      template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });

    it('has the fleet index by-kind: keyed by sk then pk, projecting every attribute', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        GlobalSecondaryIndexes: [
          {
            IndexName: 'by-kind',
            KeySchema: [
              { AttributeName: 'sk', KeyType: 'HASH' },
              { AttributeName: 'pk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      });
    });
  });

  describe('reconciler coordinator', () => {
    it('runs the bundle’s handler.handler on Node.js 24, the newest Lambda runtime, within the schedule’s minute', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Handler: 'handler.handler',
        Timeout: Match.anyValue(),
        Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReconcilerRole'), 'Arn'] },
      });
      expect(fn('handler.handler').Properties.Timeout).toBeLessThan(60);
    });

    it('runs one at a time in the account and region (reserved concurrency 1)', () => {
      expect(fn('handler.handler').Properties.ReservedConcurrentExecutions).toBe(1);
    });

    it('is told its table, the tier template URL, the CloudFormation service role and the work queue', () => {
      const env = fn('handler.handler').Properties.Environment.Variables as Record<string, unknown>;
      expect(env.STATE_TABLE).toEqual({ Ref: expect.stringMatching(/^StateTable/) });
      expect(render(env.TIER_TEMPLATE_URL)).toMatch(/^https:\/\/s3\.\$\{AWS::Region\}\.\$\{AWS::URLSuffix\}\/cdk-[a-z0-9]+-assets-\$\{AWS::AccountId\}-\$\{AWS::Region\}\/[a-f0-9]{64}\.json$/);
      expect(env[TIER_STACK_ROLE_ARN_ENV]).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TierStackServiceRole/), 'Arn'] });
      expect(env[WORK_QUEUE_URL_ENV]).toEqual({ Ref: logicalId('AWS::SQS::Queue', 'ReconcilerWorkQueue') });
    });

    it('ticks on an EventBridge schedule of rate(1 minute), never retried (the next tick re-reads the world)', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReconcilerFunction'), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } })],
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
    });

    it('writes to its own log group with a retention, not through AWSLambdaBasicExecutionRole', () => {
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
      template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
      const logs = reconciler.filter((s) => s.actions.some((a) => a.startsWith('logs:')));
      expect(logs).toHaveLength(1);
      expect(logs[0].actions.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(logs[0].resources).toEqual([expect.stringMatching(/^\$\{ReconcilerLogs\w+\.Arn\}$/)]);
    });
  });

  describe('reconciler coordinator role: the calls a tick makes, the fleet reads and handing work on', () => {
    it('allows no other action', () => {
      expect(allowedActions(reconciler)).toEqual([...TICK_ACTIONS, 'cloudformation:ListStacks', 'sqs:SendMessage'].sort());
    });

    it('uses the state table and its fleet index only', () => {
      expect(statement(reconciler, 'StateTable').resources).toEqual([expect.stringMatching(/^\$\{StateTable\w+\.Arn\}$/)]);
      const index = statement(reconciler, 'QueryFleetIndex');
      expect(index.actions).toEqual(['dynamodb:Query']);
      expect(index.resources).toEqual([expect.stringMatching(/^\$\{StateTable\w+\.Arn\}\/index\/by-kind$/)]);
    });

    it('sends to the work queue only (sqs:SendMessage on its ARN, nothing else of SQS)', () => {
      const sqs = reconciler.filter((s) => s.actions.some((a) => a.startsWith('sqs:')));
      expect(sqs.map((s) => [s.sid, s.actions, s.resources])).toEqual([['SendWork', ['sqs:SendMessage'], [`\${${logicalId('AWS::SQS::Queue', 'ReconcilerWorkQueue')}.Arn}`]]]);
    });

    it('lists the account’s stacks (DescribeStacks with no name, and ListStacks) in a statement of its own on *', () => {
      const listing = reconciler.filter((s) => s.resources.includes('*') && s.actions.some((a) => a.startsWith('cloudformation:')));
      expect(listing.map((s) => [s.sid, s.actions, s.resources])).toEqual([['ListAccountStacks', ['cloudformation:DescribeStacks', 'cloudformation:ListStacks'], ['*']]]);
    });

    it('describes lambdaflex-* stacks (base and tier) only', () => {
      expect(statement(reconciler, 'DescribeStacks').resources).toEqual([
        'arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/lambdaflex-*',
      ]);
    });

    it('creates, updates and deletes tier stacks only, and only through the CloudFormation service role', () => {
      const tierStacks = ['arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/lambdaflex-*-tier/*'];
      const roleCondition = { 'cloudformation:RoleArn': { 'Fn::GetAtt': [expect.stringMatching(/^TierStackServiceRole/), 'Arn'] } };
      const create = statement(reconciler, 'CreateTierStacks');
      expect(create.actions).toEqual(['cloudformation:CreateStack']);
      expect(create.resources).toEqual(tierStacks);
      expect(create.condition).toEqual({ StringEquals: { ...roleCondition, 'cloudformation:TemplateUrl': expect.anything() } });
      const update = statement(reconciler, 'UpdateTierStacks');
      expect(update.actions).toEqual(['cloudformation:UpdateStack']);
      expect(update.resources).toEqual(tierStacks);
      expect(update.condition).toEqual({ StringEquals: { ...roleCondition, 'cloudformation:TemplateUrl': expect.anything() } });
      const remove = statement(reconciler, 'DeleteTierStacks');
      expect(remove.actions).toEqual(['cloudformation:DeleteStack']);
      expect(remove.resources).toEqual(tierStacks);
      expect(remove.condition).toEqual({ StringEquals: roleCondition });
    });

    it('updates a tier stack from the uploaded template only, as it creates one', () => {
      const url = render(statement(reconciler, 'CreateTierStacks').condition?.StringEquals['cloudformation:TemplateUrl']);
      const update = statement(reconciler, 'UpdateTierStacks').condition;
      expect(render(update?.StringEquals['cloudformation:TemplateUrl'])).toBe(url);
      expect(update).not.toHaveProperty('StringEqualsIfExists');
    });

    it('binds every stack write to the role: no statement allows Create/Update/DeleteStack without cloudformation:RoleArn', () => {
      const writes = reconciler.filter((s) => s.actions.some((a) => /^cloudformation:(Create|Update|Delete)Stack$/.test(a)));
      expect(writes.map((s) => s.sid).sort()).toEqual(['CreateTierStacks', 'DeleteTierStacks', 'UpdateTierStacks']);
      for (const s of writes) expect(s.condition?.StringEquals).toHaveProperty(['cloudformation:RoleArn']);
    });

    it('creates stacks from the uploaded tier template only, and may read that one object', () => {
      const url = render(fn('handler.handler').Properties.Environment.Variables.TIER_TEMPLATE_URL);
      expect(render(statement(reconciler, 'CreateTierStacks').condition?.StringEquals['cloudformation:TemplateUrl'])).toBe(url);
      const key = url.split('/').pop();
      expect(statement(reconciler, 'ReadTierTemplate').resources).toEqual([
        `arn:\${AWS::Partition}:s3:::cdk-hnb659fds-assets-\${AWS::AccountId}-\${AWS::Region}/${key}`,
      ]);
    });

    it('passes the CloudFormation service role, to CloudFormation, and no other role', () => {
      const passRole = reconciler.filter((s) => s.actions.includes('iam:PassRole'));
      expect(passRole).toHaveLength(1);
      expect(passRole[0].resources).toEqual([expect.stringMatching(/^\$\{TierStackServiceRole\w+\.Arn\}$/)]);
      expect(passRole[0].condition).toEqual({ StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } });
    });

    it('changes only A records (UPSERT, DELETE) of the given hosted zones, and follows the change', () => {
      const zones = ZONES.map((z) => `arn:\${AWS::Partition}:route53:::hostedzone/${z}`);
      expect(statement(reconciler, 'ReadRecords').resources).toEqual(zones);
      const change = statement(reconciler, 'ChangeRecords');
      expect(change.resources).toEqual(zones);
      expect(change.condition).toEqual({
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsRecordTypes': ['A'],
          'route53:ChangeResourceRecordSetsActions': ['UPSERT', 'DELETE'],
        },
      });
      expect(statement(reconciler, 'FollowRecordChanges').resources).toEqual(['arn:${AWS::Partition}:route53:::change/*']);
    });
  });

  describe('CloudFormation service role (deploys tier stacks)', () => {
    it('is assumed by CloudFormation only', () => {
      const [role] = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('TierStackServiceRole')).map(([, r]) => r);
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' } },
      ]);
    });

    it('grants what CloudFormation needs for every resource type of the tier template', () => {
      const types = [...new Set(Object.values(tierTemplate.Resources as Record<string, { Type: string }>).map((r) => r.Type))].sort();
      expect(types.filter((type) => !(type in TIER_RESOURCE_ACTIONS))).toEqual([]);
      const granted = allowedActions(serviceRole);
      const missing = types.flatMap((type) => TIER_RESOURCE_ACTIONS[type].filter((action) => !granted.includes(action)).map((action) => `${type}: ${action}`));
      expect(missing).toEqual([]);
    });

    it('passes only the task roles under /lambdaflex/, to ECS tasks', () => {
      const passTaskRoles = statement(serviceRole, 'PassTaskRoles');
      expect(passTaskRoles.resources).toEqual(['arn:${AWS::Partition}:iam::${AWS::AccountId}:role/lambdaflex/*']);
      expect(passTaskRoles.condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    });

    it('cannot write IAM (no CreateRole, no policy changes), only create the tier’s service-linked roles', () => {
      const iamActions = allowedActions(serviceRole).filter((a) => a.startsWith('iam:'));
      expect(iamActions).toEqual(['iam:CreateServiceLinkedRole', 'iam:GetRole', 'iam:PassRole']);
      const linked = statement(serviceRole, 'CreateServiceLinkedRoles');
      expect(linked.resources.every((r) => r.includes(':role/aws-service-role/'))).toBe(true);
    });

    it('scopes ECS to the lambdaflex-* cluster, services and task family', () => {
      const containers = [
        'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/lambdaflex-*',
        'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:service/lambdaflex-*/*',
        'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task-definition/lambdaflex-*:*',
      ];
      for (const sid of ['ChangeTierContainers', 'TagContainersOnCreate', 'ReadContainers']) expect(statement(serviceRole, sid).resources).toEqual(containers);
      expect(statement(serviceRole, 'CreateContainers').resources).toEqual(containers.slice(0, 2));
    });

    describe('writes scoped by the service tag', () => {
      const onCreate = { StringLike: { [`aws:RequestTag/${SERVICE_TAG_KEY}`]: '?*' } };
      const onTagged = { StringLike: { [`aws:ResourceTag/${SERVICE_TAG_KEY}`]: '?*' } };

      it('creates VPCs, subnets, route tables, gateways, security groups, load balancers and ECS resources only with the tag in the request', () => {
        const creates = ['CreateNetwork', 'CreateLoadBalancer', 'CreateContainers', 'RegisterTaskDefinitions'].map((sid) => statement(serviceRole, sid));
        expect(creates.flatMap((s) => s.actions).sort()).toEqual(
          [
            'ec2:CreateInternetGateway',
            'ec2:CreateRouteTable',
            'ec2:CreateSecurityGroup',
            'ec2:CreateSubnet',
            'ec2:CreateVpc',
            'ecs:CreateCluster',
            'ecs:CreateService',
            'ecs:RegisterTaskDefinition',
            'elasticloadbalancing:CreateLoadBalancer',
          ].sort(),
        );
        for (const s of creates) expect(s.condition).toEqual(onCreate);
      });

      it('changes and deletes the network, load balancer, target groups and ECS resources only while they carry the tag', () => {
        for (const sid of ['ChangeTierNetwork', 'ChangeTierLoadBalancer', 'ChangeTierTargetGroups', 'ChangeTierContainers']) {
          expect({ sid, condition: statement(serviceRole, sid).condition }).toEqual({ sid, condition: onTagged });
        }
        const network = statement(serviceRole, 'ChangeTierNetwork');
        expect(network.actions).toEqual(expect.arrayContaining(['ec2:DeleteVpc', 'ec2:ModifyVpcAttribute', 'ec2:DeleteSecurityGroup', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:CreateRoute', 'ec2:DeleteRouteTable']));
        expect(network.resources.map((r) => r.split(':').pop())).toEqual(['vpc/*', 'subnet/*', 'route-table/*', 'internet-gateway/*', 'security-group/*']);
        expect(statement(serviceRole, 'ChangeTierLoadBalancer').actions).toEqual(
          expect.arrayContaining(['elasticloadbalancing:DeleteLoadBalancer', 'elasticloadbalancing:ModifyLoadBalancerAttributes', 'elasticloadbalancing:SetSecurityGroups']),
        );
        expect(statement(serviceRole, 'ChangeTierContainers').actions).toEqual(expect.arrayContaining(['ecs:DeleteCluster', 'ecs:DeleteService', 'ecs:UpdateService']));
      });

      it('tags on create only (ec2, ecs and elasticloadbalancing CreateAction), or resources already tagged', () => {
        const createAction = (sid: string, key: string) => statement(serviceRole, sid).condition?.StringEquals?.[key];
        expect(createAction('TagNetworkOnCreate', 'ec2:CreateAction')).toEqual(['CreateInternetGateway', 'CreateRouteTable', 'CreateSecurityGroup', 'CreateSubnet', 'CreateVpc']);
        expect(createAction('TagLoadBalancerOnCreate', 'elasticloadbalancing:CreateAction')).toEqual(['CreateLoadBalancer']);
        expect(createAction('TagContainersOnCreate', 'ecs:CreateAction')).toEqual(['CreateCluster', 'CreateService', 'RegisterTaskDefinition']);
        for (const sid of ['TagNetworkOnCreate', 'TagLoadBalancerOnCreate', 'TagContainersOnCreate']) expect(statement(serviceRole, sid).condition?.StringLike).toEqual(onCreate.StringLike);
        // Any other statement that may tag requires the tag already there, or is a documented exception.
        const tagging = serviceRole.filter((s) => s.actions.some((a) => ['ec2:CreateTags', 'ecs:TagResource', 'elasticloadbalancing:AddTags'].includes(a)));
        const others = tagging.filter((s) => !/OnCreate$/.test(s.sid ?? '') && s.condition?.StringLike?.[`aws:ResourceTag/${SERVICE_TAG_KEY}`] === undefined);
        expect(others.map((s) => s.sid).sort()).toEqual(['Listeners', 'TargetGroups']);
      });

      it('never lets a tag-on-create grant (ec2:CreateAction) stand without the tag in the request', () => {
        const withCreateAction = serviceRole.filter((s) => Object.values(s.condition ?? {}).some((c) => Object.keys(c).some((k) => k.endsWith(':CreateAction'))));
        expect(withCreateAction).toHaveLength(3);
        for (const s of withCreateAction) expect(s.condition?.StringLike).toEqual(onCreate.StringLike);
      });
    });

    it('may read the SSM parameters the tier template resolves, of any service, and no other (not the admin keys)', () => {
      // Arrange
      const references = dynamicReferences(tierTemplate).map((ref) => ref.replace(/^\{\{resolve:ssm:(.+)\}\}$/, '$1').replace('${ServiceName}', '*'));
      // Act
      const ssm = serviceRole.filter((s) => s.actions.some((a) => a.startsWith('ssm:')));
      // Assert
      expect(references).toHaveLength(3);
      expect(ssm.map((s) => [s.sid, s.actions])).toEqual([['ResolveTierSettings', ['ssm:GetParameter', 'ssm:GetParameters']]]);
      expect(ssm[0].resources.sort()).toEqual(references.map((name) => `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name}`).sort());
    });

    it('has no CloudWatch Logs permission: the tier’s log group is the base stack’s', () => {
      expect(allowedActions(serviceRole).filter((a) => a.startsWith('logs:'))).toEqual([]);
    });
  });

  describe('ALB access log bucket', () => {
    it('is named by account and region (the tier template finds it so), SSE-S3, private, TLS only, expiring, kept', () => {
      const [id, bucket] = Object.entries(template.findResources('AWS::S3::Bucket'))[0];
      expect(Object.keys(template.findResources('AWS::S3::Bucket'))).toEqual([id]);
      expect(render(bucket.Properties.BucketName)).toBe('lambdaflex-alb-logs-${AWS::AccountId}-${AWS::Region}');
      expect(bucket).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      expect(bucket.Properties).toMatchObject({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 90, Status: 'Enabled' })] },
      });
    });

    it('lets ELB write under alb/<service>/AWSLogs/<account>/ only, and refuses plain HTTP', () => {
      const [policy] = Object.values(template.findResources('AWS::S3::BucketPolicy'));
      const statements = policy.Properties.PolicyDocument.Statement as { Sid?: string; Effect: string; Principal: unknown; Action: unknown; Resource: unknown; Condition?: unknown }[];
      expect(statements.find((s) => s.Effect === 'Deny')?.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
      const writes = statements.filter((s) => s.Effect === 'Allow');
      expect(writes.map((s) => [s.Sid, s.Action])).toEqual([
        ['ElbAccountWritesAccessLogs', 's3:PutObject'],
        ['ElbServiceWritesAccessLogs', 's3:PutObject'],
      ]);
      for (const s of writes) expect(render(s.Resource)).toMatch(/^\$\{AlbAccessLogsBucket\w+\.Arn\}\/alb\/\*\/AWSLogs\/\$\{AWS::AccountId\}\/\*$/);
      expect(writes[1].Principal).toEqual({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' });
      // Regions opened before August 2022 deliver as a per-Region ELB account, looked up at deploy time.
      expect(JSON.stringify(writes[0].Principal)).toContain('Fn::FindInMap');
      const mapping = Object.values(template.toJSON().Mappings as Record<string, Record<string, { account: string }>>)[0];
      expect(mapping['us-east-1'].account).toBe('127311923021');
      expect(mapping['eu-central-2'].account).toBe('none');
    });
  });

  describe('work queue', () => {
    let queue: Resource;
    let deadLetters: Resource;
    beforeAll(() => {
      queue = template.findResources('AWS::SQS::Queue')[logicalId('AWS::SQS::Queue', 'ReconcilerWorkQueue')];
      deadLetters = template.findResources('AWS::SQS::Queue')[logicalId('AWS::SQS::Queue', 'ReconcilerDeadLetterQueue')];
    });

    it('is FIFO, without content-based deduplication (the coordinator sets the ids), encrypted by SQS', () => {
      expect(queue.Properties).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: false, SqsManagedSseEnabled: true });
    });

    it('moves a message that failed three times to a FIFO dead-letter queue, also encrypted', () => {
      expect(queue.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId('AWS::SQS::Queue', 'ReconcilerDeadLetterQueue'), 'Arn'] },
        maxReceiveCount: 3,
      });
      expect(deadLetters.Properties).toMatchObject({ FifoQueue: true, SqsManagedSseEnabled: true });
      expect(deadLetters.Properties.RedrivePolicy).toBeUndefined();
    });

    it('hides a received message for at least six times the worker’s timeout, as AWS advises for Lambda', () => {
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn('handler.worker').Properties.Timeout);
    });

    it('keeps a message long enough for every receive it is allowed, and not for hours', () => {
      const { VisibilityTimeout, MessageRetentionPeriod, RedrivePolicy } = queue.Properties;
      expect(MessageRetentionPeriod).toBeGreaterThan(VisibilityTimeout * RedrivePolicy.maxReceiveCount);
      expect(MessageRetentionPeriod).toBeLessThanOrEqual(3600);
    });

    it('refuses plain HTTP on both queues', () => {
      for (const prefix of ['ReconcilerWorkQueue', 'ReconcilerDeadLetterQueue']) {
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: logicalId('AWS::SQS::Queue', prefix) }],
          PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
        });
      }
    });
  });

  describe('reconciler worker', () => {
    it('runs handler.worker of the same bundle, runtime and architecture as the coordinator, with its own role and log group', () => {
      const [coordinator, worker_] = [fn('handler.handler').Properties, fn('handler.worker').Properties];
      expect(worker_.Code).toEqual(coordinator.Code);
      expect([worker_.Runtime, worker_.Architectures]).toEqual([coordinator.Runtime, coordinator.Architectures]);
      expect(worker_.Role).toEqual({ 'Fn::GetAtt': [logicalId('AWS::IAM::Role', 'ReconcilerWorkerRole'), 'Arn'] });
      expect(worker_.LoggingConfig).toEqual({ LogGroup: { Ref: logicalId('AWS::Logs::LogGroup', 'ReconcilerWorkerLogs') } });
    });

    it('is told what the coordinator is but the work queue (it never sends), and its own rate share', () => {
      const { [WORK_QUEUE_URL_ENV]: queueUrl, AWS_RATE_SHARE: coordinatorShare, ...shared } = fn('handler.handler').Properties.Environment.Variables;
      const { AWS_RATE_SHARE: workerShare, ...workerEnv } = fn('handler.worker').Properties.Environment.Variables;
      expect(queueUrl).toBeDefined();
      expect(workerEnv).toEqual(shared);
      expect([coordinatorShare, workerShare]).toEqual(['0.5', '0.25']);
    });

    it('shares the account’s AWS API budget with the coordinator: every function that may run at once takes at most all of it', () => {
      const share = (handler: string) => Number(fn(handler).Properties.Environment.Variables.AWS_RATE_SHARE);
      const [mapping] = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
      const workers = mapping.Properties.ScalingConfig.MaximumConcurrency as number;
      expect(fn('handler.handler').Properties.ReservedConcurrentExecutions * share('handler.handler') + workers * share('handler.worker')).toBeLessThanOrEqual(1);
    });

    it('reads the work queue one message at a time, at most two workers at once, reporting failed items', () => {
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [logicalId('AWS::SQS::Queue', 'ReconcilerWorkQueue'), 'Arn'] },
        FunctionName: { Ref: logicalId('AWS::Lambda::Function', 'ReconcilerWorkerFunction') },
        BatchSize: 1,
        ScalingConfig: { MaximumConcurrency: 2 },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    });

    it('may make the calls a tick makes and consume the queue, and nothing else (no listing, no sending)', () => {
      const consume = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'];
      expect(allowedActions(worker)).toEqual([...TICK_ACTIONS, ...consume].sort());
      const queueArn = `\${${logicalId('AWS::SQS::Queue', 'ReconcilerWorkQueue')}.Arn}`;
      expect(worker.filter((s) => s.actions.some((a) => a.startsWith('sqs:'))).flatMap((s) => s.resources)).toEqual([queueArn]);
      expect(worker.filter((s) => s.resources.includes('*')).flatMap((s) => s.actions)).toEqual(['cloudwatch:GetMetricData']);
    });

    it('is granted each tick statement exactly as the coordinator is', () => {
      const bySid = (statements: FoundStatement[]) => statements.filter((s) => s.sid && TICK_SIDS.includes(s.sid)).map(({ where: _where, ...s }) => s);
      const TICK_SIDS = ['StateTable', 'DescribeStacks', 'CreateTierStacks', 'UpdateTierStacks', 'DeleteTierStacks', 'TagTierStacks', 'PassTierStackRole', 'ReadTierTemplate', 'ReadRecords', 'ChangeRecords', 'FollowRecordChanges', 'ReadMetrics'];
      expect(bySid(worker)).toHaveLength(TICK_SIDS.length);
      expect(bySid(worker)).toEqual(bySid(reconciler));
    });
  });

  describe('leases: every reconciler function times out before its lease can expire', () => {
    const bound = (LEASE_TTL_MS - LEASE_SAFETY_MS) / 1000;
    const build = (timeouts: { coordinatorTimeout?: Duration; workerTimeout?: Duration }) => () =>
      new ControlStack(new App(), 'Control', {
        reconcilerCodePath: stubReconcilerBundle(),
        tierTemplatePath: templateFile(tierTemplate),
        hostedZoneIds: ZONES,
        reconcilerTimeouts: timeouts,
      });

    it.each(['handler.handler', 'handler.worker'])('%s times out under the lease TTL less its safety margin', (handler) => {
      expect(fn(handler).Properties.Timeout).toBeLessThan(bound);
    });

    it.each([
      ['worker', { workerTimeout: Duration.minutes(5) }],
      ['coordinator', { coordinatorTimeout: Duration.seconds(bound) }],
    ])('refuses to build a %s that could outlive its lease, in one sentence', (name, timeouts) => {
      expect(build(timeouts)).toThrow(LeaseTimeoutError);
      expect(build(timeouts)).toThrow(new RegExp(`^The reconciler ${name}'s timeout of .+ must be under 4 minutes 30 seconds \\(the lease's TTL of 5 minutes less its safety margin of 30 seconds\\), or it could act after its lease has expired\\.$`));
    });

    it('accepts a timeout just under the bound, and refuses one at it', () => {
      expect(() => assertTimeoutWithinLease('worker', Duration.seconds(bound - 1))).not.toThrow();
      expect(() => assertTimeoutWithinLease('worker', Duration.seconds(bound))).toThrow(LeaseTimeoutError);
    });
  });

  it('outputs the table, the functions, the queues, the template URL and the service role', () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual([
      'DeadLetterQueueUrl',
      'ReconcilerFunctionName',
      'StateTableName',
      'TierStackRoleArn',
      'TierTemplateUrl',
      'WorkQueueUrl',
      'WorkerFunctionName',
    ]);
  });
});
