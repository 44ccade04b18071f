import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

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
 * instances, and a failure is a 400 naming each field and rule.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => invalidRequest(fieldErrors(errors)),
  });
}
