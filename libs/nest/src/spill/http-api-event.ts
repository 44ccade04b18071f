import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Headers that describe one hop, not the request or the answer: never copied from the task's connection
 * into the event, nor from the function's answer onto the task's connection. `content-length` is left out
 * too: serverless-express sets it from the event's body, and Node from the body written back.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'content-length',
]);

/** What the spill knows of a request when it hands it over: the parts an API Gateway event carries. */
export interface SpilledRequest {
  method: string;
  /** The request target as received: path and query string, still percent-encoded. */
  url: string;
  httpVersion: string;
  headers: IncomingHttpHeaders;
  /** The client's address as the task sees it (the ALB's X-Forwarded-For entry on Fargate). */
  sourceIp: string;
  requestId: string;
  body: Buffer;
}

/**
 * An API Gateway HTTP API (payload format 2.0) event for a request the task hands to Lambda: the shape
 * the function already receives from API Gateway, so it serves a spilled request exactly as any other.
 * The request id goes in `x-request-id`, so the function's log line and answer carry the task's id.
 */
export function httpApiEvent(r: SpilledRequest, now = new Date()): APIGatewayProxyEventV2 {
  const q = r.url.indexOf('?');
  const rawPath = q < 0 ? r.url : r.url.slice(0, q);
  const rawQueryString = q < 0 ? '' : r.url.slice(q + 1);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(r.headers)) {
    if (value === undefined || name === 'cookie' || HOP_BY_HOP.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  headers['x-request-id'] = r.requestId;
  const cookies = r.headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  const host = headers.host ?? 'localhost';
  const body = eventBody(r.body, headers['content-type']);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(rawQueryString ? { queryStringParameters: queryParameters(rawQueryString) } : {}),
    requestContext: {
      accountId: 'anonymous',
      // Not an API Gateway id: a function that ever needs to tell a spilled request from another can.
      apiId: 'lambdaflex-spill',
      domainName: host,
      domainPrefix: host.split('.')[0],
      http: {
        method: r.method,
        path: rawPath,
        protocol: `HTTP/${r.httpVersion}`,
        sourceIp: r.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: r.requestId,
      routeKey: '$default',
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...body,
  };
}

/** API Gateway joins repeated query parameters with commas, as it does repeated headers. */
function queryParameters(rawQueryString: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQueryString)) params[k] = k in params ? `${params[k]},${v}` : v;
  return params;
}

const TEXTUAL = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|problem\+json)|[^;]*\+(json|xml)\b)/i;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Text goes as text; anything else — a binary type, or bytes that are not valid UTF-8 whatever the
 * type says — goes base64-encoded, so the function reads exactly the bytes the client sent.
 */
function eventBody(body: Buffer, contentType: string | undefined): { body?: string; isBase64Encoded: boolean } {
  if (body.length === 0) return { isBase64Encoded: false };
  if (contentType && TEXTUAL.test(contentType)) {
    try {
      return { body: strictUtf8.decode(body), isBase64Encoded: false };
    } catch {
      // not UTF-8 after all: base64 below
    }
  }
  return { body: body.toString('base64'), isBase64Encoded: true };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `23/Nov/2026:12:00:00 +0000`, as API Gateway writes `requestContext.time`. */
function apiGatewayTime(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** The function's answer to an HTTP API event (payload format 2.0), as the task writes it back. */
export interface HttpApiAnswer {
  statusCode: number;
  headers: [string, string | string[]][];
  cookies: string[];
  body: Buffer;
}

/**
 * Reads the function's answer. Returns undefined when it is not an HTTP answer at all (a function that
 * is not this API's handler): the spill then fails as an Invoke error would.
 */
export function readHttpApiAnswer(payload: Uint8Array): HttpApiAnswer | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const r = parsed as {
    statusCode?: unknown;
    headers?: Record<string, unknown>;
    multiValueHeaders?: Record<string, unknown>;
    cookies?: unknown;
    body?: unknown;
    isBase64Encoded?: unknown;
  };
  if (typeof r.statusCode !== 'number' || !Number.isInteger(r.statusCode) || r.statusCode < 100 || r.statusCode > 599) return undefined;
  const headers: [string, string | string[]][] = [];
  const keep = (name: string) => !HOP_BY_HOP.has(name.toLowerCase()) && name.toLowerCase() !== 'set-cookie';
  for (const [name, value] of Object.entries(r.headers ?? {})) if (keep(name) && value !== undefined && value !== null) headers.push([name, String(value)]);
  for (const [name, value] of Object.entries(r.multiValueHeaders ?? {})) if (keep(name) && Array.isArray(value)) headers.push([name, value.map(String)]);
  // Payload format 2.0 returns cookies on their own; a set-cookie header (1.0 style) is honoured too.
  const setCookie = [r.headers?.['set-cookie'], r.multiValueHeaders?.['set-cookie']].flat().filter((c): c is string => typeof c === 'string');
  const cookies = [...(Array.isArray(r.cookies) ? r.cookies.map(String) : []), ...setCookie];
  const text = typeof r.body === 'string' ? r.body : '';
  const body = r.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { statusCode: r.statusCode, headers, cookies, body };
}
