import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import type { WorkQueuePort } from '@lambdaflex/state';
import { RetryableAwsError } from '../ports';
import { callAws, classifyAwsError } from './aws-errors';

/** The most entries SendMessageBatch takes in one call. */
const BATCH_SIZE = 10;
/** The longest MessageGroupId and MessageDeduplicationId SQS accepts. */
const MAX_ID_LENGTH = 128;
/** What SQS allows in those ids: letters, digits and ASCII punctuation. */
const SQS_ID_CHARS = /^[!-~]+$/;

/**
 * {@link WorkQueuePort} over an SQS FIFO queue: one message per service and tick, body `{ service, tick }`.
 * The service is the message group, so a worker holds one tick of a service at a time; `service:tick`
 * is the deduplication id, so a coordinator that retries (or runs twice) queues each tick only once
 * within SQS's five-minute deduplication window.
 */
export class SqsWorkQueue implements WorkQueuePort {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /**
   * Sends the messages ten to a call. An entry SQS refuses in a batch's answer is sent once more; one
   * refused again is thrown, classified ({@link RetryableAwsError} when the fault is SQS's).
   */
  async enqueue(services: readonly string[], tick: string): Promise<void> {
    const entries = [...new Set(services)].map((service, i): SendMessageBatchRequestEntry => ({
      // Unique within a batch only; the index keeps it so across the whole send.
      Id: `m${i}`,
      MessageBody: JSON.stringify({ service, tick }),
      MessageGroupId: sqsId(service),
      MessageDeduplicationId: sqsId(`${service}:${tick}`),
    }));
    const batches = Array.from({ length: Math.ceil(entries.length / BATCH_SIZE) }, (_, b) => entries.slice(b * BATCH_SIZE, (b + 1) * BATCH_SIZE));
    await Promise.all(batches.map((batch) => this.sendBatch(batch)));
  }

  private async sendBatch(entries: SendMessageBatchRequestEntry[]): Promise<void> {
    const failed = await this.send(entries);
    if (failed.length === 0) return;
    const retry = entries.filter((e) => failed.some((f) => f.Id === e.Id));
    const stillFailed = await this.send(retry);
    const first = stillFailed[0];
    if (!first) return;
    const code = first.Code ?? 'SendMessageBatchEntryFailed';
    const message = `${stillFailed.length} message(s) refused twice; first: ${first.Message ?? 'no message'}`;
    // SenderFault false: SQS's side failed, and the next tick may succeed.
    throw first.SenderFault === false
      ? new RetryableAwsError('SendMessageBatch', code, message)
      : classifyAwsError('SendMessageBatch', Object.assign(new Error(message), { name: code }));
  }

  /** One SendMessageBatch call; the entries SQS refused. */
  private async send(entries: SendMessageBatchRequestEntry[]) {
    const out = await callAws('SendMessageBatch', () => this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries })));
    return out.Failed ?? [];
  }
}

/**
 * `raw` as a MessageGroupId or MessageDeduplicationId: unchanged when SQS allows it; otherwise its
 * allowed characters, cut short, and a hash of the whole, so two values never share an id.
 */
export function sqsId(raw: string): string {
  if (raw.length <= MAX_ID_LENGTH && SQS_ID_CHARS.test(raw)) return raw;
  const hash = createHash('sha256').update(raw).digest('hex');
  const readable = raw.replace(/[^!-~]/g, '_').slice(0, MAX_ID_LENGTH - hash.length - 1);
  return `${readable}-${hash}`;
}
