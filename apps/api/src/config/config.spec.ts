import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
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

  it('listens on loopback by default: the image opts in to 0.0.0.0', () => {
    expect(loadConfig({}, 'server')).toMatchObject({ host: '127.0.0.1', port: 3000 });
  });

  it('names every bad variable at once', () => {
    const read = () => loadConfig({ PORT: 'eighty', LAMBDAFLEX_TIER: 'ec2', DYNAMODB_ENDPOINT: 'not a url' }, 'server');
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/PORT.*LAMBDAFLEX_TIER.*DYNAMODB_ENDPOINT/);
  });
});
