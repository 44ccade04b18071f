import http from 'node:http';

/**
 * A client of the AWS Lambda Runtime API (2018-06-01): fetch the next event, run the handler, post
 * its result or its error, forever. It is what the AWS base images run as their bootstrap, in plain
 * Node.js: the official client (`aws-lambda-ric`) compiles native code at install and needs Node 22.
 *
 *   GET  /runtime/invocation/next          -> event, headers with request id and deadline
 *   POST /runtime/invocation/{id}/response <- handler result
 *   POST /runtime/invocation/{id}/error    <- { errorType, errorMessage, stackTrace }
 *   POST /runtime/init/error               <- when the handler cannot be loaded
 */
export type AsyncHandler = (event: unknown, context: LambdaContext) => Promise<unknown>;

/** The part of Lambda's context object that handlers read. */
export interface LambdaContext {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  memoryLimitInMB: string;
  invokedFunctionArn: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

// The long poll for the next event must never time out: Lambda freezes the process while it waits.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(api: string, method: 'GET' | 'POST', path: string, body?: string, headers: Record<string, string> = {}) {
  const [host, port] = api.split(':');
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(
      { host, port: Number(port || 80), method, path: `/2018-06-01/runtime${path}`, agent, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function errorBody(err: unknown) {
  const e = err instanceof Error ? err : new Error(String(err));
  return JSON.stringify({ errorType: e.name, errorMessage: e.message, stackTrace: (e.stack ?? '').split('\n').slice(1) });
}

/** Reports a handler that could not be loaded, as the runtime must before it exits. */
export async function reportInitError(api: string, err: unknown): Promise<void> {
  const e = err instanceof Error ? err : new Error(String(err));
  await call(api, 'POST', '/init/error', errorBody(e), { 'lambda-runtime-function-error-type': `Runtime.${e.name}` });
}

/** Serves invocations until the Runtime API goes away (the process is then ended by Lambda). */
export async function runInvocations(api: string, handler: AsyncHandler, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  for (;;) {
    const next = await call(api, 'GET', '/invocation/next');
    if (next.status !== 200) throw new Error(`runtime API answered ${next.status} for the next invocation`);
    const requestId = String(next.headers['lambda-runtime-aws-request-id']);
    const deadline = Number(next.headers['lambda-runtime-deadline-ms'] ?? Date.now() + 900_000);
    const traceId = next.headers['lambda-runtime-trace-id'];
    if (typeof traceId === 'string') process.env._X_AMZN_TRACE_ID = traceId;
    else delete process.env._X_AMZN_TRACE_ID;
    const context: LambdaContext = {
      awsRequestId: requestId,
      functionName: env.AWS_LAMBDA_FUNCTION_NAME ?? '',
      functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
      memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '',
      invokedFunctionArn: String(next.headers['lambda-runtime-invoked-function-arn'] ?? ''),
      logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME ?? '',
      logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME ?? '',
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    try {
      const event = JSON.parse(next.body);
      const result = await handler(event, context);
      await call(api, 'POST', `/invocation/${requestId}/response`, JSON.stringify(result ?? null));
    } catch (err) {
      const name = err instanceof Error ? err.name : 'Error';
      await call(api, 'POST', `/invocation/${requestId}/error`, errorBody(err), {
        'lambda-runtime-function-error-type': name,
      });
    }
  }
}
