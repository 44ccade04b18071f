import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { createApp, loadConfig, type AppConfig, type Tier } from '@lambdaflex/api';
import { createPetsTable, LOCAL_CREDENTIALS, startDynalite, type LocalDynamoDb } from '@lambdaflex/local-cloud';

/** The API in this process, on a real socket, over a fresh dynalite with the pets table. */
export interface RunningApi {
  app: NestExpressApplication;
  url: string;
  config: AppConfig;
  db: LocalDynamoDb;
  stop(): Promise<void>;
}

/** The environment the API needs against a local dynalite. */
export function localEnv(endpoint: string, petsTable: string): NodeJS.ProcessEnv {
  return {
    PETS_TABLE: petsTable,
    DYNAMODB_ENDPOINT: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
  };
}

export async function startApi(options: { tier?: Tier; runsOn?: 'lambda' | 'server'; createTable?: boolean } = {}): Promise<RunningApi> {
  const db = await startDynalite();
  const petsTable = 'pets-test';
  if (options.createTable !== false) await createPetsTable(db.client, petsTable);
  const env = localEnv(db.endpoint, petsTable);
  // The SDK's default credential chain reads these; the app itself reads only its config.
  process.env.AWS_ACCESS_KEY_ID = env.AWS_ACCESS_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY = env.AWS_SECRET_ACCESS_KEY;
  const config = loadConfig({ ...env, LAMBDAFLEX_TIER: options.tier ?? 'local' }, options.runsOn ?? 'server');
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    config,
    db,
    stop: async () => {
      await app.close();
      await db.stop();
    },
  };
}
