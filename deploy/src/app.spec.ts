import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TIER_PARAMETERS } from '@lambdaflex/state';
import { createLambdaFlexApp } from './app';
import { Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_API_THROTTLE, EXAMPLE_SETTINGS, SettingsError, readControlTargets, readSettings } from './settings';
import { PLAIN_NODE_ENV, PLAIN_NODE_VARIABLES } from './testing/example-services';
import { render, stubReconcilerBundle } from './testing/template-helpers';

const SETTINGS_ENV = {
  LAMBDAFLEX_SERVICE: 'shop',
  LAMBDAFLEX_DOMAIN_NAME: 'api.shop.example.com',
  LAMBDAFLEX_HOSTED_ZONE_ID: '/hostedzone/Z0123456789ABCDEFGHIJ',
  LAMBDAFLEX_IMAGE_REPOSITORY: 'lambdaflex-api',
  LAMBDAFLEX_IMAGE_TAG: 'v1.2.3',
};
const fromEnv = (env: Record<string, string | undefined>) => (source: { env: string }) => env[source.env];

describe('createLambdaFlexApp (what nx run deploy:synth writes)', () => {
  it('writes the control stack, the base stack and the tier template, with no AWS account', () => {
    // Arrange
    const outdir = mkdtempSync(path.join(tmpdir(), 'lambdaflex-synth-'));
    // Act
    const { app, tierTemplatePath } = createLambdaFlexApp({ outdir, reconcilerCodePath: stubReconcilerBundle(), env: SETTINGS_ENV });
    const assembly = app.synth();
    // Assert
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(['LambdaFlexControl', 'lambdaflex-shop']);
    expect(assembly.stacks.every((s) => s.environment.account === 'unknown-account')).toBe(true);
    expect(tierTemplatePath).toBe(path.join(outdir, 'tier.template.json'));
    const tier = JSON.parse(readFileSync(tierTemplatePath, 'utf8')) as { Parameters: Record<string, unknown> };
    expect(Object.keys(tier.Parameters).sort()).toEqual(Object.values(TIER_PARAMETERS).sort());
    expect(existsSync(path.join(outdir, 'LambdaFlexControl.template.json'))).toBe(true);
  });

  it('prefers --context values to the environment', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'lambdaflex-synth-'));
    const { settings } = createLambdaFlexApp({
      outdir,
      reconcilerCodePath: stubReconcilerBundle(),
      env: SETTINGS_ENV,
      context: { service: 'orders' },
    });
    expect(settings.service).toBe('orders');
  });

  it('refuses to deploy with missing settings when the deploy target requires them', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'lambdaflex-synth-'));
    expect(() =>
      createLambdaFlexApp({ outdir, reconcilerCodePath: stubReconcilerBundle(), env: {}, context: { 'lambdaflex:requireSettings': 'true' } }),
    ).toThrow(SettingsError);
  });

  it('passes the throttle to the base stack', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'lambdaflex-synth-'));
    const { app } = createLambdaFlexApp({
      outdir,
      reconcilerCodePath: stubReconcilerBundle(),
      env: { ...SETTINGS_ENV, LAMBDAFLEX_API_THROTTLE_RATE: '75', LAMBDAFLEX_API_THROTTLE_BURST: '150' },
    });
    const base = JSON.parse(readFileSync(path.join(app.synth().directory, 'lambdaflex-shop.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const stage = Object.values(base.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage');
    expect(stage?.Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 75, ThrottlingBurstLimit: 150 });
  });
});

/** A template as the app wrote it into its output directory. */
interface WrittenTemplate {
  Parameters: Record<string, { Default?: unknown }>;
  Resources: Record<string, { Type: string; Properties: { Name?: string; Value?: unknown; Environment?: { Variables: Record<string, unknown> } } }>;
  Outputs: Record<string, { Value: unknown }>;
}

describe('nx run deploy:synth for the example services (the files the app writes)', () => {
  /** Runs the app as main.ts does, into a fresh directory, and reads back what it wrote. */
  const synth = (env: Record<string, string>, context?: Record<string, unknown>) => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'lambdaflex-examples-'));
    const { app, settings } = createLambdaFlexApp({ outdir, reconcilerCodePath: stubReconcilerBundle(), env, context });
    app.synth();
    const read = (file: string) => JSON.parse(readFileSync(path.join(outdir, file), 'utf8')) as WrittenTemplate;
    const base = read(`lambdaflex-${settings.service}.template.json`);
    const resources = (type: string) => Object.values(base.Resources).filter((r) => r.Type === type);
    const parameters = Object.fromEntries(resources('AWS::SSM::Parameter').map((r) => [String(r.Properties.Name), render(r.Properties.Value)]));
    const environmentFile = (): string => {
      const key = parameters[`/lambdaflex/${settings.service}/environment-file`].split('/').pop();
      return readFileSync(path.join(outdir, `asset.${key}`), 'utf8');
    };
    return { base, resources, parameters, environmentFile, tier: read('tier.template.json'), settings };
  };

  it('writes the pet store (no settings: the example) with its table, PETS_TABLE and the default port and health path', () => {
    // Act
    const { base, resources, parameters, settings } = synth({});
    // Assert
    expect(settings).toBe(EXAMPLE_SETTINGS);
    expect(resources('AWS::DynamoDB::Table')).toHaveLength(1);
    expect(Object.keys(resources('AWS::Lambda::Function')[0].Properties.Environment?.Variables ?? {})).toContain('PETS_TABLE');
    expect(render(base.Outputs.PetsTableName.Value)).toMatch(/^\$\{PetsTable\w+\}$/);
    expect(parameters).toMatchObject({ '/lambdaflex/example/container-port': '8080', '/lambdaflex/example/health-check-path': '/healthz' });
  });

  it('writes the plain-node example: no pets table, its two variables on both tiers, 512 MiB, port 8080 and /healthz', () => {
    // Act
    const { base, resources, parameters, environmentFile } = synth(PLAIN_NODE_ENV);
    // Assert
    expect(resources('AWS::DynamoDB::Table')).toHaveLength(0);
    expect(base.Outputs.PetsTableName.Value).toBe('(none)');
    const [fn] = resources('AWS::Lambda::Function');
    expect(fn.Properties.Environment?.Variables).toMatchObject({ ...PLAIN_NODE_VARIABLES, PORT: '8080' });
    expect(fn.Properties.Environment?.Variables).not.toHaveProperty('PETS_TABLE');
    expect(base.Parameters.FunctionMemory.Default).toBe(512);
    expect(parameters).toMatchObject({ '/lambdaflex/plain-node/container-port': '8080', '/lambdaflex/plain-node/health-check-path': '/healthz' });
    expect(environmentFile()).toContain('GREETING=hello from LambdaFlex\nLOG_LEVEL=info\n');
  });

  it('writes one tier template for both: what differs is read from each base stack when the tier is built', () => {
    expect(synth(PLAIN_NODE_ENV).tier).toEqual(synth({}).tier);
  });

  it('reads the environment from cdk.json as a JSON object too', () => {
    const { settings } = synth({ ...PLAIN_NODE_ENV, LAMBDAFLEX_ENVIRONMENT: '' }, { environment: { GREETING: 'from cdk.json' } });
    expect(settings.environment).toEqual({ GREETING: 'from cdk.json' });
  });

  it('stops with every bad setting named, before writing a stack', () => {
    expect(() => synth({ ...PLAIN_NODE_ENV, LAMBDAFLEX_CONTAINER_PORT: '0', LAMBDAFLEX_ENVIRONMENT: 'PORT=1' })).toThrow(/containerPort[\s\S]*environment/);
  });
});

describe('createLambdaFlexApp with controlTargets (one control stack per account and region)', () => {
  it('builds one control stack per target, each pinned to its account and region with its own table, queue and schedule', () => {
    // Arrange
    const outdir = mkdtempSync(path.join(tmpdir(), 'lambdaflex-synth-'));
    // Act
    const { app, controlStacks } = createLambdaFlexApp({
      outdir,
      reconcilerCodePath: stubReconcilerBundle(),
      env: { ...SETTINGS_ENV, LAMBDAFLEX_CONTROL_TARGETS: '111111111111/eu-west-1, 222222222222/us-east-1' },
    });
    const assembly = app.synth();
    // Assert
    expect(controlStacks.map((s) => [s.node.id, s.stackName, s.account, s.region])).toEqual([
      ['LambdaFlexControl-111111111111-eu-west-1', 'LambdaFlexControl', '111111111111', 'eu-west-1'],
      ['LambdaFlexControl-222222222222-us-east-1', 'LambdaFlexControl', '222222222222', 'us-east-1'],
    ]);
    expect(assembly.stacks.map((s) => [s.id, s.environment.account, s.environment.region]).sort()).toEqual([
      ['LambdaFlexControl-111111111111-eu-west-1', '111111111111', 'eu-west-1'],
      ['LambdaFlexControl-222222222222-us-east-1', '222222222222', 'us-east-1'],
      ['lambdaflex-shop', 'unknown-account', 'unknown-region'],
    ]);
    for (const stack of controlStacks) {
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
      template.resourceCountIs('AWS::SQS::Queue', 2);
      template.resourceCountIs('AWS::Events::Rule', 1);
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
      expect(existsSync(path.join(outdir, `${stack.artifactId}.template.json`))).toBe(true);
    }
  });

  it('reads the targets from --context before the environment', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'lambdaflex-synth-'));
    const { controlTargets, app } = createLambdaFlexApp({
      outdir,
      reconcilerCodePath: stubReconcilerBundle(),
      env: { LAMBDAFLEX_CONTROL_TARGETS: '111111111111/eu-west-1' },
      context: { controlTargets: '333333333333/ap-southeast-2' },
    });
    expect(controlTargets).toEqual([{ account: '333333333333', region: 'ap-southeast-2' }]);
    expect(app.node.children.filter(Stack.isStack).map((s) => s.node.id)).toEqual(['LambdaFlexControl-333333333333-ap-southeast-2', 'lambdaflex-example']);
  });

  it('keeps one environment-agnostic LambdaFlexControl when no target is set', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'lambdaflex-synth-'));
    const { controlStacks } = createLambdaFlexApp({ outdir, reconcilerCodePath: stubReconcilerBundle(), env: {} });
    expect(controlStacks.map((s) => [s.node.id, s.stackName, Token.isUnresolved(s.account), Token.isUnresolved(s.region)])).toEqual([['LambdaFlexControl', 'LambdaFlexControl', true, true]]);
  });
});

describe('readControlTargets', () => {
  it('is empty when unset or blank', () => {
    expect(readControlTargets(fromEnv({}))).toEqual([]);
    expect(readControlTargets(fromEnv({ LAMBDAFLEX_CONTROL_TARGETS: ' , ' }))).toEqual([]);
  });

  it('reads account/region pairs, trimmed', () => {
    expect(readControlTargets(fromEnv({ LAMBDAFLEX_CONTROL_TARGETS: ' 111111111111 / eu-west-1,222222222222/us-gov-west-1 ' }))).toEqual([
      { account: '111111111111', region: 'eu-west-1' },
      { account: '222222222222', region: 'us-gov-west-1' },
    ]);
  });

  it.each([
    ['an account that is not 12 digits', '11111/eu-west-1'],
    ['a missing region', '111111111111'],
    ['a region that is not one', '111111111111/Ireland'],
    ['a third part', '111111111111/eu-west-1/extra'],
    ['the region first', 'eu-west-1/111111111111'],
  ])('refuses %s, naming the entry and the expected form', (_case, entry) => {
    const read = () => readControlTargets(fromEnv({ LAMBDAFLEX_CONTROL_TARGETS: `222222222222/us-east-1,${entry}` }));
    expect(read).toThrow(SettingsError);
    expect(read).toThrow(`invalid controlTargets (--context controlTargets=... or LAMBDAFLEX_CONTROL_TARGETS): "${entry}" is not <12-digit account>/<region> such as 111111111111/eu-west-1`);
  });

  it('refuses the same account and region twice (one control stack each)', () => {
    expect(() => readControlTargets(fromEnv({ LAMBDAFLEX_CONTROL_TARGETS: '111111111111/eu-west-1,111111111111/eu-west-1' }))).toThrow(/listed twice/);
  });
});

describe('readSettings', () => {
  it('falls back to the example settings when nothing is set and nothing is required', () => {
    expect(readSettings(fromEnv({}), false)).toBe(EXAMPLE_SETTINGS);
  });

  it('names every missing setting with its context key and variable', () => {
    expect(() => readSettings(fromEnv({ LAMBDAFLEX_SERVICE: 'shop' }), false)).toThrow(
      /domainName \(--context domainName=\.\.\. or LAMBDAFLEX_DOMAIN_NAME\).*imageTag/,
    );
  });

  it('strips the /hostedzone/ prefix and always lets the reconciler into this service’s zone', () => {
    const settings = readSettings(fromEnv({ ...SETTINGS_ENV, LAMBDAFLEX_HOSTED_ZONE_IDS: 'Z9876543210ZYXWVUTSRQ, Z0123456789ABCDEFGHIJ' }), true);
    expect(settings.hostedZoneId).toBe('Z0123456789ABCDEFGHIJ');
    expect(settings.hostedZoneIds).toEqual(['Z0123456789ABCDEFGHIJ', 'Z9876543210ZYXWVUTSRQ']);
  });

  it.each([
    ['a service name ending in -tier (its base stack would be another service’s tier stack)', { LAMBDAFLEX_SERVICE: 'shop-tier' }, /service/],
    ['an upper-case service name', { LAMBDAFLEX_SERVICE: 'Shop' }, /service/],
    ['a zone id that is not one', { LAMBDAFLEX_HOSTED_ZONE_ID: 'example.com' }, /hostedZoneId/],
    ['a tag with a space', { LAMBDAFLEX_IMAGE_TAG: 'v 1' }, /imageTag/],
  ])('refuses %s', (_case, override, message) => {
    expect(() => readSettings(fromEnv({ ...SETTINGS_ENV, ...override }), true)).toThrow(message);
  });

  it('throttles the HTTP API at the default unless told, from context or the environment', () => {
    expect(readSettings(fromEnv(SETTINGS_ENV), true).apiThrottle).toEqual(DEFAULT_API_THROTTLE);
    const tuned = readSettings(fromEnv({ ...SETTINGS_ENV, LAMBDAFLEX_API_THROTTLE_RATE: '250.5', LAMBDAFLEX_API_THROTTLE_BURST: '500' }), true);
    expect(tuned.apiThrottle).toEqual({ rateLimit: 250.5, burstLimit: 500 });
  });

  it.each([
    ['a negative rate', { LAMBDAFLEX_API_THROTTLE_RATE: '-1' }, /apiThrottleRate/],
    ['a rate that is not a number', { LAMBDAFLEX_API_THROTTLE_RATE: 'fast' }, /apiThrottleRate/],
    ['a fractional burst', { LAMBDAFLEX_API_THROTTLE_BURST: '1.5' }, /apiThrottleBurst/],
  ])('refuses %s', (_case, override, message) => {
    expect(() => readSettings(fromEnv({ ...SETTINGS_ENV, ...override }), true)).toThrow(message);
  });

  it('accepts an image digest', () => {
    const digest = `sha256:${'0'.repeat(64)}`;
    expect(readSettings(fromEnv({ ...SETTINGS_ENV, LAMBDAFLEX_IMAGE_TAG: digest }), true).imageTag).toBe(digest);
  });
});
