import type { LoggerService } from '@nestjs/common';
import type { RequestHandler } from 'express';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { LambdaFlexConfig, Tier } from '../config/config';

/** Response header naming the tier that served the request. */
export const TIER_HEADER = 'x-lambdaflex-tier';
/** Request and response header that carries the request's id. */
export const REQUEST_ID_HEADER = 'x-request-id';
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The `service` field of every log line, unless the module's `appName` option names another. */
export const DEFAULT_APP_NAME = 'lambdaflex-api';

/** The process's one logger: JSON lines on stdout, with the app's name and the tier on every line. */
export function createLogger(config: Pick<LambdaFlexConfig, 'logLevel' | 'tier'>, appName = DEFAULT_APP_NAME): Logger {
  return pino({
    level: config.logLevel,
    base: { service: appName, tier: config.tier },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

// The first request a process serves is its cold start, on Lambda and on a server alike.
let servedOne = false;
const coldRequests = new WeakSet<IncomingMessage>();

/**
 * Express middleware, mounted before the body parser so that every request, even one refused
 * there, gets the tier and request id headers and exactly one log line.
 */
export function requestLogging(logger: Logger, tier: Tier): RequestHandler {
  return pinoHttp({
    logger,
    // Lines carry only what line() picks: never the request's headers (credentials live there).
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      if (!servedOne) {
        servedOne = true;
        coldRequests.add(req);
      }
      const given = req.headers[REQUEST_ID_HEADER];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader(REQUEST_ID_HEADER, id);
      res.setHeader(TIER_HEADER, tier);
      return id;
    },
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request',
    customSuccessObject: (req, res, val: { responseTime: number }) => line(req, res, val.responseTime),
    customErrorObject: (req, res, _err, val: { responseTime: number }) => line(req, res, val.responseTime),
  }) as unknown as RequestHandler;
}

function line(req: IncomingMessage, res: ServerResponse, latencyMs: number) {
  return {
    coldStart: coldRequests.has(req),
    method: req.method,
    path: pathOf((req as { originalUrl?: string }).originalUrl ?? req.url),
    status: res.statusCode,
    latencyMs,
  };
}

/**
 * The path of a request target without its query string: a query may carry what must never be logged
 * (a key sent as `?api_key=`, which the API refuses, or a caller's personal data), and the route is
 * what the log is for. Capped, so a long target cannot blow up a line.
 */
export function pathOf(target: string | undefined): string {
  const path = (target ?? '').split('?', 1)[0].split('#', 1)[0];
  return path.length > 512 ? `${path.slice(0, 512)}…` : path;
}

/** Nest's own messages (start, routes, errors) through the same JSON logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
  fatal(message: unknown, context?: string) {
    this.logger.fatal({ context }, String(message));
  }
}
