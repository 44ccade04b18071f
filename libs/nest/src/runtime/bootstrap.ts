import path from 'node:path';
import { reportInitError, runInvocations, type AsyncHandler } from './runtime-client';

/**
 * The image's Lambda entry: `node bootstrap.js lambda.handler` loads `lambda.js` from `dir` (the folder
 * of the bundle, `__dirname` of the caller) and serves its `handler` through the Runtime API named by
 * `AWS_LAMBDA_RUNTIME_API`. The handler is the first argument, else `_HANDLER`, else `lambda.handler`.
 * Loads nothing else: the cold start is the handler's own. A handler that cannot be loaded is reported
 * to the Runtime API; then, as on any stop, one JSON line goes to stderr and the process exits 1.
 */
export function runLambdaRuntime(dir: string, env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv): Promise<void> {
  return bootstrap(dir, env, argv[2] ?? env._HANDLER ?? 'lambda.handler').catch((err: Error) => {
    process.stderr.write(JSON.stringify({ level: 'fatal', msg: 'lambda runtime stopped', error: err.message }) + '\n');
    process.exit(1);
  });
}

async function bootstrap(dir: string, env: NodeJS.ProcessEnv, spec: string) {
  const api = env.AWS_LAMBDA_RUNTIME_API;
  if (!api) throw new Error('AWS_LAMBDA_RUNTIME_API is not set: this entry runs only as a Lambda function');
  let handler: AsyncHandler;
  try {
    const dot = spec.lastIndexOf('.');
    if (dot <= 0) throw new Error(`handler "${spec}" is not of the form file.export`);
    const file = path.resolve(dir, spec.slice(0, dot));
    // The handler is named at run time, as Lambda names it: a dynamic require is the point.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require(file)[spec.slice(dot + 1)];
    if (typeof exported !== 'function') throw new Error(`handler "${spec}" is not a function`);
    handler = exported;
  } catch (err) {
    await reportInitError(api, err);
    throw err;
  }
  await runInvocations(api, handler, env);
}
