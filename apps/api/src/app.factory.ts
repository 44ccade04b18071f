import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { HttpErrorFilter } from './common/http-error.filter';
import { jsonBody } from './common/json-body';
import { PinoNestLogger, createLogger, requestLogging } from './common/logging';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/config';

/**
 * Builds the one Nest application that `main.ts` (server), `lambda.ts` (handler) and the tests all run,
 * so that every tier serves exactly the same app. Returns it initialised, not listening.
 */
export async function createApp(
  config: AppConfig,
  logger: Logger = createLogger(config),
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
  });
  app.disable('x-powered-by');
  // Order matters: logging first, so that a body the parser refuses still gets its headers and log line.
  app.use(requestLogging(logger, config.tier));
  app.use(jsonBody());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  // The document is built on the first visit of /docs, not at start: cold starts stay short.
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApiConfig()), {
    jsonDocumentUrl: 'docs/json',
    yamlDocumentUrl: 'docs/yaml',
  });
  await app.init();
  return app;
}

function openApiConfig() {
  return new DocumentBuilder()
    .setTitle('LambdaFlex API')
    .setDescription('One service image, served by AWS Lambda or AWS Fargate as the load moves.')
    .setVersion('0.1.0')
    .build();
}
