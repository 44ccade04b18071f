import { runLambdaRuntime } from '@lambdaflex/nest/runtime';

// The image's Lambda entry: `node bootstrap.js lambda.handler` serves lambda.js's handler through the Runtime API.
void runLambdaRuntime(__dirname);
