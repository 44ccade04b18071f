import { DEFAULT_SERVICE_SETTINGS, SettingsError, readSettings } from './settings';
import { PET_STORE_ENV, PLAIN_NODE_ENV, PLAIN_NODE_VARIABLES } from './testing/example-services';

const read = (env: Record<string, string | undefined>) => readSettings((source) => env[source.env], true);

/** A generic service with only the required settings: its image by repository and tag. */
const GENERIC_ENV = {
  LAMBDAFLEX_SERVICE: 'orders',
  LAMBDAFLEX_DOMAIN_NAME: 'orders.example.com',
  LAMBDAFLEX_HOSTED_ZONE_ID: 'Z0123456789ABCDEFGHIJ',
  LAMBDAFLEX_IMAGE_REPOSITORY: 'orders',
  LAMBDAFLEX_IMAGE_TAG: 'v7',
};

describe('readSettings: deploying any image', () => {
  describe('accepts', () => {
    it('a generic service with only the required settings: port 8080, /healthz, 1024 MiB, 29 s, no variables, no pets table', () => {
      expect(read(GENERIC_ENV)).toMatchObject({
        containerPort: 8080,
        healthPath: '/healthz',
        lambdaMemoryMiB: 1024,
        lambdaTimeoutSeconds: 29,
        environment: {},
        petsTable: false,
      });
      expect(read(GENERIC_ENV).imageRegistry).toBeUndefined();
      expect(DEFAULT_SERVICE_SETTINGS.petsTable).toBe(false);
    });

    it('the pet store, which turns its table on', () => {
      expect(read(PET_STORE_ENV)).toMatchObject({ service: 'shop', imageRepository: 'lambdaflex-api', petsTable: true });
    });

    it('the plain-node example: its image by URI, its port, health path, memory and two variables', () => {
      expect(read(PLAIN_NODE_ENV)).toMatchObject({
        imageRepository: 'lambdaflex-plain-node',
        imageTag: 'v1',
        imageRegistry: { account: '123456789012', region: 'eu-west-1' },
        containerPort: 8080,
        healthPath: '/healthz',
        lambdaMemoryMiB: 512,
        environment: PLAIN_NODE_VARIABLES,
        petsTable: false,
      });
    });

    it.each([
      ['a digest', '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/orders@sha256:' + 'a'.repeat(64), { imageRepository: 'team/orders', imageTag: `sha256:${'a'.repeat(64)}` }],
      ['a China region', '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/orders:v1', { imageRegistry: { account: '123456789012', region: 'cn-north-1' } }],
    ])('an image URI with %s', (_case, imageUri, expected) => {
      const { LAMBDAFLEX_IMAGE_REPOSITORY: _repository, LAMBDAFLEX_IMAGE_TAG: _tag, ...rest } = GENERIC_ENV;
      expect(read({ ...rest, LAMBDAFLEX_IMAGE_URI: imageUri })).toMatchObject(expected);
    });

    it.each([
      ['JSON', '{"LOG_LEVEL":"debug","GREETING":"a, b = c"}', { LOG_LEVEL: 'debug', GREETING: 'a, b = c' }],
      ['KEY=VALUE pairs, trimmed, = kept in a value, a trailing comma ignored', ' LOG_LEVEL = debug , QUERY=a=b, ', { LOG_LEVEL: 'debug', QUERY: 'a=b' }],
      ['the Lambda Web Adapter’s own settings', 'AWS_LWA_INVOKE_MODE=response_stream', { AWS_LWA_INVOKE_MODE: 'response_stream' }],
      ['an empty value', '{"FEATURE_FLAGS":""}', { FEATURE_FLAGS: '' }],
    ])('an environment as %s', (_case, environment, expected) => {
      expect(read({ ...GENERIC_ENV, LAMBDAFLEX_ENVIRONMENT: environment }).environment).toEqual(expected);
    });

    it('a port, health path, memory and timeout of its own', () => {
      const settings = read({
        ...GENERIC_ENV,
        LAMBDAFLEX_CONTAINER_PORT: '3000',
        LAMBDAFLEX_HEALTH_PATH: '/health/live',
        LAMBDAFLEX_LAMBDA_MEMORY_MIB: '2048',
        LAMBDAFLEX_LAMBDA_TIMEOUT_SECONDS: '15',
        LAMBDAFLEX_PETS_TABLE: 'false',
      });
      expect(settings).toMatchObject({ containerPort: 3000, healthPath: '/health/live', lambdaMemoryMiB: 2048, lambdaTimeoutSeconds: 15, petsTable: false });
    });
  });

  describe('refuses, naming the setting with its context key and variable', () => {
    it.each([
      ['port 0', { LAMBDAFLEX_CONTAINER_PORT: '0' }, 'containerPort (--context containerPort=... or LAMBDAFLEX_CONTAINER_PORT): a port number from 1 to 65535'],
      ['a port past 65535', { LAMBDAFLEX_CONTAINER_PORT: '70000' }, 'containerPort'],
      ['a fractional port', { LAMBDAFLEX_CONTAINER_PORT: '8080.5' }, 'containerPort'],
      ['a port that is not a number', { LAMBDAFLEX_CONTAINER_PORT: 'http' }, 'containerPort'],
      ['a health path without its leading /', { LAMBDAFLEX_HEALTH_PATH: 'healthz' }, 'healthPath (--context healthPath=... or LAMBDAFLEX_HEALTH_PATH): a path starting with /'],
      ['a health path with a space', { LAMBDAFLEX_HEALTH_PATH: '/health z' }, 'healthPath'],
      ['a health path with a query string', { LAMBDAFLEX_HEALTH_PATH: '/health?deep=1' }, 'healthPath'],
      ['memory under Lambda’s 128 MiB', { LAMBDAFLEX_LAMBDA_MEMORY_MIB: '64' }, 'lambdaMemoryMiB (--context lambdaMemoryMiB=... or LAMBDAFLEX_LAMBDA_MEMORY_MIB): a whole number of MiB from 128 to 10240'],
      ['memory over Lambda’s 10,240 MiB', { LAMBDAFLEX_LAMBDA_MEMORY_MIB: '20000' }, 'lambdaMemoryMiB'],
      ['a timeout of 0', { LAMBDAFLEX_LAMBDA_TIMEOUT_SECONDS: '0' }, 'lambdaTimeoutSeconds'],
      ['a timeout over Lambda’s 900 s', { LAMBDAFLEX_LAMBDA_TIMEOUT_SECONDS: '901' }, 'lambdaTimeoutSeconds'],
      ['petsTable other than true or false', { LAMBDAFLEX_PETS_TABLE: 'yes' }, 'petsTable (--context petsTable=... or LAMBDAFLEX_PETS_TABLE): true or false'],
    ])('%s', (_case, override, message) => {
      const attempt = () => read({ ...GENERIC_ENV, ...override });
      expect(attempt).toThrow(SettingsError);
      expect(attempt).toThrow(message);
    });

    it.each([
      ['PORT, which LambdaFlex sets', 'PORT=3000', '"PORT" is set by LambdaFlex from containerPort'],
      ['AWS_* names, which AWS sets', 'AWS_REGION=eu-west-1', '"AWS_REGION" is reserved: AWS_* names are set by AWS'],
      ['the readiness path LambdaFlex sets for the Lambda Web Adapter', 'AWS_LWA_READINESS_CHECK_PATH=/', 'set by LambdaFlex from healthPath'],
      ['LambdaFlex’s own names', 'LAMBDAFLEX_TIER=lambda', '"LAMBDAFLEX_TIER" is reserved: LAMBDAFLEX_* names are'],
      ['the names ECS sets', 'ECS_CONTAINER_METADATA_URI_V4=x', 'ECS_* names are set by ECS'],
      ['the platform’s table and state names', 'STATE_TABLE=mine,PETS_TABLE=mine', '"STATE_TABLE" is set by LambdaFlex'],
      ['a name that starts with a digit', '1X=y', '"1X" is not a variable name'],
      ['a name with a dash', 'LOG-LEVEL=info', '"LOG-LEVEL" is not a variable name'],
      ['a one-letter name (Lambda needs two)', 'X=1', '"X" is not a variable name'],
      ['an entry without =', 'LOG_LEVEL', '"LOG_LEVEL" is not KEY=VALUE'],
      ['a name given twice', 'A1=1,A1=2', '"A1" is given twice'],
      ['a JSON value that is not a string', '{"RETRIES":3}', '"RETRIES" must be a string (quote it)'],
      ['JSON that does not parse', '{"A1":"x"', 'not valid JSON'],
      ['a JSON array', '["A1=x"]', 'a JSON object of strings'],
      ['a value with a line break', '{"BANNER":"two\\nlines"}', '"BANNER" has a line break or control character'],
      ['more than 2 KB of variables', `{"BIG":"${'x'.repeat(2100)}"}`, 'over the 2048 they may'],
    ])('an environment with %s', (_case, environment, message) => {
      const attempt = () => read({ ...GENERIC_ENV, LAMBDAFLEX_ENVIRONMENT: environment });
      expect(attempt).toThrow(SettingsError);
      expect(attempt).toThrow('environment (--context environment=... or LAMBDAFLEX_ENVIRONMENT): ');
      expect(attempt).toThrow(message);
    });

    it.each([
      ['an image that is not in ECR (Lambda runs ECR images only)', 'docker.io/library/nginx:1.27'],
      ['an ECR URI without a tag or digest', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders'],
      ['an account that is not 12 digits', '1234.dkr.ecr.eu-west-1.amazonaws.com/orders:v1'],
    ])('an image URI that is %s', (_case, imageUri) => {
      const { LAMBDAFLEX_IMAGE_REPOSITORY: _repository, LAMBDAFLEX_IMAGE_TAG: _tag, ...rest } = GENERIC_ENV;
      expect(() => read({ ...rest, LAMBDAFLEX_IMAGE_URI: imageUri })).toThrow('imageUri (--context imageUri=... or LAMBDAFLEX_IMAGE_URI): an ECR image URI');
    });

    it('an image URI and a repository together', () => {
      expect(() => read({ ...GENERIC_ENV, LAMBDAFLEX_IMAGE_URI: PLAIN_NODE_ENV.LAMBDAFLEX_IMAGE_URI })).toThrow('not both');
    });

    it('no image at all, saying both ways to give one', () => {
      const { LAMBDAFLEX_IMAGE_REPOSITORY: _repository, LAMBDAFLEX_IMAGE_TAG: _tag, ...rest } = GENERIC_ENV;
      expect(() => read(rest)).toThrow(
        'missing deploy settings: imageUri (--context imageUri=... or LAMBDAFLEX_IMAGE_URI), or imageRepository (--context imageRepository=... or LAMBDAFLEX_IMAGE_REPOSITORY) and imageTag',
      );
    });

    it('every bad setting at once, one line each', () => {
      // Arrange
      const env = { ...GENERIC_ENV, LAMBDAFLEX_CONTAINER_PORT: '0', LAMBDAFLEX_HEALTH_PATH: 'x', LAMBDAFLEX_ENVIRONMENT: 'PORT=1,AWS_REGION=x' };
      // Act
      let message = '';
      try {
        read(env);
      } catch (err) {
        message = (err as Error).message;
      }
      // Assert
      const lines = message.split('\n');
      expect(lines[0]).toBe('invalid deploy settings:');
      expect(lines.slice(1).map((line) => line.replace(/ \(--context.*$/, ''))).toEqual(['- containerPort', '- healthPath', '- environment']);
      expect(lines[3]).toMatch(/"PORT" is set by LambdaFlex.*; "AWS_REGION" is reserved: AWS_\* names/);
    });
  });

  it('leaves the example to the required settings: an optional setting alone does not leave it', () => {
    const env: Record<string, string> = { LAMBDAFLEX_CONTAINER_PORT: '3000' };
    expect(readSettings((source) => env[source.env], false).service).toBe('example');
  });
});
