import { BadRequestException, ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { UnsupportedBody } from './refused-body';

/** One broken rule of a request: the field (a dotted path), the rule's name, and a sentence for people. */
export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

/** A 400 that lists every broken rule at once, in the one shape all validation errors of the API share. */
export function invalidRequest(errors: FieldError[]): BadRequestException {
  return new BadRequestException({ message: 'Validation failed', errors });
}

/** Flattens class-validator's tree of errors into field paths such as `tags.0`. */
export function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) => ({ field, rule, message }));
    return [...own, ...fieldErrors(e.children ?? [], field)];
  });
}

/**
 * The global pipe: unknown fields are errors (a typo must not be dropped silently), bodies become DTO
 * instances, and a failure is a 400 naming each field and rule. A route that takes a body (`@Body()`)
 * gets one: none at all is a 400 `(body):required` (never `{}`, which would stand for "every default"),
 * and one the parser would not read (not JSON in UTF-8, see json-body.ts) is a 415.
 */
export class ApiValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => invalidRequest(fieldErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.data === undefined) {
      if (value instanceof UnsupportedBody) throw value.exception();
      if (value === undefined) {
        throw invalidRequest([{ field: '(body)', rule: 'required', message: 'this request needs a JSON object as its body' }]);
      }
    }
    return super.transform(value, metadata);
  }
}

/** The API's one {@link ApiValidationPipe}, for `useGlobalPipes`. */
export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe();
}
