/**
 * The API as a library, for the suites in test/ that run it in process: the one app factory, its
 * configuration (with the admin scopes), and the Lambda handler wrapper. The deployable entries are
 * main.ts and lambda.ts.
 */
export { createApp } from './app.factory';
export { loadConfig, type AdminScope, type AppConfig, type Tier } from './config/config';
export { createLambdaHandler, type LambdaHandler } from './lambda-handler';
export { buildOpenApiDocument } from './openapi/document';
