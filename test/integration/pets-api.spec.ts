import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApp, loadConfig } from '@lambdaflex/api';
import { startApi, type RunningApi } from '../support/api';
import { rawRequest } from '../support/http';

const rex = { name: 'Rex', species: 'dog', tags: ['friendly'] };

describe('the pets API, in process on a real socket over dynalite', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.stop());

  describe('headers', () => {
    it('names the tier and generates a request id on every response', async () => {
      const res = await request(api.url).get('/healthz').expect(200);
      expect(res.headers['x-lambdaflex-tier']).toBe('local');
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body).toEqual({ status: 'ok', tier: 'local' });
    });

    it('keeps a request id the caller sends, and replaces one that is not a safe token', async () => {
      const kept = await request(api.url).get('/healthz').set('x-request-id', 'abc-123').expect(200);
      expect(kept.headers['x-request-id']).toBe('abc-123');
      const replaced = await request(api.url).get('/healthz').set('x-request-id', 'a b\u00e9<script>').expect(200);
      expect(replaced.headers['x-request-id']).not.toContain('script');
    });

    it('sets the headers even on a request the body parser refuses', async () => {
      const res = await request(api.url).post('/pets').set('content-type', 'application/json').send('{"name":');
      expect(res.status).toBe(400);
      expect(res.headers['x-lambdaflex-tier']).toBe('local');
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
    });
  });

  describe('health', () => {
    it('is ready when the pets table answers', async () => {
      await request(api.url).get('/readyz').expect(200, { status: 'ready', tier: 'local' });
    });
  });

  describe('CRUD', () => {
    it('creates, reads, updates and deletes a pet', async () => {
      // Arrange + Act: create
      const created = await request(api.url).post('/pets').send(rex).expect(201);
      const id = created.body.id;
      expect(created.headers.location).toBe(`/pets/${id}`);
      expect(created.body).toMatchObject({ ...rex, status: 'available' });

      // Read
      await request(api.url).get(`/pets/${id}`).expect(200, created.body);

      // Update
      const updated = await request(api.url).patch(`/pets/${id}`).send({ status: 'sold' }).expect(200);
      expect(updated.body).toMatchObject({ id, name: 'Rex', status: 'sold' });
      expect(updated.body.createdAt).toBe(created.body.createdAt);

      // Delete, then it is gone
      await request(api.url).delete(`/pets/${id}`).expect(204);
      await request(api.url).get(`/pets/${id}`).expect(404);
      await request(api.url).delete(`/pets/${id}`).expect(404);
      await request(api.url).patch(`/pets/${id}`).send({ status: 'sold' }).expect(404);
    });

    it('lists every pet exactly once across pages', async () => {
      // Arrange
      const ids = new Set<string>();
      for (let i = 0; i < 7; i++) {
        const res = await request(api.url).post('/pets').send({ name: `p${i}`, species: 'cat' }).expect(201);
        ids.add(res.body.id);
      }
      // Act
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await request(api.url)
          .get('/pets')
          .query({ limit: 3, ...(cursor ? { cursor } : {}) })
          .expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(3);
        seen.push(...res.body.items.map((p: { id: string }) => p.id));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor && pages < 20);
      // Assert
      for (const id of ids) expect(seen.filter((s) => s === id)).toHaveLength(1);
      expect(pages).toBeGreaterThanOrEqual(3);
    });
  });

  describe('Idempotency-Key', () => {
    it('returns the first result to a retried create, and stores one pet', async () => {
      const key = `retry-${Date.now()}`;
      const first = await request(api.url).post('/pets').set('Idempotency-Key', key).send(rex).expect(201);
      const retry = await request(api.url).post('/pets').set('Idempotency-Key', key).send(rex).expect(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(first.headers['idempotent-replayed']).toBeUndefined();
    });

    it('creates one pet when the same create races with itself', async () => {
      const key = `race-${Date.now()}`;
      const results = await Promise.all(
        Array.from({ length: 8 }, () => request(api.url).post('/pets').set('Idempotency-Key', key).send(rex)),
      );
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(new Set(results.map((r) => r.body.createdAt)).size).toBe(1);
      expect(results.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    });

    it('refuses a key reused with a different body', async () => {
      const key = `reuse-${Date.now()}`;
      await request(api.url).post('/pets').set('Idempotency-Key', key).send(rex).expect(201);
      const res = await request(api.url).post('/pets').set('Idempotency-Key', key).send({ ...rex, name: 'Max' });
      expect(res.status).toBe(422);
      expect(res.body.message).toMatch(/different body/);
    });

    it('gives different keys different pets', async () => {
      const a = await request(api.url).post('/pets').set('Idempotency-Key', `a-${Date.now()}`).send(rex).expect(201);
      const b = await request(api.url).post('/pets').set('Idempotency-Key', `b-${Date.now()}`).send(rex).expect(201);
      expect(a.body.id).not.toBe(b.body.id);
    });
  });

  describe('bad input', () => {
    it('answers a bad body with 400 naming every field and rule', async () => {
      const res = await request(api.url)
        .post('/pets')
        .send({ name: '', species: 'cow', tags: ['ok', 7], extra: true })
        .expect(400);
      const errors = res.body.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`);
      expect(errors).toEqual(
        expect.arrayContaining(['name:isLength', 'species:isIn', 'tags:isString', 'extra:whitelistValidation']),
      );
      for (const e of res.body.errors) expect(e.message).toEqual(expect.any(String));
    });

    it('answers a missing required field with 400 naming it', async () => {
      const res = await request(api.url).post('/pets').send({ name: 'Rex' }).expect(400);
      expect(res.body.errors).toContainEqual(expect.objectContaining({ field: 'species', rule: 'isIn' }));
    });

    it('answers malformed JSON with 400, not 500', async () => {
      const res = await request(api.url).post('/pets').set('content-type', 'application/json').send('{"name": "Rex",');
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: '(body)', rule: 'isJson' })]);
    });

    it('answers a body over 1 MB with 413', async () => {
      const huge = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10), species: 'dog' });
      const res = await request(api.url).post('/pets').set('content-type', 'application/json').send(huge);
      expect(res.status).toBe(413);
      expect(res.body.statusCode).toBe(413);
    });

    it('accepts a body just under the limit as far as validation', async () => {
      const big = JSON.stringify({ name: 'x'.repeat(1000 * 1000), species: 'dog' });
      const res = await request(api.url).post('/pets').set('content-type', 'application/json').send(big);
      expect(res.status).toBe(400);
      expect(res.body.errors).toContainEqual(expect.objectContaining({ field: 'name', rule: 'isLength' }));
    });

    it('answers an unknown pet with 404', async () => {
      const res = await request(api.url).get('/pets/6f1c1f2e-4a7b-4c1d-9e8f-0a1b2c3d4e5f').expect(404);
      expect(res.body.message).toContain('6f1c1f2e-4a7b-4c1d-9e8f-0a1b2c3d4e5f');
    });

    it('answers an id that is not a UUID with 400 naming the id', async () => {
      const res = await request(api.url).get('/pets/not-a-uuid').expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'id', rule: 'isUuid' })]);
    });

    it('answers an empty update with 400', async () => {
      const created = await request(api.url).post('/pets').send(rex).expect(201);
      const res = await request(api.url).patch(`/pets/${created.body.id}`).send({}).expect(400);
      expect(res.body.errors[0].rule).toBe('minProperties');
    });

    it('answers bad paging parameters with 400 naming them', async () => {
      const limit = await request(api.url).get('/pets?limit=1000').expect(400);
      expect(limit.body.errors).toContainEqual(expect.objectContaining({ field: 'limit', rule: 'max' }));
      const cursor = await request(api.url).get('/pets?cursor=bm90LWEtY3Vyc29y').expect(400);
      expect(cursor.body.errors).toEqual([expect.objectContaining({ field: 'cursor', rule: 'isCursor' })]);
    });

    it('answers PATCH with a field set to null with 400 naming it, and stores nothing', async () => {
      // Arrange
      const created = await request(api.url).post('/pets').send(rex).expect(201);
      // Act
      const answers = [];
      for (const field of ['name', 'species', 'status', 'tags']) {
        const res = await request(api.url).patch(`/pets/${created.body.id}`).send({ [field]: null });
        answers.push(`${res.status} ${res.body.errors?.some((e: { field: string; rule: string }) => e.field === field && e.rule === 'isNotNull')}`);
      }
      // Assert
      expect(answers).toEqual(Array(4).fill('400 true'));
      await request(api.url).get(`/pets/${created.body.id}`).expect(200, created.body);
    });

    it('answers a create with an optional field set to null with 400 too', async () => {
      const res = await request(api.url).post('/pets').send({ ...rex, status: null }).expect(400);
      expect(res.body.errors).toContainEqual(expect.objectContaining({ field: 'status', rule: 'isNotNull' }));
    });

    it('answers a malformed Idempotency-Key with 400 naming the header', async () => {
      const res = await request(api.url).post('/pets').set('Idempotency-Key', 'x'.repeat(300)).send(rex).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    });

    it('answers an unknown route with 404 in the same error shape', async () => {
      const res = await request(api.url).get('/no-such-route').expect(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });
  });

  describe('hostile bodies', () => {
    const petCount = async () =>
      (await api.db.client.send(new ScanCommand({ TableName: api.config.petsTable, Select: 'COUNT' }))).Count ?? 0;
    const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
      rawRequest(api.url, { method: 'POST', path: '/pets', headers, body });

    it('refuses a body nested deeper than 32 levels with 400 when it is parsed, on POST and PATCH, and stores nothing', async () => {
      // Arrange
      const pet = (await request(api.url).post('/pets').send(rex).expect(201)).body;
      const before = await petCount();
      const bodies = [33, 1300, 100_000].flatMap((depth) => [
        `{"name":"Rex","species":"dog","tags":${'['.repeat(depth)}${']'.repeat(depth)}}`,
        `{"name":"Rex","species":"dog","x":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`,
      ]);
      // Act
      const answers = [];
      for (const body of bodies) {
        answers.push(await post(body));
        answers.push(await rawRequest(api.url, { method: 'PATCH', path: `/pets/${pet.id}`, headers: { 'content-type': 'application/json' }, body }));
      }
      // Assert
      for (const res of answers) {
        expect(res.status).toBe(400);
        expect(res.json).toMatchObject({ statusCode: 400, errors: [{ field: '(body)', rule: 'maxDepth' }] });
      }
      expect(await petCount()).toBe(before);
      await request(api.url).get(`/pets/${pet.id}`).expect(200, pet);
    });

    it('keeps answering health checks through a flood of deeply nested bodies', async () => {
      // Bodies nested a thousand levels and more overflowed the validation pipe's stack (a 500 each, at
      // 1,300 levels in the built server) and held the process up while they did.
      const deep = `{"name":"Rex","species":"dog","tags":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
      const flood = Promise.all(Array.from({ length: 40 }, () => post(deep)));
      const health = await request(api.url).get('/healthz');
      expect(health.status).toBe(200);
      expect((await flood).map((r) => r.status)).toEqual(Array(40).fill(400));
    });

    it('refuses a body of more than 1,000 members and items with 400', async () => {
      const res = await post(JSON.stringify({ ...rex, tags: Array(1001).fill('a') }));
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ errors: [{ field: '(body)', rule: 'maxEntries' }] });
    });

    it('refuses __proto__, constructor and prototype keys with 400 naming them', async () => {
      const res = await post('{"name":"Rex","species":"dog","__proto__":{"status":"sold"},"tags":[{"constructor":1}]}');
      expect(res.status).toBe(400);
      expect((res.json as { errors: { field: string; rule: string }[] }).errors.map((e) => `${e.field}:${e.rule}`)).toEqual([
        '__proto__:forbiddenKey',
        'tags.0.constructor:forbiddenKey',
      ]);
    });

    it.each([
      ['UTF-7 JSON', 'application/json; charset=utf-7', '{"name":"+ADw-script+AD4-","species":"dog"}'],
      ['UTF-16 JSON', 'application/json; charset=utf-16le', '{"name":"Rex","species":"dog"}'],
      ['text', 'text/plain', JSON.stringify(rex)],
      ['a form', 'application/x-www-form-urlencoded', 'name=Rex&species=dog'],
      ['XML', 'application/xml', '<pet><name>Rex</name><species>dog</species></pet>'],
      ['JSON Patch', 'application/json-patch+json', '[{"op":"add","path":"/name","value":"Rex"}]'],
    ])('answers %s with 415 in the error shape, and stores nothing', async (_what, contentType, body) => {
      const before = await petCount();
      const res = await post(body, { 'content-type': contentType });
      expect(res.status).toBe(415);
      expect(res.json).toEqual({
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: expect.any(String),
        errors: [expect.objectContaining({ field: 'Content-Type', rule: 'isJsonUtf8' })],
        requestId: res.headers['x-request-id'],
      });
      expect(await petCount()).toBe(before);
    });

    it('answers a body sent without a Content-Type with 415, and a create without any body with 400', async () => {
      const untyped = await post(JSON.stringify(rex), {});
      expect(untyped.status).toBe(415);
      const empty = await rawRequest(api.url, { method: 'POST', path: '/pets' });
      expect(empty.status).toBe(400);
      expect(empty.json).toMatchObject({ errors: [{ field: '(body)', rule: 'required' }] });
    });

    it('takes JSON in UTF-8 with or without the charset, and body-less requests without a Content-Type', async () => {
      const created = await post(JSON.stringify({ ...rex, name: 'Rëx 日本 🐶' }), { 'content-type': 'application/json; charset=UTF-8' });
      expect(created.status).toBe(201);
      expect((created.json as { name: string }).name).toBe('Rëx 日本 🐶');
      const id = (created.json as { id: string }).id;
      expect((await rawRequest(api.url, { method: 'GET', path: `/pets/${id}` })).status).toBe(200);
      expect((await rawRequest(api.url, { method: 'DELETE', path: `/pets/${id}` })).status).toBe(204);
    });

    it('refuses bytes that are not UTF-8 with 400', async () => {
      const res = await rawRequest(api.url, {
        method: 'POST',
        path: '/pets',
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat([Buffer.from('{"name":"R'), Buffer.from([0xff, 0xfe]), Buffer.from('x","species":"dog"}')]),
      });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ errors: [{ field: '(body)', rule: 'isUtf8' }] });
    });

    it.each([
      ['NUL', 'Re\u0000x'],
      ['an ANSI escape', '\u001b[31mRex'],
      ['CR LF', 'Rex\r\nX-Injected: 1'],
      ['a right-to-left override', 'Rex\u202egnp.exe'],
      ['a bidi isolate', 'Rex\u2066x'],
      ['a lone surrogate', 'Rex\ud800'],
      ['a line separator', 'Rex\u2028'],
      ['a C1 control', 'Rex\u0085'],
    ])('refuses a name with %s with 400 naming the field and rule, on create and update', async (_what, name) => {
      // Arrange
      const pet = (await request(api.url).post('/pets').send(rex).expect(201)).body;
      const before = await petCount();
      // Act
      // JSON.stringify escapes the controls and the lone surrogate (\u0000, \ud800), as a client would.
      const created = await post(JSON.stringify({ name, species: 'dog' }));
      const patched = await rawRequest(api.url, {
        method: 'PATCH',
        path: `/pets/${pet.id}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      // Assert
      for (const res of [created, patched]) {
        expect(res.status).toBe(400);
        expect((res.json as { errors: unknown[] }).errors).toEqual([expect.objectContaining({ field: 'name', rule: 'isPlainText' })]);
      }
      expect(await petCount()).toBe(before);
      await request(api.url).get(`/pets/${pet.id}`).expect(200, pet);
    });
  });

  describe('cursors', () => {
    const encode = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

    it('answers 400, not 500, to a cursor it did not issue', async () => {
      // Arrange
      for (let i = 0; i < 3; i++) await request(api.url).post('/pets').send(rex).expect(201);
      const issued = (await request(api.url).get('/pets').query({ limit: 1 }).expect(200)).body.nextCursor as string;
      const [body, mac] = issued.split('.');
      const forged = [
        encode({ id: '' }),
        encode({ id: 'x'.repeat(1500) }),
        `${encode({ id: '' })}.${mac}`,
        `${encode({ id: '6f1c1f2e-4a7b-4c1d-9e8f-0a1b2c3d4e5f' })}.${mac}`,
        `${body}.${mac.slice(0, -1)}`,
        `${body}.`,
        '.',
        issued + issued,
      ];
      // Act
      const answers = [];
      for (const cursor of forged) answers.push((await request(api.url).get('/pets').query({ cursor })).status);
      // Assert
      expect(answers).toEqual(Array(forged.length).fill(400));
      await request(api.url).get('/pets').query({ cursor: issued }).expect(200);
    });

    it('takes a cursor another process issued with the same CURSOR_SECRET, and refuses one made with another', async () => {
      // Arrange: two more instances of the API on the same table, as two Lambda containers would be.
      const secret = (s: string) => ({ ...api.config, cursorSecret: s.repeat(32) });
      const start = async (config: typeof api.config) => {
        const app = await createApp(config);
        await app.listen(0, '127.0.0.1');
        return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
      };
      const [a, b, c] = [await start(secret('a')), await start(secret('a')), await start(secret('c'))];
      try {
        const first = await request(a.url).get('/pets').query({ limit: 1 }).expect(200);
        // Act
        const same = await request(b.url).get('/pets').query({ limit: 1, cursor: first.body.nextCursor });
        const other = await request(c.url).get('/pets').query({ limit: 1, cursor: first.body.nextCursor });
        const unconfigured = await request(api.url).get('/pets').query({ limit: 1, cursor: first.body.nextCursor });
        // Assert
        expect(same.status).toBe(200);
        expect(same.body.items[0].id).not.toBe(first.body.items[0].id);
        expect(other.status).toBe(400);
        expect(unconfigured.status).toBe(400);
      } finally {
        for (const { app } of [a, b, c]) await app.close();
      }
    });

    it('derives one key per deployment when CURSOR_SECRET is not set', async () => {
      const env = { ...api.config };
      const twin = await createApp(loadConfig({ PETS_TABLE: env.petsTable, DYNAMODB_ENDPOINT: env.dynamodbEndpoint, LOG_LEVEL: 'silent' }, 'server'));
      await twin.listen(0, '127.0.0.1');
      try {
        const url = `http://127.0.0.1:${(twin.getHttpServer().address() as AddressInfo).port}`;
        const first = await request(api.url).get('/pets').query({ limit: 1 }).expect(200);
        await request(url).get('/pets').query({ limit: 1, cursor: first.body.nextCursor }).expect(200);
      } finally {
        await twin.close();
      }
    });
  });

  describe('Idempotency-Key after a delete', () => {
    it('replays the first answer and does not bring the pet back', async () => {
      // Arrange
      const key = `deleted-${Date.now()}`;
      const first = await request(api.url).post('/pets').set('Idempotency-Key', key).send(rex).expect(201);
      await request(api.url).delete(`/pets/${first.body.id}`).expect(204);
      // Act
      const retry = await request(api.url).post('/pets').set('Idempotency-Key', key).send(rex);
      const other = await request(api.url).post('/pets').set('Idempotency-Key', key).send({ ...rex, name: 'Max' });
      // Assert
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(first.body);
      expect(other.status).toBe(422);
      await request(api.url).get(`/pets/${first.body.id}`).expect(404);
      await request(api.url).patch(`/pets/${first.body.id}`).send({ status: 'sold' }).expect(404);
      await request(api.url).delete(`/pets/${first.body.id}`).expect(404);
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await request(api.url).get('/pets').query({ limit: 100, ...(cursor ? { cursor } : {}) }).expect(200);
        ids.push(...page.body.items.map((p: { id: string }) => p.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(ids).not.toContain(first.body.id);
    });

    it('replays the first answer after the pet was changed', async () => {
      const key = `changed-${Date.now()}`;
      const first = await request(api.url).post('/pets').set('Idempotency-Key', key).send(rex).expect(201);
      await request(api.url).patch(`/pets/${first.body.id}`).send({ status: 'sold' }).expect(200);
      const retry = await request(api.url).post('/pets').set('Idempotency-Key', key).send(rex).expect(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers['idempotent-replayed']).toBe('true');
    });

    it('really deletes a pet created without a key', async () => {
      const pet = (await request(api.url).post('/pets').send(rex).expect(201)).body;
      await request(api.url).delete(`/pets/${pet.id}`).expect(204);
      const item = await api.db.client.send(new ScanCommand({ TableName: api.config.petsTable, FilterExpression: 'id = :id', ExpressionAttributeValues: { ':id': { S: pet.id } } }));
      expect(item.Count).toBe(0);
    });
  });

  describe('security headers', () => {
    it('sends helmet\'s headers and a CSP that allows nothing on an API answer, and no HSTS on plain local HTTP', async () => {
      const res = await request(api.url).get('/healthz').expect(200);
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'cross-origin-resource-policy': 'same-origin',
      });
      expect(res.headers['content-security-policy']).toBe("default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'");
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
      const refused = await request(api.url).post('/pets').set('content-type', 'text/plain').send('x');
      expect(refused.headers['x-content-type-options']).toBe('nosniff');
    });

    it('leaves the admin page its own, stricter CSP and caching', async () => {
      const page = await request(api.url).get('/admin/ui').expect(200);
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.headers['x-frame-options']).toBe('DENY');
    });

    it('serves /docs under a CSP that lets swagger-ui run, and only the files its page loads', async () => {
      // Arrange
      const page = await request(api.url).get('/docs').expect(200);
      const csp = page.headers['content-security-policy'] as string;
      const loaded = [...page.text.matchAll(/(?:src|href)=["']\.\/docs\/([^"']+)["']/g)].map((m) => m[1]);
      // Act + Assert
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(loaded).toEqual(expect.arrayContaining(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-init.js']));
      for (const file of loaded) await request(api.url).get(`/docs/${file}`).expect(200);
      for (const path of ['/docs/json', '/docs/yaml', '/docs/']) await request(api.url).get(path).expect(200);
      for (const file of ['package.json', 'swagger-ui.js.map', 'swagger-ui-bundle.js.map', 'index.js', 'absolute-path.js', 'README.md', 'oauth2-redirect.html']) {
        const res = await request(api.url).get(`/docs/${file}`);
        expect(`${file} ${res.status}`).toBe(`${file} 404`);
        expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
      }
    });
  });

  describe('OpenAPI', () => {
    it('serves the document with every pets route, and the page beside it', async () => {
      const doc = await request(api.url).get('/docs/json').expect(200);
      expect(doc.body.openapi).toMatch(/^3\./);
      expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/pets', '/pets/{id}', '/healthz', '/readyz']));
      expect(Object.keys(doc.body.paths['/pets/{id}'])).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
      const page = await request(api.url).get('/docs').expect(200);
      expect(page.text).toContain('swagger');
    });
  });
});

describe('readiness without the table', () => {
  it('answers 503 when the pets table is missing', async () => {
    const api = await startApi({ createTable: false });
    try {
      const res = await request(api.url).get('/readyz').expect(503);
      expect(res.body.message).toContain('pets-test');
    } finally {
      await api.stop();
    }
  });
});

describe('HSTS on the tiers reached over HTTPS', () => {
  it('sends Strict-Transport-Security from the Fargate tier', async () => {
    const api = await startApi({ tier: 'fargate' });
    try {
      const res = await request(api.url).get('/healthz').expect(200);
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    } finally {
      await api.stop();
    }
  });
});
