import serverlessExpress from '@codegenie/serverless-express';
import type { INestApplication } from '@nestjs/common';
import type { Context } from 'aws-lambda';
import { createLambdaFlexApp, type AppModuleRef } from './create-app';

/** A Lambda handler for API Gateway HTTP API (v2), REST API (v1) and ALB events; the event source is detected. */
export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** Options of the Lambda entry. */
export interface LambdaHandlerOptions {
  /** The environment to read settings from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The Lambda entry: `export const handler = createLambdaHandler(AppModule)`. The app is created once per
 * container, at init (when the file is loaded), outside the handler: every invocation after the first
 * reuses it, its DynamoDB client and its connections. A failed start is reported by the invocation that
 * awaits it, not as an unhandled rejection at init.
 *
 * Given an app that is already initialised (the tests'), wraps that app instead.
 */
export function createLambdaHandler(app: INestApplication): LambdaHandler;
export function createLambdaHandler(module: AppModuleRef, options?: LambdaHandlerOptions): LambdaHandler;
export function createLambdaHandler(target: INestApplication | AppModuleRef, options: LambdaHandlerOptions = {}): LambdaHandler {
  if (isApp(target)) return wrap(target);
  const ready = createLambdaFlexApp(target, { runsOn: 'lambda', env: options.env }).then(wrap);
  ready.catch(() => undefined);
  return async (event, context) => (await ready)(event, context);
}

function wrap(app: INestApplication): LambdaHandler {
  return serverlessExpress({ app: app.getHttpAdapter().getInstance() }) as unknown as LambdaHandler;
}

function isApp(target: INestApplication | AppModuleRef): target is INestApplication {
  return typeof (target as Partial<INestApplication>).getHttpAdapter === 'function';
}
