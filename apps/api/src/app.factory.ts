import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { ADMIN_API_KEY_SCHEME, ADMIN_BEARER_SCHEME } from './admin/auth/admin-route.decorator';
import { withAdminSchemas } from './admin/openapi';
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
  // On Fargate the ALB is the one proxy in front: the client address is the last X-Forwarded-For entry,
  // which the ALB appends (earlier entries are the client's word). The admin rate limits count per client.
  if (config.tier === 'fargate') app.set('trust proxy', 1);
  // Order matters: logging first, so that a body the parser refuses still gets its headers and log line.
  app.use(requestLogging(logger, config.tier));
  app.use(jsonBody());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  // The document is built on the first visit of /docs, not at start: cold starts stay short.
  SwaggerModule.setup('docs', app, () => withAdminSchemas(SwaggerModule.createDocument(app, openApiConfig())), {
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
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An admin API key (docs/admin.md).' }, ADMIN_BEARER_SCHEME)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The same key, in its own header.' }, ADMIN_API_KEY_SCHEME)
    .build();
}
