import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handler } from '../src/lambda.js';

const context = { awsRequestId: 'test' };

const v2 = (method, rawPath, rawQueryString = '', body) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath,
  rawQueryString,
  headers: { 'content-type': 'application/json' },
  requestContext: { http: { method, path: rawPath } },
  body,
  isBase64Encoded: false,
});

describe('the Lambda handler', () => {
  it('answers an API Gateway HTTP API (2.0) event', async () => {
    const result = await handler(v2('GET', '/hello', 'name=Ada'), context);
    assert.equal(result.statusCode, 200);
    assert.deepEqual(JSON.parse(result.body), { message: 'hello, Ada' });
    assert.match(result.headers['content-type'], /^application\/json/);
    assert.equal(result.headers['x-lambdaflex-tier'], 'lambda');
  });

  it('reads a base64 body', async () => {
    const event = { ...v2('POST', '/echo'), body: Buffer.from('{"n":1}').toString('base64'), isBase64Encoded: true };
    const result = await handler(event, context);
    assert.deepEqual(JSON.parse(result.body), { echo: { n: 1 } });
  });

  it('answers bad JSON with 400, as the server does', async () => {
    assert.equal((await handler(v2('POST', '/echo', '', '{'), context)).statusCode, 400);
  });

  it('answers an API Gateway REST API (1.0) event', async () => {
    const event = { httpMethod: 'GET', path: '/hello', headers: {}, queryStringParameters: { name: 'Grace' }, requestContext: { stage: 'prod' }, body: null };
    const result = await handler(event, context);
    assert.deepEqual(JSON.parse(result.body), { message: 'hello, Grace' });
  });

  it('answers an ALB event, decoding its query string', async () => {
    const event = { httpMethod: 'GET', path: '/hello', headers: {}, queryStringParameters: { name: 'Ada%20L' }, requestContext: { elb: {} }, body: '' };
    const result = await handler(event, context);
    assert.deepEqual(JSON.parse(result.body), { message: 'hello, Ada L' });
    assert.ok(result.headers);
  });

  it('answers an ALB event with multi-value headers in multi-value headers', async () => {
    const event = { httpMethod: 'GET', path: '/healthz', multiValueHeaders: {}, multiValueQueryStringParameters: {}, requestContext: { elb: {} }, body: '' };
    const result = await handler(event, context);
    assert.equal(result.statusCode, 200);
    assert.deepEqual(result.multiValueHeaders['content-type'], ['application/json; charset=utf-8']);
  });
});
