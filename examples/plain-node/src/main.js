/**
 * The HTTP server: what the image runs on Fargate (and locally). Listens on PORT (8080) and HOST
 * (loopback unless told: the image sets 0.0.0.0); on SIGTERM it stops accepting, lets the requests in
 * flight finish, and exits — ECS sends SIGTERM when it drains a task and SIGKILL 30 s later.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { BODY_LIMIT, route } from './app.js';
import { log } from './log.js';

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
// Under ECS's 30 s stopTimeout: exit on our own, even with a request stuck, before the SIGKILL.
const shutdownTimeoutMs = Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 25_000);
// The tier that answers, named in x-lambdaflex-tier: LambdaFlex sets LAMBDAFLEX_TIER on its Fargate tasks.
const tier = process.env.LAMBDAFLEX_TIER ?? (process.env.ECS_CONTAINER_METADATA_URI_V4 ? 'fargate' : 'local');
const state = { draining: false };

/** The body, at most BODY_LIMIT + 1 bytes of it: enough for the router to tell that it is too large. */
async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    if (size <= BODY_LIMIT) chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks).subarray(0, BODY_LIMIT + 1);
}

const server = http.createServer(async (req, res) => {
  const started = performance.now();
  const url = new URL(req.url ?? '/', 'http://service');
  let answer;
  try {
    const body = await readBody(req);
    answer = route({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body }, state);
  } catch (err) {
    log('request failed', { error: err.message });
    answer = { status: 500, headers: { 'content-type': 'application/json' }, body: '{"error":"internal","message":"internal error"}' };
  }
  res.writeHead(answer.status, { ...answer.headers, 'x-lambdaflex-tier': tier }).end(answer.body);
  // The path without its query string: a query may hold what must not be logged.
  log('request', { tier, method: req.method, path: url.pathname, status: answer.status, ms: Math.round(performance.now() - started) });
});
// Longer than an ALB's 60 s idle timeout: the ALB must never reuse a connection the server has just closed (a 502).
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

server.listen(port, host, () => log('listening', { port: server.address().port, host }));

function stop(signal) {
  if (state.draining) return;
  state.draining = true;
  log('draining', { signal });
  setTimeout(() => {
    log('drain timed out', { timeoutMs: shutdownTimeoutMs });
    process.exit(1);
  }, shutdownTimeoutMs).unref();
  // Keep-alive connections are closed as they become idle (their last response sent).
  const reap = setInterval(() => server.closeIdleConnections(), 100);
  // No new connections; the callback runs once the last open one is closed.
  server.close(() => {
    clearInterval(reap);
    log('stopped');
    process.exit(0);
  });
}
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
