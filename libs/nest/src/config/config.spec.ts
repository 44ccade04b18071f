import { ConfigError, loadLambdaFlexConfig as loadConfig, loadServerConfig } from './config';

describe('loadLambdaFlexConfig', () => {
  it('is the lambda tier when the Lambda handler loads it, whatever the environment says', () => {
    expect(loadConfig({ LAMBDAFLEX_TIER: 'fargate' }, 'lambda').tier).toBe('lambda');
  });

  it('is the fargate tier as a server on ECS, and local elsewhere', () => {
    expect(loadConfig({ ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/x' }, 'server').tier).toBe('fargate');
    expect(loadConfig({}, 'server').tier).toBe('local');
  });

  it('lets LAMBDAFLEX_TIER name the server tier', () => {
    expect(loadConfig({ LAMBDAFLEX_TIER: 'fargate' }, 'server').tier).toBe('fargate');
  });

  it('writes log lines synchronously on Lambda, whose process is frozen between invocations, and buffered on a server', () => {
    expect(loadConfig({}, 'lambda').logWrites).toBe('sync');
    expect(loadConfig({}, 'server').logWrites).toBe('async');
    expect(loadConfig({ LOG_WRITES: 'sync' }, 'server').logWrites).toBe('sync');
    expect(loadConfig({ LOG_WRITES: '' }, 'server').logWrites).toBe('async');
    expect(() => loadConfig({ LOG_WRITES: 'later' }, 'server')).toThrow(/^invalid configuration: LOG_WRITES: /);
  });

  it('names every bad variable at once, on one line', () => {
    const read = () => loadConfig({ LAMBDAFLEX_TIER: 'ec2', DYNAMODB_ENDPOINT: 'not a url', STATE_TABLE: 'x' }, 'server');
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/^invalid configuration: LAMBDAFLEX_TIER: .*; DYNAMODB_ENDPOINT: .*; STATE_TABLE: [^\n]*$/);
  });

  describe('options', () => {
    it('take precedence over the environment, which fills in the rest', () => {
      const config = loadConfig({ SERVICE_NAME: 'from-env', STATE_TABLE: 'env-state' }, 'server', { serviceName: 'shop', admin: { readLimitPerMinute: 5 } });
      expect(config).toMatchObject({ serviceName: 'shop', stateTable: 'env-state' });
      expect(config.admin).toMatchObject({ readLimitPerMinute: 5, writeLimitPerMinute: 20 });
    });

    it('name the tier of a server, never of the Lambda handler', () => {
      expect(loadConfig({ LAMBDAFLEX_TIER: 'local' }, 'server', { tier: 'fargate' }).tier).toBe('fargate');
      expect(loadConfig({}, 'lambda', { tier: 'fargate' }).tier).toBe('lambda');
    });

    it('take the admin keys as the variable\'s text or as a list of hashes', () => {
      const sha256 = 'C'.repeat(64);
      expect(loadConfig({}, 'server', { admin: { keys: [{ scope: 'operate', sha256 }] } }).admin.keys).toEqual([{ scope: 'operate', sha256: 'c'.repeat(64) }]);
      expect(loadConfig({}, 'server', { admin: { keys: `read:${sha256}` } }).admin.keys).toEqual([{ scope: 'read', sha256: 'c'.repeat(64) }]);
    });

    it('are named by their path when bad, and an unknown one is refused', () => {
      const read = () =>
        loadConfig({}, 'server', {
          serviceName: 'Shop_1',
          admin: { readLimitPerMinute: 0, keys: [{ scope: 'admin', sha256: 'x' }], burst: 3 },
          regoin: 'eu-west-1',
        } as never);
      expect(read).toThrow(/admin\.burst: unknown option; regoin: unknown option; serviceName: .*admin\.keys\.0\.scope: .*admin\.keys\.0\.sha256: .*admin\.readLimitPerMinute: /);
    });
  });

  describe('admin', () => {
    const hashA = 'a'.repeat(64);
    const hashB = 'B'.repeat(64);

    it('administers the lambdaflex service in the lambdaflex-state table, with no key, by default', () => {
      const config = loadConfig({}, 'server');
      expect(config).toMatchObject({ stateTable: 'lambdaflex-state', serviceName: 'lambdaflex' });
      expect(config.admin).toEqual({ keys: [], readLimitPerMinute: 60, writeLimitPerMinute: 20 });
    });

    it('reads ADMIN_KEYS as scoped SHA-256 hashes, in lower case, ignoring blanks around entries', () => {
      const config = loadConfig({ ADMIN_KEYS: ` read:${hashA} , OPERATE:${hashB},` }, 'server');
      expect(config.admin.keys).toEqual([
        { scope: 'read', sha256: hashA },
        { scope: 'operate', sha256: 'b'.repeat(64) },
      ]);
    });

    it('takes the leading comma the deploy writes to keep its SSM parameter non-empty', () => {
      expect(loadConfig({ ADMIN_KEYS: ',' }, 'server').admin.keys).toEqual([]);
      expect(loadConfig({ ADMIN_KEYS: `,read:${hashA}` }, 'server').admin.keys).toEqual([{ scope: 'read', sha256: hashA }]);
    });

    it('names a bad ADMIN_KEYS entry by its position without echoing it', () => {
      const read = () => loadConfig({ ADMIN_KEYS: `read:${hashA},admin:${hashB},read:not-a-hash` }, 'server');
      expect(read).toThrow(/ADMIN_KEYS: entry 2 .*ADMIN_KEYS: entry 3 /);
      expect(read).not.toThrow(/not-a-hash|BBBB/);
    });

    it('refuses a SERVICE_NAME the policy schema would refuse', () => {
      expect(() => loadConfig({ SERVICE_NAME: 'Shop_1' }, 'server')).toThrow(/SERVICE_NAME/);
    });
  });

});

describe('loadServerConfig', () => {
  it('listens on loopback by default: the image opts in to 0.0.0.0', () => {
    expect(loadServerConfig({})).toMatchObject({ host: '127.0.0.1', port: 3000, shutdownTimeoutMs: 25_000, keepAliveTimeoutMs: 65_000 });
  });

  it('takes options over the environment, and names a bad one', () => {
    expect(loadServerConfig({ PORT: '8080' }, { port: 9090 }).port).toBe(9090);
    expect(() => loadServerConfig({ PORT: 'eighty' })).toThrow(/^invalid configuration: PORT: /);
    expect(() => loadServerConfig({}, { keepAliveTimeoutMs: 10 })).toThrow(/keepAliveTimeoutMs: /);
  });

  describe('the instant spill', () => {
    it('limits a task to 64 requests in flight and spills nowhere by default', () => {
      expect(loadServerConfig({}).spill).toEqual({ maxInFlight: 64, functionName: undefined, lambdaEndpoint: undefined });
    });

    it('reads the limit, the spill function (a name or an unqualified ARN) and a local Lambda endpoint', () => {
      const config = loadServerConfig({
        LAMBDAFLEX_MAX_INFLIGHT: '8',
        LAMBDAFLEX_SPILL_FUNCTION: 'lambdaflex-shop-Function1A2B',
        LAMBDA_ENDPOINT: 'http://127.0.0.1:4000',
      });
      expect(config.spill).toEqual({ maxInFlight: 8, functionName: 'lambdaflex-shop-Function1A2B', lambdaEndpoint: 'http://127.0.0.1:4000' });
      const arn = 'arn:aws:lambda:us-east-1:123456789012:function:shop-api';
      expect(loadServerConfig({ LAMBDAFLEX_SPILL_FUNCTION: arn }).spill.functionName).toBe(arn);
    });

    it('turns the limit off with 0, and reads an empty function name as none', () => {
      expect(loadServerConfig({ LAMBDAFLEX_MAX_INFLIGHT: '0', LAMBDAFLEX_SPILL_FUNCTION: '' }).spill).toMatchObject({ maxInFlight: 0, functionName: undefined });
    });

    it('names a bad limit, function or endpoint', () => {
      const read = () => loadServerConfig({ LAMBDAFLEX_MAX_INFLIGHT: '-1', LAMBDAFLEX_SPILL_FUNCTION: 'fn:alias:extra', LAMBDA_ENDPOINT: 'nope' });
      expect(read).toThrow(/LAMBDAFLEX_MAX_INFLIGHT.*LAMBDAFLEX_SPILL_FUNCTION.*LAMBDA_ENDPOINT/);
    });
  });
});
