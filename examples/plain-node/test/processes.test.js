import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';

const entrypoint = new URL('../src/entrypoint.sh', import.meta.url).pathname;
const children = new Set();
after(() => children.forEach((c) => c.kill('SIGKILL')));

/** Runs entrypoint.sh as the image does; resolves each JSON line it writes to stdout, as it comes. */
function start(env) {
  const child = spawn(entrypoint, [], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const lines = [];
  const waiters = [];
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    for (let nl; (nl = buffered.indexOf('\n')) >= 0; buffered = buffered.slice(nl + 1)) lines.push(JSON.parse(buffered.slice(0, nl)));
    waiters.splice(0).forEach((w) => w());
  });
  const line = (msg) =>
    new Promise((resolve) => {
      const check = () => (lines.find((l) => l.msg === msg) ? resolve(lines.find((l) => l.msg === msg)) : waiters.push(check));
      check();
    });
  return { child, line, exited: once(child, 'exit').then(([code]) => code) };
}

describe('as a server (no AWS_LAMBDA_RUNTIME_API)', { timeout: 20_000 }, () => {
  it('serves on PORT and logs one line per request', async () => {
    // Arrange
    const server = start({ PORT: '0', HOST: '127.0.0.1' });
    const { port } = await server.line('listening');
    // Act
    const res = await fetch(`http://127.0.0.1:${port}/hello?name=Ada&token=secret`);
    // Assert
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-lambdaflex-tier'), 'local');
    assert.deepEqual(await res.json(), { message: 'hello, Ada' });
    const logged = await server.line('request');
    assert.deepEqual({ tier: logged.tier, method: logged.method, path: logged.path, status: logged.status }, { tier: 'local', method: 'GET', path: '/hello', status: 200 });
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
  });

  it('on SIGTERM, refuses new connections, finishes the request in flight, and exits 0', async () => {
    // Arrange: a request whose body is only half sent
    const server = start({ PORT: '0', HOST: '127.0.0.1' });
    const { port } = await server.line('listening');
    const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/echo', headers: { 'content-type': 'application/json', 'content-length': 8 } });
    const answered = once(req, 'response');
    req.write('{"a":');
    await new Promise((r) => setTimeout(r, 100));
    // Act
    server.child.kill('SIGTERM');
    await server.line('draining');
    const refused = await fetch(`http://127.0.0.1:${port}/healthz`).then(() => false, () => true);
    req.end('42}');
    // Assert
    const [res] = await answered;
    let body = '';
    for await (const c of res) body += c;
    assert.equal(res.statusCode, 200);
    assert.deepEqual(JSON.parse(body), { echo: { a: 42 } });
    assert.equal(refused, true);
    assert.equal(await server.exited, 0);
  });
});

/** A Runtime API with one event to hand out; records what the function posts back. */
async function runtimeApi(event) {
  const posted = [];
  let handedOut = false;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/2018-06-01/runtime/invocation/next') {
        if (handedOut) return; // the long poll: no second event, ever
        handedOut = true;
        res.writeHead(200, { 'lambda-runtime-aws-request-id': 'req-1', 'lambda-runtime-deadline-ms': String(Date.now() + 3000) });
        return res.end(JSON.stringify(event));
      }
      posted.push({ url: req.url, body: JSON.parse(body), errorType: req.headers['lambda-runtime-function-error-type'] });
      res.writeHead(202).end('{"status":"OK"}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const wait = async () => {
    while (!posted.length) await new Promise((r) => setTimeout(r, 20));
    return posted[0];
  };
  return { address: `127.0.0.1:${server.address().port}`, posted: wait, close: () => server.close(server.closeAllConnections()) };
}

describe('as a Lambda function (AWS_LAMBDA_RUNTIME_API set)', { timeout: 20_000 }, () => {
  it('takes an event from the Runtime API and posts the handler\'s answer back', async () => {
    // Arrange
    const api = await runtimeApi({ version: '2.0', rawPath: '/hello', rawQueryString: 'name=Ada', headers: {}, requestContext: { http: { method: 'GET' } } });
    // Act
    const fn = start({ AWS_LAMBDA_RUNTIME_API: api.address });
    const posted = await api.posted();
    // Assert
    assert.equal(posted.url, '/2018-06-01/runtime/invocation/req-1/response');
    assert.equal(posted.body.statusCode, 200);
    assert.deepEqual(JSON.parse(posted.body.body), { message: 'hello, Ada' });
    fn.child.kill('SIGKILL');
    api.close();
  });

  it('reports a handler it cannot load on /init/error and exits non-zero', async () => {
    // Arrange
    const api = await runtimeApi({});
    // Act
    const child = spawn('node', [new URL('../src/bootstrap.js', import.meta.url).pathname, 'nowhere.handler'], {
      env: { PATH: process.env.PATH, AWS_LAMBDA_RUNTIME_API: api.address },
      stdio: 'ignore',
    });
    const posted = await api.posted();
    const [code] = await once(child, 'exit');
    // Assert
    assert.equal(posted.url, '/2018-06-01/runtime/init/error');
    assert.equal(posted.errorType, 'Runtime.ImportModuleError');
    assert.notEqual(code, 0);
    api.close();
  });
});
