import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BODY_LIMIT, route } from '../src/app.js';

const request = (method, path, { query = '', headers = {}, body = '' } = {}) => ({
  method,
  path,
  query: new URLSearchParams(query),
  headers,
  body: Buffer.from(body),
});
const json = { 'content-type': 'application/json' };

describe('the router', () => {
  const cases = [
    ['answers /healthz with 200 while serving', request('GET', '/healthz'), 200, { status: 'ok' }],
    ['greets the world by default', request('GET', '/hello'), 200, { message: 'hello, world' }],
    ['greets the name it is given', request('GET', '/hello', { query: 'name=Ada' }), 200, { message: 'hello, Ada' }],
    ['refuses a name over 100 characters', request('GET', '/hello', { query: `name=${'a'.repeat(101)}` }), 400, { error: 'bad_request' }],
    ['echoes a JSON body', request('POST', '/echo', { headers: json, body: '{"a":[1,2]}' }), 200, { echo: { a: [1, 2] } }],
    ['answers bad JSON with 400', request('POST', '/echo', { headers: json, body: '{"a":' }), 400, { error: 'bad_request' }],
    ['answers an empty body with 400', request('POST', '/echo', { headers: json }), 400, { error: 'bad_request' }],
    ['answers a body over the limit with 413', request('POST', '/echo', { headers: json, body: 'x'.repeat(BODY_LIMIT + 1) }), 413, { error: 'payload_too_large' }],
    ['answers another content type with 415', request('POST', '/echo', { headers: { 'content-type': 'text/plain' }, body: '{}' }), 415, { error: 'unsupported_media_type' }],
    ['answers an unknown path with 404', request('GET', '/nope'), 404, { error: 'not_found' }],
    ['answers a known path with another method with 405', request('DELETE', '/hello'), 405, { error: 'method_not_allowed' }],
  ];
  for (const [name, req, status, body] of cases) {
    it(name, () => {
      const answer = route(req);
      assert.equal(answer.status, status);
      assert.match(answer.headers['content-type'], /^application\/json/);
      for (const [k, v] of Object.entries(body)) assert.deepEqual(JSON.parse(answer.body)[k], v);
    });
  }

  it('answers /healthz with 503 once draining, so a balancer takes the task out', () => {
    assert.equal(route(request('GET', '/healthz'), { draining: true }).status, 503);
  });

  it('names the allowed methods on a 405', () => {
    assert.equal(route(request('GET', '/echo')).headers.allow, 'POST');
  });
});
