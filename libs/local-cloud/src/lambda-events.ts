import type { ALBEvent, APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

/** One HTTP request, described once and sent to the API in each of the shapes it accepts. */
export interface RequestSpec {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}

/** The three event sources serverless-express detects. */
export type EventSource = 'apiGatewayV2' | 'apiGatewayV1' | 'alb';

/** The answer of the Lambda handler to any of those events. */
export interface LambdaHttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded?: boolean;
}

const requestContextTime = '23/Nov/2026:12:00:00 +0000';

function lowerCase(headers: Record<string, string> = {}) {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function queryString(query: Record<string, string> = {}) {
  return new URLSearchParams(query).toString();
}

/** An API Gateway HTTP API (payload format 2.0) event, as API Gateway sends it to Lambda. */
export function apiGatewayV2Event(r: RequestSpec): APIGatewayProxyEventV2 {
  const headers = { host: 'api.example.com', ...lowerCase(r.headers) };
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: r.path,
    rawQueryString: queryString(r.query),
    queryStringParameters: r.query,
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api1234567',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method: r.method, path: r.path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: 'v2-request',
      routeKey: '$default',
      stage: '$default',
      time: requestContextTime,
      timeEpoch: 1795435200000,
    },
    body: r.body,
    isBase64Encoded: false,
  };
}

/** An API Gateway REST API (payload format 1.0) proxy event. */
export function apiGatewayV1Event(r: RequestSpec): APIGatewayProxyEvent {
  const headers = { Host: 'api.example.com', ...(r.headers ?? {}) };
  return {
    resource: '/{proxy+}',
    path: r.path,
    httpMethod: r.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: r.query ?? null,
    multiValueQueryStringParameters: r.query
      ? Object.fromEntries(Object.entries(r.query).map(([k, v]) => [k, [v]]))
      : null,
    pathParameters: { proxy: r.path.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'rest123456',
      authorizer: undefined,
      httpMethod: r.method,
      identity: { sourceIp: '192.0.2.1', userAgent: 'test' } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/prod${r.path}`,
      protocol: 'HTTP/1.1',
      requestId: 'v1-request',
      requestTimeEpoch: 1795435200000,
      resourceId: 'abc123',
      resourcePath: '/{proxy+}',
      stage: 'prod',
    },
    body: r.body ?? null,
    isBase64Encoded: false,
  };
}

/** An Application Load Balancer event (multi-value headers off, as a target group defaults). */
export function albEvent(r: RequestSpec): ALBEvent {
  return {
    requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambdaflex/abc' } },
    httpMethod: r.method,
    path: r.path,
    queryStringParameters: r.query ?? {},
    headers: { host: 'alb.example.com', ...lowerCase(r.headers) },
    body: r.body ?? '',
    isBase64Encoded: false,
  };
}

export const eventFor: Record<EventSource, (r: RequestSpec) => unknown> = {
  apiGatewayV2: apiGatewayV2Event,
  apiGatewayV1: apiGatewayV1Event,
  alb: albEvent,
};

/** Reads a header of a Lambda HTTP result, whichever way the event source shapes headers. */
export function resultHeader(result: LambdaHttpResult, name: string): string | undefined {
  const find = (h: Record<string, unknown> | undefined) =>
    h && Object.entries(h).find(([k]) => k.toLowerCase() === name)?.[1];
  const single = find(result.headers);
  if (single !== undefined) return String(single);
  const multi = find(result.multiValueHeaders) as string[] | undefined;
  return multi?.[0];
}

/** The body of a Lambda HTTP result as text. */
export function resultBody(result: LambdaHttpResult): string {
  return result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
}
