import { applyDecorators } from '@nestjs/common';
import { ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type {
  HeaderObject,
  OpenAPIObject,
  OperationObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** Component name of the API's one error shape (common/http-error.filter.ts). */
export const ERROR_SCHEMA = 'ErrorResponse';
/** Component name of one broken rule of a request, as a 400 (or a 409) lists them. */
export const FIELD_ERROR_SCHEMA = 'FieldError';

/** The statuses an operation can declare beyond its successes. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 422 | 428 | 429 | 500 | 503;

/**
 * The error answers of one operation, status → when it happens. The document gives each the one error
 * schema and the headers that status carries ({@link withErrorResponses}); the request-level ones that
 * every operation can give ({@link EVERY_OPERATION}) need not be repeated.
 */
export function ApiErrors(responses: Partial<Record<ErrorStatus, string>>) {
  return applyDecorators(
    ...Object.entries(responses).map(([status, description]) => ApiResponse({ status: Number(status), description })),
  );
}

/**
 * What any request can be answered with, whatever its route: the body parser runs on every request,
 * anything unforeseen is a 500, and a server task at its in-flight limit refuses what it cannot hand to
 * Lambda (spill/).
 */
export const EVERY_OPERATION: Partial<Record<ErrorStatus, string>> = {
  400:
    'The request is malformed: a parameter or header breaks its rule, or the request carries a body that is not ' +
    'JSON or nests too deeply. `errors` names each field and rule.',
  413: 'The request body is larger than 1 MB.',
  415:
    'The request body is not `application/json` in UTF-8 (on an operation that takes a body), or its ' +
    '`Content-Encoding` is not one the API reads (gzip, deflate, br).',
  500: 'Something unforeseen failed; the details are in the log under `requestId`, never in the answer.',
  503: 'The server is at its in-flight limit and could not hand the request to Lambda: retry after `Retry-After` seconds.',
};

export const errorSchemas: Record<string, SchemaObject> = {
  [FIELD_ERROR_SCHEMA]: {
    type: 'object',
    description: 'One broken rule of a request.',
    required: ['field', 'rule', 'message'],
    additionalProperties: false,
    properties: {
      field: {
        type: 'string',
        description:
          'A dotted path into the body (`tags.0`), a query or path parameter, a header (`Idempotency-Key`), or `(body)` for the body as a whole.',
        example: 'tier',
      },
      rule: { type: 'string', description: 'The name of the rule, e.g. `isIn`, `max`, `isJson`.', example: 'isIn' },
      message: { type: 'string', description: 'The rule, in a sentence for people.', example: 'tier must be one of the following values: lambda, fargate' },
    },
  },
  [ERROR_SCHEMA]: {
    type: 'object',
    description: 'Every error of the API has this shape, whatever its status.',
    required: ['statusCode', 'error', 'message', 'requestId'],
    additionalProperties: false,
    properties: {
      statusCode: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status, again.', example: 400 },
      error: { type: 'string', description: "The status's reason phrase.", example: 'Bad Request' },
      message: { type: 'string', description: 'What went wrong, in a sentence for people.', example: 'Validation failed' },
      errors: {
        type: 'array',
        description: 'Every broken rule: on a 400 that validation refused, and on a 409 for an invalid stored policy.',
        items: { $ref: getSchemaPath(FIELD_ERROR_SCHEMA) },
      },
      requestId: {
        type: 'string',
        description: 'The request id, as in the `x-request-id` header: quote it when asking about the request.',
        example: '0b6c2f4e-8a1d-4f5e-9c3b-2d7a1e6f4c80',
      },
    },
  },
};

/** Headers of the document (`#/components/headers/…`), named by what they are. */
const HEADERS: Record<string, HeaderObject> = {
  RequestId: {
    description: 'The request id: the one the client sent if it was a safe token (`[A-Za-z0-9_.:-]{1,128}`), else a generated UUID.',
    schema: { type: 'string' },
  },
  Tier: {
    description: 'The tier that served the request.',
    schema: { type: 'string', enum: ['lambda', 'fargate', 'local'] },
  },
  RetryAfter: {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer', minimum: 0 },
  },
  WwwAuthenticate: {
    description:
      'The challenge: `Bearer realm="lambdaflex-admin"`, with `error="invalid_token"` for a key no scheme accepts, or ' +
      '`error="insufficient_scope", scope="operate"` for a key without the scope.',
    schema: { type: 'string' },
  },
};

const headerRef = (name: keyof typeof HEADERS): ReferenceObject => ({ $ref: `#/components/headers/${name}` });

/** Headers every answer carries (common/logging.ts). */
const EVERY_RESPONSE_HEADERS = { 'x-request-id': headerRef('RequestId'), 'x-lambdaflex-tier': headerRef('Tier') };

/** Headers an error status carries besides those. */
function errorHeaders(status: number): Record<string, ReferenceObject> {
  if (status === 401 || status === 403) return { 'WWW-Authenticate': headerRef('WwwAuthenticate') };
  if (status === 429 || status === 503) return { 'Retry-After': headerRef('RetryAfter') };
  return {};
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

/** Every operation of the document, with its method and path. */
export function operationsOf(document: OpenAPIObject): { method: string; path: string; operation: OperationObject }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => (item[method] ? [{ method, path, operation: item[method] as OperationObject }] : [])),
  );
}

/**
 * Gives every error answer of every operation the one error schema: adds the request-level answers
 * each operation can give ({@link EVERY_OPERATION}) where it does not list them itself, describes each
 * error as `application/json` {@link ERROR_SCHEMA} (whatever the operation's success produces), and adds
 * the headers each status carries; every answer gets the request id and tier headers.
 */
export function withErrorResponses(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, ...errorSchemas };
  document.components.headers = { ...document.components.headers, ...HEADERS };
  const errorContent = { 'application/json': { schema: { $ref: getSchemaPath(ERROR_SCHEMA) } } };

  for (const { operation } of operationsOf(document)) {
    const responses = operation.responses as Record<string, ResponseObject>;
    for (const [status, description] of Object.entries(EVERY_OPERATION)) {
      responses[status] ??= { description };
    }
    for (const [status, response] of Object.entries(responses)) {
      const code = Number(status);
      if (code >= 400) response.content = errorContent;
      response.headers = { ...EVERY_RESPONSE_HEADERS, ...errorHeaders(code), ...response.headers };
    }
    // Statuses in numeric order, as people read them.
    operation.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
  }
  return document;
}
