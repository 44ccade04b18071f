import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { RequestHandler } from 'express';
import { SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { HttpErrorFilter } from './common/http-error.filter';
import { jsonBody } from './common/json-body';
import { PinoNestLogger, createLogger, requestLogging } from './common/logging';
import { DOCS_PATH, docsFilesOnly, securityHeaders } from './common/security';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/config';
import { buildOpenApiDocument, withFreshExamples } from './openapi/document';

/** What an entry adds to the one app. */
export interface AppOptions {
  /**
   * Middleware that decides whether this process serves a request at all, mounted after request logging
   * and before the body parser: the server's in-flight limit and instant spill (src/spill/). The Lambda
   * entry has none.
   */
  admission?: RequestHandler;
}

/**
 * Builds the one Nest application that `main.ts` (server), `lambda.ts` (handler) and the tests all run,
 * so that every tier serves exactly the same app. Returns it initialised, not listening.
 */
export async function createApp(
  config: AppConfig,
  logger: Logger = createLogger(config),
  options: AppOptions = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
  });
  app.disable('x-powered-by');
  // On Fargate the ALB is the one proxy in front: the client address is the last X-Forwarded-For entry,
  // which the ALB appends (earlier entries are the client's word). The admin rate limits count per client.
  if (config.tier === 'fargate') app.set('trust proxy', 1);
  // Order matters: logging first, so that a body the parser refuses still gets its headers and log line.
  app.use(requestLogging(logger, config.tier));
  // Then the security headers (helmet), so that every answer carries them, a spilled or refused one too.
  app.use(securityHeaders(config.tier));
  if (options.admission) app.use(options.admission);
  app.use(jsonBody());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  // Before SwaggerModule's routes and static folder: only the files the page needs are served.
  app.use(DOCS_PATH, docsFilesOnly());
  // The document is built on the first visit of /docs, not at start: cold starts stay short. Its
  // time-bound examples are refreshed on every visit, however long the process lives.
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs/json',
    yamlDocumentUrl: 'docs/yaml',
    patchDocumentOnRequest: (_req, _res, document) => withFreshExamples(document),
  });
  await app.init();
  return app;
}
