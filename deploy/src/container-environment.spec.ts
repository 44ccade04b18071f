import { environmentProblems, parseEnvironment, renderEnvironmentFile, reservedBecause } from './container-environment';

describe('the user’s environment variables', () => {
  it.each([
    ['PORT', 'is set by LambdaFlex from containerPort'],
    ['AWS_ACCESS_KEY_ID', 'is reserved: AWS_* names are set by AWS on Lambda and ECS (only AWS_LWA_*, the Lambda Web Adapter’s, may be set)'],
    ['AWS_LWA_PORT', 'would override PORT for the Lambda Web Adapter: set containerPort instead'],
    ['LAMBDAFLEX_MAX_INFLIGHT', "is reserved: LAMBDAFLEX_* names are LambdaFlex's own (tier, spill)"],
    ['ECS_AGENT_URI', 'is reserved: ECS_* names are set by ECS on Fargate'],
  ])('reserves %s', (name, because) => {
    expect(reservedBecause(name)).toBe(because);
  });

  it.each(['LOG_LEVEL', 'AWS_LWA_INVOKE_MODE', 'DATABASE_HOST', 'NODE_OPTIONS', 'TZ', 'toString'])('leaves %s to the user', (name) => {
    expect(reservedBecause(name)).toBeUndefined();
  });

  it('reads a name such as __proto__ as a name (and refuses it), never as the object’s prototype', () => {
    expect(parseEnvironment('__proto__=x')).toEqual({ ok: false, problems: [expect.stringContaining('"__proto__" is not a variable name')] });
    expect(parseEnvironment('{"__proto__":"x"}')).toEqual({ ok: false, problems: [expect.stringContaining('"__proto__" is not a variable name')] });
  });

  it('counts names and values against the 2 KB it may take, in bytes', () => {
    expect(environmentProblems({ GREETING: 'é'.repeat(1020) })).toEqual([]);
    expect(environmentProblems({ GREETING: 'é'.repeat(1021) })).toEqual([expect.stringContaining('take 2050 bytes')]);
  });

  it('writes the environment file sorted, one NAME=VALUE a line after a comment, as ECS reads it', () => {
    expect(renderEnvironmentFile('orders', { LOG_LEVEL: 'info', GREETING: 'a = b' })).toBe(
      "# LambdaFlex orders: the user's environment of the Fargate tier (the environment deploy setting)\nGREETING=a = b\nLOG_LEVEL=info\n",
    );
  });
});
