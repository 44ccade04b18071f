import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { BASE_OUTPUTS } from '@lambdaflex/state';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { baseStackProps } from '../app';
import { SettingsError, readSettings } from '../settings';
import { PLAIN_NODE_ENV, PLAIN_NODE_VARIABLES } from '../testing/example-services';
import { render, statementsOfRole, type FoundStatement } from '../testing/template-helpers';
import { API_ACCESS_LOG_FORMAT, BaseStack, type BaseStackProps } from './base-stack';

/** The pet store (apps/api): the one service with the pets table. */
const PROPS: BaseStackProps = {
  service: 'shop',
  domainName: 'api.shop.example.com',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  imageRepositoryName: 'lambdaflex-api',
  imageTagOrDigest: 'v1.2.3',
  petsTable: true,
};

describe('BaseStack', () => {
  let stack: BaseStack;
  let template: Template;
  let outputs: Record<string, { Value: unknown }>;

  beforeAll(() => {
    stack = new BaseStack(new App(), 'Base', PROPS);
    template = Template.fromStack(stack);
    outputs = template.toJSON().Outputs;
  });

  it('is the stack the reconciler describes: lambdaflex-<service>', () => {
    expect(stack.stackName).toBe('lambdaflex-shop');
  });

  describe('outputs the reconciler reads', () => {
    it('include every BASE_OUTPUTS name', () => {
      expect(Object.keys(outputs)).toEqual(expect.arrayContaining(Object.values(BASE_OUTPUTS)));
    });

    it('give the API’s regional domain and hosted zone from the custom domain', () => {
      expect(render(outputs[BASE_OUTPUTS.apiDomainName].Value)).toMatch(/^\$\{Domain\w+\.RegionalDomainName\}$/);
      expect(render(outputs[BASE_OUTPUTS.apiHostedZoneId].Value)).toMatch(/^\$\{Domain\w+\.RegionalHostedZoneId\}$/);
    });

    it('give the service’s zone and name, the image both tiers run and the API and function ids', () => {
      expect(outputs[BASE_OUTPUTS.hostedZoneId].Value).toBe(PROPS.hostedZoneId);
      expect(outputs[BASE_OUTPUTS.recordName].Value).toBe(PROPS.domainName);
      expect(render(outputs[BASE_OUTPUTS.imageUri].Value)).toBe('${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/lambdaflex-api:v1.2.3');
      expect(render(outputs[BASE_OUTPUTS.apiId].Value)).toMatch(/^\$\{Api\w+\}$/);
      expect(render(outputs[BASE_OUTPUTS.functionName].Value)).toMatch(/^\$\{Function\w+\}$/);
      expect(render(outputs[BASE_OUTPUTS.petsTable].Value)).toMatch(/^\$\{PetsTable\w+\}$/);
    });

    it('give the certificate: the one created here, or the one given', () => {
      expect(outputs[BASE_OUTPUTS.certificateArn].Value).toEqual({ 'Fn::If': ['CreateCertificate', { Ref: 'Certificate' }, { Ref: 'ExistingCertificateArn' }] });
    });
  });

  describe('Lambda path', () => {
    it('runs the image from ECR with the pets table, memory and timeout from parameters', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        PackageType: 'Image',
        Architectures: ['x86_64'],
        MemorySize: { Ref: 'FunctionMemory' },
        Timeout: { Ref: 'FunctionTimeout' },
        Environment: { Variables: { PETS_TABLE: { Ref: Match.stringLikeRegexp('^PetsTable') } } },
        ReservedConcurrentExecutions: { 'Fn::If': ['HasReservedConcurrency', { Ref: 'ReservedConcurrency' }, { Ref: 'AWS::NoValue' }] },
      });
      const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
      expect(render(fn.Properties.Code.ImageUri)).toBe(render(outputs[BASE_OUTPUTS.imageUri].Value));
    });

    it('takes memory, timeout, reserved concurrency and an existing certificate as parameters with defaults', () => {
      const parameters = template.toJSON().Parameters as Record<string, { Type: string; Default?: unknown }>;
      expect(parameters.FunctionMemory).toMatchObject({ Type: 'Number', Default: 1024 });
      expect(parameters.FunctionTimeout).toMatchObject({ Type: 'Number', Default: 29 });
      expect(parameters.ReservedConcurrency).toMatchObject({ Type: 'Number', Default: -1 });
      expect(parameters.ExistingCertificateArn).toMatchObject({ Type: 'String', Default: '' });
      expect(parameters.AdminKeys).toMatchObject({ Type: 'String', Default: '' });
    });

    it('tells the API its service, the state table and the admin key hashes', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ SERVICE_NAME: 'shop', STATE_TABLE: 'lambdaflex-state', ADMIN_KEYS: { Ref: 'AdminKeys' } }) },
      });
    });

    it('writes the admin key hashes where the Fargate tier reads them, never empty (SSM refuses it)', () => {
      template.hasResourceProperties('AWS::SSM::Parameter', {
        Name: '/lambdaflex/shop/admin-keys',
        Type: 'String',
        Value: { 'Fn::Join': ['', [',', { Ref: 'AdminKeys' }]] },
      });
    });

    it('serves an HTTP API whose $default route proxies to the function', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
      template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Function'), 'Arn'] },
      });
    });

    it('is reachable through the custom domain only: the default execute-api endpoint is off', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
    });

    it('throttles every route of the $default stage (1,000 a second, bursts of 2,000, unless set)', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
      });
      const tuned = Template.fromStack(new BaseStack(new App(), 'Tuned', { ...PROPS, apiThrottle: { rateLimit: 50, burstLimit: 100 } }));
      tuned.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 } });
    });

    it('writes a JSON access log line per request to its own log group, with a retention', () => {
      const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
      const { DestinationArn, Format } = stage.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
      expect(render(DestinationArn)).toMatch(/^\$\{ApiAccessLogs\w+\.Arn\}$/);
      const logGroupId = render(DestinationArn).replace(/^\$\{(\w+)\.Arn\}$/, '$1');
      expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(14);
      const fields = JSON.parse(Format) as Record<string, string>;
      expect(fields).toEqual(API_ACCESS_LOG_FORMAT);
      expect(fields).toMatchObject({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latency: '$context.responseLatency',
      });
    });

    it('logs no header, query string, body or identity secret', () => {
      const variables = Object.values(API_ACCESS_LOG_FORMAT).join(' ');
      expect(variables).not.toMatch(/header|querystring|body|authorizer|apiKey|userAgent|caller|user\b|cognito/i);
    });

    it('maps the API to a regional custom domain on the certificate', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
        DomainName: PROPS.domainName,
        DomainNameConfigurations: [
          { EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2', CertificateArn: outputs[BASE_OUTPUTS.certificateArn].Value },
        ],
      });
      template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { Stage: '$default' });
    });

    it('creates a DNS-validated certificate in the zone only when no ARN is given', () => {
      template.hasResource('AWS::CertificateManager::Certificate', {
        Condition: 'CreateCertificate',
        Properties: {
          DomainName: PROPS.domainName,
          ValidationMethod: 'DNS',
          DomainValidationOptions: [{ DomainName: PROPS.domainName, HostedZoneId: PROPS.hostedZoneId }],
        },
      });
      expect(template.toJSON().Conditions.CreateCertificate).toEqual({ 'Fn::Equals': [{ Ref: 'ExistingCertificateArn' }, ''] });
    });

    it('leaves the service’s records to the reconciler', () => {
      for (const type of ['AWS::Route53::RecordSet', 'AWS::Route53::RecordSetGroup', 'AWS::Route53::HostedZone']) {
        template.resourceCountIs(type, 0);
      }
    });
  });

  describe('what the Fargate tier borrows', () => {
    let executionRole: FoundStatement[];
    let taskRole: FoundStatement[];

    beforeAll(() => {
      executionRole = statementsOfRole(template.toJSON(), 'TaskExecutionRole');
      taskRole = statementsOfRole(template.toJSON(), 'TaskRole');
    });

    it('keeps the pets table (id, a string) on demand', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      });
    });

    it('puts both task roles under /lambdaflex/, assumed by ECS tasks', () => {
      const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => /^Task(Execution)?Role/.test(id));
      expect(roles).toHaveLength(2);
      for (const [, role] of roles) {
        expect(role.Properties.Path).toBe('/lambdaflex/');
        expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'ecs-tasks.amazonaws.com' });
      }
    });

    it('lets the execution role pull from the image’s repository and write the tier’s log group only', () => {
      const byAction = (action: string) => executionRole.find((s) => s.actions.includes(action))?.resources;
      expect(byAction('ecr:BatchGetImage')).toEqual(['arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/lambdaflex-api']);
      expect(byAction('logs:PutLogEvents')).toEqual([expect.stringMatching(/^\$\{FargateLogs\w+\.Arn\}$/)]);
      expect(byAction('ssm:GetParameters')).toEqual(['arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/lambdaflex/shop/admin-keys']);
      template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/lambdaflex/shop/fargate', RetentionInDays: 14 });
    });

    it('gives the task role (and the function) the pets table and its own service’s state items only', () => {
      const functionRole = statementsOfRole(template.toJSON(), 'FunctionRole').filter((s) => s.sid !== undefined);
      const appStatements = taskRole.filter((s) => s.sid !== 'SpillToFunction');
      for (const statements of [appStatements, functionRole]) {
        const [pets, state] = ['PetsTable', 'OwnServiceState'].map((sid) => statements.find((s) => s.sid === sid));
        expect(statements.map((s) => s.sid).sort()).toEqual(['OwnServiceState', 'PetsTable']);
        expect(pets?.resources).toEqual([expect.stringMatching(/^\$\{PetsTable\w+\.Arn\}$/)]);
        expect(pets?.actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Scan']));
        expect(state?.resources).toEqual(['arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/lambdaflex-state']);
        expect(state?.actions.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
        expect(state?.condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['shop'] } });
      }
    });

    it('lets the task role invoke the service’s own function, that one only, for the instant spill', () => {
      const spill = taskRole.filter((s) => s.actions.some((a) => a.startsWith('lambda:')));
      expect(spill).toEqual([expect.objectContaining({ sid: 'SpillToFunction', effect: 'Allow', actions: ['lambda:InvokeFunction'] })]);
      expect(spill[0].resources).toEqual([expect.stringMatching(/^\$\{Function\w+\.Arn\}$/)]);
      expect(spill[0].resources[0]).toBe(render(outputs[BASE_OUTPUTS.functionName].Value).replace(/^\$\{(\w+)\}$/, '${$1.Arn}'));
      expect(spill[0].condition).toBeUndefined();
    });
  });

  it('pins the image by digest when given one', () => {
    const pinned = new BaseStack(new App(), 'Pinned', { ...PROPS, imageTagOrDigest: `sha256:${'a'.repeat(64)}` });
    const value = Template.fromStack(pinned).toJSON().Outputs[BASE_OUTPUTS.imageUri].Value;
    expect(render(value)).toBe(`\${AWS::AccountId}.dkr.ecr.\${AWS::Region}.\${AWS::URLSuffix}/lambdaflex-api@sha256:${'a'.repeat(64)}`);
  });
});

/** The SSM parameters a template writes, by name: their values rendered. */
const ssmParameters = (template: Template): Record<string, string> =>
  Object.fromEntries(Object.values(template.findResources('AWS::SSM::Parameter')).map((r) => [r.Properties.Name as string, render(r.Properties.Value)]));

/** The environment file the app's base stack uploads: the staged asset, as `cdk deploy` publishes it. */
const stagedEnvironmentFile = (app: App, objectArn: string): string => {
  const key = objectArn.split('/').pop() ?? '';
  const staged = readdirSync(app.outdir).filter((f) => f === `asset.${key}`);
  if (staged.length !== 1) throw new Error(`no staged asset ${key} in ${app.outdir}`);
  return readFileSync(path.join(app.outdir, staged[0]), 'utf8');
};

describe('BaseStack of a generic image (examples/plain-node: no pets table, two variables)', () => {
  const ASSETS_BUCKET = 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}';
  let app: App;
  let template: Template;
  let outputs: Record<string, { Value: unknown }>;
  let parameters: Record<string, string>;

  beforeAll(() => {
    app = new App();
    const settings = readSettings((source) => (PLAIN_NODE_ENV as Record<string, string>)[source.env], true);
    template = Template.fromStack(new BaseStack(app, 'PlainNode', baseStackProps(settings)));
    outputs = template.toJSON().Outputs;
    parameters = ssmParameters(template);
  });

  it('has no pets table, grants none, and outputs the placeholder the tier template knows', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(outputs[BASE_OUTPUTS.petsTable].Value).toBe('(none)');
    for (const role of ['FunctionRole', 'TaskRole']) {
      const statements = statementsOfRole(template.toJSON(), role).filter((s) => s.sid !== undefined);
      expect(statements.map((s) => s.sid).filter((sid) => sid !== 'SpillToFunction')).toEqual(['OwnServiceState']);
    }
  });

  it('gives the function the user’s variables, the port and the health path, and no PETS_TABLE', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fn.Properties.Environment.Variables).toEqual({
      ...PLAIN_NODE_VARIABLES,
      PORT: '8080',
      AWS_LWA_READINESS_CHECK_PATH: '/healthz',
      STATE_TABLE: 'lambdaflex-state',
      SERVICE_NAME: 'plain-node',
      ADMIN_KEYS: { Ref: 'AdminKeys' },
    });
  });

  it('sizes the function from the settings, still a parameter a deploy may override', () => {
    const cfnParameters = template.toJSON().Parameters as Record<string, { Default?: unknown }>;
    expect(cfnParameters.FunctionMemory.Default).toBe(512);
    expect(cfnParameters.FunctionTimeout.Default).toBe(29);
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: { Ref: 'FunctionMemory' }, Timeout: { Ref: 'FunctionTimeout' } });
  });

  it('runs the image its URI names, pulled from that account’s and region’s repository', () => {
    const imageUri = '123456789012.dkr.ecr.eu-west-1.${AWS::URLSuffix}/lambdaflex-plain-node:v1';
    expect(render(outputs[BASE_OUTPUTS.imageUri].Value)).toBe(imageUri);
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(render(fn.Properties.Code.ImageUri)).toBe(imageUri);
    const pull = statementsOfRole(template.toJSON(), 'TaskExecutionRole').find((s) => s.sid === 'PullImage');
    expect(pull?.resources).toEqual(['arn:aws:ecr:eu-west-1:123456789012:repository/lambdaflex-plain-node']);
  });

  it('writes the port, the health path and the environment file’s ARN where the tier template resolves them', () => {
    expect(parameters['/lambdaflex/plain-node/container-port']).toBe('8080');
    expect(parameters['/lambdaflex/plain-node/health-check-path']).toBe('/healthz');
    expect(parameters['/lambdaflex/plain-node/environment-file']).toMatch(new RegExp(`^arn:\\$\\{AWS::Partition\\}:s3:::${ASSETS_BUCKET.replace(/[$^{}]/g, '\\$&')}/[0-9a-f]{64}\\.env$`));
    expect(outputs.ContainerPort.Value).toBe('8080');
    expect(outputs.HealthCheckPath.Value).toBe('/healthz');
  });

  it('uploads the variables as the tier’s environment file, which ECS may read and nothing else of the bucket', () => {
    // Arrange
    const objectArn = parameters['/lambdaflex/plain-node/environment-file'];
    // Act
    const file = stagedEnvironmentFile(app, objectArn);
    const execution = statementsOfRole(template.toJSON(), 'TaskExecutionRole');
    // Assert
    expect(file.split('\n').filter((line) => line !== '' && !line.startsWith('#'))).toEqual(['GREETING=hello from LambdaFlex', 'LOG_LEVEL=info']);
    expect(execution.find((s) => s.sid === 'ReadEnvironmentFile')).toMatchObject({ actions: ['s3:GetObject'], resources: [objectArn] });
    expect(execution.find((s) => s.sid === 'LocateEnvironmentFile')).toMatchObject({
      actions: ['s3:GetBucketLocation'],
      resources: [`arn:\${AWS::Partition}:s3:::${ASSETS_BUCKET}`],
    });
  });
});

describe('BaseStack of an image on another port and health path', () => {
  it('tells both tiers: PORT and the readiness path on Lambda, the parameters the tier reads, the outputs', () => {
    // Arrange
    const props: BaseStackProps = { ...PROPS, petsTable: false, containerPort: 3000, healthCheckPath: '/health/live' };
    // Act
    const template = Template.fromStack(new BaseStack(new App(), 'Other', props));
    // Assert
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PORT: '3000', AWS_LWA_READINESS_CHECK_PATH: '/health/live' }) },
    });
    expect(ssmParameters(template)).toMatchObject({
      '/lambdaflex/shop/container-port': '3000',
      '/lambdaflex/shop/health-check-path': '/health/live',
    });
    expect(template.toJSON().Outputs.ContainerPort.Value).toBe('3000');
  });

  it('writes an environment file even with no variable (the tier template always names one)', () => {
    const app = new App();
    const template = Template.fromStack(new BaseStack(app, 'NoVariables', PROPS));
    const file = stagedEnvironmentFile(app, ssmParameters(template)['/lambdaflex/shop/environment-file']);
    expect(file).toMatch(/^# LambdaFlex shop: /);
    expect(file.split('\n').filter((line) => line !== '' && !line.startsWith('#'))).toEqual([]);
  });

  it('refuses a variable the platform sets, even when built without the settings', () => {
    expect(() => new BaseStack(new App(), 'Reserved', { ...PROPS, environment: { PORT: '3000' } })).toThrow(SettingsError);
    expect(() => new BaseStack(new App(), 'Reserved', { ...PROPS, environment: { AWS_REGION: 'eu-west-1' } })).toThrow(/AWS_REGION/);
  });
});
