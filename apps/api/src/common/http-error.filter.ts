import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { REQUEST_ID_HEADER } from './logging';


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
    const { status, body } = this.describe(exception);
    if (status >= 500) {
      this.logger.error((exception as Error)?.message ?? String(exception), (exception as Error)?.stack);
    }
    if (res.headersSent) return;
    res.status(status).json({
      statusCode: status,
      error: STATUS_CODES[status],
      ...body,
      requestId: res.getHeader(REQUEST_ID_HEADER),
    });
  }

  private describe(exception: unknown): { status: number; body: Record<string, unknown> } {
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
