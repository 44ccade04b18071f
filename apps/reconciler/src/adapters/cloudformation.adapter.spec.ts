import {
  AlreadyExistsException,
  CloudFormationClient,
  CloudFormationServiceException,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  type StackStatus as CfnStackStatus,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { RetryableAwsError, TerminalAwsError } from '../ports';
import { CloudFormationAdapter } from './cloudformation.adapter';

const cfn = mockClient(CloudFormationClient);
const client = new CloudFormationClient({ region: 'eu-west-1' });
const adapter = new CloudFormationAdapter(client, { templateUrl: 'https://s3.amazonaws.com/bucket/tier.json', tags: { team: 'shop' } });
const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'req-1', attempts: 1, totalRetryDelay: 0 });

/** A service error as the SDK raises it for an unmodelled code (`ValidationError`, `Throttling`, ...). */
function awsError(name: string, message: string, httpStatusCode = 400, extra: object = {}) {
  return Object.assign(new CloudFormationServiceException({ name, $fault: 'client', $metadata: meta(httpStatusCode), message }), extra);
}

function stack(StackStatus: CfnStackStatus) {
  return {
    StackName: 'lambdaflex-shop-tier',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/lambdaflex-shop-tier/1b2c',
    StackStatus,
    CreationTime: new Date('2025-03-01T10:00:00Z'),
    LastUpdatedTime: new Date('2025-03-01T11:30:00Z'),
    Parameters: [
      { ParameterKey: 'ImageUri', ParameterValue: 'repo/app:1' },
      { ParameterKey: 'DesiredCount', ParameterValue: '2' },
    ],
    Outputs: [{ OutputKey: 'LoadBalancerDnsName', OutputValue: 'tier-alb-1.eu-west-1.elb.amazonaws.com' }],
  };
}

afterEach(() => cfn.reset());

describe('describe', () => {
  it.each<[CfnStackStatus, string]>([
    ['CREATE_IN_PROGRESS', 'in-progress'],
    ['UPDATE_IN_PROGRESS', 'in-progress'],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'in-progress'],
    ['UPDATE_ROLLBACK_IN_PROGRESS', 'in-progress'],
    ['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'in-progress'],
    ['ROLLBACK_IN_PROGRESS', 'in-progress'],
    ['DELETE_IN_PROGRESS', 'in-progress'],
    ['REVIEW_IN_PROGRESS', 'in-progress'],
    ['IMPORT_IN_PROGRESS', 'in-progress'],
    ['IMPORT_ROLLBACK_IN_PROGRESS', 'in-progress'],
    ['CREATE_COMPLETE', 'ready'],
    ['UPDATE_COMPLETE', 'ready'],
    ['UPDATE_ROLLBACK_COMPLETE', 'ready'],
    ['IMPORT_COMPLETE', 'ready'],
    ['IMPORT_ROLLBACK_COMPLETE', 'ready'],
    ['ROLLBACK_COMPLETE', 'failed'],
    ['CREATE_FAILED', 'failed'],
    ['ROLLBACK_FAILED', 'failed'],
    ['UPDATE_FAILED', 'failed'],
    ['UPDATE_ROLLBACK_FAILED', 'failed'],
    ['DELETE_FAILED', 'failed'],
    ['IMPORT_ROLLBACK_FAILED', 'failed'],
  ])('maps %s to %s', async (status, state) => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack(status)] });
    await expect(adapter.describe('lambdaflex-shop-tier')).resolves.toMatchObject({ status, state });
  });

  it('asks for the stack by name and returns its parameters, outputs and times as plain values', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('CREATE_COMPLETE')] });

    const described = await adapter.describe('lambdaflex-shop-tier');

    expect(cfn.commandCalls(DescribeStacksCommand)[0].args[0].input).toEqual({ StackName: 'lambdaflex-shop-tier' });
    expect(described).toEqual({
      name: 'lambdaflex-shop-tier',
      status: 'CREATE_COMPLETE',
      state: 'ready',
      parameters: { ImageUri: 'repo/app:1', DesiredCount: '2' },
      outputs: { LoadBalancerDnsName: 'tier-alb-1.eu-west-1.elb.amazonaws.com' },
      createdAt: '2025-03-01T10:00:00.000Z',
      lastUpdatedAt: '2025-03-01T11:30:00.000Z',
    });
  });

  it('returns undefined for a stack that does not exist (a ValidationError)', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('ValidationError', 'Stack with id lambdaflex-shop-tier does not exist'));
    await expect(adapter.describe('lambdaflex-shop-tier')).resolves.toBeUndefined();
  });

  it('returns undefined for a DELETE_COMPLETE stack', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('DELETE_COMPLETE')] });
    await expect(adapter.describe('lambdaflex-shop-tier')).resolves.toBeUndefined();
  });

  it('raises a RetryableAwsError when throttled beyond the SDK retries', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('Throttling', 'Rate exceeded', 400, { $retryable: { throttling: true } }));

    const err = await adapter.describe('lambdaflex-shop-tier').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(RetryableAwsError);
    expect(err).toMatchObject({ operation: 'DescribeStacks', code: 'Throttling', message: 'DescribeStacks: Throttling: Rate exceeded' });
  });

  it('raises a TerminalAwsError when access is denied', async () => {
    const message = 'User: arn:aws:sts::123456789012:assumed-role/reconciler/x is not authorized to perform: cloudformation:DescribeStacks';
    cfn.on(DescribeStacksCommand).rejects(awsError('AccessDenied', message, 403));

    const err = await adapter.describe('lambdaflex-shop-tier').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(TerminalAwsError);
    expect(err).toMatchObject({ code: 'AccessDenied' });
  });
});

describe('create', () => {
  it('sends the template, the parameters sorted by key, the token, CAPABILITY_IAM, the tags and ROLLBACK', async () => {
    cfn.on(CreateStackCommand).resolves({ StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/lambdaflex-shop-tier/1b2c' });

    await adapter.create('lambdaflex-shop-tier', { ServiceName: 'shop', DesiredCount: '2', ImageUri: 'repo/app:1' }, 'lf-create-abc');

    expect(cfn.commandCalls(CreateStackCommand)[0].args[0].input).toEqual({
      StackName: 'lambdaflex-shop-tier',
      TemplateURL: 'https://s3.amazonaws.com/bucket/tier.json',
      Parameters: [
        { ParameterKey: 'DesiredCount', ParameterValue: '2' },
        { ParameterKey: 'ImageUri', ParameterValue: 'repo/app:1' },
        { ParameterKey: 'ServiceName', ParameterValue: 'shop' },
      ],
      ClientRequestToken: 'lf-create-abc',
      Capabilities: ['CAPABILITY_IAM'],
      Tags: [{ Key: 'team', Value: 'shop' }],
      OnFailure: 'ROLLBACK',
    });
  });

  it('sends the template body instead when given one', async () => {
    cfn.on(CreateStackCommand).resolves({});
    const withBody = new CloudFormationAdapter(client, { templateBody: '{"Resources":{}}' });

    await withBody.create('lambdaflex-shop-tier', {}, 'lf-create-abc');

    const input = cfn.commandCalls(CreateStackCommand)[0].args[0].input;
    expect(input).toMatchObject({ TemplateBody: '{"Resources":{}}' });
    expect(input).not.toHaveProperty('TemplateURL');
  });

  it('succeeds when the stack already exists (a retried tick meets its first attempt)', async () => {
    cfn.on(CreateStackCommand).rejects(
      new AlreadyExistsException({ $metadata: meta(400), message: 'Stack [lambdaflex-shop-tier] already exists' }),
    );
    await expect(adapter.create('lambdaflex-shop-tier', {}, 'lf-create-abc')).resolves.toBeUndefined();
  });

  it('raises a TerminalAwsError for an invalid template parameter', async () => {
    cfn.on(CreateStackCommand).rejects(awsError('ValidationError', 'Parameters: [Cpu] must have values'));
    await expect(adapter.create('lambdaflex-shop-tier', {}, 'lf-create-abc')).rejects.toBeInstanceOf(TerminalAwsError);
  });
});

describe('update', () => {
  it('sends the tier template (the role may write tier stacks from it only), the parameters, token and capabilities', async () => {
    cfn.on(UpdateStackCommand).resolves({ StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/lambdaflex-shop-tier/1b2c' });

    const outcome = await adapter.update('lambdaflex-shop-tier', { ImageUri: 'repo/app:2', DesiredCount: '3' }, 'lf-update-def');

    expect(outcome).toBe('updating');
    expect(cfn.commandCalls(UpdateStackCommand)[0].args[0].input).toEqual({
      StackName: 'lambdaflex-shop-tier',
      TemplateURL: 'https://s3.amazonaws.com/bucket/tier.json',
      Parameters: [
        { ParameterKey: 'DesiredCount', ParameterValue: '3' },
        { ParameterKey: 'ImageUri', ParameterValue: 'repo/app:2' },
      ],
      ClientRequestToken: 'lf-update-def',
      Capabilities: ['CAPABILITY_IAM'],
    });
  });

  it("returns 'no-change' when CloudFormation answers No updates are to be performed.", async () => {
    cfn.on(UpdateStackCommand).rejects(awsError('ValidationError', 'No updates are to be performed.'));
    await expect(adapter.update('lambdaflex-shop-tier', { ImageUri: 'repo/app:1' }, 'lf-update-def')).resolves.toBe('no-change');
  });

  it('raises a RetryableAwsError when the stack is busy with another operation', async () => {
    cfn.on(UpdateStackCommand).rejects(
      awsError('ValidationError', 'Stack:arn:aws:cloudformation:eu-west-1:123456789012:stack/lambdaflex-shop-tier/1b2c is in UPDATE_IN_PROGRESS state and can not be updated.'),
    );
    await expect(adapter.update('lambdaflex-shop-tier', {}, 'lf-update-def')).rejects.toBeInstanceOf(RetryableAwsError);
  });

  it('raises a TerminalAwsError for a stack that can only be deleted', async () => {
    cfn.on(UpdateStackCommand).rejects(
      awsError('ValidationError', 'Stack:arn:aws:cloudformation:eu-west-1:123456789012:stack/lambdaflex-shop-tier/1b2c is in ROLLBACK_COMPLETE state and can not be updated.'),
    );
    await expect(adapter.update('lambdaflex-shop-tier', {}, 'lf-update-def')).rejects.toBeInstanceOf(TerminalAwsError);
  });
});

describe('delete', () => {
  it('sends the stack name and the token', async () => {
    cfn.on(DeleteStackCommand).resolves({});

    await adapter.delete('lambdaflex-shop-tier', 'lf-delete-123');

    expect(cfn.commandCalls(DeleteStackCommand)[0].args[0].input).toEqual({ StackName: 'lambdaflex-shop-tier', ClientRequestToken: 'lf-delete-123' });
  });

  it('raises a RetryableAwsError on a 5xx the SDK could not retry away', async () => {
    cfn.on(DeleteStackCommand).rejects(Object.assign(awsError('InternalFailure', 'We encountered an internal error.', 500), { $fault: 'server' }));
    await expect(adapter.delete('lambdaflex-shop-tier', 'lf-delete-123')).rejects.toBeInstanceOf(RetryableAwsError);
  });
});

describe('the CloudFormation service role', () => {
  it('is passed as RoleARN on create, update and delete, so the reconciler itself needs only iam:PassRole', async () => {
    // Arrange
    cfn.on(CreateStackCommand).resolves({ StackId: 'arn:stack' });
    cfn.on(UpdateStackCommand).resolves({ StackId: 'arn:stack' });
    cfn.on(DeleteStackCommand).resolves({});
    const adapter = new CloudFormationAdapter(new CloudFormationClient({}), { templateUrl: 'https://bucket.s3.amazonaws.com/tier.json', roleArn: 'arn:aws:iam::123456789012:role/tier-stack' });
    // Act
    await adapter.create('lambdaflex-shop-tier', { ImageUri: 'app:1' }, 'lf-create-1');
    await adapter.update('lambdaflex-shop-tier', { ImageUri: 'app:2' }, 'lf-update-1');
    await adapter.delete('lambdaflex-shop-tier', 'lf-delete-1');
    // Assert
    for (const command of [CreateStackCommand, UpdateStackCommand, DeleteStackCommand]) {
      expect(cfn.commandCalls(command)[0].args[0].input).toMatchObject({ RoleARN: 'arn:aws:iam::123456789012:role/tier-stack' });
    }
  });
});

describe('describeMany', () => {
  const named = (StackName: string, status: CfnStackStatus = 'CREATE_COMPLETE') => ({
    ...stack(status),
    StackName,
    StackId: `arn:aws:cloudformation:eu-west-1:123456789012:stack/${StackName}/1b2c`,
  });
  const asked = ['lambdaflex-a', 'lambdaflex-a-tier', 'lambdaflex-b', 'lambdaflex-b-tier', 'lambdaflex-c', 'lambdaflex-gone-tier'];

  /** What `describe` makes of the same stack: the listing and the single read reduce it alike. */
  async function describedAlone(name: string) {
    cfn.reset();
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [named(name)] });
    return adapter.describe(name);
  }

  it('lists the account’s stacks page by page, without a name, and keeps only those asked', async () => {
    // Arrange: other stacks of the account are mixed in; a deleted one is no stack
    cfn
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [named('lambdaflex-a'), named('CDKToolkit'), named('lambdaflex-a-tier', 'UPDATE_IN_PROGRESS'), named('lambdaflex-b')], NextToken: 'page-2' })
      .resolvesOnce({ Stacks: [named('someone-elses-app'), named('lambdaflex-c', 'ROLLBACK_COMPLETE'), named('lambdaflex-gone-tier', 'DELETE_COMPLETE')] });

    // Act
    const found = await adapter.describeMany(asked);

    // Assert
    const calls = cfn.commandCalls(DescribeStacksCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([{}, { NextToken: 'page-2' }]);
    expect([...found.keys()].sort()).toEqual(['lambdaflex-a', 'lambdaflex-a-tier', 'lambdaflex-b', 'lambdaflex-c']);
    expect(found.get('lambdaflex-a-tier')).toMatchObject({ status: 'UPDATE_IN_PROGRESS', state: 'in-progress', parameters: { ImageUri: 'repo/app:1', DesiredCount: '2' } });
    expect(found.get('lambdaflex-c')).toMatchObject({ state: 'failed' });
    expect(found.get('lambdaflex-a')).toEqual(await describedAlone('lambdaflex-a'));
  });

  it('describes each name when only a few are asked (fewer calls than a listing)', async () => {
    // Arrange
    cfn.on(DescribeStacksCommand, { StackName: 'lambdaflex-a' }).resolves({ Stacks: [named('lambdaflex-a')] });
    cfn.on(DescribeStacksCommand, { StackName: 'lambdaflex-a-tier' }).rejects(awsError('ValidationError', 'Stack with id lambdaflex-a-tier does not exist'));

    // Act
    const found = await adapter.describeMany(['lambdaflex-a', 'lambdaflex-a-tier']);

    // Assert
    expect(cfn.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input.StackName).sort()).toEqual(['lambdaflex-a', 'lambdaflex-a-tier']);
    expect([...found.keys()]).toEqual(['lambdaflex-a']);
  });

  it('raises a RetryableAwsError, not "no stacks", when the listing never stops paging', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [], NextToken: 'again' });

    const err = await adapter.describeMany(asked).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(RetryableAwsError);
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(100);
  });

  it('raises a TerminalAwsError when the listing is refused (the role may describe its own stacks only)', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'not authorized to perform: cloudformation:DescribeStacks', 403));
    await expect(adapter.describeMany(asked)).rejects.toBeInstanceOf(TerminalAwsError);
  });
});
