import { UnsupportedMediaTypeException } from '@nestjs/common';

/**
 * What `req.body` holds when a request declared a body the API does not read: not JSON, or JSON in a
 * charset other than UTF-8. The parser cannot refuse it itself, since it does not know the route: a
 * route that takes no body ignores it, and the global pipe answers a route that takes one with a 415
 * ({@link UnsupportedBody.exception}), after the guards, so an unauthenticated call still gets its 401.
 */
export class UnsupportedBody {
  constructor(
    /** The declared media type, lower-cased, or undefined when bytes came without a Content-Type. */
    readonly mediaType: string | undefined,
    /** Why it is refused, for people. */
    readonly reason: string,
  ) {}

  /** The 415, in the API's error shape, naming the header and the rule. */
  exception(): UnsupportedMediaTypeException {
    return new UnsupportedMediaTypeException({
      message: this.reason,
      errors: [{ field: 'Content-Type', rule: 'isJsonUtf8', message: 'send the body as Content-Type: application/json (UTF-8)' }],
    });
  }
}
