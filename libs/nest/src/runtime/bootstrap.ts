import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { requireWithCodeCache, writeCodeCache } from './code-cache';
import { reportInitError, runInvocations, type AsyncHandler } from './runtime-client';

/**
 * The image's Lambda entry: `node bootstrap.js lambda.handler` loads `lambda.js` from `dir` (the folder
 * of the bundle, `__dirname` of the caller) and serves its `handler` through the Runtime API named by
 * `AWS_LAMBDA_RUNTIME_API`. The handler is the first argument, else `_HANDLER`, else `lambda.handler`.
 * Loads nothing else: the cold start is the handler's own. A handler that cannot be loaded is reported
 * to the Runtime API; then, as on any stop, one JSON line goes to stderr and the process exits 1.
 *
 * The handler's file is compiled with its V8 code cache when the image carries one (./code-cache.ts);
 * `node bootstrap.js --write-code-cache lambda.handler [path…]` writes it, at image build: it loads the
 * handler, answers one API Gateway GET of each path (default `/healthz`) and saves what V8 compiled.
 */
export function runLambdaRuntime(dir: string, env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv): Promise<void> {
  const run = argv[2] === '--write-code-cache' ? primeCodeCache(dir, argv[3] ?? 'lambda.handler', argv.slice(4)) : bootstrap(dir, env, argv[2] ?? env._HANDLER ?? 'lambda.handler');
  return run.catch((err: Error) => {
    process.stderr.write(JSON.stringify({ level: 'fatal', msg: 'lambda runtime stopped', error: err.message }) + '\n');
    process.exit(1);
  });
}

async function bootstrap(dir: string, env: NodeJS.ProcessEnv, spec: string) {
  const api = env.AWS_LAMBDA_RUNTIME_API;
  if (!api) throw new Error('AWS_LAMBDA_RUNTIME_API is not set: this entry runs only as a Lambda function');
  let handler: AsyncHandler;
  try {
    const started = performance.now();
    const loaded = loadHandler(dir, spec, env.LAMBDAFLEX_CODE_CACHE !== 'off');
    handler = loaded.handler;
    // One line per container: whether the image's code cache served, and what loading the handler took.
    const loadMs = Math.round(performance.now() - started);
    process.stdout.write(JSON.stringify({ level: 'info', msg: 'handler loaded', handler: spec, codeCache: loaded.loaded.cache, loadMs }) + '\n');
  } catch (err) {
    await reportInitError(api, err);
    throw err;
  }
  await runInvocations(api, handler, env);
}

/** The handler named `file.export`, loaded from `dir` (a file named at run time, as Lambda names it). */
function loadHandler(dir: string, spec: string, useCache: boolean) {
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) throw new Error(`handler "${spec}" is not of the form file.export`);
  const file = path.resolve(dir, spec.slice(0, dot));
  const loaded = requireWithCodeCache(file, { useCache });
  const handler = loaded.exports[spec.slice(dot + 1)];
  if (typeof handler !== 'function') throw new Error(`handler "${spec}" is not a function`);
  return { handler: handler as AsyncHandler, loaded };
}

async function primeCodeCache(dir: string, spec: string, paths: string[]) {
  const { handler, loaded } = loadHandler(dir, spec, false);
  for (const rawPath of paths.length ? paths : ['/healthz']) {
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath,
      rawQueryString: '',
      headers: { host: 'localhost' },
      requestContext: { http: { method: 'GET', path: rawPath, sourceIp: '127.0.0.1', protocol: 'HTTP/1.1', userAgent: 'code-cache' }, requestId: 'code-cache', stage: '$default', timeEpoch: Date.now() },
      isBase64Encoded: false,
    };
    const context = { awsRequestId: 'code-cache', functionName: 'code-cache', getRemainingTimeInMillis: () => 30_000 } as never;
    await handler(event, context);
  }
  const bytes = writeCodeCache(loaded);
  process.stdout.write(JSON.stringify({ level: 'info', msg: 'code cache written', file: loaded.file, bytes }) + '\n');
  process.exit(0);
}
