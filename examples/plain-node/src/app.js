/**
 * The service itself: one request in, one response out, no I/O. Both entries use it — main.js (the HTTP
 * server, as Fargate runs it) and lambda.js (the handler, as Lambda runs it) — so both tiers answer alike.
 *
 * A request is { method, path, query: URLSearchParams, headers (lower-case names), body: Buffer }.
 * A response is { status, headers, body: string }.
 */

/** The largest request body accepted, in bytes (API Gateway's own limit is 10 MB; ours is smaller). */
export const BODY_LIMIT = 64 * 1024;

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

const reply = (status, value, headers = {}) => ({ status, headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify(value) });
const problem = (status, error, message, headers) => reply(status, { error, message }, headers);

/** Each route: the method it answers and what it does. */
const routes = {
  '/healthz': {
    GET: (_request, state) => (state.draining ? reply(503, { status: 'draining' }) : reply(200, { status: 'ok' })),
  },
  '/hello': {
    GET: ({ query }) => {
      const name = query.get('name') ?? 'world';
      if (name.length > 100) return problem(400, 'bad_request', 'name: at most 100 characters');
      return reply(200, { message: `hello, ${name}` });
    },
  },
  '/echo': {
    POST: ({ headers, body }) => {
      if (!/^application\/json\s*(;|$)/i.test(headers['content-type'] ?? '')) {
        return problem(415, 'unsupported_media_type', 'send Content-Type: application/json');
      }
      if (body.length > BODY_LIMIT) return problem(413, 'payload_too_large', `at most ${BODY_LIMIT} bytes`);
      try {
        return reply(200, { echo: JSON.parse(body.toString('utf8')) });
      } catch {
        return problem(400, 'bad_request', 'the body is not valid JSON');
      }
    },
  },
};

/**
 * Answers one request. `state.draining` is true once the server has been told to stop: /healthz then
 * answers 503, so a balancer still checking it takes the task out.
 */
export function route(request, state = { draining: false }) {
  const methods = routes[request.path];
  if (!methods) return problem(404, 'not_found', `no route ${request.path}`);
  const handle = methods[request.method];
  if (!handle) return problem(405, 'method_not_allowed', `${request.method} ${request.path}`, { allow: Object.keys(methods).join(', ') });
  return handle(request, state);
}
