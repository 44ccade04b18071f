import request from 'supertest';
import { decide, parsePolicy, type Observation, type ServiceStatus } from '@lambdaflex/state';
import { startAdminApi, type RunningAdminApi } from '../support/api';
import {
  exampleOf,
  invalidValue,
  operationsOf,
  SchemaValidator,
  type OpenApiDocument,
  type Operation,
  type Schema,
} from '../support/openapi';

/**
 * The OpenAPI document as a contract: fetched from the running app, every operation is sent the
 * document's own examples (with a valid admin key where the operation asks for one), a deliberately bad
 * request where it takes a body or a query, a body that is not JSON where it takes a body, and no key
 * where it needs one; every answer must have a status the document lists and a body its schema accepts.
 */

// Statuses that say the request itself is wrong: the document's own examples must never get one.
const REFUSES_INPUT = [400, 413, 415, 422];

/** One request of the suite: what it was for, and what to send. */
interface Call {
  operationId: string;
  method: string;
  path: string;
  variant: 'examples' | 'bad' | 'not-json' | 'no-key' | 'live';
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: unknown;
  rawBody?: { type: string; text: string };
  /** Statuses this variant may not answer, beyond the document's list: a bad request is no success. */
  mustBeError?: boolean;
}

/** A world the reconciler could have seen: the Fargate tier serving all traffic through the ALB. */
function fargateStatus(service: string, observedGeneration: number, now: number): ServiceStatus {
  const policy = parsePolicy({ service });
  const world: Observation = {
    policy,
    image: 'app:1',
    stack: { status: 'ready', image: 'app:1', desiredTasks: 3, healthyTargets: 3 },
    dns: { apiWeight: 0, albWeight: 100, albRecordExists: true, inSync: true },
    metrics: { totalRpsUpWindow: 80, totalRpsDownWindow: 90 },
  };
  const decision = decide(undefined, world, now);
  return {
    service,
    phase: decision.phase,
    conditions: decision.conditions,
    observedGeneration,
    intent: decision.intent,
    snapshot: decision.snapshot,
    lastGoodPolicy: policy,
    updatedAt: new Date(now).toISOString(),
  };
}

describe('the OpenAPI document, as a contract the running API keeps', () => {
  let api: RunningAdminApi;
  let document: OpenApiDocument;
  let validator: SchemaValidator;
  const failures: string[] = [];
  let requests = 0;

  beforeAll(async () => {
    api = await startAdminApi();
    // What the reconciler and an operator would have written: a policy, a status, some history. With
    // them the read routes answer 200 and their bodies are checked too, not only their 404s.
    const generation = await api.store.writePolicy(parsePolicy({ service: api.service }), undefined);
    await api.store.writeStatus(fargateStatus(api.service, generation, Date.now()), undefined);
    for (let i = 0; i < 3; i++) {
      await api.store.appendHistory(api.service, {
        at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
        from: i % 2 ? 'fargate' : 'lambda',
        to: i % 2 ? 'lambda' : 'fargate',
        reason: i % 2 ? 'LoadBelowThreshold' : 'LoadAboveThreshold',
        message: `change ${i}`,
      });
    }
    document = (await request(api.url).get('/docs/json').expect(200)).body as OpenApiDocument;
    validator = new SchemaValidator(document);
  });

  afterAll(async () => {
    const operations = document ? operationsOf(document).length : 0;
    process.stdout.write(`${JSON.stringify({ suite: 'contract', operations, requests, failures: failures.length })}\n`);
    await api?.stop();
  });

  /** The credential headers of the operation's first security requirement that `scheme` names, if any. */
  function credentials(operation: Operation, prefer: 'http' | 'apiKey'): Record<string, string> {
    const schemes = document.components?.securitySchemes ?? {};
    const names = (operation.security ?? []).flatMap((requirement) => Object.keys(requirement));
    const name = names.find((n) => schemes[n]?.type === prefer) ?? names[0];
    if (!name) return {};
    const scheme = schemes[name];
    if (scheme.type === 'http' && scheme.scheme.toLowerCase() === 'bearer') return { authorization: `Bearer ${api.keys.operate}` };
    if (scheme.type === 'apiKey' && scheme.in === 'header') return { [scheme.name]: api.keys.operate };
    throw new Error(`security scheme ${name} is of a kind the suite cannot send`);
  }

  /** The request the document's own examples make: every parameter that has one, every required one. */
  function exampleCall(method: string, path: string, operation: Operation, auth: 'http' | 'apiKey' | 'none' = 'http'): Call {
    const operationId = operation.operationId ?? `${method} ${path}`;
    const call: Call = { operationId, method, path, variant: 'examples', query: {}, headers: {} };
    for (const parameter of operation.parameters ?? []) {
      const example = exampleOf(parameter);
      if (example === undefined) {
        if (parameter.required) failures.push(`${operationId}: required ${parameter.in} parameter ${parameter.name} has no example`);
        continue;
      }
      if (parameter.in === 'path') call.path = call.path.replace(`{${parameter.name}}`, encodeURIComponent(String(example)));
      else if (parameter.in === 'query') call.query[parameter.name] = String(example);
      else if (parameter.in === 'header') call.headers[parameter.name] = String(example);
    }
    const json = operation.requestBody?.content['application/json'];
    if (json) {
      call.body = exampleOf(json);
      if (call.body === undefined && operation.requestBody?.required) failures.push(`${operationId}: the request body has no example`);
    }
    if (auth !== 'none') Object.assign(call.headers, credentials(operation, auth));
    return call;
  }

  /** Sends `call` and checks the answer against the operation's documented responses. */
  async function check(call: Call, operation: Operation): Promise<{ status: number; headers: Record<string, string> }> {
    requests++;
    const label = `${call.operationId} [${call.variant}] ${call.method.toUpperCase()} ${call.path}`;
    let req = request(api.url)[call.method as 'get'](call.path).query(call.query).set(call.headers);
    if (call.rawBody) req = req.set('content-type', call.rawBody.type).send(call.rawBody.text);
    else if (call.body !== undefined) req = req.send(call.body as object);
    const res = await req;

    const documented = operation.responses[String(res.status)] ?? operation.responses[`${String(res.status)[0]}XX`] ?? operation.responses.default;
    if (!documented) {
      failures.push(`${label}: ${res.status} is not a documented status (${Object.keys(operation.responses).join(', ')}): ${res.text.slice(0, 300)}`);
      return res;
    }
    if (call.mustBeError && res.status < 400) failures.push(`${label}: a bad request was answered ${res.status}`);
    if ((call.variant === 'examples' || call.variant === 'live') && REFUSES_INPUT.includes(res.status)) {
      failures.push(`${label}: the document's own example was refused with ${res.status}: ${res.text.slice(0, 300)}`);
    }

    const contentType = String(res.headers['content-type'] ?? '').split(';')[0].trim();
    const hasBody = res.text !== undefined && res.text !== '';
    if (!documented.content) {
      if (hasBody) failures.push(`${label}: ${res.status} has a body (${contentType}) the document does not describe`);
    } else {
      const media = documented.content[contentType];
      if (!media) {
        failures.push(`${label}: ${res.status} answered ${contentType || 'no content type'}, documented ${Object.keys(documented.content).join(', ')}`);
      } else if (media.schema) {
        const value = contentType === 'application/json' ? res.body : res.text;
        const problems = validator.problems(media.schema, value);
        if (problems.length) failures.push(`${label}: ${res.status} body breaks its schema: ${problems.join('; ')}: ${res.text.slice(0, 300)}`);
      }
    }
    for (const [name, header] of Object.entries(documented.headers ?? {})) {
      const required = '$ref' in header ? document.components?.headers?.[header.$ref.split('/').pop()!]?.required : header.required;
      if (required && res.headers[name.toLowerCase()] === undefined) failures.push(`${label}: ${res.status} lacks the required header ${name}`);
    }
    return res;
  }

  it('lists, for every operation, an operationId, a summary, security, and the error shape on every error', () => {
    const problems: string[] = [];
    const ids = new Set<string>();
    for (const { method, path, operation } of operationsOf(document)) {
      const name = `${method.toUpperCase()} ${path}`;
      if (!operation.operationId) problems.push(`${name}: no operationId`);
      else if (ids.has(operation.operationId)) problems.push(`${name}: operationId ${operation.operationId} is not unique`);
      ids.add(operation.operationId ?? name);
      if (!operation.summary) problems.push(`${name}: no summary`);
      if (!operation.security) problems.push(`${name}: no security (public operations say security: [])`);
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        const schema = response.content?.['application/json']?.schema;
        if (schema?.$ref !== '#/components/schemas/ErrorResponse') problems.push(`${name}: ${status} is not described as ErrorResponse`);
      }
    }
    expect(problems).toEqual([]);
    expect(document.servers?.length).toBeGreaterThan(0);
  });

  it("answers the document's own examples with a documented status and a body its schema accepts", async () => {
    // Arrange
    const before = failures.length;
    let created: string | undefined;
    // Act: in the document's order, so that the pet the create example makes exists for what follows.
    for (const { method, path, operation } of operationsOf(document)) {
      const res = await check(exampleCall(method, path, operation), operation);
      if (method === 'post' && path === '/pets' && res.status === 201) created = res.headers.location;
    }
    // A live pet too: the example id names none, so read, change and delete the one just made.
    expect(created).toMatch(/^\/pets\/[0-9a-f-]{36}$/);
    const id = created!.split('/').pop()!;
    for (const method of ['get', 'patch', 'delete', 'get']) {
      const operation = document.paths['/pets/{id}'][method];
      const call = exampleCall(method, '/pets/{id}', { ...operation, parameters: [] });
      await check({ ...call, path: `/pets/${id}`, variant: 'live' }, operation);
    }
    // Assert
    expect(failures.slice(before)).toEqual([]);
  });

  it('answers a deliberately bad request, to every operation with a body or a query, with a documented 4xx', async () => {
    // Arrange
    const before = failures.length;
    let sent = 0;
    // Act
    for (const { method, path, operation } of operationsOf(document)) {
      // The other documented scheme this time: x-api-key.
      const call: Call = { ...exampleCall(method, path, operation, 'apiKey'), variant: 'bad', mustBeError: true };
      const bodySchema = SchemaValidator.resolve(document, operation.requestBody?.content['application/json']?.schema);
      const query = (operation.parameters ?? []).find((p) => p.in === 'query');
      if (bodySchema) {
        // The first required field (or the first field) set to a value its schema refuses.
        const properties = (bodySchema.properties ?? {}) as Record<string, Schema>;
        const field = ((bodySchema.required as string[] | undefined) ?? [])[0] ?? Object.keys(properties)[0];
        const base = typeof call.body === 'object' && call.body !== null ? call.body : {};
        call.body = { ...base, [field]: invalidValue(SchemaValidator.resolve(document, properties[field])) };
      } else if (query) {
        call.query[query.name] = String(invalidValue(query.schema));
      } else continue;
      await check(call, operation);
      sent++;
    }
    // Assert
    expect(sent).toBeGreaterThanOrEqual(6);
    expect(failures.slice(before)).toEqual([]);
  });

  it('answers a body that is not JSON, to every operation that takes a body, with a documented 4xx', async () => {
    const before = failures.length;
    for (const { method, path, operation } of operationsOf(document).filter((o) => o.operation.requestBody)) {
      const call = exampleCall(method, path, operation);
      await check({ ...call, variant: 'not-json', body: undefined, rawBody: { type: 'text/plain', text: 'name=Rex' }, mustBeError: true }, operation);
    }
    expect(failures.slice(before)).toEqual([]);
  });

  it('answers every operation that needs a key, sent without one, with a documented 401', async () => {
    // Arrange
    const before = failures.length;
    const secured = operationsOf(document).filter((o) => (o.operation.security ?? []).length > 0);
    expect(secured.length).toBeGreaterThanOrEqual(9);
    // Act
    const statuses: string[] = [];
    for (const { method, path, operation } of secured) {
      const res = await check({ ...exampleCall(method, path, operation, 'none'), variant: 'no-key', mustBeError: true }, operation);
      statuses.push(`${operation.operationId} ${res.status}`);
    }
    // Assert
    expect(failures.slice(before)).toEqual([]);
    expect(statuses.filter((s) => !s.endsWith(' 401'))).toEqual([]);
  });
});
