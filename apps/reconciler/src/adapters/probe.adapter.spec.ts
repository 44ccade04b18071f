import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProbeAdapter } from './probe.adapter';

let server: http.Server;
let base: string;
const hosts: (string | undefined)[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hosts.push(req.headers.host);
    if (req.url === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    if (req.url === '/broken') return void res.writeHead(500).end('no');
    if (req.url === '/moved') return void res.writeHead(302, { location: '/healthz' }).end();
    // '/hang': never answers; the probe's timeout must end it.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
afterEach(() => {
  hosts.length = 0;
});

/** A port on 127.0.0.1 that nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const adapter = new ProbeAdapter({ timeoutMs: 300 });

it('counts every 2xx answer as ok, sending the service host name as Host', async () => {
  await expect(adapter.probe({ url: `${base}/healthz`, host: 'shop.example.com' }, 3)).resolves.toEqual({ ok: 3, failed: 0 });
  expect(hosts).toEqual(['shop.example.com', 'shop.example.com', 'shop.example.com']);
});

it('counts a 500 and a redirect as failed', async () => {
  await expect(adapter.probe({ url: `${base}/broken` }, 2)).resolves.toEqual({ ok: 0, failed: 2 });
  await expect(adapter.probe({ url: `${base}/moved` }, 1)).resolves.toEqual({ ok: 0, failed: 1 });
});

it('counts a refused connection as failed', async () => {
  const port = await closedPort();
  await expect(adapter.probe({ url: `http://127.0.0.1:${port}/healthz` }, 2)).resolves.toEqual({ ok: 0, failed: 2 });
});

it('counts an answer slower than the timeout as failed, one request after another', async () => {
  const started = Date.now();

  const result = await adapter.probe({ url: `${base}/hang` }, 2);

  expect(result).toEqual({ ok: 0, failed: 2 });
  expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 300 - 20);
  expect(hosts).toHaveLength(2);
});

it('never throws, even on a URL it cannot use', async () => {
  await expect(adapter.probe({ url: 'not a url' }, 1)).resolves.toEqual({ ok: 0, failed: 1 });
  await expect(adapter.probe({ url: 'ftp://127.0.0.1/healthz' }, 1)).resolves.toEqual({ ok: 0, failed: 1 });
  await expect(adapter.probe({ url: `${base}/healthz` }, 0)).resolves.toEqual({ ok: 0, failed: 0 });
});
