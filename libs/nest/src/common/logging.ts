import type { LoggerService } from '@nestjs/common';
import type { RequestHandler } from 'express';
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { LambdaFlexConfig, Tier } from '../config/config';

/** Response header naming the tier that served the request. */
export const TIER_HEADER = 'x-lambdaflex-tier';
/** Request and response header that carries the request's id. */
export const REQUEST_ID_HEADER = 'x-request-id';
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The `service` field of every log line, unless the module's `appName` option names another. */
export const DEFAULT_APP_NAME = 'lambdaflex-api';

/**
 * The process's one logger: JSON lines on stdout, with the app's name and the tier on every line,
 * written as `logWrites` says (pino's destination flushes what is buffered when the process exits).
 */
export function createLogger(config: Pick<LambdaFlexConfig, 'logLevel' | 'tier'> & Partial<Pick<LambdaFlexConfig, 'logWrites'>>, appName = DEFAULT_APP_NAME): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: appName, tier: config.tier },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: 1, sync: (config.logWrites ?? 'sync') === 'sync' }),
  );
}

// The first request a process serves is its cold start, on Lambda and on a server alike.
let servedOne = false;

/**
 * Express middleware, mounted before the body parser so that every request, even one refused
 * there, gets the tier and request id headers and exactly one log line, written when the response is
 * done (or the connection closed before it). Only what the line names is logged: never the request's
 * headers (credentials live there) or its query. Written by hand rather than with pino-http, whose
 * child logger and serializers per request were the largest of the app's own costs on /healthz.
 */
export function requestLogging(logger: Logger, tier: Tier): RequestHandler {
  return (req, res, next) => {
    const started = Date.now();
    const coldStart = !servedOne;
    servedOne = true;
    const given = req.headers[REQUEST_ID_HEADER];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    res.setHeader(TIER_HEADER, tier);
    let logged = false;
    const log = () => {
      if (logged) return;
      logged = true;
      logger.info(
        { requestId, coldStart, method: req.method, path: pathOf(req.originalUrl ?? req.url), status: res.statusCode, latencyMs: Date.now() - started },
        'request',
      );
    };
    // 'finish' when the answer is handed over (serverless-express's response emits only this one);
    // 'close' when the connection went first.
    res.once('finish', log);
    res.once('close', log);
    next();
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
