import { PayloadTooLargeException } from '@nestjs/common';
import { json, type RequestHandler } from 'express';
import { invalidRequest } from './validation';

/** The largest request body the API reads; a larger one is a 413 on every tier. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * express's JSON parser, with its errors turned into the API's own: a body that is not JSON is a 400
 * naming the body and the rule, an oversized one a 413. Other parser errors (an unsupported charset,
 * say) keep body-parser's 4xx status.
 */
export function jsonBody(): RequestHandler {
  const parse = json({ limit: BODY_LIMIT_BYTES });
  return (req, res, next) =>
    parse(req, res, (err?: unknown) => {
      const type = (err as { type?: string } | undefined)?.type;
      if (type === 'entity.parse.failed') {
        return next(invalidRequest([{ field: '(body)', rule: 'isJson', message: 'request body is not valid JSON' }]));
      }
      if (type === 'entity.too.large') {
        return next(new PayloadTooLargeException(`request body is larger than ${BODY_LIMIT_BYTES} bytes`));
      }
      next(err);
    });
}
