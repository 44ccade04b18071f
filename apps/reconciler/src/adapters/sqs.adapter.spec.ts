import { SendMessageBatchCommand, SQSClient, SQSServiceException } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { RetryableAwsError, TerminalAwsError } from '../ports';
import { SqsWorkQueue, sqsId } from './sqs.adapter';

const sqs = mockClient(SQSClient);
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/lambdaflex-work.fifo';
const queue = new SqsWorkQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE_URL);
const TICK = '2025-03-01T12:00:00.000Z';

/** Every entry of a SendMessageBatch call accepted, as SQS answers it. */
const allAccepted = (input: { Entries?: { Id?: string }[] }) => ({
  Successful: (input.Entries ?? []).map((e, i) => ({ Id: e.Id, MessageId: `msg-${i}`, MD5OfMessageBody: 'md5', SequenceNumber: `${i}` })),
  Failed: [],
});

afterEach(() => sqs.reset());

describe('enqueue', () => {
  it('sends one message per service, ten to a call, grouped by service and deduplicated by service and tick', async () => {
    // Arrange
    sqs.on(SendMessageBatchCommand).callsFake(allAccepted);
    const services = Array.from({ length: 23 }, (_, i) => `svc-${i}`);

    // Act
    await queue.enqueue(services, TICK);

    // Assert
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Entries?.length)).toEqual([10, 10, 3]);
    expect(calls.every((c) => c.QueueUrl === QUEUE_URL)).toBe(true);
    expect(calls[2].Entries?.[2]).toEqual({
      Id: 'm22',
      MessageBody: JSON.stringify({ service: 'svc-22', tick: TICK }),
      MessageGroupId: 'svc-22',
      MessageDeduplicationId: `svc-22:${TICK}`,
    });
    const sent = calls.flatMap((c) => c.Entries ?? []);
    expect(sent.map((e) => JSON.parse(e.MessageBody ?? '{}').service)).toEqual(services);
  });

  it('sends a service named twice once', async () => {
    sqs.on(SendMessageBatchCommand).callsFake(allAccepted);

    await queue.enqueue(['shop', 'shop', 'cart'], TICK);

    expect(sqs.commandCalls(SendMessageBatchCommand)[0].args[0].input.Entries?.map((e) => e.MessageGroupId)).toEqual(['shop', 'cart']);
  });

  it('sends nothing for no services', async () => {
    await queue.enqueue([], TICK);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('sends an entry refused in the batch answer once more, alone', async () => {
    // Arrange
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [{ Id: 'm0', MessageId: 'msg-0', MD5OfMessageBody: 'md5' }],
        Failed: [{ Id: 'm1', SenderFault: false, Code: 'InternalError', Message: 'We encountered an internal error.' }],
      })
      .callsFake(allAccepted);

    // Act
    await queue.enqueue(['shop', 'cart'], TICK);

    // Assert
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1].args[0].input.Entries).toEqual([expect.objectContaining({ Id: 'm1', MessageGroupId: 'cart', MessageDeduplicationId: `cart:${TICK}` })]);
  });

  it.each([
    [false, 'InternalError', RetryableAwsError],
    [true, 'InvalidParameterValue', TerminalAwsError],
  ] as const)('throws an entry refused twice (sender fault %s, %s) as a classified error', async (SenderFault, Code, errorClass) => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: 'm0', SenderFault, Code, Message: 'refused' }] });

    const err = await queue.enqueue(['shop'], TICK).catch((e: unknown) => e);

    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
    expect(err).toBeInstanceOf(errorClass);
    expect(err).toMatchObject({ operation: 'SendMessageBatch', code: Code });
  });

  it('classifies a failed call: throttling is retryable', async () => {
    sqs.on(SendMessageBatchCommand).rejects(
      new SQSServiceException({ name: 'RequestThrottled', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Request is throttled.' }),
    );
    await expect(queue.enqueue(['shop'], TICK)).rejects.toBeInstanceOf(RetryableAwsError);
  });
});

describe('sqsId', () => {
  it('keeps an id SQS allows as it is', () => {
    expect(sqsId(`shop:${TICK}`)).toBe(`shop:${TICK}`);
  });

  it('makes an id with characters SQS refuses, or too long, into an allowed one of at most 128, distinct per input', () => {
    const spaced = sqsId('my shop:tick é');
    const long = sqsId(`${'s'.repeat(200)}:${TICK}`);

    for (const id of [spaced, long]) {
      expect(id).toMatch(/^[!-~]+$/);
      expect(id.length).toBeLessThanOrEqual(128);
    }
    expect(spaced.startsWith('my_shop:tick__')).toBe(true);
    expect(sqsId('my shop')).not.toBe(sqsId('my_shop'));
  });
});
