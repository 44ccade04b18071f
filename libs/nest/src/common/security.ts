import { NotFoundException } from '@nestjs/common';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Tier } from '../config/config';

/** Where the OpenAPI page is served (SwaggerModule.setup's path). */
export const DOCS_PATH = '/docs';

// The API answers JSON: nothing it sends may run, load anything or be framed.
const API_CSP = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

// swagger-ui: its scripts and stylesheet come from /docs; the page Nest renders carries inline <style>
// blocks and style attributes (hence 'unsafe-inline' for styles, and only there), its icons are data:
// URIs, and "Try it out" calls the API itself.
const DOCS_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

/**
 * The security headers of every response, by helmet: `X-Content-Type-Options: nosniff`, a
 * Content-Security-Policy (none for the JSON API, swagger-ui's for /docs; the admin page sets its own,
 * stricter one in ui/admin-ui.controller.ts), `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`,
 * the cross-origin policies, and HSTS where the service is reached over HTTPS: on Fargate (behind the
 * ALB) and on Lambda (API Gateway answers HTTPS only), not on a local `http://127.0.0.1`.
 *
 * Admin answers (`/admin/**`, `/stack-status`) are also `Cache-Control: no-store` from the start, so the
 * refusals the guards and pipes make before any handler runs (401, 403, 400, 429, 404) are never cached
 * either; the page's files set their own caching over it.
 */
export function securityHeaders(tier: Tier): RequestHandler {
  const common = {
    strictTransportSecurity: tier === 'local' ? false : { maxAge: 31_536_000, includeSubDomains: true },
    xFrameOptions: { action: 'deny' as const },
  };
  const api = headersSetBy(helmet({ ...common, contentSecurityPolicy: { useDefaults: false, directives: API_CSP } }));
  const docs = headersSetBy(helmet({ ...common, contentSecurityPolicy: { useDefaults: false, directives: DOCS_CSP } }));
  return (req, res, next) => {
    if (isUnder(req.path, '/admin') || isUnder(req.path, '/stack-status')) res.setHeader('Cache-Control', 'no-store');
    for (const [name, value] of isUnder(req.path, DOCS_PATH) ? docs : api) res.setHeader(name, value);
    next();
  };
}

/**
 * The headers a helmet middleware sets, taken once by running it on a recording response: with these
 * options (no CSP nonces, no functions as values) they are the same for every request, and setting them
 * from a list spares each request helmet's chain of a dozen middlewares.
 */
function headersSetBy(middleware: ReturnType<typeof helmet>): [string, string][] {
  const headers: [string, string][] = [];
  const recorder = { setHeader: (name: string, value: unknown) => headers.push([name, String(value)]), removeHeader: () => undefined };
  let done = false;
  middleware({} as never, recorder as never, () => (done = true));
  if (!done) throw new Error('helmet did not finish synchronously: its headers cannot be taken once');
  return headers;
}

// What the swagger-ui page loads (see @nestjs/swagger's HTML), and the documents. swagger-ui-dist holds
// much more (its package.json, source maps, other bundles) that nobody needs to see.
const DOCS_FILES = new Set([
  '',
  '/',
  '/index.html',
  '/swagger-ui-init.js',
  '/swagger-ui.css',
  '/swagger-ui-bundle.js',
  '/swagger-ui-standalone-preset.js',
  '/favicon-32x32.png',
  '/favicon-16x16.png',
  '/json',
  '/yaml',
]);

/**
 * Mounted at {@link DOCS_PATH} before SwaggerModule.setup: a 404 for every path under it but the
 * files the page needs, so the static folder SwaggerModule serves shows nothing else.
 */
export function docsFilesOnly(): RequestHandler {
  return (req, _res, next) => {
    // Mounted at /docs, req.path is the rest: '' for /docs itself under express 5's router.
    if (DOCS_FILES.has(req.path)) return next();
    next(new NotFoundException(`no such file: ${DOCS_PATH}${req.path.slice(0, 100)}`));
  };
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}
