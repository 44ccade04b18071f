import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { baseStackProps } from './app';
import { readSettings } from './settings';
import { BaseStack } from './stacks/base-stack';
import { ControlStack } from './stacks/control-stack';
import { TAG_UNSCOPED_STATEMENTS } from './constructs/tier-stack-service-role';
import { SERVICE_TAG_KEY } from './naming';
import { synthesizeTierTemplate } from './tier-template';
import { PLAIN_NODE_ENV } from './testing/example-services';
import { iamStatements, statementsOfRole, stubReconcilerBundle, templateFile, type FoundStatement, type TemplateJson } from './testing/template-helpers';

/**
 * The only actions granted on `Resource: "*"`, in any stack, each because AWS offers no resource-level
 * permission for it (the IAM Service Authorization Reference lists no resource type for the action), or
 * authorizes the call as it is made on `*` only. Adding an entry here is a review decision: say why AWS
 * cannot scope it.
 */
const ALLOWED_ON_ANY_RESOURCE: Record<string, string> = {
  // The reconciler (coordinator and worker).
  'cloudwatch:GetMetricData': 'metrics are not IAM resources; GetMetricData has no resource type',
  // The coordinator's listing of the account's stacks (its own statement; single stacks stay scoped to lambdaflex-*).
  'cloudformation:DescribeStacks': 'DescribeStacks without a StackName (the paged listing of every stack) is authorized on * only',
  'cloudformation:ListStacks': 'ListStacks has no resource type; AWS documents it as needed by DescribeStacks without a StackName',
  // The tier's task execution role (base stack).
  'ecr:GetAuthorizationToken': 'the registry login token is account-wide; the image pull itself is scoped to the repository',
  // The CloudFormation service role reads back what it creates; Describe/List calls have no resource type.
  'ec2:DescribeAccountAttributes': 'EC2 Describe* has no resource-level permissions',
  'ec2:DescribeAvailabilityZones': 'EC2 Describe* has no resource-level permissions (Fn::GetAZs)',
  'ec2:DescribeInternetGateways': 'EC2 Describe* has no resource-level permissions',
  'ec2:DescribeNetworkAcls': 'EC2 Describe* has no resource-level permissions',
  'ec2:DescribeNetworkInterfaces': 'EC2 Describe* has no resource-level permissions',
  'ec2:DescribeRouteTables': 'EC2 Describe* has no resource-level permissions',
  'ec2:DescribeSecurityGroupRules': 'EC2 Describe* has no resource-level permissions',
  'ec2:DescribeSecurityGroups': 'EC2 Describe* has no resource-level permissions',
  'ec2:DescribeSubnets': 'EC2 Describe* has no resource-level permissions',
  'ec2:DescribeVpcAttribute': 'EC2 Describe* has no resource-level permissions',
  'ec2:DescribeVpcs': 'EC2 Describe* has no resource-level permissions',
  'elasticloadbalancing:DescribeListenerAttributes': 'ELB Describe* has no resource-level permissions',
  'elasticloadbalancing:DescribeListenerCertificates': 'ELB Describe* has no resource-level permissions',
  'elasticloadbalancing:DescribeListeners': 'ELB Describe* has no resource-level permissions',
  'elasticloadbalancing:DescribeLoadBalancerAttributes': 'ELB Describe* has no resource-level permissions',
  'elasticloadbalancing:DescribeLoadBalancers': 'ELB Describe* has no resource-level permissions',
  'elasticloadbalancing:DescribeRules': 'ELB Describe* has no resource-level permissions',
  'elasticloadbalancing:DescribeTags': 'ELB Describe* has no resource-level permissions',
  'elasticloadbalancing:DescribeTargetGroupAttributes': 'ELB Describe* has no resource-level permissions',
  'elasticloadbalancing:DescribeTargetGroups': 'ELB Describe* has no resource-level permissions',
  'application-autoscaling:DescribeScalableTargets': 'Application Auto Scaling Describe* has no resource-level permissions',
  'application-autoscaling:DescribeScalingActivities': 'Application Auto Scaling Describe* has no resource-level permissions',
  'application-autoscaling:DescribeScalingPolicies': 'Application Auto Scaling Describe* has no resource-level permissions',
  'ecs:RegisterTaskDefinition': 'a task definition has no ARN before it is registered; ECS authorizes it on * (with the service tag in the request)',
  'ecs:DeregisterTaskDefinition': 'ECS authorizes task definition (de)registration on * only',
  'ecs:DescribeTaskDefinition': 'ECS authorizes DescribeTaskDefinition on * only',
};

describe('IAM in every template', () => {
  const templates: Record<string, TemplateJson> = {};

  beforeAll(() => {
    const tier = synthesizeTierTemplate();
    const app = new App();
    const control = new ControlStack(app, 'Control', { reconcilerCodePath: stubReconcilerBundle(), tierTemplatePath: templateFile(tier), hostedZoneIds: ['Z0123456789ABCDEFGHIJ'] });
    // The pet store (with its table) and a generic image (by URI, with variables, no table).
    const base = new BaseStack(app, 'Base', {
      service: 'shop',
      domainName: 'api.shop.example.com',
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      imageRepositoryName: 'lambdaflex-api',
      imageTagOrDigest: 'v1',
      petsTable: true,
    });
    const generic = new BaseStack(app, 'Generic', baseStackProps(readSettings((source) => (PLAIN_NODE_ENV as Record<string, string>)[source.env], true)));
    templates.control = Template.fromStack(control).toJSON();
    templates.base = Template.fromStack(base).toJSON();
    templates.generic = Template.fromStack(generic).toJSON();
    templates.tier = tier;
  });

  const statements = () => Object.entries(templates).flatMap(([stack, t]) => iamStatements(t).map((s) => ({ ...s, stack })));

  it('finds the policies it checks (the check is not vacuous)', () => {
    expect(iamStatements(templates.control).length).toBeGreaterThan(10);
    expect(iamStatements(templates.base).length).toBeGreaterThan(3);
  });

  it('grants no action with a wildcard, nor NotAction', () => {
    const wildcards = statements().flatMap((s) => s.actions.filter((a) => a.includes('*')).map((a) => `${s.stack}:${s.where}: ${a}`));
    expect(wildcards).toEqual([]);
  });

  it('grants Resource "*" (or NotResource) only to the listed actions AWS cannot scope', () => {
    const unscoped = statements()
      .filter((s) => s.resources.includes('*'))
      .flatMap((s) => s.actions.filter((a) => !(a in ALLOWED_ON_ANY_RESOURCE)).map((a) => `${s.stack}:${s.where}: ${a}`));
    expect(unscoped).toEqual([]);
  });

  it('uses every listed exception (the list stays exactly as long as it must)', () => {
    const onAnyResource = new Set(statements().filter((s) => s.resources.includes('*')).flatMap((s) => s.actions));
    expect(Object.keys(ALLOWED_ON_ANY_RESOURCE).filter((a) => !onAnyResource.has(a))).toEqual([]);
  });

  it('lists stacks on * in one statement of the coordinator only; every other DescribeStacks names lambdaflex-* stacks', () => {
    const onAny = statements().filter((s) => s.resources.includes('*') && s.actions.some((a) => a.startsWith('cloudformation:')));
    expect(onAny.map((s) => [s.stack, s.where, s.actions, s.resources])).toEqual([
      ['control', expect.stringMatching(/^ReconcilerFleetListing\w+\/ListAccountStacks$/), ['cloudformation:DescribeStacks', 'cloudformation:ListStacks'], ['*']],
    ]);
    const scoped = statements().filter((s) => s.actions.includes('cloudformation:DescribeStacks') && !s.resources.includes('*'));
    expect(scoped.map((s) => s.where.split('/')[0].replace(/[A-F0-9]{8}$/, ''))).toEqual(['ReconcilerRoleDefaultPolicy', 'ReconcilerWorkerRoleDefaultPolicy']);
    for (const s of scoped) expect(s.resources).toEqual(['arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/lambdaflex-*']);
  });

  it('attaches no managed policy (their statements would escape this check)', () => {
    for (const t of Object.values(templates)) {
      const roles = Object.values((t.Resources ?? {}) as Record<string, { Type: string; Properties?: { ManagedPolicyArns?: unknown } }>).filter(
        (r) => r.Type === 'AWS::IAM::Role',
      );
      expect(roles.filter((r) => r.Properties?.ManagedPolicyArns !== undefined)).toEqual([]);
    }
  });

  it('lets only the tier’s task role invoke a function, and only the service’s own (the instant spill)', () => {
    const invokes = statements().filter((s) => s.actions.some((a) => a.startsWith('lambda:Invoke')));
    expect(invokes.map((s) => [s.stack, s.where.split('/')[1], s.actions, s.resources])).toEqual([
      ['base', 'SpillToFunction', ['lambda:InvokeFunction'], [expect.stringMatching(/^\$\{Function\w+\.Arn\}$/)]],
      ['generic', 'SpillToFunction', ['lambda:InvokeFunction'], [expect.stringMatching(/^\$\{Function\w+\.Arn\}$/)]],
    ]);
    for (const invoke of invokes) expect(invoke.where).toMatch(/^TaskRole/);
  });

  it('scopes every write of the tier’s CloudFormation service role by the service tag, but the statements it documents', () => {
    const isRead = (action: string) => /:(Describe|List|Get)[A-Z]/.test(action);
    const tagKeys = [`aws:ResourceTag/${SERVICE_TAG_KEY}`, `aws:RequestTag/${SERVICE_TAG_KEY}`];
    const byTag = (s: FoundStatement) => Object.values(s.condition ?? {}).some((operands) => Object.keys(operands).some((key) => tagKeys.includes(key)));
    const serviceRole = statementsOfRole(templates.control, 'TierStackServiceRole');
    expect(serviceRole.length).toBeGreaterThan(15);
    const untagged = serviceRole.filter((s) => s.actions.some((a) => !isRead(a)) && !byTag(s)).map((s) => s.sid ?? s.where);
    // Both ways: an untagged write needs a written reason, and a reason must still have its statement.
    expect(untagged.sort()).toEqual(Object.keys(TAG_UNSCOPED_STATEMENTS).sort());
  });

  it('writes to EC2, ELB and ECS from no other role (the reconciler and the app have none)', () => {
    const infra = statements().filter((s) => s.actions.some((a) => /^(ec2|elasticloadbalancing|ecs|application-autoscaling):/.test(a) && !/:(Describe|List)[A-Z]/.test(a)));
    expect(infra.length).toBeGreaterThan(0);
    expect(infra.filter((s) => !(s.stack === 'control' && s.where.startsWith('TierStackServiceRole'))).map((s) => `${s.stack}:${s.where}`)).toEqual([]);
  });

  it('only allows (no Deny statement to reason about)', () => {
    expect(statements().filter((s) => s.effect !== 'Allow')).toEqual([]);
  });
});
