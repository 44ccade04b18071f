/**
 * The Lambda handler: what the image runs on Lambda (`bootstrap.js lambda.handler`). It turns an API
 * Gateway HTTP API event (payload 2.0), a REST API event (1.0) or an ALB event into the same request
 * main.js builds, asks the same router, and answers in the shape of the event it was given.
 */
import { performance } from 'node:perf_hooks';
import { route } from './app.js';
import { log } from './log.js';

let coldStart = true;

const lowerCase = (headers) => Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
const firstOfEach = (multi) => Object.fromEntries(Object.entries(multi ?? {}).map(([k, v]) => [k, v[0]]));

/** Which source sent the event: API Gateway HTTP API (2.0), ALB, or API Gateway REST API (1.0). */
const sourceOf = (event) => (event.version === '2.0' ? 'v2' : event.requestContext?.elb ? 'alb' : 'v1');

function toRequest(event, source) {
  const body = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  if (source === 'v2') {
    const headers = lowerCase(event.headers);
    if (event.cookies?.length) headers.cookie = event.cookies.join('; ');
    return { method: event.requestContext.http.method, path: event.rawPath, query: new URLSearchParams(event.rawQueryString ?? ''), headers, body };
  }
  // 1.0 and ALB: multi-value maps when they are on, single-value ones otherwise. An ALB passes the
  // query string as the client sent it (still percent-encoded); API Gateway decodes it.
  const headers = lowerCase(event.multiValueHeaders ? firstOfEach(event.multiValueHeaders) : event.headers);
  const params = event.multiValueQueryStringParameters ?? Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).map(([k, v]) => [k, [v]]));
  const decode = (s) => (source === 'alb' ? decodeQueryPart(s) : s);
  const query = new URLSearchParams();
  for (const [k, values] of Object.entries(params)) for (const v of values) query.append(decode(k), decode(v));
  return { method: event.httpMethod, path: event.path, query, headers, body };
}

function decodeQueryPart(s) {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s; // not valid percent-encoding: taken as it is
  }
}

function toResult(event, source, answer) {
  const result = { statusCode: answer.status, body: answer.body, isBase64Encoded: false };
  const headers = { ...answer.headers, 'x-lambdaflex-tier': 'lambda' };
  // An ALB with multi-value headers on wants them back as multi-value; every other source takes `headers`.
  if (source === 'alb' && event.multiValueHeaders) return { ...result, multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])) };
  return { ...result, headers };
}

export async function handler(event, context) {
  const started = performance.now();
  const source = sourceOf(event);
  const request = toRequest(event, source);
  const answer = route(request);
  log('request', {
    tier: 'lambda',
    coldStart,
    requestId: context?.awsRequestId,
    method: request.method,
    path: request.path,
    status: answer.status,
    ms: Math.round(performance.now() - started),
  });
  coldStart = false;
  return toResult(event, source, answer);
}
