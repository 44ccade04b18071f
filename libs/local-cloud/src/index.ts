/**
 * The local cloud: stand-ins for AWS that run on one machine, for `npm start`, the tests and the
 * benches. DynamoDB is dynalite; Lambda's Runtime API is a small HTTP server; API Gateway and ALB
 * events are built as AWS sends them.
 */
export * from './dynalite';
export * from './lambda-events';
export * from './processes';
export * from './runtime-api';
export * from './lambda-pool';
export * from './lambda-invoke-api';
export * from './fargate-tier';
export * from './local-aws';
export * from './extra-service';
export * from './edge';
export * from './control-api';
export * from './local-ports';
export * from './local-cloud';
export * from './local-policy';
export * from './local-stack';
export * from './load';
export * from './service-dir';
export * from './cli-args';
