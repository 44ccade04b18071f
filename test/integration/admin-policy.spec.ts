import fc from 'fast-check';
import request from 'supertest';
import { parsePolicy, safeParsePolicy, type PolicyInput } from '@lambdaflex/state';
import { startAdminApi, type RunningAdminApi } from '../support/api';
import { rawRequest } from '../support/http';

type FieldError = { field: string; rule: string; message: string };

const tuned: Omit<PolicyInput, 'service'> = {
  scaleUp: { thresholdRps: 40, windowSeconds: 120 },
  scaleDown: { thresholdRps: 8, windowSeconds: 900 },
  dual: { steps: [25, 100] },
  fargate: { cpu: 512, memoryMiB: 1024, minTasks: 2, maxTasks: 6 },
};

describe('the admin policy, read and written with ETags over dynalite', () => {
  let api: RunningAdminApi;
  let auth: { authorization: string };
  beforeAll(async () => {
    api = await startAdminApi();
    auth = { authorization: `Bearer ${api.keys.operate}` };
  });
  afterAll(() => api.stop());

  const getPolicy = () => request(api.url).get('/admin/policy').set(auth);
  const putPolicy = (body: unknown, headers: Record<string, string>) =>
    request(api.url).put('/admin/policy').set(auth).set(headers).send(body as object);
  /** A body that names this API's service, as every policy put must. */
  const named = (body: object) => ({ service: api.service, ...body });

  describe('in order, on one service', () => {
    it('answers 404 while no policy is stored', async () => {
      const res = await getPolicy().expect(404);
      expect(res.body.message).toMatch(/defaults apply/);
    });

    it('answers 428 to a put without If-Match, and stores nothing', async () => {
      const res = await putPolicy(tuned, {}).expect(428);
      expect(res.body.message).toMatch(/If-Match/);
      expect(await api.store.readPolicy(api.service)).toBeUndefined();
    });

    it('creates the first policy with If-None-Match: *, filling every default', async () => {
      // Act
      const res = await putPolicy(named(tuned), { 'if-none-match': '*' }).expect(200);
      // Assert
      expect(res.headers.etag).toBe('"g1"');
      expect(res.body).toEqual(parsePolicy({ service: api.service, ...tuned }));
      const stored = await api.store.readPolicy(api.service);
      expect(stored).toMatchObject({ generation: 1, result: { ok: true, policy: res.body } });
    });

    it('round-trips: what GET gives, PUT takes back unchanged, and the ETag moves on', async () => {
      // Arrange
      const read = await getPolicy().expect(200);
      // Act
      const written = await putPolicy(read.body, { 'if-match': read.headers.etag }).expect(200);
      const reread = await getPolicy().expect(200);
      // Assert
      expect(written.body).toEqual(read.body);
      expect(reread.body).toEqual(read.body);
      expect([read.headers.etag, written.headers.etag, reread.headers.etag]).toEqual(['"g1"', '"g2"', '"g2"']);
    });

    it('answers 412 to a put made from a stale read, and keeps the other writer\'s policy', async () => {
      // Arrange: two operators read the same generation.
      const first = await getPolicy().expect(200);
      const second = await getPolicy().expect(200);
      await putPolicy({ ...second.body, minDwellSeconds: 600 }, { 'if-match': second.headers.etag }).expect(200);
      // Act
      const late = await putPolicy({ ...first.body, minDwellSeconds: 60 }, { 'if-match': first.headers.etag });
      // Assert
      expect(late.status).toBe(412);
      const stored = await getPolicy().expect(200);
      expect(stored.body.minDwellSeconds).toBe(600);
    });

    it('answers 412 to an ETag it never gave, a weak one, and If-None-Match: * once a policy exists', async () => {
      const current = await getPolicy().expect(200);
      const generation = Number(/\d+/.exec(current.headers.etag)?.[0]);
      await putPolicy(named(tuned), { 'if-match': `"g${generation + 1}"` }).expect(412);
      await putPolicy(named(tuned), { 'if-match': `W/${current.headers.etag}` }).expect(412);
      await putPolicy(named(tuned), { 'if-match': '"something-else"' }).expect(412);
      await putPolicy(named(tuned), { 'if-none-match': '*' }).expect(412);
      await putPolicy(named(tuned), { 'if-match': `"g0", ${current.headers.etag}` }).expect(200);
    });
  });

  describe('bad bodies', () => {
    it('refuses a put with no body, an empty chunked one, {} or one without service: a paused service stays paused', async () => {
      // Arrange: the stored policy, paused.
      const current = await getPolicy().expect(200);
      const paused = await putPolicy({ ...current.body, mode: { type: 'paused' } }, { 'if-match': current.headers.etag }).expect(200);
      const etag = paused.headers.etag as string;
      const headers = { ...auth, 'if-match': etag };
      const json = { ...headers, 'content-type': 'application/json' };
      // Act
      const answers = {
        'no body': await rawRequest(api.url, { method: 'PUT', path: '/admin/policy', headers }),
        'Content-Length: 0': await rawRequest(api.url, { method: 'PUT', path: '/admin/policy', headers: json, body: '' }),
        'empty chunked': await rawRequest(api.url, { method: 'PUT', path: '/admin/policy', headers: json, body: { chunks: [] } }),
        '{}': await rawRequest(api.url, { method: 'PUT', path: '/admin/policy', headers: json, body: '{}' }),
        'no service': await rawRequest(api.url, { method: 'PUT', path: '/admin/policy', headers: json, body: '{"mode":{"type":"auto"}}' }),
      };
      // Assert
      const rules = Object.entries(answers).map(([what, r]) => {
        const errors = (r.json as { errors?: FieldError[] }).errors ?? [];
        return `${what} → ${r.status} ${errors.map((e) => `${e.field}:${e.rule}`).join(',')}`;
      });
      expect(rules).toEqual([
        'no body → 400 (body):required',
        'Content-Length: 0 → 400 (body):required',
        'empty chunked → 400 (body):required',
        '{} → 400 service:required',
        'no service → 400 service:required',
      ]);
      const stored = await getPolicy().expect(200);
      expect(stored.headers.etag).toBe(etag);
      expect(stored.body.mode).toEqual({ type: 'paused' });
      await putPolicy({ ...stored.body, mode: { type: 'auto' } }, { 'if-match': etag }).expect(200);
    });

    it.each([
      ['UTF-7 JSON', 'application/json; charset=utf-7'],
      ['Latin-1 JSON', 'application/json; charset=iso-8859-1'],
      ['text', 'text/plain'],
      ['a form', 'application/x-www-form-urlencoded'],
      ['XML', 'application/xml'],
    ])('answers 415 to %s, and stores nothing', async (_what, contentType) => {
      const before = await getPolicy().expect(200);
      const res = await rawRequest(api.url, {
        method: 'PUT',
        path: '/admin/policy',
        headers: { ...auth, 'if-match': before.headers.etag, 'content-type': contentType },
        body: JSON.stringify({ ...before.body, minDwellSeconds: 61 }),
      });
      expect(res.status).toBe(415);
      expect(res.json).toEqual({
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: expect.any(String),
        errors: [expect.objectContaining({ field: 'Content-Type', rule: 'isJsonUtf8' })],
        requestId: res.headers['x-request-id'],
      });
      expect((await getPolicy()).headers.etag).toBe(before.headers.etag);
    });

    it('takes UTF-8 however it is spelled, and JSON without a charset', async () => {
      for (const contentType of ['application/json', 'application/json; charset=UTF-8', 'Application/JSON;charset="utf-8"']) {
        const current = await getPolicy().expect(200);
        const res = await rawRequest(api.url, {
          method: 'PUT',
          path: '/admin/policy',
          headers: { ...auth, 'if-match': current.headers.etag, 'content-type': contentType },
          body: JSON.stringify(current.body),
        });
        expect(res.status).toBe(200);
      }
    });

    it('answers 400 listing every bad field with its rule, and writes nothing', async () => {
      // Arrange
      const before = await getPolicy().expect(200);
      const body = {
        service: api.service,
        mode: { type: 'pinned' },
        scaleUp: { thresholdRps: -1 },
        dual: { steps: [50, 10] },
        fargate: { cpu: 3, minTasks: 0 },
        dns: { ttlSeconds: 60, drainDelaySeconds: 30 },
        colour: 'blue',
      };
      // Act
      const res = await putPolicy(body, { 'if-match': before.headers.etag }).expect(400);
      // Assert
      const found = (res.body.errors as FieldError[]).map((e) => `${e.field}:${e.rule}`);
      expect(found).toEqual(
        expect.arrayContaining([
          'mode.tier:oneOf',
          'scaleUp.thresholdRps:min',
          'dual.steps:rising',
          'dual.steps:endsAt100',
          'fargate.cpu:fargateCpu',
          'fargate.minTasks:min',
          'dns.drainDelaySeconds:atLeastTwiceTtl',
          '(body):unknownKey',
        ]),
      );
      for (const e of res.body.errors as FieldError[]) expect(e.message).toEqual(expect.any(String));
      expect(res.body).toMatchObject({ statusCode: 400, message: 'Validation failed', requestId: expect.any(String) });
      expect((await getPolicy()).headers.etag).toBe(before.headers.etag);
    });

    it('refuses a policy for another service: one API administers one service', async () => {
      const current = await getPolicy().expect(200);
      const res = await putPolicy({ ...current.body, service: 'orders' }, { 'if-match': current.headers.etag }).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'service', rule: 'isThisService' })]);
    });

    it.each([
      ['an array', '[1, 2]'],
      ['a string', '"policy"'],
      ['null', 'null'],
    ])('answers 400 to a body that is %s', async (_what, text) => {
      const res = await request(api.url)
        .put('/admin/policy')
        .set(auth)
        .set('if-match', '*')
        .set('content-type', 'application/json')
        .send(text)
        .expect(400);
      // The body parser refuses anything but an object, before the schema.
      expect(res.body.errors).toEqual([expect.objectContaining({ field: '(body)', rule: 'isObject' })]);
    });

    it('answers 400, not 500, to a number DynamoDB cannot store', async () => {
      const current = await getPolicy().expect(200);
      const body = { ...current.body, dual: { ...current.body.dual, analysis: { ...current.body.dual.analysis, max5xxRate: 5e-324 } } };
      const res = await putPolicy(body, { 'if-match': current.headers.etag }).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'dual.analysis.max5xxRate', rule: 'storableNumber' })]);
    });

    it('refuses a JSON __proto__ or constructor key, at any depth, and pollutes no prototype', async () => {
      const res = await request(api.url)
        .put('/admin/policy')
        .set(auth)
        .set('if-match', '*')
        .set('content-type', 'application/json')
        .send('{"__proto__": {"polluted": true}, "scaleUp": {"constructor": {"prototype": {"polluted": true}}}}')
        .expect(400);
      expect(res.body.errors.map((e: FieldError) => `${e.field}:${e.rule}`).sort()).toEqual([
        '__proto__:forbiddenKey',
        'scaleUp.constructor.prototype:forbiddenKey',
        'scaleUp.constructor:forbiddenKey',
      ]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('any body, as a property', () => {
    it('never answers 500, and stores exactly what the shared schema makes of a valid body', async () => {
      // Arrange: a stored policy to write over (this test may run alone).
      if ((await getPolicy()).status === 404) await putPolicy(named({}), { 'if-none-match': '*' }).expect(200);
      let etag = (await getPolicy().expect(200)).headers.etag as string;
      // Act + Assert, per generated body.
      await fc.assert(
        fc.asyncProperty(anyPolicyBody(api.service), async (text) => {
          const res = await request(api.url)
            .put('/admin/policy')
            .set(auth)
            .set('if-match', etag)
            .set('content-type', 'application/json')
            .send(text);
          const expected = oracle(text, api.service);
          if (expected.ok) {
            expect(res.status).toBe(200);
            etag = res.headers.etag;
            const reread = await getPolicy().expect(200);
            expect(reread.body).toEqual(expected.policy);
            expect(reread.headers.etag).toBe(etag);
          } else {
            expect(res.status).toBe(400);
            expect(res.body.errors.length).toBeGreaterThan(0);
            for (const e of res.body.errors) expect(e).toEqual({ field: expect.any(String), rule: expect.any(String), message: expect.any(String) });
          }
        }),
        { numRuns: 100 },
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});

/** What the API should make of a body: an object naming the service, the shared schema's verdict, and DynamoDB's number range. */
function oracle(text: string, service: string): { ok: true; policy: unknown } | { ok: false } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('service' in body)) return { ok: false };
  const result = safeParsePolicy(body);
  if (!result.ok || result.policy.service !== service || !storable(result.policy)) return { ok: false };
  return { ok: true, policy: JSON.parse(JSON.stringify(result.policy)) };
}

function storable(value: unknown): boolean {
  if (typeof value === 'number') return value === 0 || (Math.abs(value) >= 1e-130 && Math.abs(value) < 1e126);
  if (Array.isArray(value)) return value.every(storable);
  if (typeof value === 'object' && value !== null) return Object.values(value).every(storable);
  return true;
}

/**
 * JSON texts of policy bodies: mostly valid ones (the round trip), ones with a field or two broken,
 * and hostile ones: huge strings, deep nesting, prototype keys as own keys, odd numbers, no service.
 */
function anyPolicyBody(service: string): fc.Arbitrary<string> {
  const validObject = validPolicy().map((p) => ({ service, ...p }));
  const broken = fc
    .tuple(validObject, fc.constantFrom('scaleUp', 'dual', 'fargate', 'mode', 'dns', 'minDwellSeconds', 'service'), junk())
    .map(([p, key, value]) => ({ ...p, [key]: value }));
  const hostile = fc.oneof(
    fc.string({ minLength: 50_000, maxLength: 200_000 }).map((s) => JSON.stringify({ service: s })),
    fc.integer({ min: 100, max: 5000 }).map((depth) => `{"mode": ${'['.repeat(depth)}${']'.repeat(depth)}}`),
    fc.integer({ min: 100, max: 3000 }).map((depth) => `{"scaleUp": ${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`),
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty').chain((key) =>
      fc.constantFrom(
        `{"${key}": {"polluted": true}}`,
        `{"scaleUp": {"${key}": {"thresholdRps": 1}}}`,
        `{"mode": {"type": "auto", "${key}": {"polluted": true}}}`,
        `{"constructor": {"prototype": {"polluted": true}}, "${key}": 1}`,
      ),
    ),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    // A valid policy that does not name its service: a replacement must say which policy it is.
    validPolicy().map((p) => JSON.stringify(p)),
    fc.constantFrom('{"minDwellSeconds": 1e400}', '{"scaleUp": {"thresholdRps": -0}}', '{"dual": {"steps": [1e-320, 100]}}'),
  );
  return fc.oneof(
    { arbitrary: validObject.map((p) => JSON.stringify(p)), weight: 5 },
    { arbitrary: broken.map((p) => JSON.stringify(p)), weight: 2 },
    { arbitrary: hostile, weight: 3 },
  );
}

function junk(): fc.Arbitrary<unknown> {
  return fc.oneof(fc.jsonValue(), fc.string(), fc.double(), fc.constant(null), fc.array(fc.integer(), { maxLength: 30 }));
}

/** Policies valid by construction (up above down, rising steps to 100, a Fargate size…), fields left out at random. */
function validPolicy(): fc.Arbitrary<Record<string, unknown>> {
  const seconds = fc.integer({ min: 1, max: 7 * 86_400 });
  // fast-check favours extreme doubles; below DynamoDB's range they are refused (the hostile cases
  // cover that), so here they round to 0 and the body stays valid.
  const storableDouble = (max: number) => fc.double({ min: 0, max, noNaN: true }).map((v) => (v < 1e-130 ? 0 : v));
  const ratio = storableDouble(1);
  return fc
    .record({
      down: storableDouble(500_000),
      gap: fc.double({ min: 0.001, max: 400_000, noNaN: true }),
      windows: fc.tuple(seconds, seconds),
      mode: fc.oneof(
        fc.constant({ type: 'auto' }),
        fc.constant({ type: 'paused' }),
        fc.record({ type: fc.constant('pinned'), tier: fc.constantFrom('lambda', 'fargate') }),
        fc.record({
          type: fc.constant('pinned'),
          tier: fc.constantFrom('lambda', 'fargate'),
          until: fc.date({ min: new Date('2000-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
        }),
      ),
      minDwellSeconds: seconds,
      maxTransitionsPerDay: fc.integer({ min: 1, max: 1000 }),
      steps: fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { maxLength: 8 }).map((s) => [...s.sort((a, b) => a - b), 100]),
      analysis: fc.record({ max5xxRate: ratio, maxP95Ms: fc.integer({ min: 1, max: 120_000 }), minShareRatio: ratio, probes: fc.integer({ min: 1, max: 100 }) }),
      ttl: fc.integer({ min: 1, max: 86_400 }),
      drainExtra: fc.integer({ min: 0, max: 400_000 }),
      size: fc.constantFrom([256, 512], [256, 2048], [512, 4096], [1024, 3072], [4096, 30720], [16384, 122880]),
      tasks: fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 1000 })),
      backoff: fc.tuple(seconds, seconds),
    })
    .chain((g) => {
      const [minTasks, extraTasks] = g.tasks;
      const full: Record<string, unknown> = {
        mode: g.mode,
        scaleUp: { thresholdRps: Math.min(1_000_000, g.down + g.gap), windowSeconds: g.windows[0] },
        scaleDown: { thresholdRps: g.down, windowSeconds: g.windows[1] },
        minDwellSeconds: g.minDwellSeconds,
        maxTransitionsPerDay: g.maxTransitionsPerDay,
        dual: { steps: g.steps, analysis: g.analysis },
        dns: { ttlSeconds: g.ttl, drainDelaySeconds: Math.min(7 * 86_400, 2 * g.ttl + g.drainExtra) },
        fargate: { cpu: g.size[0], memoryMiB: g.size[1], minTasks, maxTasks: Math.min(1000, minTasks + extraTasks) },
        backoff: { initialSeconds: Math.min(...g.backoff), maxSeconds: Math.max(...g.backoff) },
      };
      // Leave some fields out: the defaults fill them. The two thresholds go together, since the
      // default of one need not agree with a generated other.
      const groups = [['mode'], ['scaleUp', 'scaleDown'], ['minDwellSeconds'], ['maxTransitionsPerDay'], ['dual'], ['dns'], ['fargate'], ['backoff']];
      return fc.subarray(groups).map((kept) => Object.fromEntries(kept.flat().map((k) => [k, full[k]])));
    });
}
