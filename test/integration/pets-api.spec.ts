import request from 'supertest';
import { startApi, type RunningApi } from '../support/api';

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

    it('answers a malformed Idempotency-Key with 400 naming the header', async () => {
      const res = await request(api.url).post('/pets').set('Idempotency-Key', 'x'.repeat(300)).send(rex).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    });

    it('answers an unknown route with 404 in the same error shape', async () => {
      const res = await request(api.url).get('/no-such-route').expect(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
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
