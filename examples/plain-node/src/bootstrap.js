/**
 * The Lambda side of the contract, written out: `node bootstrap.js lambda.handler` loads the handler
 * and serves it through the Lambda Runtime API (2018-06-01) at AWS_LAMBDA_RUNTIME_API, one event at a
 * time, forever. It is what the AWS base images run; a plain Node image needs its own.
 *
 *   GET  /2018-06-01/runtime/invocation/next         -> the event; its id and deadline in headers
 *   POST /2018-06-01/runtime/invocation/{id}/response <- what the handler returned
 *   POST /2018-06-01/runtime/invocation/{id}/error    <- { errorType, errorMessage, stackTrace }
 *   POST /2018-06-01/runtime/init/error              <- the handler could not be loaded
 */
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const api = process.env.AWS_LAMBDA_RUNTIME_API;
// One connection, kept open, no timeout: Lambda freezes the process while it waits for the next event.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(method, urlPath, body, headers = {}) {
  const [host, port] = api.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port: Number(port || 80), method, path: `/2018-06-01/runtime${urlPath}`, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const errorBody = (err) => JSON.stringify({ errorType: err?.name ?? 'Error', errorMessage: err?.message ?? String(err), stackTrace: err?.stack?.split('\n').slice(1) ?? [] });

/** `file.export`, as Lambda names a handler: `lambda.handler` is the `handler` export of ./lambda.js. */
async function loadHandler(spec) {
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) throw new Error(`handler "${spec}" is not of the form file.export`);
  const module = await import(pathToFileURL(path.join(import.meta.dirname, `${spec.slice(0, dot)}.js`)).href);
  const handler = module[spec.slice(dot + 1)];
  if (typeof handler !== 'function') throw new Error(`handler "${spec}" is not a function`);
  return handler;
}

async function main() {
  if (!api) throw new Error('AWS_LAMBDA_RUNTIME_API is not set: bootstrap.js runs only as a Lambda function');
  let handler;
  try {
    handler = await loadHandler(process.argv[2] ?? process.env._HANDLER ?? 'lambda.handler');
  } catch (err) {
    await call('POST', '/init/error', errorBody(err), { 'lambda-runtime-function-error-type': 'Runtime.ImportModuleError' });
    throw err;
  }
  for (;;) {
    const next = await call('GET', '/invocation/next');
    if (next.status !== 200) throw new Error(`the Runtime API answered ${next.status} for the next event`);
    const id = next.headers['lambda-runtime-aws-request-id'];
    const deadline = Number(next.headers['lambda-runtime-deadline-ms']);
    if (next.headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'];
    const context = {
      awsRequestId: id,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      invokedFunctionArn: next.headers['lambda-runtime-invoked-function-arn'],
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    try {
      const result = await handler(JSON.parse(next.body), context);
      await call('POST', `/invocation/${id}/response`, JSON.stringify(result ?? null));
    } catch (err) {
      await call('POST', `/invocation/${id}/error`, errorBody(err), { 'lambda-runtime-function-error-type': err?.name ?? 'Error' });
    }
  }
}

main().catch((err) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), msg: 'lambda runtime stopped', error: err.message })}\n`);
  process.exit(1);
});
