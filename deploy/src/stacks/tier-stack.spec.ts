import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TIER_OUTPUTS, TIER_PARAMETERS } from '@lambdaflex/state';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SERVICE_TAG_KEY } from '../naming';
import { synthesizeTierTemplate, writeTierTemplate } from '../tier-template';
import { dynamicReferences, render } from '../testing/template-helpers';
import { BaseStack } from './base-stack';
import { TierStack } from './tier-stack';

/**
 * The service's own values, as the template reads them: a dynamic reference to the SSM parameter its
 * base stack writes, named by the ServiceName parameter. Rendered as `render` renders the Fn::Join.
 */
const fromBaseStack = (setting: 'container-port' | 'health-check-path' | 'environment-file') => ({
  'Fn::Join': ['', ['{{resolve:ssm:/lambdaflex/', { Ref: TIER_PARAMETERS.serviceName }, `/${setting}}}`]],
});
const CONTAINER_PORT = fromBaseStack('container-port');

describe('TierStack (the Fargate tier template)', () => {
  let template: Template;

  beforeAll(() => {
    template = Template.fromStack(new TierStack(new App(), 'Tier'));
  });

  describe('the contract with the reconciler', () => {
    it('takes exactly the parameters the reconciler sends (TIER_PARAMETERS)', () => {
      const parameters = Object.keys(template.toJSON().Parameters ?? {}).sort();
      expect(parameters).toEqual(Object.values(TIER_PARAMETERS).sort());
    });

    it('gives every parameter no default, so a missing one fails the create instead of guessing', () => {
      for (const [name, parameter] of Object.entries(template.toJSON().Parameters as Record<string, { Default?: unknown }>)) {
        expect({ name, default: parameter.Default }).toEqual({ name, default: undefined });
      }
    });

    it('has exactly the outputs the reconciler reads (TIER_OUTPUTS)', () => {
      const outputs = Object.keys(template.toJSON().Outputs ?? {}).sort();
      expect(outputs).toEqual(Object.values(TIER_OUTPUTS).sort());
    });

    it('outputs the ALB alias target and the CloudWatch dimensions', () => {
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(render(outputs[TIER_OUTPUTS.loadBalancerDnsName].Value)).toMatch(/^\$\{LoadBalancer\w+\.DNSName\}$/);
      expect(render(outputs[TIER_OUTPUTS.loadBalancerHostedZoneId].Value)).toMatch(/\.CanonicalHostedZoneID\}$/);
      expect(render(outputs[TIER_OUTPUTS.loadBalancerFullName].Value)).toMatch(/\.LoadBalancerFullName\}$/);
      expect(render(outputs[TIER_OUTPUTS.targetGroupFullName].Value)).toMatch(/\.TargetGroupFullName\}$/);
    });

    it('needs no bootstrap and no asset, so CloudFormation can create it from the template alone', () => {
      const json = template.toJSON();
      expect(json.Parameters).not.toHaveProperty('BootstrapVersion');
      expect(json.Rules).toBeUndefined();
      template.resourceCountIs('AWS::CDK::Metadata', 0);
      expect(JSON.stringify(json)).not.toMatch(/cdk-hnb659fds|AssetParameters/);
    });

    it('creates no IAM role or policy: the task roles come from the base stack', () => {
      for (const type of ['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::Lambda::Function']) {
        template.resourceCountIs(type, 0);
      }
    });
  });

  describe('the service tag (what its CloudFormation service role may act on)', () => {
    /** Resource types CloudFormation cannot tag; the service role scopes their calls by their parent instead. */
    const UNTAGGABLE = [
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      'AWS::EC2::Route',
      'AWS::EC2::SecurityGroupEgress',
      'AWS::EC2::SecurityGroupIngress',
      'AWS::EC2::SubnetRouteTableAssociation',
      'AWS::EC2::VPCGatewayAttachment',
    ];

    it('is on every resource that can carry a tag, valued with the ServiceName parameter', () => {
      const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: { Tags?: { Key: string; Value: unknown }[] } }>;
      const serviceTag = { Key: SERVICE_TAG_KEY, Value: { Ref: TIER_PARAMETERS.serviceName } };
      const untagged = Object.values(resources).filter((r) => !(r.Properties?.Tags ?? []).some((t) => JSON.stringify(t) === JSON.stringify(serviceTag)));
      expect([...new Set(untagged.map((r) => r.Type))].sort()).toEqual(UNTAGGABLE);
    });

    it('tags the VPC, subnets, route tables, gateway, security groups, load balancer, target group and ECS resources', () => {
      for (const type of [
        'AWS::EC2::VPC',
        'AWS::EC2::Subnet',
        'AWS::EC2::RouteTable',
        'AWS::EC2::InternetGateway',
        'AWS::EC2::SecurityGroup',
        'AWS::ElasticLoadBalancingV2::LoadBalancer',
        'AWS::ElasticLoadBalancingV2::TargetGroup',
        'AWS::ECS::Cluster',
        'AWS::ECS::Service',
        'AWS::ECS::TaskDefinition',
      ]) {
        template.allResourcesProperties(type, { Tags: Match.arrayWith([{ Key: SERVICE_TAG_KEY, Value: { Ref: TIER_PARAMETERS.serviceName } }]) });
      }
    });
  });

  describe('network', () => {
    it('spreads a VPC over two AZs in public subnets only', () => {
      template.resourceCountIs('AWS::EC2::VPC', 1);
      template.resourceCountIs('AWS::EC2::Subnet', 2);
      template.resourceCountIs('AWS::EC2::InternetGateway', 1);
      template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: true });
      const zones = Object.values(template.findResources('AWS::EC2::Subnet')).map((s) => s.Properties.AvailabilityZone);
      expect(zones).toEqual([{ 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }, { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] }]);
    });

    it('has no NAT gateway (nor the Elastic IP one would need)', () => {
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
      template.resourceCountIs('AWS::EC2::EIP', 0);
    });

    it('opens the ALB on 443 and 80 to anyone', () => {
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: Match.stringLikeRegexp('ALB'),
        SecurityGroupIngress: [
          Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
          Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80, IpProtocol: 'tcp' }),
        ],
      });
    });

    it('lets the tasks be reached only from the ALB security group, on the service’s container port', () => {
      const taskGroup = Object.entries(template.findResources('AWS::EC2::SecurityGroup')).find(([, r]) =>
        String(r.Properties.GroupDescription).startsWith('LambdaFlex Fargate tasks'),
      );
      if (!taskGroup) throw new Error('no task security group');
      const [taskGroupId, taskGroupResource] = taskGroup;
      expect(taskGroupResource.Properties.SecurityGroupIngress).toBeUndefined();
      const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
      expect(ingress).toEqual([
        expect.objectContaining({
          GroupId: { 'Fn::GetAtt': [taskGroupId, 'GroupId'] },
          SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^AlbSecurityGroup/), 'GroupId'] },
          IpProtocol: 'tcp',
          FromPort: CONTAINER_PORT,
          ToPort: CONTAINER_PORT,
        }),
      ]);
    });
  });

  describe('load balancer', () => {
    it('is internet-facing in the public subnets', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing', Type: 'application' });
    });

    it('writes access logs to the control stack’s bucket of the account and region, under alb/<service>', () => {
      const [lb] = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'));
      const attributes = Object.fromEntries((lb.Properties.LoadBalancerAttributes as { Key: string; Value: unknown }[]).map((a) => [a.Key, render(a.Value)]));
      expect(attributes).toMatchObject({
        'access_logs.s3.enabled': 'true',
        'access_logs.s3.bucket': 'lambdaflex-alb-logs-${AWS::AccountId}-${AWS::Region}',
        'access_logs.s3.prefix': `alb/\${${TIER_PARAMETERS.serviceName}}`,
        'routing.http.drop_invalid_header_fields.enabled': 'true',
      });
    });

    it('listens with HTTPS on 443 with the certificate parameter and forwards to the target group', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 443,
        Protocol: 'HTTPS',
        Certificates: [{ CertificateArn: { Ref: TIER_PARAMETERS.certificateArn } }],
        DefaultActions: [Match.objectLike({ Type: 'forward' })],
      });
    });

    it('redirects HTTP on 80 to HTTPS on 443', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
      });
    });

    it('checks the service’s health path on its container port every 10 s, healthy after 2, and deregisters in 30 s', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        Port: CONTAINER_PORT,
        Protocol: 'HTTP',
        TargetType: 'ip',
        HealthCheckPath: fromBaseStack('health-check-path'),
        HealthCheckIntervalSeconds: 10,
        HealthyThresholdCount: 2,
        TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
      });
    });
  });

  describe('ECS', () => {
    it('runs the image of the parameter with the port, host, tier and table the API reads', () => {
      const petsTable = { Name: 'PETS_TABLE', Value: { Ref: TIER_PARAMETERS.petsTable } };
      template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        RequiresCompatibilities: ['FARGATE'],
        NetworkMode: 'awsvpc',
        Cpu: { Ref: TIER_PARAMETERS.cpu },
        Memory: { Ref: TIER_PARAMETERS.memory },
        ExecutionRoleArn: { Ref: TIER_PARAMETERS.taskExecutionRoleArn },
        TaskRoleArn: { Ref: TIER_PARAMETERS.taskRoleArn },
        ContainerDefinitions: [
          Match.objectLike({
            Image: { Ref: TIER_PARAMETERS.imageUri },
            PortMappings: [{ ContainerPort: CONTAINER_PORT, Protocol: 'tcp' }],
            Environment: Match.arrayWith([
              { Name: 'PORT', Value: CONTAINER_PORT },
              { Name: 'HOST', Value: '0.0.0.0' },
              { Name: 'LAMBDAFLEX_TIER', Value: 'fargate' },
              // Only while the service has the table: the base stack outputs (none) otherwise.
              { 'Fn::If': ['HasPetsTable', petsTable, { Ref: 'AWS::NoValue' }] },
              { Name: 'STATE_TABLE', Value: 'lambdaflex-state' },
              { Name: 'SERVICE_NAME', Value: { Ref: TIER_PARAMETERS.serviceName } },
            ]),
          }),
        ],
      });
    });

    it('gives the tasks the instant spill: the in-flight limit and the function to hand the excess to', () => {
      template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        ContainerDefinitions: [
          Match.objectLike({
            Environment: Match.arrayWith([
              { Name: 'LAMBDAFLEX_MAX_INFLIGHT', Value: { Ref: TIER_PARAMETERS.maxInFlightPerTask } },
              { Name: 'LAMBDAFLEX_SPILL_FUNCTION', Value: { Ref: TIER_PARAMETERS.spillFunctionName } },
            ]),
          }),
        ],
      });
      const parameters = template.toJSON().Parameters as Record<string, { Type: string; AllowedPattern?: string; MinValue?: number }>;
      expect(parameters[TIER_PARAMETERS.spillFunctionName]).toMatchObject({ Type: 'String', AllowedPattern: '^[A-Za-z0-9_-]{1,64}$' });
      expect(parameters[TIER_PARAMETERS.maxInFlightPerTask]).toMatchObject({ Type: 'Number', MinValue: 0 });
    });

    it('reads the admin key hashes at task start from the base stack’s SSM parameter of the service', () => {
      const [taskDefinition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
      const secrets = taskDefinition.Properties.ContainerDefinitions[0].Secrets as { Name: string; ValueFrom: unknown }[];
      expect(secrets.map((secret) => [secret.Name, render(secret.ValueFrom)])).toEqual([
        ['ADMIN_KEYS', `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/lambdaflex/\${${TIER_PARAMETERS.serviceName}}/admin-keys`],
      ]);
    });

    it('logs with awslogs to the base stack’s log group of the service', () => {
      const [taskDefinition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
      const { LogDriver, Options } = taskDefinition.Properties.ContainerDefinitions[0].LogConfiguration;
      expect(LogDriver).toBe('awslogs');
      expect(render(Options['awslogs-group'])).toBe(`/lambdaflex/\${${TIER_PARAMETERS.serviceName}}/fargate`);
      template.resourceCountIs('AWS::Logs::LogGroup', 0);
    });

    it('runs a Fargate service with public IPs, the desired count and the circuit breaker with rollback', () => {
      template.hasResourceProperties('AWS::ECS::Service', {
        LaunchType: 'FARGATE',
        DesiredCount: { Ref: TIER_PARAMETERS.desiredCount },
        DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true } }),
        NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'ENABLED' }) },
        LoadBalancers: [Match.objectLike({ ContainerPort: CONTAINER_PORT })],
      });
    });

    it('names the cluster after the service', () => {
      const [cluster] = Object.values(template.findResources('AWS::ECS::Cluster'));
      expect(render(cluster.Properties.ClusterName)).toBe(`lambdaflex-\${${TIER_PARAMETERS.serviceName}}`);
    });

    it('tracks ALB requests per target between the min and max task parameters', () => {
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        MinCapacity: { Ref: TIER_PARAMETERS.minTasks },
        MaxCapacity: { Ref: TIER_PARAMETERS.maxTasks },
        ScalableDimension: 'ecs:service:DesiredCount',
      });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }),
          TargetValue: { Ref: TIER_PARAMETERS.requestsPerTargetPerMinute },
        }),
      });
    });
  });

  describe('what differs per service (from its base stack, by its name)', () => {
    it('reads exactly the container port, the health path and the environment file by dynamic reference', () => {
      expect(dynamicReferences(template.toJSON())).toEqual([
        `{{resolve:ssm:/lambdaflex/\${${TIER_PARAMETERS.serviceName}}/container-port}}`,
        `{{resolve:ssm:/lambdaflex/\${${TIER_PARAMETERS.serviceName}}/environment-file}}`,
        `{{resolve:ssm:/lambdaflex/\${${TIER_PARAMETERS.serviceName}}/health-check-path}}`,
      ]);
    });

    it('loads the user’s variables from the environment file the base stack uploaded', () => {
      template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        ContainerDefinitions: [Match.objectLike({ EnvironmentFiles: [{ Type: 's3', Value: fromBaseStack('environment-file') }] })],
      });
    });

    it('sets PETS_TABLE only while the PetsTable parameter names a table, not the (none) of a service without one', () => {
      expect(template.toJSON().Conditions.HasPetsTable).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: TIER_PARAMETERS.petsTable }, '(none)'] }] });
    });

    it('runs a service on another port and health path with what its base stack writes, under the names the template resolves', () => {
      // Arrange: a generic image listening on 3000, probed on /health/live, without the pets table.
      const base = Template.fromStack(
        new BaseStack(new App(), 'Orders', {
          service: 'orders',
          domainName: 'orders.example.com',
          hostedZoneId: 'Z0123456789ABCDEFGHIJ',
          imageRepositoryName: 'orders',
          imageTagOrDigest: 'v7',
          containerPort: 3000,
          healthCheckPath: '/health/live',
        }),
      );
      const written = Object.fromEntries(
        Object.values(base.findResources('AWS::SSM::Parameter')).map((r) => [r.Properties.Name as string, render(r.Properties.Value)]),
      );
      // Act: the tier's references, with ServiceName = orders, as CloudFormation resolves them.
      const resolved = dynamicReferences(template.toJSON()).map((ref) => {
        const name = ref.replace(`\${${TIER_PARAMETERS.serviceName}}`, 'orders').replace(/^\{\{resolve:ssm:(.+)\}\}$/, '$1');
        return [name, written[name]];
      });
      // Assert
      expect(Object.fromEntries(resolved)).toEqual({
        '/lambdaflex/orders/container-port': '3000',
        '/lambdaflex/orders/health-check-path': '/health/live',
        '/lambdaflex/orders/environment-file': expect.stringMatching(/^arn:\$\{AWS::Partition\}:s3:::cdk-hnb659fds-assets-.+\.env$/),
      });
      expect(base.toJSON().Outputs.PetsTableName.Value).toBe('(none)');
    });
  });

  describe('the file the reconciler deploys', () => {
    it('is the same template, written as plain JSON', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'lambdaflex-tier-test-'));
      const file = writeTierTemplate(dir);
      expect(path.basename(file)).toBe('tier.template.json');
      const written: unknown = JSON.parse(readFileSync(file, 'utf8'));
      expect(written).toEqual(synthesizeTierTemplate());
      expect(Object.keys((written as { Parameters: object }).Parameters).sort()).toEqual(Object.values(TIER_PARAMETERS).sort());
    });
  });
});
