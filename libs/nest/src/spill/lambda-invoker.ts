import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

/** What one synchronous Invoke gave: the function's answer, a throttle, or a failure of any other kind. */
export type InvokeOutcome =
  | { kind: 'answered'; payload: Uint8Array }
  | { kind: 'throttled'; reason: string }
  | { kind: 'failed'; reason: string };

/** Hands one event to the spill function and waits for its answer. Never throws. */
export interface LambdaInvoker {
  invoke(event: string): Promise<InvokeOutcome>;
}

/** Where the invoker sends: the function, its region, and the Lambda API's endpoint when it is not AWS's. */
export interface LambdaInvokerOptions {
  functionName: string;
  region: string;
  endpoint?: string;
  /**
   * The longest wait for an answer. Above the function's own timeout (29 s, under API Gateway's 30 s),
   * so that a slow function answers with its own error; below the ALB's 60 s idle timeout.
   */
  timeoutMs?: number;
}

/**
 * The AWS SDK's Lambda client, created once per process (its connections are kept alive and reused).
 * One attempt only: a throttle must become a 503 with Retry-After at once, not a hidden wait in the
 * task, and a retry after a network error could run a request twice.
 */
export function createLambdaInvoker(o: LambdaInvokerOptions): LambdaInvoker {
  const timeoutMs = o.timeoutMs ?? 35_000;
  const client = new LambdaClient({
    region: o.region,
    endpoint: o.endpoint,
    maxAttempts: 1,
    // The SDK's default agent allows 50 sockets; a surge hands over more than that at once.
    requestHandler: { connectionTimeout: 2_000, httpAgent: { keepAlive: true, maxSockets: 512 }, httpsAgent: { keepAlive: true, maxSockets: 512 } },
  });
  return {
    async invoke(event) {
      try {
        const out = await client.send(
          new InvokeCommand({ FunctionName: o.functionName, InvocationType: 'RequestResponse', Payload: Buffer.from(event, 'utf8') }),
          { abortSignal: AbortSignal.timeout(timeoutMs) },
        );
        // A function error (an unhandled exception, a timeout, an answer over 6 MB) is a 200 with this header.
        if (out.FunctionError) return { kind: 'failed', reason: `function error: ${out.FunctionError}` };
        return { kind: 'answered', payload: out.Payload ?? new Uint8Array() };
      } catch (err) {
        const e = err as Error & { $metadata?: { httpStatusCode?: number } };
        const reason = `${e.name}: ${e.message}`;
        if (e.name === 'TooManyRequestsException' || e.$metadata?.httpStatusCode === 429) return { kind: 'throttled', reason };
        return { kind: 'failed', reason };
      }
    },
  };
}
