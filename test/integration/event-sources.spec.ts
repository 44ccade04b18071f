import request from 'supertest';
import type { Context } from 'aws-lambda';
import { createLambdaHandler, type LambdaHandler } from '@lambdaflex/api';
import { startApi, type RunningApi } from '../support/api';
import {
  eventFor,
  resultBody,
  resultHeader,
  type EventSource,
  type LambdaHttpResult,
  type RequestSpec,
} from '@lambdaflex/local-cloud';

const context = { awsRequestId: 'test', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const json = { 'content-type': 'application/json' };
const petId = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';

// Each request runs in order on every path; creates carry an Idempotency-Key so all four paths
// land on the same pet and must answer with the same body.
const requests: [string, RequestSpec][] = [
  ['health', { method: 'GET', path: '/healthz' }],
  ['create', { method: 'POST', path: '/pets', headers: { ...json, 'idempotency-key': 'same-everywhere' }, body: '{"name":"Kiwi","species":"bird","tags":["green"]}' }],
  ['unknown pet', { method: 'GET', path: `/pets/${petId}` }],
  ['not a uuid', { method: 'GET', path: '/pets/nope' }],
  ['bad body', { method: 'POST', path: '/pets', headers: json, body: '{"name":"","species":"cow"}' }],
  ['malformed JSON', { method: 'POST', path: '/pets', headers: json, body: '{"name":' }],
  ['bad query', { method: 'GET', path: '/pets', query: { limit: '0' } }],
  ['unknown route', { method: 'DELETE', path: '/nothing-here' }],
  // Hostile input is refused alike on every path (the body parser sees serverless-express's request too).
  ['nested too deep', { method: 'POST', path: '/pets', headers: json, body: `{"name":"Rex","species":"dog","tags":${'['.repeat(5000)}${']'.repeat(5000)}}` }],
  ['UTF-7', { method: 'POST', path: '/pets', headers: { 'content-type': 'application/json; charset=utf-7' }, body: '{"name":"+ADw-x+AD4-","species":"dog"}' }],
  ['no body', { method: 'POST', path: '/pets', headers: json }],
  ['control characters', { method: 'POST', path: '/pets', headers: json, body: '{"name":"Rex\\u202e","species":"dog"}' }],
  ['a cursor it never issued', { method: 'GET', path: '/pets', query: { cursor: Buffer.from('{"id":""}').toString('base64url') } }],
];

/** What must be equal across paths: status and body, with the per-request id taken out. */
function comparable(status: number, body: string) {
  const parsed = body ? JSON.parse(body) : undefined;
  if (parsed && typeof parsed === 'object') delete parsed.requestId;
  return { status, body: parsed };
}

describe('one app, four ways in: HTTP, API Gateway v2, API Gateway v1 and ALB events', () => {
  let api: RunningApi;
  let handler: LambdaHandler;
  beforeAll(async () => {
    api = await startApi({ runsOn: 'server', tier: 'local' });
    handler = createLambdaHandler(api.app);
  });
  afterAll(() => api.stop());

  async function overHttp(r: RequestSpec) {
    let req = request(api.url)[r.method.toLowerCase() as 'get'](r.path);
    if (r.query) req = req.query(r.query);
    for (const [k, v] of Object.entries(r.headers ?? {})) req = req.set(k, v);
    const res = await (r.body === undefined ? req : req.send(r.body));
    return comparable(res.status, res.text);
  }

  async function overLambda(source: EventSource, r: RequestSpec) {
    const result = (await handler(eventFor[source](r), context)) as LambdaHttpResult;
    expect(resultHeader(result, 'x-lambdaflex-tier')).toBe('local');
    expect(resultHeader(result, 'x-request-id')).toBeTruthy();
    return comparable(result.statusCode, resultBody(result));
  }

  it.each(requests)('%s: same status and body on every path', async (_name, spec) => {
    const http = await overHttp(spec);
    const v2 = await overLambda('apiGatewayV2', spec);
    const v1 = await overLambda('apiGatewayV1', spec);
    const alb = await overLambda('alb', spec);
    expect(v2).toEqual(http);
    expect(v1).toEqual(http);
    expect(alb).toEqual(http);
  });

  it('reads a pet created over HTTP through each event source', async () => {
    const created = await request(api.url).post('/pets').send({ name: 'Nemo', species: 'fish' }).expect(201);
    const spec: RequestSpec = { method: 'GET', path: `/pets/${created.body.id}` };
    for (const source of ['apiGatewayV2', 'apiGatewayV1', 'alb'] as const) {
      expect(await overLambda(source, spec)).toEqual({ status: 200, body: created.body });
    }
  });

  it('passes query strings through each event source', async () => {
    const spec: RequestSpec = { method: 'GET', path: '/pets', query: { limit: '1' } };
    for (const source of ['apiGatewayV2', 'apiGatewayV1', 'alb'] as const) {
      const { status, body } = await overLambda(source, spec);
      expect(status).toBe(200);
      expect(body.items.length).toBeLessThanOrEqual(1);
    }
  });
});
