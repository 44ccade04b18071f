import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { errorBody } from '../common/http-error.filter';
import { REQUEST_ID_HEADER, TIER_HEADER } from '../common/logging';
import { httpApiEvent, readHttpApiAnswer, type SpilledRequest } from './http-api-event';
import type { LambdaInvoker } from './lambda-invoker';

/** Response header of a request the task handed to Lambda: `1`. */
export const SPILLED_HEADER = 'x-lambdaflex-spilled';
/** Response header of a request the task refused at its limit (no spill function, or Lambda could not take it): `1`. */
export const OVERLOADED_HEADER = 'x-lambdaflex-overloaded';

/**
 * Lambda's synchronous Invoke takes at most 6 MB (6,291,456 bytes) of event. The API's own body limit is
 * 1 MB, so only a request the API would refuse anyway (413) can come near it.
 */
export const INVOKE_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;

/** What the spill did so far, for the log and the tests. */
export interface SpillCounts {
  /** Requests handed to Lambda and answered by it. */
  spilled: number;
  /** Requests answered 503 because Lambda throttled. */
  throttled: number;
  /** Requests answered 503 because the Invoke failed (network, permissions, a function error, a bad answer). */
  failed: number;
  /** Requests answered 503 at the limit because no spill function is configured or the body is too large to hand over. */
  refused: number;
}

export interface InstantSpillOptions {
  /** Requests the task serves at once; 0 disables the limit (and the spill). */
  maxInFlight: number;
  /** The spill function. Absent: at the limit, a request is a 503, as an overloaded ALB target answers. */
  invoker?: LambdaInvoker;
  logger: Logger;
}

/**
 * The instant spill: a per-task in-flight limit whose excess goes to Lambda in the same second.
 *
 * Under the limit a request goes on to the app and counts as in flight until its response is done. At the
 * limit it is neither queued (a queue in an overloaded task only adds latency until the ALB gives up)
 * nor refused: its body is read, it becomes an API Gateway HTTP API event, and the spill function — the
 * same image's handler — serves it; its answer is written back as it came, with `x-lambdaflex-spilled:
 * 1`. A throttle or a failed Invoke is a 503 with `Retry-After: 1` in the API's error shape, so the
 * client retries, and never waits for an answer that is not coming.
 *
 * Mounted after request logging (so a spilled request keeps its request id and its log line) and before
 * the body parser (the spill needs the raw bytes), in the server entry only: the Lambda entry never spills.
 */
export class InstantSpill {
  private inFlightNow = 0;
  /** What the spill did since the process started. */
  readonly counts: SpillCounts = { spilled: 0, throttled: 0, failed: 0, refused: 0 };

  constructor(private readonly o: InstantSpillOptions) {}

  /** Requests the task is serving itself right now (spilled ones are not counted: Lambda serves them). */
  get inFlight(): number {
    return this.inFlightNow;
  }

  readonly middleware: RequestHandler = (req, res, next) => {
    // The ALB's health check asks about this task: answering it from Lambda would hide a task in trouble,
    // and refusing it would take a busy but healthy task out of rotation, moving its load onto the others.
    if (this.o.maxInFlight === 0 || isTargetHealthCheck(req)) return next();
    if (this.inFlightNow < this.o.maxInFlight) return this.serve(res, next);
    this.handOver(req, res).catch((err: Error) => {
      // Nothing above should throw; if it does, the request still gets an answer and the task lives on.
      this.counts.failed++;
      this.o.logger.error({ requestId: res.getHeader(REQUEST_ID_HEADER), err: err.message }, 'spill failed unexpectedly');
      overloaded(res, String(res.getHeader(REQUEST_ID_HEADER) ?? ''), 'the task is at its in-flight limit and the hand-over to Lambda failed');
    });
  };

  private serve(res: Response, next: NextFunction) {
    this.inFlightNow++;
    let done = false;
    // 'close' comes once per response, finished or aborted.
    res.once('close', () => {
      if (!done) this.inFlightNow--;
      done = true;
    });
    next();
  }

  private async handOver(req: Request, res: Response) {
    const started = performance.now();
    const requestId = String(res.getHeader(REQUEST_ID_HEADER) ?? '');
    const path = req.originalUrl.split('?')[0];
    const log = (outcome: string, extra: Record<string, unknown>) =>
      this.o.logger[outcome === 'answered' ? 'info' : 'warn'](
        { requestId, method: req.method, path, outcome, ms: Math.round(performance.now() - started), inFlight: this.inFlightNow, ...this.counts, ...extra },
        'spill',
      );
    const invoker = this.o.invoker;
    if (!invoker) {
      this.counts.refused++;
      log('refused', { reason: 'no spill function' });
      return overloaded(res, requestId, 'the task is at its in-flight limit');
    }
    const body = await readBody(req, INVOKE_PAYLOAD_LIMIT_BYTES);
    if (body === 'aborted') return; // nobody is left to answer
    const event = body === 'too-large' ? undefined : JSON.stringify(httpApiEvent(spilledRequest(req, requestId, body)));
    if (event === undefined || Buffer.byteLength(event) > INVOKE_PAYLOAD_LIMIT_BYTES) {
      this.counts.refused++;
      log('refused', { reason: 'request larger than an Invoke takes' });
      // The rest of an oversized body is not read: the connection goes with this answer.
      res.setHeader('connection', 'close');
      return overloaded(res, requestId, 'the task is at its in-flight limit and the request is too large to hand over');
    }
    const outcome = await invoker.invoke(event);
    const answer = outcome.kind === 'answered' ? readHttpApiAnswer(outcome.payload) : undefined;
    if (outcome.kind === 'throttled') {
      this.counts.throttled++;
      log('throttled', { reason: outcome.reason });
      return overloaded(res, requestId, 'the task is at its in-flight limit and Lambda is throttling');
    }
    if (!answer) {
      this.counts.failed++;
      log('failed', { reason: outcome.kind === 'failed' ? outcome.reason : 'the function did not answer with an HTTP response' });
      return overloaded(res, requestId, 'the task is at its in-flight limit and the hand-over to Lambda failed');
    }
    this.counts.spilled++;
    log('answered', { status: answer.statusCode });
    if (res.headersSent || res.destroyed) return; // the client left while Lambda served it
    // The function's tier header and request id replace the ones request logging set for this task.
    res.removeHeader(TIER_HEADER);
    res.status(answer.statusCode);
    for (const [name, value] of answer.headers) res.setHeader(name, value);
    if (answer.cookies.length) res.setHeader('set-cookie', answer.cookies);
    res.setHeader(SPILLED_HEADER, '1');
    res.end(answer.body);
  }
}

/** What the event is built from. The client's address is the ALB's X-Forwarded-For entry (trust proxy on Fargate). */
function spilledRequest(req: Request, requestId: string, body: Buffer): SpilledRequest {
  return {
    method: req.method,
    url: req.originalUrl,
    httpVersion: req.httpVersion,
    headers: req.headers,
    sourceIp: req.ip ?? req.socket.remoteAddress ?? '',
    requestId,
    body,
  };
}

/** The ALB's target health checks say who they are (`ELB-HealthChecker/2.0`); the local balancer does too. */
function isTargetHealthCheck(req: Request): boolean {
  return req.headers['user-agent']?.startsWith('ELB-HealthChecker/') === true;
}

/** 503 + Retry-After in the API's error shape: what an overloaded target answers, with a body. */
function overloaded(res: Response, requestId: string, message: string) {
  if (res.headersSent || res.destroyed) return;
  res.status(503).setHeader('retry-after', '1').setHeader(OVERLOADED_HEADER, '1').json(errorBody(503, message, requestId));
}

/**
 * The whole body; `too-large` as soon as it is known to pass `limit` bytes (the rest is left unread);
 * `aborted` when the client goes away first.
 */
function readBody(req: Request, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve('too-large');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (result: Buffer | 'too-large' | 'aborted') => {
      req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.pause();
      settle('too-large');
    };
    const onEnd = () => settle(Buffer.concat(chunks));
    const onGone = () => settle('aborted');
    req.on('data', onData).once('end', onEnd).once('error', onGone).once('close', onGone);
  });
}
