import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ChangeResourceRecordSetsCommand, GetChangeCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { BASE_OUTPUTS, baseStackName, createStateTable, parsePolicy, StateStore } from '@lambdaflex/state';
import { LOCAL_CREDENTIALS, startDynalite, type LocalDynamoDb } from '@lambdaflex/local-cloud';

/**
 * The deployed entry points, as Lambda calls them: the scheduled coordinator hands a service it has no
 * time for to the work queue (SQS, mocked), and the queue's worker acts on it under its lease. The state
 * is a real dynalite; CloudFormation, Route53 and CloudWatch answer through aws-sdk-client-mock as AWS
 * documents.
 */

const cfn = mockClient(CloudFormationClient);
const r53 = mockClient(Route53Client);
const cw = mockClient(CloudWatchClient);
const sqs = mockClient(SQSClient);
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/lambdaflex-work.fifo';

const baseStack: Stack = {
  StackName: baseStackName('shop'),
  StackStatus: 'CREATE_COMPLETE',
  CreationTime: new Date('2026-11-01T00:00:00Z'),
  Outputs: Object.values(BASE_OUTPUTS).map((OutputKey) => ({ OutputKey, OutputValue: OutputKey === BASE_OUTPUTS.recordName ? 'shop.example.com' : `${OutputKey}-value` })),
};

let db: LocalDynamoDb;
let store: StateStore;
let entry: typeof import('@lambdaflex/reconciler/handler');

beforeAll(async () => {
  db = await startDynalite();
  await createStateTable(db.client, 'handler-state');
  store = new StateStore(DynamoDBDocumentClient.from(db.client, { marshallOptions: { removeUndefinedValues: true } }), 'handler-state');
  await store.writePolicy(parsePolicy({ service: 'shop' }), undefined);
  Object.assign(process.env, {
    STATE_TABLE: 'handler-state',
    AWS_ENDPOINT_URL: db.endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    WORK_QUEUE_URL: QUEUE,
    TIER_TEMPLATE_URL: 'https://bucket.s3.amazonaws.com/tier.json',
    LOG_LEVEL: 'silent',
  });
  cfn.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) => {
    if (input.StackName === undefined || input.StackName === baseStack.StackName) return { Stacks: [baseStack] };
    throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), { name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
  });
  r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 300 });
  r53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } });
  r53.on(GetChangeCommand).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'INSYNC', SubmittedAt: new Date() } });
  cw.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries?: { Id?: string }[] }) => ({
    MetricDataResults: (input.MetricDataQueries ?? []).map((q) => ({ Id: q.Id, StatusCode: 'Complete', Timestamps: [], Values: [] })),
  }));
  sqs.on(SendMessageBatchCommand).callsFake((input: { Entries?: { Id?: string }[] }) => ({ Successful: (input.Entries ?? []).map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: 'x' })), Failed: [] }));
  entry = await import('@lambdaflex/reconciler/handler');
});
afterAll(async () => {
  await db.stop();
  for (const m of [cfn, r53, cw, sqs]) m.restore();
});

describe('the coordinator and its worker', () => {
  it('hands a service to the queue when its time is up, and the worker then acts on it', async () => {
    // Act: an invocation with 10 s left (under the 15 s it keeps back): no time to act
    const coordinated = await entry.handler(undefined, { getRemainingTimeInMillis: () => 10_000 });
    const sent = sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    const changesBeforeWorker = r53.commandCalls(ChangeResourceRecordSetsCommand).length;
    const worked = await entry.worker({ Records: sent.map((e, i) => ({ messageId: `m${i}`, body: e.MessageBody })) } as unknown as SQSEvent);
    // Assert
    expect(coordinated).toMatchObject({ services: 1, observed: 1, acted: 0, handedOff: 1, failed: 0 });
    expect(sent).toEqual([expect.objectContaining({ MessageGroupId: 'shop', MessageDeduplicationId: expect.stringMatching(/^shop:/) })]);
    expect(JSON.parse(sent[0].MessageBody!)).toEqual({ service: 'shop', tick: expect.any(String) });
    expect(changesBeforeWorker).toBe(0);
    expect(worked).toEqual({ batchItemFailures: [] });
    const changes = r53.commandCalls(ChangeResourceRecordSetsCommand).map((c) => c.args[0].input.ChangeBatch?.Changes?.map((x) => `${x.Action} ${x.ResourceRecordSet?.SetIdentifier}=${x.ResourceRecordSet?.Weight}`));
    expect(changes).toEqual([['UPSERT api=100']]);
    expect((await store.readStatus('shop'))?.status).toMatchObject({ phase: 'lambda', dnsChange: { id: '/change/C1' } });
  });

  it('reports a message it cannot read as a failure, so SQS delivers it again or dead-letters it', async () => {
    const worked = await entry.worker({ Records: [{ messageId: 'bad', body: '{"nope":1}' }] } as unknown as SQSEvent);
    expect(worked).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
  });
});
