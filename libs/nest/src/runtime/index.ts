/**
 * The Lambda Runtime API client, on its own entry (`@lambdaflex/nest/runtime`): the image's `bootstrap.js`
 * imports only this, so it loads in milliseconds and the cold start is the handler's.
 */
export { runLambdaRuntime } from './bootstrap';
export { reportInitError, runInvocations, type AsyncHandler, type LambdaContext } from './runtime-client';
