import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { STATUS_CODES } from 'node:http';
import { gzipSync } from 'node:zlib';
import { defaultPolicy, type TransitionRecord } from '@lambdaflex/state';
import { httpRoutes, startAdminApi, type HttpRoute, type RunningAdminApi } from '../support/api';
import { rawRequest, type RawRequest, type RawResponse } from '../support/http';

/**
 * The API under hostile input: every route the router serves (read from express's router stack when the
 * suite runs, so a route added later is fuzzed without being listed), over a real socket, with paths,
 * query strings, headers and bodies drawn from generators of what attackers and careless clients send.
 *
 * Invariants, for every request: no 5xx; every 4xx in the API's one error shape, leaking no class name;
 * and a refused request (4xx) changes nothing: the pets and state tables are compared before and after.
 *
 * Bounded: a sweep of every route with every hostile body, with and without a key, then a fixed number
 * of random requests each way — about 1,500 requests in all.
 */

const RANDOM_RUNS = 380;
const BODY_LIMIT = 1024 * 1024;
const ERROR_KEYS = new Set(['statusCode', 'error', 'message', 'requestId', 'errors']);

type Body = RawRequest['body'];
type Auth = 'none' | 'wrong' | 'malformed' | 'read' | 'operate';

/** One request as generated: which route, and everything about it that can be hostile. */
interface Case {
  route: HttpRoute;
  param: string;
  query: string;
  auth: Auth;
  contentType: string | undefined;
  headers: Record<string, string>;
  body: Body;
  /** What the body is, for the report of a failure. */
  kind: string;
}

describe('fuzz: hostile requests to every route, over a real socket', () => {
  let api: RunningAdminApi;
  let routes: HttpRoute[];
  let livePet: string;
  let deletedPet: string;
  let issuedPetCursor: string;
  let issuedHistoryCursor: string;
  const problems: string[] = [];
  const counts = { requests: 0, status5xx: 0, refused: 0 };

  beforeAll(async () => {
    api = await startAdminApi();
    routes = httpRoutes(api.app);
    // Something to read, change and page through: a policy, history, pets (one deleted under a key).
    await api.store.writePolicy(defaultPolicy(api.service), undefined);
    for (let i = 0; i < 3; i++) await api.store.appendHistory(api.service, transition(i));
    const operate = { authorization: `Bearer ${api.keys.operate}` };
    const json = { 'content-type': 'application/json' };
    for (let i = 0; i < 3; i++) livePet = await newPet();
    const keyed = await rawRequest(api.url, {
      method: 'POST',
      path: '/pets',
      headers: { ...json, 'idempotency-key': 'fuzz-deleted' },
      body: JSON.stringify({ name: 'gone', species: 'dog' }),
    });
    deletedPet = (keyed.json as { id: string }).id;
    await rawRequest(api.url, { method: 'DELETE', path: `/pets/${deletedPet}` });
    issuedPetCursor = ((await rawRequest(api.url, { method: 'GET', path: '/pets?limit=1' })).json as { nextCursor: string }).nextCursor;
    issuedHistoryCursor = (
      (await rawRequest(api.url, { method: 'GET', path: '/admin/history?limit=1', headers: operate })).json as { nextCursor: string }
    ).nextCursor;
  });

  afterAll(async () => {
    await api?.stop();
    // One line for whoever tallies the suites (the reporter, a CI log search).
    process.stdout.write(
      JSON.stringify({ suite: 'fuzz', requests: counts.requests, routes: routes?.length ?? 0, status5xx: counts.status5xx }) + '\n',
    );
  });

  /** Both tables, as one comparable text: what a refused request must leave as it was. */
  async function tables(): Promise<string> {
    const scan = async (table: string) => {
      const items = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const out = await api.db.client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }));
        items.push(...(out.Items ?? []).map((i) => JSON.stringify(i, Object.keys(i).sort())));
        start = out.LastEvaluatedKey;
      } while (start);
      return items.sort().join('\n');
    };
    return `${await scan(api.config.petsTable)}\n--\n${await scan(api.config.stateTable)}`;
  }

  let before: string | undefined;

  /** Sends one case and checks the invariants; a violation is recorded, not thrown, so one run reports all. */
  async function check(c: Case): Promise<void> {
    before ??= await tables();
    const req = toRequest(c);
    let res: RawResponse;
    try {
      res = await rawRequest(api.url, req);
    } catch (err) {
      problems.push(`${describe(c)}: no answer (${(err as Error).message})`);
      before = undefined;
      return;
    }
    counts.requests++;
    const what = `${describe(c)} → ${res.status}`;
    if (res.status >= 500) {
      counts.status5xx++;
      problems.push(`${what}: ${res.text.slice(0, 200)}`);
    }
    if (res.status >= 400 && res.status < 500) {
      counts.refused++;
      const shape = errorShapeProblem(res);
      if (shape) problems.push(`${what}: ${shape}`);
      const after = await tables();
      if (after !== before) problems.push(`${what}: a refused request changed the tables`);
      before = after;
    } else {
      before = undefined; // it may have written: read the tables again before the next one
      if (c.route.method === 'DELETE' && c.route.path === '/pets/:id' && c.param === livePet) livePet = await newPet();
    }
  }

  /** A pet to read, change and delete: the cases after a delete of the last one need another. */
  async function newPet(): Promise<string> {
    const body = JSON.stringify({ name: 'fuzz', species: 'cat' });
    const res = await rawRequest(api.url, { method: 'POST', path: '/pets', headers: { 'content-type': 'application/json' }, body });
    return (res.json as { id: string }).id;
  }

  function toRequest(c: Case): RawRequest {
    const path = c.route.path.replace(/:(\w+)/g, () => c.param) + c.query;
    const headers: Record<string, string> = { ...c.headers };
    if (c.contentType !== undefined) headers['content-type'] = c.contentType;
    if (c.auth === 'read') headers.authorization = `Bearer ${api.keys.read}`;
    if (c.auth === 'operate') headers['x-api-key'] = api.keys.operate;
    if (c.auth === 'wrong') headers.authorization = `Bearer ${'A'.repeat(43)}`;
    if (c.auth === 'malformed') headers.authorization = 'Bearer a b\tc';
    return { method: c.route.method, path, headers, body: c.body };
  }

  function describe(c: Case): string {
    const q = c.query.length > 60 ? `${c.query.slice(0, 60)}…` : c.query;
    return `${c.route.method} ${c.route.path} [param ${JSON.stringify(c.param.slice(0, 40))}${q} auth ${c.auth} ${c.contentType ?? '(no type)'} ${c.kind}]`;
  }

  // ---- generators ------------------------------------------------------------------------------------

  const anyAuth = (withKey: boolean): fc.Arbitrary<Auth> =>
    withKey ? fc.constantFrom<Auth>('operate', 'operate', 'read') : fc.constantFrom<Auth>('none', 'none', 'wrong', 'malformed');

  const param = () =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(livePet, livePet, deletedPet, '6f1c1f2e-4a7b-4c1d-9e8f-0a1b2c3d4e5f') },
      { weight: 1, arbitrary: fc.constantFrom('%', '%FF', '%00', '%C0%AE%C0%AE', '..%2F..%2Fetc%2Fpasswd', '%E2%80%AE', '__proto__', 'constructor', 'a'.repeat(4000)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 60, unit: 'binary' }).map(encodeLoosely) },
      { weight: 1, arbitrary: fc.uuid().map((u) => u.toUpperCase()) },
    );

  const badCursor = () =>
    fc.oneof(
      fc.constantFrom(
        b64({ id: '' }),
        b64({ id: 'x'.repeat(1500) }),
        b64({ id: 7 }),
        b64({ pk: 'shop', sk: `HIST#${'x'.repeat(1100)}` }),
        b64({ pk: 'other', sk: 'HIST#' }),
        b64([1, 2]),
        '',
        '.',
        'x'.repeat(5000),
      ),
      fc.constant(null).map(() => flip(issuedPetCursor)),
      fc.constant(null).map(() => flip(issuedHistoryCursor)),
      fc.constant(null).map(() => issuedPetCursor),
      fc.constant(null).map(() => issuedHistoryCursor),
      fc.string({ maxLength: 300 }),
    );

  const queryValue = () =>
    fc.oneof(
      fc.constantFrom('', '0', '-1', '1', '20', '100', '101', '1e309', 'NaN', '1.5', 'null', 'true', '[]', '{}', '%00'),
      jsonValue().map((v) => JSON.stringify(v) ?? ''),
      fc.string({ maxLength: 40 }),
    );

  const query = () =>
    fc
      .array(
        fc.oneof(
          fc.tuple(fc.constant('limit'), queryValue()),
          fc.tuple(fc.constant('cursor'), badCursor()),
          fc.tuple(fc.constantFrom('__proto__', 'constructor', '__proto__[polluted]', 'constructor[prototype][x]', 'limit[]', 'api_key', 'x-api-key'), queryValue()),
          fc.tuple(fc.string({ maxLength: 20 }), queryValue()),
        ),
        { maxLength: 4 },
      )
      .map((pairs) => (pairs.length ? '?' + pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&') : ''));

  const contentType = () =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constant('application/json') },
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          undefined,
          'application/json; charset=utf-8',
          'application/json; charset=UTF-8',
          'application/json; charset=utf-7',
          'application/json; charset=utf-16le',
          'application/json; charset=iso-8859-1',
          'application/json; charset=',
          'text/plain',
          'text/json',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
          'application/json-patch+json',
          'application/merge-patch+json',
          ';;;',
          'application/json; charset=utf-8; charset=utf-7',
        ),
      },
    );

  /** Header values Node will send: visible ASCII, spaces and Latin-1. */
  const headerValue = () => fc.string({ maxLength: 300, unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c === 0x7f ? 0x20 : c)) });

  const extraHeaders = () =>
    fc.record(
      {
        'if-match': fc.oneof(
          { weight: 3, arbitrary: fc.constant('*') },
          { weight: 1, arbitrary: fc.constantFrom('"g1"', '"g999999999999999999"', 'W/"g1"', '"g1", *', '') },
          { weight: 1, arbitrary: headerValue() },
        ),
        'if-none-match': fc.oneof(fc.constantFrom('*', '"g1"'), headerValue()),
        'idempotency-key': fc.oneof(
          { weight: 3, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,40}$/) },
          { weight: 1, arbitrary: fc.constantFrom('fuzz-deleted', 'k'.repeat(256), 'key with spaces') },
          { weight: 1, arbitrary: headerValue() },
        ),
        'x-request-id': headerValue(),
        accept: fc.constantFrom('application/json', 'text/html', '*/*'),
      },
      { requiredKeys: [] },
    );

  /** Any JSON value, with strings that hold control characters, bidi overrides and lone surrogates. */
  const jsonValue = (): fc.Arbitrary<unknown> =>
    fc.oneof(
      { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
      { weight: 1, arbitrary: hostileString() },
      { weight: 1, arbitrary: fc.constantFrom(null, 0, -0, 1e308, -1, 1.5, 5e-324, true, false, '', [], {}) },
    );

  const hostileString = () =>
    fc
      .tuple(fc.string({ maxLength: 10 }), fc.constantFrom('\u0000', '\u001b[2J', '\r\n', '\u202e', '\u2066', '\ud800', '\udfff', '\u2028', '\u0085', '\u007f', '<script>', '+ADw-'))
      .map(([s, bad]) => `${s}${bad}${s}`);

  /** A plausible body for the path (so validation gets past the first field), with fields left out. */
  const template = (route: HttpRoute): fc.Arbitrary<Record<string, unknown>> => {
    if (route.path.startsWith('/pets')) {
      return fc.record(
        { name: fc.string({ minLength: 1, maxLength: 20 }), species: fc.constantFrom('dog', 'cat'), status: fc.constantFrom('available', 'sold'), tags: fc.constant(['a']) },
        { requiredKeys: route.method === 'POST' ? ['name', 'species'] : [] },
      );
    }
    if (route.path === '/admin/override') {
      const until = fc.constantFrom('2999-01-01T00:00:00Z', '2999-01-01T00:00:00+02:00', '2000-01-01T00:00:00Z');
      return fc.record({ tier: fc.constantFrom('lambda', 'fargate'), until }, { requiredKeys: ['tier'] });
    }
    if (route.path === '/admin/policy') {
      return fc.record(
        { service: fc.constant(api.service), mode: fc.constantFrom({ type: 'auto' }, { type: 'paused' }), minDwellSeconds: fc.integer({ min: 1, max: 600 }) },
        { requiredKeys: ['service'] },
      );
    }
    return fc.constant({});
  };

  const FIELDS = ['name', 'species', 'status', 'tags', 'tier', 'until', 'service', 'mode', 'scaleUp', 'dual', 'id', 'createdAt'];
  const nested = (depth: number, kind: 'array' | 'object') =>
    kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const withField = (base: Record<string, unknown>, field: string, rawJson: string) => {
    const rest = JSON.stringify({ ...base, [field]: undefined });
    return rest === '{}' ? `{"${field}":${rawJson}}` : `{"${field}":${rawJson},${rest.slice(1)}`;
  };

  /** Every kind of body, each with its name for the report. */
  const body = (route: HttpRoute): fc.Arbitrary<{ kind: string; body: Body }> =>
    fc.oneof(
      { weight: 2, arbitrary: fc.constant<{ kind: string; body: Body }>({ kind: 'no body', body: undefined }) },
      { weight: 1, arbitrary: fc.constantFrom<{ kind: string; body: Body }>({ kind: 'empty', body: '' }, { kind: 'empty chunked', body: { chunks: [] } }) },
      { weight: 3, arbitrary: template(route).map((t) => ({ kind: 'plausible', body: JSON.stringify(t) })) },
      {
        weight: 4,
        arbitrary: fc
          .tuple(template(route), fc.constantFrom(...FIELDS), jsonValue())
          .map(([t, f, v]) => ({ kind: `${f}=${String(JSON.stringify(v)).slice(0, 30)}`, body: JSON.stringify({ ...t, [f]: v }) })),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(template(route), fc.constantFrom(...FIELDS), fc.integer({ min: 33, max: 60_000 }), fc.constantFrom<'array' | 'object'>('array', 'object'))
          .map(([t, f, depth, kind]) => ({ kind: `${kind} nested ${depth} in ${f}`, body: withField(t, f, nested(depth, kind)) })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(template(route), fc.constantFrom('tags', 'name', 'x'), fc.integer({ min: 1_001, max: 150_000 }))
          .map(([t, f, n]) => ({ kind: `array of ${n} in ${f}`, body: withField(t, f, `[${'1,'.repeat(n - 1)}1]`) })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(template(route), fc.constantFrom('__proto__', 'constructor', 'prototype'), jsonValue())
          .map(([t, key, v]) => ({ kind: `${key} key`, body: withField(t, key, JSON.stringify(v) ?? 'null') })),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          { kind: 'nested __proto__', body: '{"mode":{"type":"auto","__proto__":{"type":"paused"}},"tags":[{"constructor":{"prototype":{"x":1}}}]}' },
          { kind: 'array', body: '[{"name":"Rex","species":"dog"}]' },
          { kind: 'scalar', body: '"Rex"' },
          { kind: 'null', body: 'null' },
          { kind: 'bad JSON', body: '{"name":"Rex",' },
          { kind: 'UTF-7 text', body: '{"name":"+ADw-script+AD4-","species":"dog"}' },
          { kind: 'BOM', body: '\ufeff{"name":"Rex","species":"dog"}' },
          { kind: 'form', body: 'name=Rex&species=dog' },
          { kind: 'XML', body: '<pet><name>Rex</name></pet>' },
        ),
      },
      {
        weight: 1,
        arbitrary: fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => ({ kind: 'random bytes', body: Buffer.from(bytes) })),
      },
      {
        weight: 1,
        arbitrary: fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT + 100_000 }).map((n) => ({
          kind: `oversized ${n}`,
          body: `{"name":"${'x'.repeat(n - 30)}","species":"dog"}`,
        })),
      },
      {
        weight: 1,
        arbitrary: fc.integer({ min: 1, max: 64 }).map((chunks) => ({
          kind: `${chunks} chunks`,
          body: { chunks: chunkText('{"name":"Rex","species":"dog","tags":["a"]}', chunks) },
        })),
      },
    );

  /** Mostly none; else a body gzipped as it says, one that says gzip and is not, or an unknown coding. */
  const encoding = () =>
    fc.oneof(
      { weight: 12, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom('gzip', 'not gzip', 'identity', 'x-unknown', 'br') },
    );

  // Routes that change something are drawn three times as often: they have the most to get wrong.
  const anyRoute = () =>
    fc.oneof(...routes.map((route) => ({ weight: route.method === 'GET' ? 1 : 3, arbitrary: fc.constant(route) })));

  const anyCase = (withKey: boolean): fc.Arbitrary<Case> =>
    anyRoute()
      .chain((route) =>
        fc.record({
          route: fc.constant(route),
          param: param(),
          // Half keep a clean query and headers, so that plausible bodies get through and change things.
          query: fc.oneof(fc.constant(''), query()),
          auth: anyAuth(withKey),
          contentType: contentType(),
          headers: fc.oneof(fc.constant({}), extraHeaders()),
          b: body(route),
          coding: encoding(),
        }),
      )
      .map(({ b, coding, headers, ...rest }): Case => {
        if (coding === undefined) return { ...rest, headers, kind: b.kind, body: b.body };
        const text = typeof b.body === 'string' || Buffer.isBuffer(b.body);
        const gzipped = coding === 'gzip' && text ? gzipSync(b.body as string | Buffer) : b.body;
        return { ...rest, headers: { ...headers, 'content-encoding': coding === 'not gzip' ? 'gzip' : coding }, kind: `${b.kind}, ${coding}`, body: gzipped };
      });

  // ---- the suite -----------------------------------------------------------------------------------

  it('finds the routes of every module in the router', () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    expect(names).toEqual(
      expect.arrayContaining(['POST /pets', 'PATCH /pets/:id', 'GET /pets', 'PUT /admin/policy', 'PUT /admin/override', 'POST /admin/pause', 'GET /admin/history', 'GET /healthz', 'GET /docs']),
    );
  });

  it('sweeps every route with every hostile body, with and without a key', async () => {
    const deep = (depth: number) => `{"name":"Rex","species":"dog","tier":"fargate","service":"${api.service}","tags":${nested(depth, 'array')}}`;
    // contentType: undefined sends none; left out, application/json.
    const sweep: { kind: string; body: Body; contentType?: string | undefined; headers?: Record<string, string> }[] = [
      { kind: 'nested 1,300', body: deep(1300) },
      { kind: 'nested 50,000 objects', body: withField({ name: 'Rex', species: 'dog' }, 'x', nested(50_000, 'object')) },
      { kind: 'array of 100,000', body: `{"name":"Rex","species":"dog","tags":[${'"a",'.repeat(99_999)}"a"]}` },
      { kind: '__proto__', body: '{"__proto__":{"polluted":true},"name":"Rex","species":"dog","tier":"lambda"}' },
      { kind: 'empty', body: '' },
      { kind: 'empty chunked', body: { chunks: [] } },
      { kind: 'UTF-7', body: '{"name":"+ADw-script+AD4-","species":"dog","tier":"lambda"}', contentType: 'application/json; charset=utf-7' },
      { kind: 'text', body: '{"name":"Rex","species":"dog"}', contentType: 'text/plain' },
      { kind: 'untyped', body: '{"name":"Rex","species":"dog"}', contentType: undefined },
      { kind: 'controls', body: JSON.stringify({ name: 'a\u0000\u001b\u202e\ud800', species: 'dog', tier: '\r\n', service: '\u2028' }) },
      { kind: 'nulls', body: '{"name":null,"species":null,"status":null,"tags":null,"tier":null,"until":null,"service":null}' },
      { kind: 'oversized', body: `{"name":"${'x'.repeat(BODY_LIMIT)}"}` },
      { kind: 'gzip bomb', body: gzipSync(Buffer.alloc(20 * BODY_LIMIT, 0x20)), headers: { 'content-encoding': 'gzip' } },
      { kind: 'not gzip', body: '{"name":"Rex"}', headers: { 'content-encoding': 'gzip' } },
      { kind: 'bad cursor', body: undefined },
    ];
    for (const auth of ['none', 'operate'] as const) {
      for (const route of routes) {
        for (const s of sweep) {
          await check({
            route,
            param: s.kind === 'bad cursor' ? '%FF' : livePet,
            query: s.kind === 'bad cursor' ? `?cursor=${b64({ id: '' })}` : '',
            auth,
            contentType: 'contentType' in s ? s.contentType : 'application/json',
            headers: s.headers ?? {},
            body: s.body,
            kind: s.kind,
          });
        }
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it.each([
    ['without a key', false],
    ['with a valid admin key', true],
  ])('answers random hostile requests %s: no 5xx, the error shape, nothing stored on a refusal', async (_how, withKey) => {
    await fc.assert(
      fc.asyncProperty(anyCase(withKey), async (c) => {
        await check(c);
      }),
      { numRuns: RANDOM_RUNS, endOnFailure: true },
    );
    expect(problems).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 120_000);

  it('sent what it set out to, and never got a 5xx', () => {
    expect(counts.requests).toBeGreaterThanOrEqual(2 * RANDOM_RUNS + 2 * 15 * routes.length);
    expect(counts.refused).toBeGreaterThan(counts.requests / 2);
    expect(counts.status5xx).toBe(0);
  });
});

/** What is wrong with a 4xx's body, or undefined when it has the API's error shape. */
function errorShapeProblem(res: RawResponse): string | undefined {
  const body = res.json as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return `not a JSON object: ${res.text.slice(0, 80)}`;
  const extra = Object.keys(body).filter((k) => !ERROR_KEYS.has(k));
  if (extra.length) return `unexpected keys ${extra.join()}`;
  if (body.statusCode !== res.status) return `statusCode ${String(body.statusCode)}`;
  if (body.error !== STATUS_CODES[res.status]) return `error ${String(body.error)}`;
  if (typeof body.message !== 'string') return `message ${JSON.stringify(body.message)}`;
  if (typeof body.requestId !== 'string' || body.requestId !== res.headers['x-request-id']) return `requestId ${String(body.requestId)}`;
  if (body.errors !== undefined) {
    const ok =
      Array.isArray(body.errors) &&
      body.errors.every(
        (e) => typeof e === 'object' && e !== null && ['field', 'rule', 'message'].every((k) => typeof (e as Record<string, unknown>)[k] === 'string'),
      );
    if (!ok) return `errors ${JSON.stringify(body.errors).slice(0, 80)}`;
  }
  // Internal names are not for clients: a class name (ThrottlerException) or a stack frame.
  if (/Exception|\bat \S+ \(/.test(res.text)) return `leaks an internal name: ${res.text.slice(0, 120)}`;
  return undefined;
}

/** encodeURIComponent, with a lone surrogate (which it refuses) sent as its raw UTF-8-less escape. */
function encodeLoosely(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A cursor with one character changed: what a client that mangles it would send. */
function flip(cursor: string): string {
  const i = Math.floor(cursor.length / 2);
  return cursor.slice(0, i) + (cursor[i] === 'A' ? 'B' : 'A') + cursor.slice(i + 1);
}

function chunkText(text: string, n: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / n));
  const chunks = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return chunks;
}

function transition(i: number): TransitionRecord {
  return {
    at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    from: 'lambda',
    to: 'fargate',
    reason: 'PinnedFargate',
    message: `change ${i}`,
  };
}
