/**
 * The local cloud: stand-ins for AWS that run on one machine, for `npm start`, the tests and the
 * benches. DynamoDB is dynalite; Lambda's Runtime API is a small HTTP server; API Gateway and ALB
 * events are built as AWS sends them.
 */
export * from './dynalite';
export * from './lambda-events';
export * from './processes';
export * from './runtime-api';
