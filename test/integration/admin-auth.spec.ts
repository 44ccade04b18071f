import pino from 'pino';
import { Writable } from 'node:stream';
import request from 'supertest';
import { adminKey, httpRoutes, startAdminApi, type HttpRoute, type RunningAdminApi } from '../support/api';

// The page and its files: they hold no data, so they are the only admin routes open without a key.
const PUBLIC_ROUTES = ['GET /admin/ui', 'GET /admin/ui/admin.js', 'GET /admin/ui/admin.css', 'GET /admin/ui/chart.umd.js'];
// What the admin module is known to serve: the enumeration must at least find these, or it is broken.
const KNOWN_GUARDED_ROUTES = [
  'GET /admin/status',
  'GET /stack-status',
  'GET /admin/policy',
  'PUT /admin/policy',
  'PUT /admin/override',
  'DELETE /admin/override',
  'POST /admin/pause',
  'POST /admin/resume',
  'GET /admin/history',
];

const name = (r: HttpRoute) => `${r.method} ${r.path}`;
const isAdmin = (r: HttpRoute) => /^\/(admin|stack-status)(\/|$)/.test(r.path);
// Every method but a read changes something, and so needs the operate scope.
const changes = (r: HttpRoute) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method);

/** Sends `route` once, with a concrete path and a JSON body for the methods that take one. */
function call(url: string, route: HttpRoute, headers: Record<string, string> = {}) {
  const path = route.path.replace(/:(\w+)/g, 'x');
  const req = request(url)[route.method.toLowerCase() as 'get'](path).set(headers);
  return changes(route) ? req.send({}) : req;
}

describe('admin authentication, on every admin route the app serves', () => {
  let api: RunningAdminApi;
  let guarded: HttpRoute[];
  beforeAll(async () => {
    api = await startAdminApi();
    const admin = httpRoutes(api.app).filter(isAdmin);
    guarded = admin.filter((r) => !PUBLIC_ROUTES.includes(name(r)));
  });
  afterAll(() => api.stop());

  it('finds every admin route it knows of, and the page files, in the router', () => {
    const found = httpRoutes(api.app).filter(isAdmin).map(name);
    expect(found).toEqual(expect.arrayContaining([...KNOWN_GUARDED_ROUTES, ...PUBLIC_ROUTES]));
  });

  it('answers 401 with a Bearer challenge on every guarded route when no credential is sent', async () => {
    const wrong: string[] = [];
    for (const route of guarded) {
      const res = await call(api.url, route);
      if (res.status !== 401 || !/^Bearer realm="lambdaflex-admin"$/.test(res.headers['www-authenticate'] ?? '')) {
        wrong.push(`${name(route)} → ${res.status} ${res.headers['www-authenticate']}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers 401 invalid_token on every guarded route to a wrong key, as a bearer token or as x-api-key', async () => {
    const wrong: string[] = [];
    const unknownKey = adminKey('operate').key;
    for (const route of guarded) {
      const ways: Record<string, string>[] = [{ authorization: `Bearer ${unknownKey}` }, { 'x-api-key': unknownKey }];
      for (const headers of ways) {
        const res = await call(api.url, route, headers);
        if (res.status !== 401 || !/error="invalid_token"/.test(res.headers['www-authenticate'] ?? '')) {
          wrong.push(`${name(route)} ${Object.keys(headers)[0]} → ${res.status}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers 403 insufficient_scope to a read key on every route that changes something', async () => {
    // Arrange
    const writes = guarded.filter(changes);
    expect(writes.length).toBeGreaterThanOrEqual(5);
    // Act
    const wrong: string[] = [];
    for (const route of writes) {
      const res = await call(api.url, route, { authorization: `Bearer ${api.keys.read}` });
      if (res.status !== 403 || !/error="insufficient_scope", scope="operate"/.test(res.headers['www-authenticate'] ?? '')) {
        wrong.push(`${name(route)} → ${res.status}`);
      }
    }
    // Assert
    expect(wrong).toEqual([]);
  });

  it('lets a read key through every read route and an operate key through every route', async () => {
    const refused: string[] = [];
    for (const route of guarded) {
      const keys = changes(route) ? [api.keys.operate] : [api.keys.read, api.keys.operate];
      for (const key of keys) {
        const res = await call(api.url, route, { authorization: `Bearer ${key}` });
        if (res.status === 401 || res.status === 403) refused.push(`${name(route)} → ${res.status}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it('leaves open exactly the page and its files, which hold no data', async () => {
    const open: string[] = [];
    for (const route of httpRoutes(api.app).filter(isAdmin)) {
      const res = await call(api.url, route);
      if (res.status !== 401) open.push(name(route));
    }
    expect(open.sort()).toEqual([...PUBLIC_ROUTES].sort());
  });

  it('accepts the key as x-api-key, and refuses a Basic or malformed Authorization header', async () => {
    await request(api.url).get('/admin/history').set('x-api-key', api.keys.read).expect(200);
    await request(api.url).get('/admin/history').set('authorization', `Basic ${api.keys.read}`).expect(401);
    await request(api.url).get('/admin/history').set('authorization', `Bearer`).expect(401);
    await request(api.url).get('/admin/history').set('authorization', `Bearer ${api.keys.read} extra`).expect(401);
  });

  it('answers errors in the API-wide shape and never cached', async () => {
    const res = await request(api.url).get('/admin/status').expect(401);
    expect(res.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: expect.any(String),
      requestId: res.headers['x-request-id'],
    });
    const ok = await request(api.url).get('/admin/history').set('authorization', `Bearer ${api.keys.read}`).expect(200);
    expect(ok.headers['cache-control']).toBe('no-store');
  });

  it('marks every admin answer no-store, the refusals made before any handler too', async () => {
    // Arrange
    const read = { authorization: `Bearer ${api.keys.read}` };
    const operate = { authorization: `Bearer ${api.keys.operate}` };
    // Act
    const answers = [
      await request(api.url).get('/admin/status'),
      await request(api.url).get('/admin/status').set('authorization', `Bearer ${adminKey('read').key}`),
      await request(api.url).post('/admin/pause').set(read),
      await request(api.url).get('/admin/history').set(read).query({ limit: 0 }),
      await request(api.url).put('/admin/override').set(operate).set('content-type', 'text/plain').send('fargate'),
      await request(api.url).get('/admin/no-such-route').set(read),
      await request(api.url).get('/stack-status').set(read),
    ];
    // Assert
    expect(answers.map((r) => `${r.status} ${r.headers['cache-control']}`)).toEqual([
      '401 no-store',
      '401 no-store',
      '403 no-store',
      '400 no-store',
      '415 no-store',
      '404 no-store',
      '404 no-store',
    ]);
  });

  it('documents every admin route under the admin tag, each guarded one with both security schemes', async () => {
    // Arrange
    const doc = (await request(api.url).get('/docs/json').expect(200)).body as {
      paths: Record<string, Record<string, { tags?: string[]; security?: Record<string, string[]>[] }>>;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
    };
    // Act
    const problems: string[] = [];
    for (const route of httpRoutes(api.app).filter(isAdmin)) {
      const openApiPath = route.path.replace(/:(\w+)/g, '{$1}');
      const operation = doc.paths[openApiPath]?.[route.method.toLowerCase()];
      if (!operation) problems.push(`${name(route)}: missing`);
      else if (!operation.tags?.includes('admin')) problems.push(`${name(route)}: not tagged admin`);
      else if (!PUBLIC_ROUTES.includes(name(route))) {
        const schemes = (operation.security ?? []).flatMap((s) => Object.keys(s)).sort();
        if (schemes.join() !== 'admin-api-key,admin-bearer') problems.push(`${name(route)}: security ${schemes.join()}`);
      }
    }
    // Assert
    expect(problems).toEqual([]);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['admin-api-key', 'admin-bearer']);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Policy', 'PolicyInput']));
  });
});

describe('admin rate limits', () => {
  let api: RunningAdminApi;
  beforeAll(async () => {
    api = await startAdminApi({ env: { ADMIN_READ_LIMIT_PER_MINUTE: '3', ADMIN_WRITE_LIMIT_PER_MINUTE: '2' } });
  });
  afterAll(() => api.stop());

  it('allows a client so many reads a minute across the admin routes, then answers 429 with Retry-After', async () => {
    // Arrange
    const auth = { authorization: `Bearer ${api.keys.read}` };
    // Act
    const statuses = [];
    for (const path of ['/admin/history', '/stack-status', '/admin/policy', '/admin/history']) {
      statuses.push(await request(api.url).get(path).set(auth));
    }
    // Assert
    expect(statuses.map((r) => r.status)).toEqual([200, 404, 404, 429]);
    const limited = statuses[3];
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.headers['retry-after-read']).toBeUndefined();
    expect(limited.headers['cache-control']).toBe('no-store');
    expect(limited.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.any(String),
      requestId: limited.headers['x-request-id'],
    });
    expect(limited.text).not.toContain('Exception');
  });

  it('counts writes apart from reads, and counts unauthenticated attempts too', async () => {
    const auth = { authorization: `Bearer ${api.keys.operate}` };
    await request(api.url).post('/admin/pause').set(auth).expect(200);
    await request(api.url).post('/admin/resume').expect(401);
    await request(api.url).post('/admin/resume').set(auth).expect(429);
  });

  it('leaves the public pets routes alone', async () => {
    for (let i = 0; i < 6; i++) await request(api.url).get('/pets').expect(200);
  });
});

describe('admin credentials and the log', () => {
  it('never writes a key to the log, whatever the answer', async () => {
    // Arrange: a logger that keeps every line, at the most talkative level.
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const api = await startAdminApi({ logger: pino({ level: 'trace' }, sink) });
    const wrongKey = adminKey('operate').key;
    try {
      // Act
      await request(api.url).get('/admin/policy').set('authorization', `Bearer ${api.keys.read}`);
      await request(api.url).put('/admin/override').set('authorization', `Bearer ${api.keys.read}`).send({ tier: 'fargate' });
      await request(api.url).put('/admin/override').set('x-api-key', api.keys.operate).send({ tier: 'fargate' });
      await request(api.url).put('/admin/policy').set('authorization', `Bearer ${api.keys.operate}`).send({ mode: 7 });
      await request(api.url).get('/admin/status').set('authorization', `Bearer ${wrongKey}`);
      // A key in the query string is not a credential (a 401), and must not reach the log either.
      await request(api.url).get(`/admin/status?api_key=${api.keys.operate}`);
      await request(api.url).get(`/pets?x-api-key=${api.keys.read}&limit=1`);
    } finally {
      await api.stop();
    }
    // Assert
    const log = lines.join('');
    const requestLines = lines.filter((l) => l.includes('"msg":"request"'));
    expect(requestLines).toHaveLength(7);
    expect(requestLines.slice(-2).map((l) => JSON.parse(l).path)).toEqual(['/admin/status', '/pets']);
    for (const key of [api.keys.read, api.keys.operate, wrongKey]) expect(log).not.toContain(key);
    expect(log.toLowerCase()).not.toContain('authorization');
  });
});
