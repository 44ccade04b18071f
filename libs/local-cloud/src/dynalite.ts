import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
// dynalite ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => import('node:http').Server;

/** A running local DynamoDB (dynalite, in memory) and the endpoint to give AWS SDK clients. */
export interface LocalDynamoDb {
  endpoint: string;
  client: DynamoDBClient;
  /** Stops answering (the port refuses connections) while keeping the data: an outage. */
  pause(): Promise<void>;
  /** Answers again on the same port, with the same data. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** Credentials dynalite accepts; they open nothing anywhere else. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Starts dynalite on 127.0.0.1 (port 0 picks a free one) with tables that become ACTIVE at once. */
export async function startDynalite(port = 0): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const boundPort = (server.address() as AddressInfo).port;
  let paused = false;
  server.prependListener('connection', (socket: import('node:net').Socket) => {
    if (paused) socket.destroy();
  });
  const endpoint = `http://127.0.0.1:${boundPort}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  return {
    endpoint,
    client,
    // Closing the server would close dynalite's store and lose the data: an outage refuses
    // connections instead, and ends with the data as it was.
    pause: async () => {
      paused = true;
      server.closeAllConnections();
    },
    resume: async () => {
      paused = false;
    },
    stop: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Creates the pets table (as deploy/ does on AWS); an existing table is fine. */
export async function createPetsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
}
