import { PayloadTooLargeException } from '@nestjs/common';
import { raw, type RequestHandler } from 'express';
import { UnsupportedBody } from './refused-body';
import { invalidRequest, type FieldError } from './validation';

/** The largest request body the API reads; a larger one is a 413 on every tier. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/**
 * How deep a body may nest objects and arrays. The deepest body the API takes (a policy) nests 4; a
 * body nested a thousand levels would otherwise reach the validation pipe, whose recursion overflows
 * the stack (a 500), and slow every other request of the process while it tries.
 */
export const MAX_BODY_DEPTH = 32;
/** How many object members and array items a body may hold in all; a policy holds about 50. */
export const MAX_BODY_ENTRIES = 1000;

// Keys that mean something to JavaScript's objects rather than to the API: no body of the API has such a
// field, and class-transformer would assign `__proto__` (swapping the DTO's prototype) or drop the others
// silently instead of refusing them as unknown fields.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The API's body parser. It reads the raw bytes (up to {@link BODY_LIMIT_BYTES}, inflating gzip,
 * deflate and br) and then decides for itself, so that every refusal is cheap and made before any
 * validation runs:
 *
 * - no bytes: `req.body` is undefined, and a route that takes a body answers 400 `(body):required`
 *   (body-parser would have made `{}` of it, which a `PUT` of the policy stored as the defaults);
 * - a Content-Type other than `application/json`, a charset other than UTF-8, or bytes without a
 *   Content-Type: `req.body` is an {@link UnsupportedBody}, a 415 on a route that takes a body;
 * - JSON in UTF-8: 400 when it is not valid UTF-8 (`isUtf8`), nests deeper than {@link MAX_BODY_DEPTH}
 *   (`maxDepth`), holds more than {@link MAX_BODY_ENTRIES} entries (`maxEntries`), is not JSON
 *   (`isJson`), is not an object (`isObject`) or has a `__proto__`, `constructor` or `prototype` key
 *   (`forbiddenKey`); else `req.body` is the object.
 */
export function jsonBody(): RequestHandler {
  const read = raw({ type: () => true, limit: BODY_LIMIT_BYTES });
  return (req, res, next) => {
    // serverless-express presets req.body with the event's bytes; only what the reader returns counts.
    req.body = undefined;
    // No length and no chunks: there are no bytes to read (most GETs), so the reader is skipped.
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return next();
    read(req, res, (err?: unknown) => {
      if (err) return next(readError(err));
      const bytes: unknown = req.body;
      req.body = undefined;
      const length = Buffer.isBuffer(bytes) ? bytes.length : 0;
      const declared = req.headers['content-type'];
      if (declared === undefined) {
        if (length > 0) req.body = new UnsupportedBody(undefined, 'a request body needs Content-Type: application/json');
        return next();
      }
      const refusal = unsupportedMediaType(declared);
      if (refusal) {
        req.body = refusal;
        return next();
      }
      if (length === 0) return next();
      try {
        req.body = parseJsonObject(bytes as Buffer);
        next();
      } catch (e) {
        next(e);
      }
    });
  };
}

/** The refusal of a declared Content-Type, or undefined when it is JSON in UTF-8. */
export function unsupportedMediaType(header: string): UnsupportedBody | undefined {
  const [type, ...params] = header.split(';');
  const mediaType = type.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    return new UnsupportedBody(mediaType, `Content-Type ${JSON.stringify(mediaType.slice(0, 100))} is not supported: send application/json`);
  }
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const charset = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    // Anything else would be decoded first (UTF-7 turns `+ADw-` into `<`), so what is validated and
    // stored would not be what the client's bytes say to every other reader.
    if (charset !== 'utf-8' && charset !== 'utf8') {
      return new UnsupportedBody(mediaType, `charset ${JSON.stringify(charset.slice(0, 40))} is not supported: send UTF-8`);
    }
  }
  return undefined;
}

/**
 * Decodes and parses a JSON body that must be an object, refusing (400) what the API never takes.
 * The shape is measured on the text before `JSON.parse`, in one pass without recursion, so a hostile
 * body costs one linear scan.
 */
export function parseJsonObject(bytes: Buffer): Record<string, unknown> {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw bodyError('isUtf8', 'request body is not valid UTF-8');
  }
  const shape = measureJson(text);
  if (shape === 'tooDeep') throw bodyError('maxDepth', `request body nests objects and arrays deeper than ${MAX_BODY_DEPTH} levels`);
  if (shape === 'tooMany') throw bodyError('maxEntries', `request body holds more than ${MAX_BODY_ENTRIES} members and items`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bodyError('isJson', 'request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bodyError('isObject', 'request body must be a JSON object');
  }
  const forbidden = forbiddenKeys(value, '');
  if (forbidden.length) throw invalidRequest(forbidden);
  return value as Record<string, unknown>;
}

/**
 * Whether JSON text stays within the depth and entry limits, counted outside strings: each `{` or `[`
 * opens a level and counts as an entry, as does each `,`. Invalid JSON is left to `JSON.parse`.
 */
export function measureJson(text: string): 'ok' | 'tooDeep' | 'tooMany' {
  let depth = 0;
  let entries = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character, a quote included
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_BODY_DEPTH) return 'tooDeep';
      if (++entries > MAX_BODY_ENTRIES) return 'tooMany';
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x2c) {
      if (++entries > MAX_BODY_ENTRIES) return 'tooMany';
    }
  }
  return 'ok';
}

// Recursion is safe here: the depth was bounded before parsing.
function forbiddenKeys(value: unknown, path: string): FieldError[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.keys(value).flatMap((key) => {
    const field = path ? `${path}.${key}` : key;
    const own: FieldError[] = FORBIDDEN_KEYS.has(key)
      ? [{ field, rule: 'forbiddenKey', message: `${key} is not a field of any body of this API` }]
      : [];
    return [...own, ...forbiddenKeys((value as Record<string, unknown>)[key], field)];
  });
}

function bodyError(rule: string, message: string) {
  return invalidRequest([{ field: '(body)', rule, message }]);
}

/** The reader's errors as the API's: an oversized body is a 413; the rest keep their 4xx (an unknown encoding is a 415). */
function readError(err: unknown): unknown {
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') return new PayloadTooLargeException(`request body is larger than ${BODY_LIMIT_BYTES} bytes`);
  return err;
}
