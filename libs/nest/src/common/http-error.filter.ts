import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { REQUEST_ID_HEADER } from './logging';

/** The one error shape of the API, for answers made outside Nest's filter (the instant spill's 503s). */
export function errorBody(status: number, message: string, requestId: unknown, extra: Record<string, unknown> = {}) {
  return { statusCode: status, error: STATUS_CODES[status], message, ...extra, requestId };
}

/**
 * Every error leaves the API as `{ statusCode, error, message, errors?, requestId }`. Errors the
 * client caused keep their status; anything unforeseen is a 500 whose details go to the log, never
 * to the client.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost) {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const { status, body } = this.describe(exception, res);
    if (status >= 500) {
      this.logger.error((exception as Error)?.message ?? String(exception), (exception as Error)?.stack);
    }
    if (res.headersSent) return;
    // A refusal of credentials is about this caller only: no cache or proxy may keep it and hand it on.
    if (status === HttpStatus.UNAUTHORIZED || status === HttpStatus.FORBIDDEN) res.setHeader('Cache-Control', 'no-store');
    res.status(status).json({
      statusCode: status,
      error: STATUS_CODES[status],
      ...body,
      requestId: res.getHeader(REQUEST_ID_HEADER),
    });
  }

  private describe(exception: unknown, res: Response): { status: number; body: Record<string, unknown> } {
    if (exception instanceof ThrottlerException) return tooManyRequests(res);
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const body = typeof response === 'string' ? { message: response } : (response as Record<string, unknown>);
      const { statusCode: _s, error: _e, ...rest } = body;
      return { status: exception.getStatus(), body: rest };
    }
    // body-parser's own 4xx errors (an unsupported charset or encoding) are the client's too.
    if (isClientError(exception)) return { status: exception.status, body: { message: exception.message } };
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { message: 'internal error' } };
  }
}

function isClientError(e: unknown): e is Error & { status: number; expose: true } {
  const { status, expose } = e as { status?: unknown; expose?: unknown };
  return e instanceof Error && expose === true && typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * A 429 of the admin rate limits. @nestjs/throttler names its header after the limit that ran out
 * (`Retry-After-read`, `Retry-After-write`) and its message after its class; clients and the OpenAPI
 * document know `Retry-After` (RFC 9110 §10.2.3) and the API's own messages.
 */
function tooManyRequests(res: Response): { status: number; body: Record<string, unknown> } {
  let seconds = 0;
  for (const name of res.headersSent ? [] : res.getHeaderNames()) {
    if (!name.startsWith('retry-after-')) continue;
    seconds = Math.max(seconds, Number(res.getHeader(name)) || 0);
    res.removeHeader(name);
  }
  // The throttler's window is a minute: without its header, a minute is the safe wait.
  const retryAfter = Math.max(1, Math.ceil(seconds || 60));
  if (!res.headersSent) res.setHeader('Retry-After', String(retryAfter));
  return {
    status: HttpStatus.TOO_MANY_REQUESTS,
    body: { message: `too many requests from this client: retry after ${retryAfter} s` },
  };
}
