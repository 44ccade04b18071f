import serverlessExpress from '@codegenie/serverless-express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Context } from 'aws-lambda';

/** A Lambda handler for API Gateway HTTP API (v2), REST API (v1) and ALB events; the event source is detected. */
export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** Wraps an initialised app in serverless-express; call once per container and reuse. */
export function createLambdaHandler(app: NestExpressApplication): LambdaHandler {
  return serverlessExpress({ app: app.getHttpAdapter().getInstance() }) as unknown as LambdaHandler;
}
