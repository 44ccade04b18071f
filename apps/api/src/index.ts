/**
 * The API as a library, for the suites in test/ that run it in process: the app with a given
 * configuration, that configuration (with the admin scopes), and the Lambda handler wrapper. The
 * deployable entries are main.ts, lambda.ts and runtime/bootstrap.ts.
 */
export { createApp } from './app.factory';
export { loadConfig, type AdminScope, type AppConfig, type Tier } from './config/config';
export { createLambdaHandler, type LambdaHandler } from '@lambdaflex/nest';
export { buildOpenApiDocument } from './openapi/document';
