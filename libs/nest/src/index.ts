/**
 * `@lambdaflex/nest`: what any NestJS app needs to run under LambdaFlex — one image on Lambda and on
 * Fargate, moved between them as the load moves (docs/your-service.md).
 *
 *   LambdaFlexModule.forRoot(options)         health and readiness, the admin API and page, config, logger, DynamoDB
 *   runServer(AppModule, options)             main.js: listen on PORT, keep-alive past the ALB, drain on SIGTERM
 *   createLambdaHandler(AppModule, options)   lambda.js: serverless-express, the app created at init
 *   runLambdaRuntime(__dirname)               bootstrap.js, from `@lambdaflex/nest/runtime`: the Runtime API client
 *
 * and the pieces an app's own routes use: the error shape's helpers (`invalidRequest`, `ApiErrors`),
 * sealed paging cursors, the page query and the plain-text validators.
 */
export { LambdaFlexModule, type LambdaFlexEntry } from './lambdaflex.module';
export type { LambdaFlexOptions, OpenApiOptions, ReadinessCheck, ReadinessOptions } from './lambdaflex.options';
export { createLambdaFlexApp, type AppModuleRef, type CreateAppOptions } from './app/create-app';
export { runServer, type RunServerOptions } from './app/run-server';
export { createLambdaHandler, type LambdaHandler, type LambdaHandlerOptions } from './app/lambda-handler';
export { DYNAMODB, LAMBDAFLEX_CONFIG, LAMBDAFLEX_ENTRY, LAMBDAFLEX_LOGGER } from './tokens';
export {
  ADMIN_SCOPES,
  ConfigError,
  loadLambdaFlexConfig,
  loadServerConfig,
  TIERS,
  type AdminConfig,
  type AdminKeyHash,
  type AdminScope,
  type LambdaFlexConfig,
  type LambdaFlexConfigOptions,
  type LogLevel,
  type RunsOn,
  type ServerConfig,
  type ServerOptions,
  type SpillConfig,
  type Tier,
} from './config/config';
export { createLogger, REQUEST_ID_HEADER, TIER_HEADER } from './common/logging';
export { invalidRequest, type FieldError } from './common/validation';
export { CursorSeal, cursorKey, invalidCursor } from './common/cursor';
export { PageQueryDto } from './common/page-query.dto';
export { IsNotNull, IsOmittable, IsPlainText, isPlainText } from './common/validators';
export { ApiErrors, type ErrorStatus } from './openapi/errors';
export { buildOpenApiDocument, withFreshExamples } from './openapi/document';
export { runLambdaRuntime } from './runtime';
