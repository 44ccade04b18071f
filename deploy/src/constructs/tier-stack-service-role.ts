import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from '../nag';
import { SERVICE_TAG_KEY, TIER_ROLE_PATH, TIER_SETTINGS, fargateResourceName, tierSettingParameterName } from '../naming';

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
 * ECS authorizes the deregistration and description of task definitions on `*` only, with no tag
 * condition key. (Registration is on `*` too, but takes `aws:RequestTag`: see `RegisterTaskDefinitions`.)
 */
const UNSCOPABLE_TASK_DEFINITION_ACTIONS = ['ecs:DeregisterTaskDefinition', 'ecs:DescribeTaskDefinition'] as const;

/** The service-linked roles the tier needs; each service creates its own on first use, with the caller's permission. */
const SERVICE_LINKED_ROLES = [
  { service: 'ecs.amazonaws.com', name: 'AWSServiceRoleForECS' },
  { service: 'elasticloadbalancing.amazonaws.com', name: 'AWSServiceRoleForElasticLoadBalancing' },
  { service: 'ecs.application-autoscaling.amazonaws.com', name: 'AWSServiceRoleForApplicationAutoScaling_ECSService' },
] as const;

/** The EC2 resource types of the tier, each created with the service tag (CloudFormation tags them on create). */
const TIER_EC2_TYPES = ['vpc', 'subnet', 'route-table', 'internet-gateway', 'security-group'] as const;

/** The EC2 calls that create a resource of {@link TIER_EC2_TYPES}; `ec2:CreateAction` names them when tags are applied on create. */
const EC2_CREATE_ACTIONS = ['ec2:CreateInternetGateway', 'ec2:CreateRouteTable', 'ec2:CreateSecurityGroup', 'ec2:CreateSubnet', 'ec2:CreateVpc'] as const;

/** The ECS calls that create a tier resource; `ecs:CreateAction` names them when tags are applied on create. */
const ECS_CREATE_ACTIONS = ['ecs:CreateCluster', 'ecs:CreateService', 'ecs:RegisterTaskDefinition'] as const;

/**
 * The statements (by Sid) that write without a tag condition, and why: the resource cannot carry the
 * service tag when the call is made, or AWS evaluates no tag for it. Everything else the role writes is
 * tag-scoped; iam-policies.spec.ts fails on any untagged write statement that is not listed here.
 */
export const TAG_UNSCOPED_STATEMENTS: Record<string, string> = {
  SecurityGroupRules:
    'security group rules are not taggable in CloudFormation (AWS::EC2::SecurityGroupIngress/Egress); every Authorize/Revoke call is also authorized on the group itself, which must carry the tag (ChangeTierNetwork)',
  Listeners:
    'AWS::ElasticLoadBalancingV2::Listener takes tags only in recent CloudFormation schemas, with no tag-on-create declared: the template tags them, but a tag condition could lock CloudFormation out of a listener it created untagged (and a failed create out of its rollback), so they are scoped to ALB listener ARNs; creating one is also authorized on its load balancer, which must carry the tag',
  TargetGroups:
    'AWS::ElasticLoadBalancingV2::TargetGroup declares no tag-on-create in its CloudFormation schema: the group may be created untagged and tagged afterwards (AddTags), so its create, first tags, attributes and rollback delete cannot require the tag; ModifyTargetGroup and RemoveTags, used only once it is tagged, do (ChangeTierTargetGroups)',
  Autoscaling:
    "scaling policies cannot carry tags, and CloudFormation does not say it tags scalable targets on create (the template tags them anyway); registering a scalable target for an ECS service also requires ecs:UpdateService and ecs:DescribeServices on that service, which this role has only on tagged lambdaflex-* services",
  TaskDefinitions: 'ECS authorizes DeregisterTaskDefinition (and DescribeTaskDefinition) on * only, with no tag condition key; the family is lambdaflex-<service>',
  PassTaskRoles: 'IAM roles are not tier resources: scoped to the /lambdaflex/ path and to ECS tasks instead',
  CreateServiceLinkedRoles: 'scoped to the three service-linked roles by ARN and iam:AWSServiceName',
  PassAutoscalingLinkedRole: "scoped by ARN to Application Auto Scaling's ECS service-linked role",
};

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
 * Writes are scoped by the service tag ({@link SERVICE_TAG_KEY}) that the tier template puts on every
 * resource it creates: a taggable resource may be created only with the tag in the request
 * (`aws:RequestTag`), tags may be applied on create only (`ec2:CreateAction`, `elasticloadbalancing:CreateAction`,
 * `ecs:CreateAction`) or to resources already tagged, and everything is changed and deleted only while
 * it carries the tag (`aws:ResourceTag`). So the role cannot touch a VPC, security group, route table,
 * load balancer or ECS service of anything else in the account. The exceptions, and why, are
 * {@link TAG_UNSCOPED_STATEMENTS}. ECS is scoped to the `lambdaflex-*` names as well. The tag's value is
 * not pinned: one role serves every service of the account. It has no CloudWatch Logs permission: the
 * tier's log group belongs to the base stack.
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
    /**
     * One statement. `wildcards` says why its resource patterns hold a `*` (ids AWS generates, names per
     * service): it becomes the acknowledgment of cdk-nag's AwsSolutions-IAM5 finding for each of them.
     */
    const allow = (
      sid: string,
      actions: readonly string[],
      resources: string[],
      conditions: Record<string, Record<string, unknown>> | undefined,
      wildcards: string,
    ) => {
      this.role.addToPolicy(new iam.PolicyStatement({ sid, actions: [...actions], resources, ...(conditions ? { conditions } : {}) }));
      acknowledgeWildcardResources(this.role, resources, wildcards);
    };

    // The service tag on the resource acted on, or in the request that creates it. Its value is the
    // service's name; any service's (one role serves them all), but never absent or empty.
    // `ec2:CreateAction`, `ecs:CreateAction`, `elasticloadbalancing:CreateAction` name the API call, without its prefix.
    const apiNames = (actions: readonly string[]) => actions.map((a) => a.split(':')[1]);
    const tagged = { StringLike: { [`aws:ResourceTag/${SERVICE_TAG_KEY}`]: '?*' } };
    const createdTagged = { StringLike: { [`aws:RequestTag/${SERVICE_TAG_KEY}`]: '?*' } };
    const noResourceLevel = 'AWS offers no resource-level permission for these calls (the Service Authorization Reference lists no resource type)';
    const generatedIds = 'AWS generates these resource ids at creation; the statement is scoped by the service tag instead';

    allow('DescribeTierResources', UNSCOPABLE_DESCRIBE_ACTIONS, ['*'], undefined, `${noResourceLevel}; read-only`);
    allow('TaskDefinitions', UNSCOPABLE_TASK_DEFINITION_ACTIONS, ['*'], undefined, noResourceLevel);

    // EC2. Creating a subnet, route table or security group is also authorized on its VPC, which
    // must carry the tag (ChangeTierNetwork); a new resource is checked against the request's tags.
    const tierEc2 = TIER_EC2_TYPES.map(ec2);
    allow('CreateNetwork', EC2_CREATE_ACTIONS, tierEc2, createdTagged, generatedIds);
    allow('TagNetworkOnCreate', ['ec2:CreateTags'], tierEc2, { ...createdTagged, StringEquals: { 'ec2:CreateAction': apiNames(EC2_CREATE_ACTIONS) } }, generatedIds);
    allow(
      'ChangeTierNetwork',
      [
        'ec2:AssociateRouteTable',
        'ec2:AttachInternetGateway',
        'ec2:AuthorizeSecurityGroupEgress',
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:CreateRoute',
        'ec2:CreateRouteTable',
        'ec2:CreateSecurityGroup',
        'ec2:CreateSubnet',
        'ec2:CreateTags',
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
      tierEc2,
      tagged,
      generatedIds,
    );
    allow(
      'SecurityGroupRules',
      ['ec2:AuthorizeSecurityGroupEgress', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress'],
      [ec2('security-group-rule')],
      undefined,
      `${generatedIds}: rules cannot be tagged by CloudFormation, their group is (TAG_UNSCOPED_STATEMENTS)`,
    );

    // Elastic Load Balancing: the load balancer tags on create; listeners and target groups are not
    // known to (TAG_UNSCOPED_STATEMENTS). The names are CloudFormation's: patterns per type only.
    const loadBalancers = elb('loadbalancer/app/*/*');
    const elbNames = 'CloudFormation generates the load balancer and target group names and AWS the ids';
    allow('CreateLoadBalancer', ['elasticloadbalancing:CreateLoadBalancer'], [loadBalancers], createdTagged, elbNames);
    allow(
      'TagLoadBalancerOnCreate',
      ['elasticloadbalancing:AddTags'],
      [loadBalancers],
      { ...createdTagged, StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateLoadBalancer'] } },
      elbNames,
    );
    allow(
      'ChangeTierLoadBalancer',
      [
        'elasticloadbalancing:AddTags',
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:DeleteLoadBalancer',
        'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:RemoveTags',
        'elasticloadbalancing:SetSecurityGroups',
        'elasticloadbalancing:SetSubnets',
      ],
      [loadBalancers],
      tagged,
      elbNames,
    );
    allow(
      'Listeners',
      [
        'elasticloadbalancing:AddTags',
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:ModifyListenerAttributes',
      ],
      [elb('listener/app/*/*/*')],
      undefined,
      `${elbNames}; listeners are not known to be tagged on create (TAG_UNSCOPED_STATEMENTS)`,
    );
    const targetGroups = elb('targetgroup/*/*');
    allow(
      'TargetGroups',
      [
        'elasticloadbalancing:AddTags',
        'elasticloadbalancing:CreateTargetGroup',
        'elasticloadbalancing:DeleteTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes',
      ],
      [targetGroups],
      undefined,
      `${elbNames}; CloudFormation tags target groups only after creating them (TAG_UNSCOPED_STATEMENTS)`,
    );
    allow('ChangeTierTargetGroups', ['elasticloadbalancing:ModifyTargetGroup', 'elasticloadbalancing:RemoveTags'], [targetGroups], tagged, elbNames);

    // ECS: the lambdaflex-* names and the tag. A task definition has no ARN before it is registered:
    // registration is on `*`, with the tag in the request.
    const tierName = fargateResourceName('*');
    const containers = [ecs(`cluster/${tierName}`), ecs(`service/${tierName}/*`), ecs(`task-definition/${tierName}:*`)];
    const perService = 'one cluster, service and task family per service, named lambdaflex-<service> (revisions and ids by AWS)';
    allow('CreateContainers', ['ecs:CreateCluster', 'ecs:CreateService'], containers.slice(0, 2), createdTagged, perService);
    allow('RegisterTaskDefinitions', ['ecs:RegisterTaskDefinition'], ['*'], createdTagged, noResourceLevel);
    allow('TagContainersOnCreate', ['ecs:TagResource'], containers, { ...createdTagged, StringEquals: { 'ecs:CreateAction': apiNames(ECS_CREATE_ACTIONS) } }, perService);
    allow(
      'ChangeTierContainers',
      // CreateService here: a new service is also authorized on its cluster, which must carry the tag.
      ['ecs:CreateService', 'ecs:DeleteCluster', 'ecs:DeleteService', 'ecs:TagResource', 'ecs:UntagResource', 'ecs:UpdateService'],
      containers,
      tagged,
      perService,
    );
    allow('ReadContainers', ['ecs:DescribeClusters', 'ecs:DescribeServices', 'ecs:ListTagsForResource'], containers, undefined, perService);

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
      undefined,
      'AWS generates scalable target ids; they are not known to be tagged on create (TAG_UNSCOPED_STATEMENTS)',
    );

    // The task definition names the base stack's roles; ECS checks that CloudFormation may pass them.
    const tierRoles = stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `${TIER_ROLE_PATH.slice(1)}*` });
    const perServiceRoles = "each service's base stack creates its task roles under /lambdaflex/; this role may pass them to ECS tasks only";
    allow('PassTaskRoles', ['iam:PassRole'], [tierRoles], { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } }, perServiceRoles);
    allow('ReadTaskRoles', ['iam:GetRole'], [tierRoles], undefined, perServiceRoles);

    const linkedRole = (l: (typeof SERVICE_LINKED_ROLES)[number]) =>
      stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `aws-service-role/${l.service}/${l.name}` });
    allow(
      'CreateServiceLinkedRoles',
      ['iam:CreateServiceLinkedRole'],
      SERVICE_LINKED_ROLES.map(linkedRole),
      { StringEquals: { 'iam:AWSServiceName': SERVICE_LINKED_ROLES.map((l) => l.service) } },
      'exact ARNs: no wildcard',
    );
    // The scalable target names Application Auto Scaling's service-linked role for ECS as its RoleARN.
    allow('PassAutoscalingLinkedRole', ['iam:PassRole'], [linkedRole(SERVICE_LINKED_ROLES[2])], undefined, 'exact ARN: no wildcard');

    // The tier template's dynamic references ({{resolve:ssm:/lambdaflex/<ServiceName>/<setting>}}), which
    // CloudFormation resolves with this role: the three per-service values the base stacks write, of any
    // service, and no other parameter (not the admin keys). Both read calls: AWS does not say which one
    // CloudFormation makes to resolve a reference.
    allow(
      'ResolveTierSettings',
      ['ssm:GetParameter', 'ssm:GetParameters'],
      TIER_SETTINGS.map((setting) => arn('ssm', `parameter${tierSettingParameterName('*', setting)}`)),
      undefined,
      "one parameter of each kind per service, named /lambdaflex/<service>/<setting> by the service's base stack; read-only",
    );
  }
}
