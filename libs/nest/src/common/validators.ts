import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';

// C0 and C1 controls (NUL, ESC, CR, LF, DEL…), the bidirectional controls (U+202E and the other
// overrides, embeddings and isolates, the marks) and the line and paragraph separators U+2028/U+2029:
// invisible, or moving text around when the value is shown, and breaking log lines and terminals. And
// lone surrogates (`\p{Cs}` matches only those in a `u` pattern): not characters, they cannot be encoded
// as UTF-8, so they would change on the way to storage.
const UNPRINTABLE = /[\p{Cc}\p{Cs}\p{Bidi_Control}\u2028\u2029]/u;

/** Whether a string holds only printable text: none of the characters above. */
export function isPlainText(value: string): boolean {
  return !UNPRINTABLE.test(value);
}

/**
 * Rule `isPlainText`: the string holds no control character, bidirectional control, line separator or
 * lone surrogate. Values that are not strings pass here; `@IsString()` names them.
 */
export function IsPlainText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPlainText',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || isPlainText(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'the value'} must not contain control characters, bidirectional controls, line separators or lone surrogates`,
      },
    },
    options,
  );
}

/**
 * Rule `isNotNull`: a field that may be left out may not be `null`. class-validator's `@IsOptional()`
 * skips every rule for null as well as for undefined, so `{"name": null}` would pass and be stored.
 */
export function IsNotNull(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNotNull',
      validator: {
        validate: (value: unknown) => value !== null,
        defaultMessage: (args) => `${args?.property ?? 'the value'} may be left out, but not null`,
      },
    },
    options,
  );
}

/** Like `@IsOptional()`, but for a value left out only: `null` is still validated (and refused by the rules). */
export function IsOmittable(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object: unknown, value: unknown) => value !== undefined, options);
}
