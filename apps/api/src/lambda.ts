import type { Context } from 'aws-lambda';
import { createApp } from './app.factory';
import { loadConfig } from './config/config';
import { createLambdaHandler, type LambdaHandler } from './lambda-handler';

// Created once per container, at init, outside the handler: every invocation after the first reuses
// the app, its DynamoDB client and its connections.
const ready: Promise<LambdaHandler> = (async () => createLambdaHandler(await createApp(loadConfig(process.env, 'lambda'))))();
// A failed start is reported by the invocation that awaits it, not as an unhandled rejection at init.
ready.catch(() => undefined);

/** The Lambda entry, named `lambda.handler` in the function's configuration. */
export async function handler(event: unknown, context: Context): Promise<unknown> {
  return (await ready)(event, context);
}
