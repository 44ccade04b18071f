import path from 'node:path';
import { reportInitError, runInvocations, type AsyncHandler } from './runtime-client';

/**
 * The image's Lambda entry: `node bootstrap.js lambda.handler` loads `lambda.js` beside it and serves
 * its `handler` through the Runtime API named by AWS_LAMBDA_RUNTIME_API.
 */
async function bootstrap() {
  const api = process.env.AWS_LAMBDA_RUNTIME_API;
  if (!api) throw new Error('AWS_LAMBDA_RUNTIME_API is not set: this entry runs only as a Lambda function');
  const spec = process.argv[2] ?? process.env._HANDLER ?? 'lambda.handler';
  let handler: AsyncHandler;
  try {
    const dot = spec.lastIndexOf('.');
    if (dot <= 0) throw new Error(`handler "${spec}" is not of the form file.export`);
    const file = path.resolve(__dirname, spec.slice(0, dot));
    // The handler is named at run time, as Lambda names it: a dynamic require is the point.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require(file)[spec.slice(dot + 1)];
    if (typeof exported !== 'function') throw new Error(`handler "${spec}" is not a function`);
    handler = exported;
  } catch (err) {
    await reportInitError(api, err);
    throw err;
  }
  await runInvocations(api, handler);
}

bootstrap().catch((err: Error) => {
  process.stderr.write(JSON.stringify({ level: 'fatal', msg: 'lambda runtime stopped', error: err.message }) + '\n');
  process.exit(1);
});
