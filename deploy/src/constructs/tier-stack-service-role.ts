import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TIER_ROLE_PATH, fargateResourceName } from '../naming';

/**
 * Read-only calls CloudFormation makes while it creates, updates and deletes the tier's resources, for
 * which AWS offers no resource-level permissions (the IAM Service Authorization Reference lists no
 * resource type for them): they can only be granted on `*`. iam-policies.spec.ts lists each as an
 * allowed exception, with this reason.
 */
const UNSCOPABLE_DESCRIBE_ACTIONS = [
  'ec2:DescribeAccountAttributes',
  'ec2:DescribeAvailabilityZones',
  'ec2:DescribeInternetGateways',
  'ec2:DescribeNetworkAcls',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeRouteTables',
  'ec2:DescribeSecurityGroupRules',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSubnets',
  'ec2:DescribeVpcAttribute',
  'ec2:DescribeVpcs',
  'elasticloadbalancing:DescribeListenerAttributes',
  'elasticloadbalancing:DescribeListenerCertificates',
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeLoadBalancerAttributes',
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeRules',
  'elasticloadbalancing:DescribeTags',
  'elasticloadbalancing:DescribeTargetGroupAttributes',
  'elasticloadbalancing:DescribeTargetGroups',
  'application-autoscaling:DescribeScalableTargets',
  'application-autoscaling:DescribeScalingActivities',
  'application-autoscaling:DescribeScalingPolicies',
] as const;

/**
 * ECS authorizes the registration, deregistration and description of task definitions on `*` only:
 * a task definition revision has no ARN before it is registered, and these calls take none.
 */
const UNSCOPABLE_TASK_DEFINITION_ACTIONS = ['ecs:DeregisterTaskDefinition', 'ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'] as const;

/** The service-linked roles the tier needs; each service creates its own on first use, with the caller's permission. */
const SERVICE_LINKED_ROLES = [
  { service: 'ecs.amazonaws.com', name: 'AWSServiceRoleForECS' },
  { service: 'elasticloadbalancing.amazonaws.com', name: 'AWSServiceRoleForElasticLoadBalancing' },
  { service: 'ecs.application-autoscaling.amazonaws.com', name: 'AWSServiceRoleForApplicationAutoScaling_ECSService' },
] as const;

/**
 * The role CloudFormation assumes to create, update and delete tier stacks (the reconciler passes it as
 * `RoleARN`). With it, the reconciler itself needs no EC2, ELB or ECS permission at all — only
 * `iam:PassRole` on this one role — and a stack operation can do no more than build and tear down a
 * Fargate tier:
 *
 * ```
 * reconciler ──CreateStack(RoleARN)──▶ CloudFormation ──assumes──▶ this role ──▶ EC2 / ELB / ECS / App Auto Scaling
 *                                                                      └──PassRole──▶ task roles under /lambdaflex/
 * ```
 *
 * Write actions are scoped to the resource types the tier creates, in this account and region; ECS to
 * the `lambdaflex-*` names the tier template gives its cluster, service and task family. It has no
 * CloudWatch Logs permission: the tier's log group belongs to the base stack.
 */
export class TierStackServiceRole extends Construct {
  /** The role to pass as `RoleARN` on CreateStack, UpdateStack and DeleteStack of a tier stack. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    // arn:<partition>:<service>:<region>:<account>:<resource>, in this stack's account and region.
    const arn = (service: string, resource: string) => stack.formatArn({ service, resource });
    const ec2 = (type: string) => arn('ec2', `${type}/*`);
    const elb = (resource: string) => arn('elasticloadbalancing', resource);
    const ecs = (resource: string) => arn('ecs', resource);

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
      description: 'LambdaFlex: CloudFormation builds and tears down Fargate tier stacks with this role',
    });
    const allow = (sid: string, actions: readonly string[], resources: string[], conditions?: Record<string, Record<string, unknown>>) =>
      this.role.addToPolicy(new iam.PolicyStatement({ sid, actions: [...actions], resources, ...(conditions ? { conditions } : {}) }));

    allow('DescribeTierResources', UNSCOPABLE_DESCRIBE_ACTIONS, ['*']);
    allow('TaskDefinitions', UNSCOPABLE_TASK_DEFINITION_ACTIONS, ['*']);

    allow(
      'Network',
      [
        'ec2:AssociateRouteTable',
        'ec2:AttachInternetGateway',
        'ec2:AuthorizeSecurityGroupEgress',
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:CreateInternetGateway',
        'ec2:CreateRoute',
        'ec2:CreateRouteTable',
        'ec2:CreateSecurityGroup',
        'ec2:CreateSubnet',
        'ec2:CreateTags',
        'ec2:CreateVpc',
        'ec2:DeleteInternetGateway',
        'ec2:DeleteRoute',
        'ec2:DeleteRouteTable',
        'ec2:DeleteSecurityGroup',
        'ec2:DeleteSubnet',
        'ec2:DeleteTags',
        'ec2:DeleteVpc',
        'ec2:DetachInternetGateway',
        'ec2:DisassociateRouteTable',
        'ec2:ModifySubnetAttribute',
        'ec2:ModifyVpcAttribute',
        'ec2:ReplaceRoute',
        'ec2:ReplaceRouteTableAssociation',
        'ec2:RevokeSecurityGroupEgress',
        'ec2:RevokeSecurityGroupIngress',
      ],
      ['vpc', 'subnet', 'route-table', 'internet-gateway', 'security-group', 'security-group-rule'].map(ec2),
    );

    allow(
      'LoadBalancing',
      [
        'elasticloadbalancing:AddTags',
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:CreateLoadBalancer',
        'elasticloadbalancing:CreateTargetGroup',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:DeleteLoadBalancer',
        'elasticloadbalancing:DeleteTargetGroup',
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:ModifyListenerAttributes',
        'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes',
        'elasticloadbalancing:RemoveTags',
        'elasticloadbalancing:SetSecurityGroups',
        'elasticloadbalancing:SetSubnets',
      ],
      [elb('loadbalancer/app/*/*'), elb('listener/app/*/*/*'), elb('targetgroup/*/*')],
    );

    const tierName = fargateResourceName('*');
    allow(
      'Containers',
      [
        'ecs:CreateCluster',
        'ecs:CreateService',
        'ecs:DeleteCluster',
        'ecs:DeleteService',
        'ecs:DescribeClusters',
        'ecs:DescribeServices',
        'ecs:ListTagsForResource',
        'ecs:TagResource',
        'ecs:UntagResource',
        'ecs:UpdateService',
      ],
      [ecs(`cluster/${tierName}`), ecs(`service/${tierName}/*`), ecs(`task-definition/${tierName}:*`)],
    );

    allow(
      'Autoscaling',
      [
        'application-autoscaling:DeleteScalingPolicy',
        'application-autoscaling:DeregisterScalableTarget',
        'application-autoscaling:PutScalingPolicy',
        'application-autoscaling:RegisterScalableTarget',
        'application-autoscaling:TagResource',
      ],
      [arn('application-autoscaling', 'scalable-target/*')],
    );

    // The task definition names the base stack's roles; ECS checks that CloudFormation may pass them.
    const tierRoles = stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `${TIER_ROLE_PATH.slice(1)}*` });
    allow('PassTaskRoles', ['iam:PassRole'], [tierRoles], { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    allow('ReadTaskRoles', ['iam:GetRole'], [tierRoles]);

    const linkedRole = (l: (typeof SERVICE_LINKED_ROLES)[number]) =>
      stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `aws-service-role/${l.service}/${l.name}` });
    allow('CreateServiceLinkedRoles', ['iam:CreateServiceLinkedRole'], SERVICE_LINKED_ROLES.map(linkedRole), {
      StringEquals: { 'iam:AWSServiceName': SERVICE_LINKED_ROLES.map((l) => l.service) },
    });
    // The scalable target names Application Auto Scaling's service-linked role for ECS as its RoleARN.
    allow('PassAutoscalingLinkedRole', ['iam:PassRole'], [linkedRole(SERVICE_LINKED_ROLES[2])]);
  }
}
