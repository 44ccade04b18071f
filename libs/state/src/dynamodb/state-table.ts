import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

/** The state table's partition key: the service name. */
export const PARTITION_KEY = 'pk';
/** The state table's sort key: `POLICY`, `STATUS`, `LEASE` or `HIST#<ISO time>#<suffix>`. */
export const SORT_KEY = 'sk';
/** The attribute DynamoDB TTL expires items on, in epoch seconds; only history items carry it. */
export const TTL_ATTRIBUTE = 'expiresAt';
/**
 * The fleet index: a global secondary index keyed by the sort key (then the service), so every POLICY
 * item, or every STATUS item, is one paged Query rather than one read per service. Items are found
 * by their `sk` alone, so a policy written by hand is in it too.
 */
export const FLEET_INDEX = 'by-kind';

/**
 * Creates the state table (pk HASH, sk RANGE, on demand) and turns TTL on for {@link TTL_ATTRIBUTE},
 * as deploy does on AWS; an existing table is fine, so the call can run on every start.
 * dynalite has no UpdateTimeToLive (it answers UnknownOperationException): there TTL stays off,
 * which only means history is never expired locally.
 */
export async function createStateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: PARTITION_KEY, AttributeType: 'S' },
          { AttributeName: SORT_KEY, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
          { AttributeName: SORT_KEY, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: [
          {
            IndexName: FLEET_INDEX,
            KeySchema: [
              { AttributeName: SORT_KEY, KeyType: 'HASH' },
              { AttributeName: PARTITION_KEY, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  // TTL cannot be changed while the table is still CREATING on AWS.
  // Poll every second or so, not every 20 s as the waiter does by default: dynalite is ready at once.
  await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName: tableName });

  // Enabling TTL twice is an error on AWS, so look first.
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const ttlStatus = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (ttlStatus === 'ENABLED' || ttlStatus === 'ENABLING') return;
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (err) {
    if (!(err instanceof Error && err.name === 'UnknownOperationException')) throw err;
  }
}
