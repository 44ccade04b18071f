import 'reflect-metadata';
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { HttpErrorFilter } from '../common/http-error.filter';
import { jsonBody } from '../common/json-body';
import { PinoNestLogger, requestLogging } from '../common/logging';
import { DOCS_PATH, docsFilesOnly, securityHeaders } from '../common/security';
import { createValidationPipe } from '../common/validation';
import type { LambdaFlexConfig, RunsOn } from '../config/config';
import type { LambdaFlexEntry } from '../lambdaflex.module';
import { buildOpenApiDocument, withFreshExamples } from '../openapi/document';
import { ENTRY_INPUT, LAMBDAFLEX_CONFIG, LAMBDAFLEX_LOGGER } from '../tokens';

/** The app's root module, as `NestFactory.create` takes it: a class, or a dynamic module (`AppModule.forRoot(…)`). */
export type AppModuleRef = Type<unknown> | DynamicModule;

/** How an entry creates the app. */
export interface CreateAppOptions {
  /** Which entry runs the app: `lambda` makes the tier `lambda`. Default `server`. */
  runsOn?: RunsOn;
  /** The environment LambdaFlex (and the app, through `LAMBDAFLEX_ENTRY`) reads its settings from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The app's logger; by default one made from the configuration (JSON lines on stdout). */
  logger?: Logger;
  /**
   * Middleware that decides whether this process serves a request at all, mounted after request logging
   * and before the body parser: the server's in-flight limit and instant spill. The Lambda entry has none.
   */
  admission?: (context: { config: LambdaFlexConfig; logger: Logger }) => RequestHandler | undefined;
}

@Module({})
class LambdaFlexEntryModule {}

/**
 * Creates the one Nest application that `runServer`, `createLambdaHandler` and the tests all run, so
 * that every tier serves exactly the same app, and returns it initialised, not listening. `module` must
 * import `LambdaFlexModule.forRoot(…)`.
 *
 *   request ─▶ request logging (id and tier headers, one line) ─▶ security headers ─▶ admission
 *           ─▶ JSON body ─▶ Nest: guards, validation pipe, handler ─▶ error filter (one shape)
 */
export async function createLambdaFlexApp(module: AppModuleRef, options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const entry: LambdaFlexEntry = { runsOn: options.runsOn ?? 'server', env: options.env ?? process.env, logger: options.logger };
  // The entry is a global provider around the app, so the module (and the app) know which entry runs them.
  const root: DynamicModule = {
    module: LambdaFlexEntryModule,
    global: true,
    imports: [module],
    providers: [{ provide: ENTRY_INPUT, useValue: entry }],
    exports: [ENTRY_INPUT],
  };
  // The logger comes from the configuration, which is read while the module is created: Nest's own first
  // lines wait for it (buffered), and are dropped if the start fails, whose error the caller reports in
  // one line. A bad option fails the start with that error, never with Nest's process.abort().
  const app = await NestFactory.create<NestExpressApplication>(root, { bodyParser: false, logger: false, bufferLogs: true, abortOnError: false });
  let config: LambdaFlexConfig;
  let logger: Logger;
  try {
    config = app.get<LambdaFlexConfig>(LAMBDAFLEX_CONFIG, { strict: false });
    logger = app.get<Logger>(LAMBDAFLEX_LOGGER, { strict: false });
  } catch {
    await app.close();
    throw new Error('the app module does not import LambdaFlexModule.forRoot(…)');
  }
  app.useLogger(new PinoNestLogger(logger));
  // Nest holds its lines until listen(), which the Lambda entry never calls: its errors would never be written.
  app.flushLogs();
  app.disable('x-powered-by');
  // On Fargate the ALB is the one proxy in front: the client address is the last X-Forwarded-For entry,
  // which the ALB appends (earlier entries are the client's word). The admin rate limits count per client.
  if (config.tier === 'fargate') app.set('trust proxy', 1);
  // Order matters: logging first, so that a body the parser refuses still gets its headers and log line.
  app.use(requestLogging(logger, config.tier));
  // Then the security headers (helmet), so that every answer carries them, a spilled or refused one too.
  app.use(securityHeaders(config.tier));
  const admission = options.admission?.({ config, logger });
  if (admission) app.use(admission);
  app.use(jsonBody());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  // Before SwaggerModule's routes and static folder: only the files the page needs are served.
  app.use(DOCS_PATH, docsFilesOnly());
  // The document is built on the first visit of /docs, not at start: cold starts stay short. Its
  // time-bound examples are refreshed on every visit, however long the process lives.
  SwaggerModule.setup(DOCS_PATH.slice(1), app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: `${DOCS_PATH.slice(1)}/json`,
    yamlDocumentUrl: `${DOCS_PATH.slice(1)}/yaml`,
    patchDocumentOnRequest: (_req, _res, document) => withFreshExamples(document),
  });
  await app.init();
  return app;
}
