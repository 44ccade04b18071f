import type { NestExpressApplication } from '@nestjs/platform-express';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp, loadConfig, type AdminScope, type AppConfig, type Tier } from '@lambdaflex/api';
import { createPetsTable, LOCAL_CREDENTIALS, startDynalite, type LocalDynamoDb } from '@lambdaflex/local-cloud';
import { createStateTable, StateStore } from '@lambdaflex/state';

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

/** How to start the API: its tier and entry, whether to create the pets table, more environment, a logger. */
export interface StartApiOptions {
  tier?: Tier;
  runsOn?: 'lambda' | 'server';
  createTable?: boolean;
  /** Variables added to (or replacing) the local environment, e.g. ADMIN_KEYS. */
  env?: NodeJS.ProcessEnv;
  /** The app's logger; by default the one the config makes (silent in tests). */
  logger?: Logger;
}

export async function startApi(options: StartApiOptions = {}): Promise<RunningApi> {
  const db = await startDynalite();
  const petsTable = 'pets-test';
  if (options.createTable !== false) await createPetsTable(db.client, petsTable);
  const env = localEnv(db.endpoint, petsTable);
  // The SDK's default credential chain reads these; the app itself reads only its config.
  process.env.AWS_ACCESS_KEY_ID = env.AWS_ACCESS_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY = env.AWS_SECRET_ACCESS_KEY;
  const config = loadConfig({ ...env, LAMBDAFLEX_TIER: options.tier ?? 'local', ...options.env }, options.runsOn ?? 'server');
  const app = await createApp(config, options.logger);
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

/** A random admin API key and the `ADMIN_KEYS` entry that grants it `scope`: only the hash is configured. */
export function adminKey(scope: AdminScope): { key: string; entry: string } {
  const key = randomBytes(32).toString('base64url');
  return { key, entry: `${scope}:${createHash('sha256').update(key).digest('hex')}` };
}

/** The API with the admin module on: a state table, a read key and an operate key, and the store. */
export interface RunningAdminApi extends RunningApi {
  store: StateStore;
  service: string;
  keys: { read: string; operate: string };
}

/**
 * Starts the API over a fresh dynalite with the pets and state tables, one read and one operate key,
 * and rate limits high enough for the suites (override them through `env`).
 */
export async function startAdminApi(options: StartApiOptions = {}): Promise<RunningAdminApi> {
  const read = adminKey('read');
  const operate = adminKey('operate');
  const stateTable = 'state-test';
  const api = await startApi({
    ...options,
    env: {
      STATE_TABLE: stateTable,
      SERVICE_NAME: 'shop',
      ADMIN_KEYS: `${read.entry},${operate.entry}`,
      ADMIN_READ_LIMIT_PER_MINUTE: '10000',
      ADMIN_WRITE_LIMIT_PER_MINUTE: '10000',
      ...options.env,
    },
  });
  await createStateTable(api.db.client, stateTable);
  const documents = DynamoDBDocumentClient.from(api.db.client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    ...api,
    store: new StateStore(documents, stateTable),
    service: api.config.serviceName,
    keys: { read: read.key, operate: operate.key },
  };
}

/** One route the app serves: its method in capitals and its path as registered (with `:params`). */
export interface HttpRoute {
  method: string;
  path: string;
}

/**
 * Every route of the running app, read from express's router, the thing that actually dispatches
 * requests: whatever Nest (or anything else) registered shows up here, so a suite that walks this
 * list covers routes added after it was written.
 */
export function httpRoutes(app: NestExpressApplication): HttpRoute[] {
  type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> } };
  const express = app.getHttpAdapter().getInstance() as { router?: { stack: Layer[] } };
  const stack = express.router?.stack;
  if (!stack) throw new Error('the express router has no stack: has the app been initialised?');
  return stack.flatMap(({ route }) =>
    route
      ? [route.path].flat().flatMap((path) =>
          Object.keys(route.methods)
            .filter((m) => route.methods[m] && m !== '_all')
            .map((m) => ({ method: m.toUpperCase(), path })),
        )
      : [],
  );
}
